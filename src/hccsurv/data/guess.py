"""Guesses about an unseen cohort file, for ``hccsurv init``: id, group, time/status pairs.

Each guess carries the reason it was made, so that the starter config can show it as a comment.

- **id**: a column named like an id (``id``, ``patient``, ``subject``, ``record``, ``pid``) with
  unique, non-missing values; else the *first* column when its values are unique, non-missing and
  integers or text (never a float measurement). A first column with repeated values (``trt``,
  ``inst``) is never the id: then there is none and the rows are numbered 1..n. An id-named
  column whose values repeat the same number of times, with another column that makes
  (id, column) unique, is a **long format** file (one row per patient and event type, as
  survival's ``colon``): that column is the key that picks the endpoint.
- **group**: a column with 2-6 values whose name is treatment-like (``trt``, ``rx``, ``tx``,
  ``arm``, ``treat...``, ``group``, ``grp``, ``cohort``, ``random...``, ``alloc...``,
  ``regimen``, ``intervention``); never a sex/gender column. Numeric codes are groups too.
  Levels sorted as R ``factor``, except that a control-like level (``control``, ``placebo``,
  ``Obs``, ``observation``, ``standard``, ``SOC``, ``none``) comes first, as the reference.
- **time/status pairs**: a status column (name ``status``, ``stat``, ``event``, ``cens...``,
  ``death``, ``dead``, ``died``, ``vital``; 2-4 distinct whole numbers) paired with a
  non-negative numeric time column (name ``time``, ``surv``, ``days``, ``months``, ``years``,
  ``duration``, ``follow``, ``fu``) by the name left when those words are removed (``ptime`` /
  ``pstat``; ``time`` / ``status``); a single status and time left over are paired too.
- **status coding** (as R's ``Surv``): 0/1 -> 1 = event; 1/2 -> 2 = event, 1 = censored (R's
  rule for a status whose values are all 1 or 2); 0/1/2... -> 0 = censored, the most frequent
  other code = the event, the others competing events (R's ``pbc``: 2 = death, 1 = transplant).
- **time unit**: from the name (``day``, ``week``, ``month``, ``year``); else from the values:
  days when the largest time exceeds 500 (500 months would be 42 years of follow-up), else
  months. Both readings of the largest value are given for the user to check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "IdGuess",
    "SurvivalPair",
    "guess_group",
    "guess_id",
    "guess_survival_pairs",
    "guess_time_unit",
    "is_binary",
]

_ID_PATTERN = r"(^|_)(id|patient|subject|record|pid)(_|$)|^id"
_GROUP_PATTERN = (
    r"(^|_)(trt|rx|tx|arm|arms|group|grp|cohort|regimen|intervention)(_|$)|^treat|treatment"
    r"|^random|^alloc|(^|_)group"
)
_SEX_PATTERN = r"sex|gender|male"
_CONTROL_PATTERN = r"^(control|ctrl|placebo|obs|observation|standard|soc|usual|none|no)(_|$)"
_STATUS_WORDS = r"status|stat|event|censor|cens|fustat|vital"
_STATUS_PATTERN = rf"{_STATUS_WORDS}|death|dead|died|^d$"
_TIME_WORDS = r"time|surv|days|day|months|month|years|year|weeks|week|duration|follow|fu"
_TIME_PATTERN = rf"{_TIME_WORDS}|^t$"
#: Above this largest time, an unlabelled time column is read as days.
DAYS_ABOVE = 500.0


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _whole_numbers(series: pd.Series) -> np.ndarray | None:
    """The distinct values when the column is numeric and all whole numbers, else None."""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    values = series.dropna().to_numpy(dtype=np.float64)
    if values.size == 0 or not np.all(values == np.round(values)):
        return None
    return np.unique(values)


def is_binary(series: pd.Series) -> bool:
    """True when the column's non-missing values are two numbers among 0/1 (present/absent)."""
    values = _whole_numbers(series)
    return values is not None and set(values.tolist()) <= {0.0, 1.0}


