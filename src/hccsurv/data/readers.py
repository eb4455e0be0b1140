"""Reading a cohort or lesion table from CSV, XLSX, Parquet, SAS, SPSS or Stata files.

The format comes from the file's suffix:

- ``.csv`` ``.txt`` ``.tsv``: delimiter sniffed among ``,`` ``;`` tab ``|`` (the one that splits
  every line into the same number of fields, most fields first); encoding tried in the order
  utf-8-sig (BOM), utf-8, cp1252, latin-1; decimal comma detected when the delimiter is not ``,``
  and a column holds only numbers written like ``1,5``. Cells are then typed per column: a column
  whose every non-empty cell is a number becomes numeric, anything else stays text; codes with
  a leading zero (``007``) stay text.
- ``.xlsx`` ``.xlsm``: ``openpyxl``; ``sheet`` is a name or a 0-based index (default: the first).
  The saved (cached) value of a formula cell is read; a formula without a saved value (a file
  written by a program that does not compute formulas) is recorded in
  ``attrs["formula_cells"]`` so validation can name the cell.
- ``.parquet`` ``.pq``: ``pyarrow``.
- ``.sas7bdat`` ``.xpt`` ``.sav`` ``.zsav`` ``.dta``: ``pyreadstat`` (install the optional extra
  ``hccsurv[stats-files]``). The codes are kept as read (the config refers to them); SPSS/Stata
  value labels (``1 = "Male"``) and variable labels go to ``attrs["value_labels"]`` and
  ``attrs["variable_labels"]``, which ``hccsurv init`` offers as display names.

The header is the first non-empty row unless ``header_row`` (1-based file row, as Excel numbers
rows) says otherwise: rows above it (a title, a merged group header) are skipped. Rows with no
value at all are skipped wherever they are; ``attrs["file_rows"]`` keeps the 1-based file row of
each data row, so messages quote the row a user sees in the file. Column names are stripped of
surrounding spaces. In every format, empty cells and the markers ``NA`` ``N/A`` ``n/a`` ``na``
``NaN`` ``nan`` ``NULL`` ``null`` ``.`` are missing values, and so are the cells equal to one of
``missing_values`` (``study.read.missing_values``).
"""

from __future__ import annotations

import csv
import importlib
import io
import re
from collections.abc import Sequence
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
_TITLE_HINT = (
    "; if a title sits above the column names, set study.read.header_row to the file row of "
    "the names (the rows above are skipped)"
)
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


