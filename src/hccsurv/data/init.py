"""A starter study config written from a data file's columns (``hccsurv init``).

``starter_config(datafile)`` reads the file and writes a commented TOML that
:func:`hccsurv.config.load_config` accepts. Guesses, each marked ``# CHECK`` in the output:

- id column: a column whose name looks like an id (``id``, ``patient``, ``subject``, ``record``)
  and whose values are unique; otherwise the first column with unique values;
- date columns: columns that parse as dates without a problem (numbers only when the name says
  ``date``); roles by name: start (``start``, ``haic``, ``treat``, ``index``, ``baseline``,
  ``enrol``), death (``death``, ``died``, ``deceased``, ``dod``), progression (``progress``,
  ``recur``, ``relapse``, ``pd``), last contact (``contact``, ``follow``, ``fu``, ``alive``,
  ``visit``), last assessment (``assess``, ``scan``, ``imaging``);
- group column: a text column with 2-4 values whose name looks like a group (``group``, ``arm``,
  ``cohort``, ``treatment``), otherwise the first text column with 2 values;
- Table 1 rows: every other column except outcomes (response, status, event, censoring names);
  kinds: text or at most 7 distinct numbers -> categorical; other numbers -> normal when the
  absolute skewness is below 1, skewed otherwise;
- clinical inputs by name (bilirubin, albumin, INR, ascites, encephalopathy, ECOG, AFP, tumour size
  and number, portal/vascular invasion, extrahepatic spread/metastasis, height, weight, age) and
  the units by name (``umol``, ``g_l``) or, failing that, by the median value;
- header row: the first row, unless title rows above it leave at most 2 columns (then the row
  of 2-10 giving the most columns, written as ``study.read.header_row``).

SPSS/Stata/SAS files keep their codes in the data and the config; their labels become display
names: a variable label is a Table 1 row's ``label``; a labelled group column (``1 = "HAIC"``)
gets ``groups.display_names``; another labelled column is shown through a ``[[derived]]`` recode
``<column>_label`` (code -> label) that Table 1 lists instead of the codes, when every code in
the data has a label (otherwise the codes are listed, with the labels in a comment).

Review every guessed line before running the analysis.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd

from hccsurv.data.dates import parse_date_column
from hccsurv.data.readers import read_table
from hccsurv.errors import DataReadError

__all__ = ["starter_config"]

_ROLE_PATTERNS: dict[str, str] = {
    "death": r"death|died|decease|dod\b",
    "progression": r"progress|recur|relapse|(^|_)pd(_|$)",
    "last_contact": r"contact|follow|(^|_)l?fu(_|$)|alive|visit",
    "last_assessment": r"assess|scan|imaging",
    "start": r"start|haic|treat|index|baseline|enrol|inclusion|(^|_)t0",
}
_CLINICAL_PATTERNS: dict[str, str] = {
    "age": r"^age",
    "bilirubin": r"bili",
    "albumin": r"album|(^|_)alb(_|$)",
    "inr": r"(^|_)inr(_|$)",
    "ascites": r"ascit",
    "encephalopathy": r"enceph|(^|_)he(_|$)",
    "ecog": r"ecog|(^|_)ps(_|$)|performance",
    "afp": r"afp|fetoprotein",
    "tumor_size_mm": r"(tumou?r|nodule|lesion).*(size|diam)|(size|diam).*(tumou?r|nodule)",
    "tumor_number": r"(tumou?r|nodule|lesion).*(number|count|n$)|number.*(tumou?r|nodule)",
    "vascular_invasion": r"portal|vascular|pvtt|macrovasc",
    "extrahepatic_spread": r"extrahep|metasta|ehs",
    "height_cm": r"height",
    "weight_kg": r"weight",
}
_ID_PATTERN = r"(^|_)(id|patient|subject|record|pid)(_|$)|^id"
_GROUP_PATTERN = r"group|arm|cohort|treatment|line"
_OUTCOME_PATTERN = r"response|(^|_)bor(_|$)|recist|(^|_)(os|pfs|ttp)(_|$)|status|event|censor"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _find(columns: list[str], pattern: str, exclude: set[str]) -> str | None:
    for col in columns:
        if col not in exclude and re.search(pattern, _norm(col)):
            return col
    return None


def _date_columns(frame: pd.DataFrame) -> list[str]:
    found: list[str] = []
    ids = [str(i) for i in range(len(frame))]
    for col in frame.columns:
        series = frame[col]
        if series.notna().sum() == 0:
            continue
        numeric = pd.api.types.is_numeric_dtype(series)
        if numeric and "date" not in _norm(str(col)):
            continue
        parsed, problems = parse_date_column(series, column=str(col), ids=ids)
        if not problems and parsed.notna().sum() > 0:
            found.append(str(col))
    return found


def _kind(series: pd.Series) -> str:
    values = series.dropna()
    if not pd.api.types.is_numeric_dtype(series) or values.nunique() <= 7:
        return "categorical"
    x = values.to_numpy(dtype=float)
    sd = float(x.std())
    skew = float(((x - x.mean()) ** 3).mean()) / sd**3 if sd > 0 else 0.0
    return "normal" if abs(skew) < 1 else "skewed"


def starter_config(datafile: str | Path, *, config_path: str | Path | None = None) -> str:
    """A commented study config for ``datafile`` (TOML text; load it with ``load_config``).

    Parameters
    ----------
    datafile
        The cohort file (any format :func:`hccsurv.data.readers.read_table` reads).
    config_path
        Where the config will be saved; ``study.data`` is written relative to its folder.
        Default: a file next to the data.
    """
    path = Path(datafile)
    frame, header_row = _read_guessing_header(path)
    columns = [str(c) for c in frame.columns]
    base = Path(config_path).parent if config_path is not None else path.parent
    data_ref = Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()

    unique = [c for c in columns if frame[c].notna().all() and frame[c].is_unique]
    id_col = _find(unique, _ID_PATTERN, set()) or (unique[0] if unique else columns[0])
    dates = _date_columns(frame)
    used: set[str] = {id_col}
    roles: dict[str, str | None] = {}
    for role, pattern in _ROLE_PATTERNS.items():
        roles[role] = _find(dates, pattern, used)
        if roles[role] is not None:
            used.add(str(roles[role]))
    if roles["start"] is None:
        roles["start"] = next((d for d in dates if d not in used), None)
        if roles["start"] is not None:
            used.add(roles["start"])

    value_labels: dict[str, dict[str, str]] = frame.attrs.get("value_labels", {})
    variable_labels: dict[str, str] = frame.attrs.get("variable_labels", {})
    # a labelled numeric column is categorical: its codes stand for the labels
    text_cols = [
        c
        for c in columns
        if c not in used
        and c not in dates
        and (not pd.api.types.is_numeric_dtype(frame[c]) or c in value_labels)
    ]
    few = [c for c in text_cols if 2 <= frame[c].nunique() <= 4]
    group_col = _find(few, _GROUP_PATTERN, set()) or next(
        (c for c in text_cols if frame[c].nunique() == 2), None
    )
    # sorted, as R's factor() orders levels: the guess must not depend on the row order
    group_levels = (
        sorted({_code(v) for v in frame[group_col].dropna()}, key=_natural)
        if group_col is not None
        else []
    )
    if group_col is not None:
        used.add(group_col)

    clinical: dict[str, str] = {}
    for role, pattern in _CLINICAL_PATTERNS.items():
        col = _find(columns, pattern, used | set(dates) | set(clinical.values()))
        if col is not None:
            clinical[role] = col

    cutoff = None
    if dates:
        parsed = [parse_date_column(frame[d], column=d, ids=columns)[0] for d in dates]
        latest = max(p.max() for p in parsed)
        cutoff = pd.Timestamp(latest).strftime("%Y-%m-%d")

    lines = [
        f"# Study config written by `hccsurv init` from {path.name}.",
        "# Lines marked CHECK are guesses: review each one. Paths are relative to this file.",
        "# Every key is documented in hccsurv.config and in the demo study.toml.",
        "",
        "[study]",
        f"title = {_q(path.stem)}",
        'design = "Retrospective cohort study"',
        f"data = {_q(data_ref)}",
        f"id_column = {_q(id_col)}  # CHECK: guessed",
    ]
    if roles["death"] is not None:
        lines.append(f"death_column = {_q(roles['death'])}  # CHECK: guessed")
    if roles["progression"] is not None:
        lines.append(f"progression_column = {_q(roles['progression'])}  # CHECK: guessed")
    if cutoff is not None:
        lines.append(f"cutoff = {cutoff}  # CHECK: the latest date in the file, not the cut-off")
    lines += [
        'time_unit = "months"  # days | weeks | months | years',
        "landmarks = [12]",
    ]
    if header_row is not None:
        lines += [
            "",
            "[study.read]",
            f"header_row = {header_row}  # CHECK: guessed (title rows above the column names)",
        ]
    lines += ["", "[groups]"]
    if group_col is not None and len(group_levels) >= 2:
        lines += [
            f"column = {_q(group_col)}  # CHECK: guessed",
            f"labels = [{', '.join(_q(v) for v in group_levels)}]  # display order; first = "
            "reference",
        ]
        names = value_labels.get(group_col, {})
        shown = {v: names[v] for v in group_levels if v in names}
        if shown:
            pairs = ", ".join(f"{_q(k)} = {_q(v)}" for k, v in shown.items())
            lines.append(f"display_names = {{ {pairs} }}  # the file's value labels")
    else:
        lines += [
            "# No group column found: name it and list its values (first = reference).",
            'column = "FILL_IN_GROUP_COLUMN"',
            'labels = ["FILL_IN_REFERENCE", "FILL_IN_OTHER"]',
        ]
    lines += ["", *_endpoint_lines(roles)]

    if clinical:
        lines += ["", "[clinical]  # CHECK: guessed from the column names"]
        lines += [f"{role} = {_q(col)}" for role, col in clinical.items()]
        lines += ["", "[units]  # CHECK: guessed from names and values"]
        if "bilirubin" in clinical:
            lines.append(f"bilirubin = {_q(_bilirubin_unit(frame, clinical['bilirubin']))}")
        if "albumin" in clinical:
            lines.append(f"albumin = {_q(_albumin_unit(frame, clinical['albumin']))}")

    baseline = [
        c
        for c in columns
        if c not in used and c not in dates and not re.search(_OUTCOME_PATTERN, _norm(c))
    ]
    recodes = _label_recodes(frame, baseline, value_labels, set(columns))
    for col, (name, mapping) in recodes.items():
        pairs = ", ".join(f"{_q(k)} = {_q(v)}" for k, v in mapping.items())
        lines += [
            "",
            f"[[derived]]  # the value labels of {col}, shown in Table 1 instead of the codes",
            f"name = {_q(name)}",
            f"column = {_q(col)}",
            f"map = {{ {pairs} }}",
            f"labels = [{', '.join(_q(v) for v in dict.fromkeys(mapping.values()))}]",
        ]
    if baseline:
        lines += ["", "# Table 1 rows: kind = categorical | normal | skewed (CHECK: guessed)."]
        for col in baseline:
            lines.append("[[baseline]]")
            lines.append(f"column = {_q(recodes[col][0] if col in recodes else col)}")
            if col in variable_labels:
                lines.append(f"label = {_q(variable_labels[col])}")
            kind = "categorical" if col in value_labels else _kind(frame[col])
            lines.append(f"kind = {_q(kind)}")
            if col in value_labels and col not in recodes:
                pairs = ", ".join(f"{k} = {v}" for k, v in value_labels[col].items())
                lines.append(f"# value labels (some codes in the data have none): {pairs}")
            lines.append("")
    lines += [
        "[cox]",
        "threshold = 0.1",
        'ties = "efron"',
        "# Add [[cox.candidates]] entries: column, label, reference (for categorical ones).",
        "",
        "[output]",
        "include_identifiers = false",
        "",
    ]
    return "\n".join(lines)


def _read_guessing_header(path: Path) -> tuple[pd.DataFrame, int | None]:
    """The table, and its header row when title rows sit above the column names.

    A title read as the header leaves at most 2 columns (or fails to parse as CSV); then rows
    2-10 are tried and the first giving the most columns wins.
    """
    try:
        frame = read_table(path)
        if frame.shape[1] > 2:
            return frame, None
        error: DataReadError | None = None
    except DataReadError as exc:
        frame, error = pd.DataFrame(), exc
    best: tuple[int, pd.DataFrame, int] | None = None
    for row in range(2, 11):
        try:
            candidate = read_table(path, header_row=row)
        except DataReadError:
            continue
        if best is None or candidate.shape[1] > best[0]:
            best = (candidate.shape[1], candidate, row)
    if best is not None and best[0] > max(frame.shape[1], 2):
        return best[1], best[2]
    if error is not None:
        raise error
    return frame, None


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _natural(code: str) -> tuple[int, float, str]:
    """Numbers in numeric order (codes 1, 2, 10), then text, as R's factor() on each kind."""
    try:
        return (0, float(code), "")
    except ValueError:
        return (1, 0.0, code)


