"""A starter study config written from a data file's columns (``hccsurv init``).

``starter_config(datafile)`` reads the file and writes a commented TOML that
:func:`hccsurv.config.load_config` accepts. Guesses, each marked ``# CHECK`` in the output:

- id column, long format, group column, time/status pairs, their coding and time unit: see
  :mod:`hccsurv.data.guess` (each guess is written with its reason as a ``# CHECK:`` comment):
  no id column leaves ``id_column`` out (rows numbered 1..n); a status coding other than 0/1 is
  written as ``event_codes`` / ``censored_codes`` / ``competing_codes`` (a competing cause named
  ``status_<code>`` for the user to rename); a long-format file gets one endpoint per key value
  (``key`` / ``key_value``);
- date columns: columns that parse as dates without a problem (numbers only when the name says
  ``date``); roles by name: start (``start``, ``haic``, ``treat``, ``index``, ``baseline``,
  ``enrol``), death (``death``, ``died``, ``deceased``, ``dod``), progression (``progress``,
  ``recur``, ``relapse``, ``pd``), last contact (``contact``, ``follow``, ``fu``, ``alive``,
  ``visit``), last assessment (``assess``, ``scan``, ``imaging``);
- Table 1 rows: every other column except outcomes (the time/status pairs; response, status,
  event, censoring names) and columns that cannot be a row (all missing, a single value, free
  text), which are listed in a comment;
  kinds: text or at most 7 distinct numbers -> categorical; other numbers -> normal when the
  absolute skewness is below 1, skewed otherwise;
- clinical inputs by name (bilirubin, albumin, INR, ascites, encephalopathy, ECOG, AFP, tumour size
  and number, portal/vascular invasion, extrahepatic spread/metastasis, height, weight, age) and
  the units by name (``umol``, ``g_l``) or, failing that, by the median value. A 0/1 ascites or
  encephalopathy column is not mapped (Child-Pugh needs grades): it is listed with the reason.
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
from hccsurv.data.guess import (
    IdGuess,
    SurvivalPair,
    guess_group,
    guess_id,
    guess_survival_pairs,
    is_binary,
)
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
#: Clinical inputs that Child-Pugh reads as grades (none / mild / moderate-severe), not 0/1.
_GRADED = ("ascites", "encephalopathy")
#: Text columns with more distinct values than this are free text, not Table 1 categories.
_MAX_TEXT_LEVELS = 12
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

    id_guess = guess_id(frame)
    id_col = id_guess.column
    dates = _date_columns(frame)
    used: set[str] = {c for c in (id_col, id_guess.key) if c is not None}
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
    pairs = guess_survival_pairs(frame, exclude=[*used, *dates])
    used |= {c for pair in pairs for c in (pair.time, pair.status)}
    group_col, group_levels, group_reason = guess_group(frame, exclude=[*used, *dates])
    if group_col is not None:
        used.add(group_col)

    clinical: dict[str, str] = {}
    unplaced: dict[str, str] = {}
    for role, pattern in _CLINICAL_PATTERNS.items():
        col = _find(columns, pattern, used | set(dates) | set(clinical.values()))
        if col is None:
            continue
        if role in _GRADED and is_binary(frame[col]):
            unplaced[col] = (
                f"not clinical.{role}: its 0/1 values (present/absent) are not the grades "
                "Child-Pugh needs (none / mild / moderate-severe); recode it first"
            )
            continue
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
        *_id_lines(id_guess),
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
            f"# CHECK: {group_reason}",
            f"column = {_q(group_col)}",
            f"labels = [{', '.join(_q(v) for v in group_levels)}]  # display order; first = "
            "reference",
        ]
        names = value_labels.get(group_col, {})
        shown = {v: names[v] for v in group_levels if v in names}
        if shown:
            coded = ", ".join(f"{_q(k)} = {_q(v)}" for k, v in shown.items())
            lines.append(f"display_names = {{ {coded} }}  # the file's value labels")
    else:
        lines += [
            f"# No group column found: {group_reason}.",
            "# Name it and list its values (first = reference). Columns with 2-6 values: "
            + (", ".join(_few_valued(frame, used | set(dates))) or "none"),
            'column = "FILL_IN_GROUP_COLUMN"',
            'labels = ["FILL_IN_REFERENCE", "FILL_IN_OTHER"]',
        ]
    date_lines = _endpoint_lines(roles, pairs)
    taken = set(re.findall(r"^\[endpoints\.(\w+)\]", "\n".join(date_lines), re.M))
    lines += ["", *date_lines, *_pair_lines(pairs, id_guess, taken)]

    if clinical:
        lines += ["", "[clinical]  # CHECK: guessed from the column names"]
        lines += [f"{role} = {_q(col)}" for role, col in clinical.items()]
        lines += ["", "[units]  # CHECK: guessed from names and values"]
        if "bilirubin" in clinical:
            lines.append(f"bilirubin = {_q(_bilirubin_unit(frame, clinical['bilirubin']))}")
        if "albumin" in clinical:
            lines.append(f"albumin = {_q(_albumin_unit(frame, clinical['albumin']))}")

    baseline = []
    for c in columns:
        if c in used or c in dates or re.search(_OUTCOME_PATTERN, _norm(c)):
            continue
        why = _unplaceable(frame[c])
        if why is None:
            baseline.append(c)
        else:
            unplaced[c] = why
    if unplaced:
        lines += ["", "# Columns not placed, or not in the role their name suggests (CHECK):"]
        lines += [f"#   {col}: {why}" for col, why in unplaced.items()]
    recodes = _label_recodes(frame, baseline, value_labels, set(columns))
    for col, (name, mapping) in recodes.items():
        coded = ", ".join(f"{_q(k)} = {_q(v)}" for k, v in mapping.items())
        lines += [
            "",
            f"[[derived]]  # the value labels of {col}, shown in Table 1 instead of the codes",
            f"name = {_q(name)}",
            f"column = {_q(col)}",
            f"map = {{ {coded} }}",
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
                coded = ", ".join(f"{k} = {v}" for k, v in value_labels[col].items())
                lines.append(f"# value labels (some codes in the data have none): {coded}")
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


def _endpoint_lines(roles: dict[str, str | None], pairs: list[SurvivalPair]) -> list[str]:
    start, contact = roles["start"], roles["last_contact"]
    death, prog, assess = roles["death"], roles["progression"], roles["last_assessment"]
    if start is None or contact is None or (death is None and prog is None):
        if pairs:
            return []
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


def _id_lines(guess: IdGuess) -> list[str]:
    """``id_column`` with the reason; with no id, a comment: the rows are numbered 1..n."""
    if guess.column is None:
        return [f"# CHECK: {guess.reason}; id_column is left out (the outputs say so)."]
    lines = [f"# CHECK: {guess.reason}", f"id_column = {_q(guess.column)}"]
    if guess.key is not None:
        lines.append(
            f"# LONG FORMAT: one row per {guess.column} and {guess.key} "
            f"({', '.join(guess.key_values)}); each endpoint picks its rows with key = "
            f"{_q(guess.key)} and key_value (Table 1 reads each patient's first row)."
        )
    return lines


def _pair_lines(pairs: list[SurvivalPair], id_guess: IdGuess, taken: set[str]) -> list[str]:
    """One ready time + status endpoint per time/status pair (and per long-format key value)."""
    lines: list[str] = []
    names = set(taken)
    keys: tuple[str | None, ...] = (None,) if id_guess.key is None else id_guess.key_values
    for i, pair in enumerate(pairs):
        death_like = re.search(r"death|dead|died|vital", _norm(pair.status))
        for value in keys:
            name = "OS" if (death_like or len(pairs) == 1) and "OS" not in names else ""
            name = name or _norm(pair.status).upper() or f"EP{i + 1}"
            label = "Overall survival" if name == "OS" else f"{pair.time} / {pair.status}"
            if value is not None:
                name = f"{_norm(str(id_guess.key))}_{value}"
                label = f"{pair.time} / {pair.status}, {id_guess.key} = {value}"
            if name in names or not name.isidentifier():
                name = f"EP{len(names) + 1}"
            names.add(name)
            lines += [
                "",
                f"[endpoints.{name}]  # CHECK: guessed time/status pair",
                f"label = {_q(label)}",
                f"time = {_q(pair.time)}",
                f"event = {_q(pair.status)}",
                f"time_unit = {_q(pair.unit)}  # CHECK: {pair.unit_reason}",
                f"# CHECK: status coding of '{pair.status}': {pair.coding}",
            ]
            if not pair.zero_one:
                lines += [
                    f"event_codes = [{', '.join(str(c) for c in pair.event_codes)}]",
                    f"censored_codes = [{', '.join(str(c) for c in pair.censored_codes)}]",
                ]
            if pair.competing_codes:
                causes = ", ".join(f"status_{c} = {c}" for c in pair.competing_codes)
                lines.append(f"competing_codes = {{ {causes} }}  # CHECK: name each cause")
            if value is not None:
                number = re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
                lines += [
                    f"key = {_q(str(id_guess.key))}",
                    f"key_value = {value if number else _q(value)}",
                ]
    return lines


def _few_valued(frame: pd.DataFrame, used: set[str]) -> list[str]:
    return [str(c) for c in frame.columns if c not in used and 2 <= frame[c].nunique() <= 6]


def _unplaceable(series: pd.Series) -> str | None:
    """Why a column cannot be a Table 1 row (None: it can)."""
    values = series.dropna()
    if values.empty:
        return "every value is missing"
    if values.nunique() < 2:
        return f"a single value ({values.iloc[0]}) in every row"
    if not pd.api.types.is_numeric_dtype(series) and values.nunique() > _MAX_TEXT_LEVELS:
        return f"text with {values.nunique()} different values (free text or a second id?)"
    return None
