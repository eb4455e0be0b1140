"""Byte-reproducible OOXML packages (.docx, .xlsx).

``zipfile.ZipFile.writestr(name, data)`` stamps every member with the wall-clock time, so two saves
of the same document differ. :func:`write_reproducible_zip` re-packs an in-memory package with a
fixed timestamp (1980-01-01, the zip epoch), fixed permissions and the members in their original
order, which is what Office expects ([Content_Types].xml first).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o100644 << 16  # regular file, rw-r--r--


def write_reproducible_zip(package: bytes, path: str | Path) -> Path:
    """Write the zip ``package`` to ``path`` with fixed member metadata; return the path."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _MODE
            info.create_system = 3
            target.writestr(info, source.read(member.filename))
    target_path = Path(path)
    target_path.write_bytes(out.getvalue())
    return target_path