@dataclass(frozen=True)
class IdGuess:
    """The id column (None: rows are numbered), the long-format key, and why."""

    column: str | None
    key: str | None
    key_values: tuple[str, ...]
    reason: str


def _label(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def guess_id(frame: pd.DataFrame) -> IdGuess:
    """The id column, or none, or a long-format id with its key column (see module docstring)."""
    columns = [str(c) for c in frame.columns]
    named = [c for c in columns if re.search(_ID_PATTERN, _norm(c))]
    for col in named:
        s = frame[col]
        if s.notna().all() and s.is_unique:
            return IdGuess(col, None, (), f"'{col}' is named like an id and its values are unique")
    for col in named:
        s = frame[col]
        counts = s.value_counts()
        if s.notna().all() and counts.nunique() == 1 and int(counts.iloc[0]) > 1:
            k = int(counts.iloc[0])
            for other in columns:
                if other == col or frame[other].nunique(dropna=False) != k:
                    continue
                if not frame[[col, other]].duplicated().any():
                    values = tuple(sorted(_label(v) for v in frame[other].dropna().unique()))
                    return IdGuess(
                        col,
                        other,
                        values,
                        f"'{col}' repeats {k} times per value and ('{col}', '{other}') is unique: "
                        f"long format, one row per {col} and {other}",
                    )
    if columns:
        first_name = columns[0]
        first = frame[first_name]
        if re.search(f"{_TIME_PATTERN}|{_STATUS_PATTERN}", _norm(first_name)):
            # a unique first column named like a time or status (ovarian's futime) is an outcome
            why = f"the first column '{first_name}' is named like a time or status"
        elif not first.is_unique:
            why = f"the first column '{first_name}' has repeated values"
        elif first.isna().any():
            why = f"the first column '{first_name}' has missing values"
        elif pd.api.types.is_float_dtype(first):
            why = f"the first column '{first_name}' holds decimal numbers, a measurement"
        else:
            return IdGuess(
                first_name, None, (), f"the first column '{first_name}' has unique values"
            )
        return IdGuess(None, None, (), f"no id column: {why}; the rows are numbered 1..n")
    return IdGuess(None, None, (), "no columns")


def guess_group(
    frame: pd.DataFrame, exclude: Sequence[str] = ()
) -> tuple[str | None, list[str], str]:
    """The treatment-like group column, its levels (sorted as R ``factor``) and why."""
    for col in (str(c) for c in frame.columns):
        name = _norm(col)
        if col in exclude or re.search(_SEX_PATTERN, name) or not re.search(_GROUP_PATTERN, name):
            continue
        values = frame[col].dropna()
        n = values.nunique()
        if not 2 <= n <= 6:
            continue
        whole = _whole_numbers(frame[col])
        if whole is not None:
            levels = [_label(v) for v in whole.tolist()]
        elif pd.api.types.is_numeric_dtype(frame[col]):
            continue
        else:
            levels = sorted(str(v) for v in values.unique())
        missing = int(frame[col].isna().sum())
        extra = (
            f"; {missing} row(s) have no value: run with --exclude-invalid to leave them out "
            "(counted in the patient flow as 'missing group')"
            if missing
            else ""
        )
        control = next((lv for lv in levels if re.search(_CONTROL_PATTERN, _norm(lv))), None)
        if control is not None and control != levels[0]:
            levels = [control, *(lv for lv in levels if lv != control)]
            extra += f"; '{control}' looks like the control arm and is the reference"
        return col, levels, f"'{col}' is named like a treatment/group with {n} values{extra}"
    return None, [], "no column is named like a treatment or group (trt, rx, arm, group ...)"


@dataclass(frozen=True)
class SurvivalPair:
    """A time column, its status column and the status coding."""

    time: str
    status: str
    event_codes: tuple[int, ...]
    censored_codes: tuple[int, ...]
    competing_codes: tuple[int, ...]
    counts: tuple[tuple[int, int], ...]
    unit: str
    unit_reason: str

    @property
    def zero_one(self) -> bool:
        """True when the status is already 0 = censored, 1 = event."""
        return self.event_codes == (1,) and self.censored_codes == (0,) and not self.competing_codes

    @property
    def coding(self) -> str:
        """The coding in words, with the row count of each code."""
        n = dict(self.counts)
        parts = [f"{c} = censored ({n[c]})" for c in self.censored_codes]
        parts += [f"{c} = event ({n[c]})" for c in self.event_codes]
        parts += [f"{c} = competing event ({n[c]})" for c in self.competing_codes]
        return ", ".join(sorted(parts))


def _coding(
    series: pd.Series,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...]] | None:
    values = _whole_numbers(series)
    if values is None or not 2 <= values.size <= 4 or values.min() < 0:
        return None
    codes = [int(v) for v in values.tolist()]
    counts = series.dropna().astype(np.int64).value_counts()
    tally = tuple((c, int(counts.get(c, 0))) for c in codes)
    if codes == [0, 1]:
        return (1,), (0,), (), tally
    if codes == [1, 2]:  # R's Surv: a status of only 1s and 2s means 1 = censored, 2 = event
        return (2,), (1,), (), tally
    if codes[0] != 0:
        return None
    others = sorted(codes[1:], key=lambda c: (-int(counts.get(c, 0)), -c))
    return (others[0],), (0,), tuple(sorted(others[1:])), tally


