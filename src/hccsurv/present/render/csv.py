"""CSV export of the unrounded numbers behind a :class:`~hccsurv.present.table.Table`.

The file holds ``table.data`` (not the formatted text): UTF-8 without BOM, comma-separated, a
header row, no index, ``\\n`` line ends, missing values as empty fields, floats written with
``repr`` precision (round-trips exactly).
"""

from __future__ import annotations

from pathlib import Path

from hccsurv.errors import InputError
from hccsurv.present.table import Table


def write_csv(table: Table, path: str | Path) -> Path:
    """Write ``table.data`` to ``path`` as CSV and return the path.

    Raises
    ------
    InputError
        If the table carries no data (an empty frame with no columns).
    """
    if table.data.columns.empty:
        raise InputError(
            f"Table {table.id!r} has no data to write; build it with data=<DataFrame of the "
            "unrounded numbers>"
        )
    target = Path(path)
    table.data.to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
    return target