def _label_recodes(
    frame: pd.DataFrame,
    baseline: list[str],
    value_labels: dict[str, dict[str, str]],
    taken: set[str],
) -> dict[str, tuple[str, dict[str, str]]]:
    """``{column: (derived name, code -> label)}`` for labelled Table 1 columns.

    Only when every code in the data has a label: a recode sends unlisted values to missing.
    """
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for col in baseline:
        labels = value_labels.get(col)
        if not labels:
            continue
        codes = {_code(v) for v in frame[col].dropna()}
        if not codes <= set(labels):
            continue
        name = f"{col}_label"
        while name in taken:
            name += "_"
        taken.add(name)
        ordered = sorted(labels, key=_natural)
        out[col] = (name, {k: labels[k] for k in ordered})
    return out


def _endpoint_lines(roles: dict[str, str | None]) -> list[str]:
    start, contact = roles["start"], roles["last_contact"]
    death, prog, assess = roles["death"], roles["progression"], roles["last_assessment"]
    if start is None or contact is None or (death is None and prog is None):
        return [
            "# No endpoint dates found: name the start, event and last-contact date columns.",
            "[endpoints.OS]",
            'label = "Overall survival"',
            'start = "FILL_IN_START_DATE"',
            'events = ["FILL_IN_DEATH_DATE"]',
            'last_contact = "FILL_IN_LAST_CONTACT_DATE"',
            'censoring = "last_followup"',
        ]
    lines: list[str] = []
    if death is not None:
        lines += [
            "[endpoints.OS]  # CHECK: guessed",
            'label = "Overall survival"',
            f"start = {_q(start)}",
            f"events = [{_q(death)}]",
            f"last_contact = {_q(contact)}",
            'censoring = "last_followup"',
            "",
        ]
    if prog is not None:
        events = [prog] + ([death] if death is not None else [])
        lines += [
            "[endpoints.PFS]  # CHECK: guessed",
            'label = "Progression-free survival"',
            f"start = {_q(start)}",
            f"events = [{', '.join(_q(e) for e in events)}]",
            f"last_contact = {_q(contact)}",
        ]
        if assess is not None:
            lines += ['censoring = "last_assessment"', f"last_assessment = {_q(assess)}"]
        else:
            lines.append('censoring = "last_followup"')
    return lines


def _bilirubin_unit(frame: pd.DataFrame, col: str) -> str:
    name = _norm(col)
    if "umol" in name or "mmol" in name:
        return "umol/L"
    if "mg" in name:
        return "mg/dL"
    median = pd.to_numeric(frame[col], errors="coerce").median()
    return "umol/L" if median > 5 else "mg/dL"


def _albumin_unit(frame: pd.DataFrame, col: str) -> str:
    name = _norm(col)
    if "g_dl" in name or "gdl" in name:
        return "g/dL"
    if "g_l" in name or "gl" in name:
        return "g/L"
    median = pd.to_numeric(frame[col], errors="coerce").median()
    return "g/L" if median > 8 else "g/dL"
