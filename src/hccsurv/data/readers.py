"""Reading a cohort or lesion table from CSV, XLSX, Parquet, SAS, SPSS or Stata files.

The format comes from the file's suffix:

- ``.csv`` ``.txt`` ``.tsv``: delimiter sniffed among ``,`` ``;`` tab ``|`` (the one that splits
  every line into the same number of fields, most fields first); encoding tried in the order
  utf-8-sig (BOM), utf-8, cp1252, latin-1; decimal comma detected when the delimiter is not ``,``
  and a column holds only numbers written like ``1,5``. Cells are then typed per column: a column
  whose every non-empty cell is a number becomes numeric, anything else stays text; codes with
  a leading zero (``007``) stay text.
- ``.xlsx`` ``.xlsm``: ``openpyxl``; ``sheet`` is a name or a 0-based index (default: the first).
- ``.parquet`` ``.pq``: ``pyarrow``.
- ``.sas7bdat`` ``.xpt`` ``.sav`` ``.zsav`` ``.dta``: ``pyreadstat`` (install the optional extra
  ``hccsurv[stats-files]``).

Column names are stripped of surrounding spaces. In CSV files, empty cells and the markers
``NA`` ``N/A`` ``n/a`` ``na`` ``NaN`` ``nan`` ``NULL`` ``null`` ``.`` are missing values.
"""

from __future__ import annotations

import importlib
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hccsurv.errors import DataReadError

__all__ = ["read_table"]

_DELIMITERS = (",", ";", "\t", "|")
_ENCODINGS = ("utf-8", "cp1252")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_MISSING = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", ".")
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
_COMMA_NUMBER = re.compile(r"^[+-]?\d+(,\d+)?$")
_STATS_READERS = {
    ".sas7bdat": "read_sas7bdat",
    ".xpt": "read_xport",
    ".sav": "read_sav",
    ".zsav": "read_sav",
    ".dta": "read_dta",
}