def guess_time_unit(name: str, series: pd.Series) -> tuple[str, str]:
    """The unit of a time column and why (see module docstring)."""
    n = _norm(name)
    for unit, pattern in (
        ("days", r"day|(^|_)d$"),
        ("weeks", r"week|wk"),
        ("months", r"month|(^|_)mo$"),
        ("years", r"year|(^|_)yr"),
    ):
        if re.search(pattern, n):
            return unit, f"the name '{name}' says {unit}"
    top = float(pd.to_numeric(series, errors="coerce").max())
    both = f"{top:g} days = {top / 365.25:.1f} years; {top:g} months = {top / 12:.1f} years"
    if top > DAYS_ABOVE:
        return "days", f"the largest time is {top:g} ({both}): read as days"
    return "months", f"the largest time is {top:g} ({both}): read as months"


def _stem(name: str, words: str) -> str:
    return re.sub(words, "", _norm(name)).strip("_")


def guess_survival_pairs(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> list[SurvivalPair]:
    """Time/status pairs, in the order of the status columns (see module docstring)."""
    columns = [str(c) for c in frame.columns if str(c) not in exclude]
    statuses = [
        c for c in columns if re.search(_STATUS_PATTERN, _norm(c)) and _coding(frame[c]) is not None
    ]
    times = [
        c
        for c in columns
        if c not in statuses
        and re.search(_TIME_PATTERN, _norm(c))
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and bool((frame[c].dropna() >= 0).all())
        and frame[c].notna().any()
    ]
    pairs: dict[str, str] = {}
    free_times = list(times)
    for s in statuses:
        stem = _stem(s, _STATUS_WORDS)
        match = next((t for t in free_times if _stem(t, _TIME_WORDS) == stem), None)
        if match is not None:
            pairs[s] = match
            free_times.remove(match)
    left = [s for s in statuses if s not in pairs]
    if len(left) == 1 and len(free_times) == 1:
        pairs[left[0]] = free_times[0]
    out = []
    for s in statuses:
        if s not in pairs:
            continue
        coding = _coding(frame[s])
        assert coding is not None  # statuses were filtered on it
        unit, why = guess_time_unit(pairs[s], frame[pairs[s]])
        out.append(SurvivalPair(pairs[s], s, *coding, unit=unit, unit_reason=why))
    return out