def _sniff_delimiter(text: str, path: Path, first: int = 0) -> str:
    """The delimiter that splits every line alike; ``first`` is the file line ``text`` starts
    on (0-based), for the hint when the header line has none (a title above it)."""
    numbered = [(i, ln) for i, ln in enumerate(_NEWLINE.split(text)) if ln.strip()][:50]
    if not numbered:
        raise DataReadError(f"Cannot read {path}: the file is empty")
    lines = [ln for _, ln in numbered]
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
        below = next(
            (i for i, ln in numbered if any(_count_outside_quotes(ln, d) for d in _DELIMITERS)),
            None,
        )
        hint = (
            f"; file row {first + below + 1} has delimiters: if the rows above it are a title, "
            f"set study.read.header_row = {first + below + 1}"
            if below is not None
            else ""
        )
        raise DataReadError(
            f"Cannot read {path}: no delimiter found among , ; tab | in the header line "
            f"{lines[0][:60]!r}; save the table as CSV or set study.read.delimiter{hint}"
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


def _to_numbers(series: pd.Series) -> pd.Series:
    """Cells that all read as numbers, as numbers; an overflowing literal (``1e309``) becomes
    +-inf, as in Python and R, for validation to name, where pandas would raise."""
    try:
        return pd.to_numeric(series)
    except (ValueError, OverflowError):
        return series.map(lambda v: float(v) if isinstance(v, str) else v).astype("float64")


def _type_columns(
    frame: pd.DataFrame, decimal: str | None, delimiter: str, missing: tuple[str, ...]
) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        col = frame[name].str.strip()
        col = col.mask(col.isin(missing))
        filled = col.dropna()
        if filled.empty:
            out[name] = _to_numbers(col)
            continue
        comma_ok = decimal == "," or (decimal is None and delimiter != ",")
        first = str(filled.iloc[0])
        if not (_NUMBER.fullmatch(first) or (comma_ok and _COMMA_NUMBER.fullmatch(first))):
            out[name] = col  # text: no need to test every value (the usual case for ids, dates)
        elif filled.str.match(_LEADING_ZERO).any():
            out[name] = col
        elif decimal != "," and filled.str.fullmatch(_NUMBER).all():
            out[name] = _to_numbers(col)
        elif comma_ok and filled.str.fullmatch(_COMMA_NUMBER).all():
            out[name] = _to_numbers(col.str.replace(",", ".", regex=False))
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


_NEWLINE = re.compile(r"\r\n|\n|\r")


def _header_line(text: str, header_row: int | None, path: Path) -> int:
    """0-based line of the header: ``header_row - 1``, else the first non-blank line."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the final line break ends the last line; it does not start another
    if header_row is not None:
        if header_row > len(lines):
            raise DataReadError(
                f"Cannot read {path}: study.read.header_row = {header_row} but the file has "
                f"{len(lines)} line(s)"
            )
        return header_row - 1
    return next((i for i, ln in enumerate(lines) if ln.strip()), 0)


def _records(body: str, delim: str, path: Path) -> tuple[list[list[str]], list[int]]:
    """The CSV records of ``body`` and the 1-based line (within ``body``) each starts on.

    Python's csv module, not pandas: pandas takes a data row with one field more than the header
    (a trailing delimiter) as an index column and silently shifts every value one column left.
    """
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim)
    records: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for record in reader:
            if record:  # a blank line
                records.append(record)
                starts.append(line + 1)
            line = reader.line_num
    except csv.Error as exc:
        raise DataReadError(
            f"Cannot read {path}: line {line + 1}: {exc}; check the quotes in that line"
        ) from None
    return records, starts


def _read_csv(
    path: Path,
    delimiter: str | None,
    encoding: str | None,
    decimal: str | None,
    header_row: int | None,
    missing: tuple[str, ...],
) -> pd.DataFrame:
    raw = path.read_bytes()
    text, _ = _decode(raw, path, encoding)
    first = _header_line(text, header_row, path)
    offset = [m.end() for m in _NEWLINE.finditer(text)][first - 1] if first else 0
    body = text[offset:]
    delim = delimiter if delimiter is not None else _sniff_delimiter(body, path, first)
    records, starts = _records(body, delim, path)
    if not records:
        raise DataReadError(f"Cannot read {path}: the file is empty")
    header = [h.strip() for h in records[0]]
    width = len(header)
    rows: list[list[str]] = []
    for record, start in zip(records[1:], starts[1:], strict=True):
        extra = record[width:]
        if any(cell.strip() for cell in extra):
            raise DataReadError(
                f"Cannot read {path}: file row {first + start} has {len(record)} fields but the "
                f"header (file row {first + 1}) has {width}; quote cells that contain the "
                f"delimiter {delim!r}{_TITLE_HINT if header_row is None else ''}"
            )
        # trailing empty fields (a delimiter at the end of data lines) carry nothing
        rows.append(record[:width] + [""] * (width - len(record)))
    named = [i for i, h in enumerate(header) if h != ""]  # unnamed columns, as in XLSX
    _check_unique([header[i] for i in named], path)
    frame = pd.DataFrame(
        [[r[i] for i in named] for r in rows], columns=[header[i] for i in named], dtype=object
    )
    typed = _type_columns(frame, decimal, delim, missing)
    typed.attrs["file_rows"] = [first + start for start in starts[1:]]
    return typed


def _check_unique(names: list[str], path: Path) -> None:
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise DataReadError(
            f"Cannot read {path}: repeated column name(s) {', '.join(dup)}; rename them in the file"
        )


def _drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without any value (blank lines, Excel's ``,,,,``) go; the file rows of the rest stay.

    A row whose only content is formulas without a saved value stays, to be reported.
    """
    rows = frame.attrs["file_rows"]
    formula_rows = {r for r, _, _ in frame.attrs.get("formula_cells", [])}
    keep = frame.notna().any(axis=1).to_numpy() | np.isin(rows, list(formula_rows))
    out = frame.loc[keep]
    out.attrs["file_rows"] = [r for r, k in zip(rows, keep, strict=True) if k]
    return out


def _sheet_name(path: Path, names: list[str], sheet: str | int | None) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if sheet >= len(names):
            raise DataReadError(
                f"Cannot read {path}: sheet index {sheet} does not exist; the workbook has "
                f"{len(names)} sheet(s): {', '.join(names)} (index 0 is the first)"
            )
        return names[sheet]
    if sheet not in names:
        raise DataReadError(
            f"Cannot read {path}: no sheet named {sheet!r}; sheets: {', '.join(names)}"
        )
    return sheet


def _sheet_rows(
    path: Path, sheet: str | int | None, data_only: bool
) -> tuple[list[Any], list[str], str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:
        raise DataReadError(f"Cannot open {path} as an XLSX workbook: {exc}") from None
    try:
        names: list[str] = list(book.sheetnames)
        name = _sheet_name(path, names, sheet)
        # read-only iteration starts at row 1 and yields empty rows, so list index = row - 1
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    return rows, names, name


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_xlsx(
    path: Path, sheet: str | int | None, header_row: int | None, missing: tuple[str, ...]
) -> pd.DataFrame:
    rows, names, name = _sheet_rows(path, sheet, data_only=True)
    if header_row is not None:
        if header_row > len(rows):
            raise DataReadError(
                f"Cannot read {path}: study.read.header_row = {header_row} but sheet {name!r} "
                f"has {len(rows)} row(s)"
            )
        first = header_row - 1
    else:
        first = next((i for i, r in enumerate(rows) if not all(_blank(c) for c in r)), -1)
        if first < 0:
            raise DataReadError(f"Cannot read {path}: sheet {name!r} is empty")
    header = [str(c).strip() if c is not None else "" for c in rows[first]]
    keep = [i for i, h in enumerate(header) if h != ""]
    _check_unique([header[i] for i in keep], path)
    data = [[r[i] if i < len(r) else None for i in keep] for r in rows[first + 1 :]]
    frame = pd.DataFrame(data, columns=[header[i] for i in keep], dtype=object)
    # A formula whose value was never saved (a file written by a script, not by Excel) reads
    # as an empty cell; the second pass sees the formulas so validation can name those cells.
    formulas: list[tuple[int, str, str]] = []
    if any(v is None for r in data for v in r):
        raw_rows, _, _ = _sheet_rows(path, name, data_only=False)
        for offset, raw in enumerate(raw_rows[first + 1 :]):
            for j, i in enumerate(keep):
                cell = raw[i] if i < len(raw) else None
                if isinstance(cell, str) and cell.startswith("=") and data[offset][j] is None:
                    row = first + 2 + offset
                    formulas.append((row, header[i], f"{_column_letter(i)}{row}"))
    for col in frame.columns:
        frame[col] = _type_cells(frame[col], missing)
    frame.attrs["file_rows"] = [first + 2 + i for i in range(len(frame))]
    frame.attrs["sheets"] = names
    frame.attrs["formula_cells"] = formulas
    return frame


def _type_cells(series: pd.Series, missing: tuple[str, ...]) -> pd.Series:
    """One XLSX column typed like the CSV path (text numbers, missing tokens, leading zeros)."""
    series = _mask_tokens(series, missing)
    filled = series.dropna()
    is_text = filled.map(lambda v: isinstance(v, str))
    if is_text.any():
        series = series.map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
        text = series[series.map(lambda v: isinstance(v, str))].astype(str)
        # numbers stored as text cells (Excel's green triangle) are typed like the CSV
        # path; leading zeros keep the column text, as there (ids, codes)
        if text.str.fullmatch(_NUMBER).all() and not text.str.match(_LEADING_ZERO).any():
            return _to_numbers(series)
        return series
    if filled.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
        return _to_numbers(series)
    return series


def _mask_tokens(series: pd.Series, missing: tuple[str, ...]) -> pd.Series:
    """Cells equal to a missing token become missing: text after stripping, numbers by their
    text (a configured ``-9`` or ``999`` matches the number -9.0 or 999 as typed)."""
    tokens = set(missing)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        # a typed numeric column (Parquet, SPSS): only numeric tokens can match, vectorised
        codes = [float(t) for t in tokens if _NUMBER.fullmatch(t)]
        return series.mask(series.isin(codes)) if codes else series

    def hit(value: object) -> bool:
        if isinstance(value, str):
            return value.strip() in tokens
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
            text = str(int(number)) if number.is_integer() else str(number)
            return text in tokens
        return False

    flagged = series.map(hit)
    if not flagged.any():
        return series
    return series.astype(object).mask(flagged, None)


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
        frame, meta = reader(str(path))
    except Exception as exc:
        raise DataReadError(f"Cannot read {path}: {exc}") from None
    out = pd.DataFrame(frame)
    # value labels keyed by the code as the cohort shows it (1.0 -> "1"), so they match the
    # text the config uses for groups and levels
    value_labels = {
        str(col): {_code_text(code): str(label) for code, label in labels.items()}
        for col, labels in (getattr(meta, "variable_value_labels", None) or {}).items()
    }
    variable_labels = {
        str(col): str(label)
        for col, label in (getattr(meta, "column_names_to_labels", None) or {}).items()
        if label
    }
    out.attrs["value_labels"] = value_labels
    out.attrs["variable_labels"] = variable_labels
    return out


def _code_text(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    header_row: int | None = None,
    missing_values: Sequence[str] = (),
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
    header_row
        1-based file row of the column names (CSV and XLSX); default: the first non-empty row.
    missing_values
        Cell values read as missing in addition to the defaults (``NA``, empty, ``.`` ...), in
        every format: ``["-", "unknown", "999"]``.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty file row. ``attrs``: ``file_rows`` (1-based file row of each row,
        CSV and XLSX), ``sheets`` and ``formula_cells`` (``(file row, column, cell)`` of
        formulas without a saved value; XLSX), ``value_labels`` and ``variable_labels``
        (SPSS, Stata, SAS).

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
    missing = (*_MISSING, *(str(m).strip() for m in missing_values))
    if suffix in (".csv", ".txt", ".tsv"):
        frame = _drop_empty_rows(_read_csv(p, delimiter, encoding, decimal, header_row, missing))
    elif suffix in (".xlsx", ".xlsm"):
        frame = _drop_empty_rows(_read_xlsx(p, sheet, header_row, missing))
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
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        # typed formats: the tokens apply to their text cells (and configured numeric codes)
        for col in frame.columns:
            frame[col] = _mask_tokens(frame[col], missing)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    _check_unique(list(frame.columns), p)
    return frame.reset_index(drop=True)