def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataReadError(
                f"Cannot read {path}: it is not valid {encoding} text ({exc}); remove "
                "study.read.encoding to let hccsurv guess it, or set the right one"
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    # Excel's "Unicode text" export is UTF-16 with a byte-order mark (tab-separated)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass  # a BOM-like start that is not UTF-16: fall through to the usual guesses
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"  # every byte sequence is valid latin-1


def _sniff_delimiter(text: str, path: Path) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    if not lines:
        raise DataReadError(f"Cannot read {path}: the file is empty")
    best: tuple[int, int, str] | None = None
    for delim in _DELIMITERS:
        counts = [_count_outside_quotes(ln, delim) for ln in lines]
        if counts[0] == 0:
            continue
        consistent = sum(c == counts[0] for c in counts)
        score = (consistent, counts[0], delim)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        raise DataReadError(
            f"Cannot read {path}: no delimiter found among , ; tab | in the header line; "
            "save the table as CSV or set study.read.delimiter"
        )
    return best[2]


def _count_outside_quotes(line: str, delim: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            count += 1
    return count


def _type_columns(frame: pd.DataFrame, decimal: str | None, delimiter: str) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        col = frame[name].str.strip()
        col = col.mask(col.isin(_MISSING))
        filled = col.dropna()
        if filled.empty:
            out[name] = pd.to_numeric(col)
            continue
        comma_ok = decimal == "," or (decimal is None and delimiter != ",")
        first = str(filled.iloc[0])
        if not (_NUMBER.fullmatch(first) or (comma_ok and _COMMA_NUMBER.fullmatch(first))):
            out[name] = col  # text: no need to test every value (the usual case for ids, dates)
        elif filled.str.match(_LEADING_ZERO).any():
            out[name] = col
        elif decimal != "," and filled.str.fullmatch(_NUMBER).all():
            out[name] = pd.to_numeric(col)
        elif comma_ok and filled.str.fullmatch(_COMMA_NUMBER).all():
            out[name] = pd.to_numeric(col.str.replace(",", ".", regex=False))
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _read_csv(
    path: Path, delimiter: str | None, encoding: str | None, decimal: str | None
) -> pd.DataFrame:
    raw = path.read_bytes()
    text, _ = _decode(raw, path, encoding)
    delim = delimiter if delimiter is not None else _sniff_delimiter(text, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataReadError(
            f"Cannot read {path} as a table with delimiter {delim!r}: {exc}; check that every "
            "row has the same number of fields (quote cells that contain the delimiter)"
        ) from None
    typed = _type_columns(frame, decimal, delim)
    # Excel pads exports with rows of bare delimiters (",,,,"); only trailing ones are dropped
    # so the file row numbers quoted in messages stay right for every patient row
    filled = np.flatnonzero(typed.notna().any(axis=1).to_numpy())
    return typed.iloc[: filled[-1] + 1 if filled.size else 0]


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise DataReadError(f"Cannot open {path} as an XLSX workbook: {exc}") from None
    try:
        names: list[str] = list(book.sheetnames)
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if sheet >= len(names):
                raise DataReadError(
                    f"Cannot read {path}: sheet index {sheet} does not exist; the workbook has "
                    f"{len(names)} sheet(s): {', '.join(names)} (index 0 is the first)"
                )
            name = names[sheet]
        else:
            if sheet not in names:
                raise DataReadError(
                    f"Cannot read {path}: no sheet named {sheet!r}; sheets: {', '.join(names)}"
                )
            name = sheet
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    rows = [r for r in rows if any(c is not None and str(c).strip() != "" for c in r)]
    if not rows:
        raise DataReadError(f"Cannot read {path}: sheet {name!r} is empty")
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    keep = [i for i, h in enumerate(header) if h != ""]
    data = [[r[i] if i < len(r) else None for i in keep] for r in rows[1:]]
    frame = pd.DataFrame(data, columns=[header[i] for i in keep])
    for col in frame.columns:
        series = frame[col]
        filled = series.dropna()
        is_text = filled.map(lambda v: isinstance(v, str))
        if is_text.any():
            series = series.map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
            # the same missing tokens as CSV, so "NA" typed into a cell is missing here too
            series = series.mask(series.isin(_MISSING), None)
            text = series[series.map(lambda v: isinstance(v, str))].astype(str)
            # numbers stored as text cells (Excel's green triangle) are typed like the CSV
            # path; leading zeros keep the column text, as there (ids, codes)
            if text.str.fullmatch(_NUMBER).all() and not text.str.match(_LEADING_ZERO).any():
                frame[col] = pd.to_numeric(series)
            else:
                frame[col] = series
        elif filled.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
            frame[col] = pd.to_numeric(series)
    return frame


def _read_stats(path: Path) -> pd.DataFrame:
    try:
        pyreadstat: Any = importlib.import_module("pyreadstat")
    except ImportError:
        raise DataReadError(
            f"Cannot read {path}: SAS, SPSS and Stata files need the optional package pyreadstat; "
            "install it with: pip install 'hccsurv[stats-files]'"
        ) from None
    reader = getattr(pyreadstat, _STATS_READERS[path.suffix.lower()])
    try:
        frame, _meta = reader(str(path))
    except Exception as exc:
        raise DataReadError(f"Cannot read {path}: {exc}") from None
    return pd.DataFrame(frame)


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read one table (cohort or lesions) into a DataFrame.

    Parameters
    ----------
    path
        The file; its suffix chooses the reader (see the module docstring).
    sheet
        XLSX sheet name or 0-based index (default: the first sheet).
    delimiter, encoding, decimal
        CSV options; each is guessed when ``None``.

    Raises
    ------
    DataReadError
        Naming the file and the cause: missing file, unknown suffix, undecodable text, ragged
        rows, missing sheet, missing optional package.
    """
    p = Path(path)
    if not p.is_file():
        raise DataReadError(
            f"Cannot read {p}: no such file; check study.data (paths are relative to the config)"
        )
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame = _read_csv(p, delimiter, encoding, decimal)
    elif suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(p, sheet)
    elif suffix in (".parquet", ".pq"):
        try:
            frame = pd.read_parquet(p)
        except Exception as exc:
            raise DataReadError(f"Cannot read {p} as Parquet: {exc}") from None
    elif suffix in _STATS_READERS:
        frame = _read_stats(p)
    else:
        raise DataReadError(
            f"Cannot read {p}: unknown file type {suffix!r}; use .csv, .xlsx, .parquet, "
            ".sas7bdat, .xpt, .sav or .dta"
        )
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    dup = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dup:
        raise DataReadError(
            f"Cannot read {p}: repeated column name(s) {', '.join(dup)}; rename them in the file"
        )
    return frame.reset_index(drop=True)
