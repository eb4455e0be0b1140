"""Load a study cohort: read -> check columns -> parse dates -> validate -> derive -> Cohort.

``load_cohort(config)`` is the single entry point of the data layer. It reads the data file named
by the config, the lesion file when responses come from lesions and the treatment and laboratory
files of ``[safety]`` (no other I/O), checks that
every column the config names exists (a :class:`~hccsurv.errors.ConfigError` listing each missing
one with a suggestion), parses the date columns, validates every patient
(:mod:`hccsurv.data.validate`), derives the clinical scores, cut-point variables and endpoints
(:mod:`hccsurv.data.derive`, :mod:`hccsurv.data.endpoints`) and returns a frozen :class:`Cohort`
with its :class:`~hccsurv.data.flow.PatientFlow` (and the lesion rows of its patients).

By default any patient-level problem raises :class:`~hccsurv.errors.CohortValidationError` listing
all of them, before anything is written. With ``exclude_invalid=True`` the patients with problems
are excluded and each exclusion reason is recorded in the flow; problems that concern a whole
column (a unit mismatch, a config choice) still raise.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

import pandas as pd

from hccsurv.config import EndpointConfig, StudyConfig
from hccsurv.data.dates import parse_date_column
from hccsurv.data.derive import (
    check_categories,
    derive_clinical,
    derive_roles,
    derive_variables,
    role_columns,
)
from hccsurv.data.endpoints import endpoint_from_columns, endpoint_from_dates
from hccsurv.data.flow import EndpointCount, Exclusion, PatientFlow
from hccsurv.data.lesions import read_lesions
from hccsurv.data.readers import read_table
from hccsurv.data.responses import response_codes
from hccsurv.data.safety import SafetyRecords, read_safety
from hccsurv.data.validate import (
    RULE_LABELS,
    as_text,
    date_columns,
    file_rows,
    patient_labels,
    validate_cohort,
    validate_long_rows,
)
from hccsurv.errors import CohortValidationError, ConfigError, Problem

__all__ = ["MIN_PER_GROUP", "NUMBERED_ROWS", "Cohort", "load_cohort"]

#: What the outputs say when the file has no id column (``study.id_column`` not set).
NUMBERED_ROWS = "rows numbered; the file has no id column"

#: Fewest analysed patients a group may have: one patient gives no comparison to speak of, and
#: the estimators' errors about it (a reference level, a singular fit) would not say why.
MIN_PER_GROUP = 2


@dataclass(frozen=True)
class Cohort:
    """A validated cohort with derived variables and endpoints.

    Attributes
    ----------
    frame
        One row per analysed patient: the input columns (date columns parsed to ``datetime64``,
        the group column an ordered ``Categorical`` in config order), derived variables and, per
        endpoint, ``<name>_time`` (study unit) and ``<name>_event`` (1.0 / 0.0, NaN if unusable);
        for an endpoint with competing codes also ``<name>_cause`` (0 censored, 1 its own event,
        2..k the competing causes). Without an id column, a first column of row numbers 1..n.
    flow
        Read, excluded by reason, analysed; per-endpoint counts; missing values.
    missing
        Missing values per column among the analysed patients.
    endpoints
        ``{name: (time_column, event_column)}`` in config order.
    warnings
        Messages about values that are usable but need attention.
    id_column, group_column
        Column names from the config (``id_column``: the row numbers' column when the config
        names none).
    groups
        Group labels in display order (first = reference).
    time_unit
        The study time unit of every ``<name>_time`` column.
    lesions
        The lesion rows of the analysed patients when ``[response]`` reads a lesion file
        (:func:`hccsurv.data.lesions.read_lesions`), else ``None``.
    causes
        ``{endpoint: (cause labels in code order, cause 1 first)}`` for the endpoints with
        competing events.
    safety
        The treatment and graded laboratory rows of the analysed patients when the config has
        ``[safety]`` (:func:`hccsurv.data.safety.read_safety`), else ``None``.
    """

    frame: pd.DataFrame
    flow: PatientFlow
    missing: dict[str, int]
    endpoints: dict[str, tuple[str, str]]
    warnings: tuple[str, ...]
    id_column: str
    group_column: str
    groups: tuple[str, ...]
    time_unit: str
    lesions: pd.DataFrame | None = None
    causes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    safety: SafetyRecords | None = None


def _suggest(name: str, columns: list[str]) -> str:
    hint = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    return f"; did you mean '{hint[0]}'?" if hint else ""


def _input_columns(config: StudyConfig) -> dict[str, str]:
    """``{config key path: column}`` for every column that must be in the data file."""
    early = role_columns(config)  # derived before validation (derive_roles)
    out: dict[str, str] = {}
    if config.groups.column not in early:
        out["groups.column"] = config.groups.column
    if config.study.id_column is not None:
        out["study.id_column"] = config.study.id_column
    if config.study.death_column is not None:
        out["study.death_column"] = config.study.death_column
    if config.study.progression_column is not None:
        out["study.progression_column"] = config.study.progression_column
    for name, ep in config.endpoints.items():
        for key in ("start", "last_contact", "last_assessment", "time", "event", "key"):
            value = getattr(ep, key)
            if value is not None and value not in early:
                out[f"endpoints.{name}.{key}"] = value
        for i, col in enumerate(ep.events or []):
            out[f"endpoints.{name}.events[{i}]"] = col
        for label, col in (ep.competing or {}).items():
            out[f"endpoints.{name}.competing.{label}"] = col
    for role, col in config.clinical.columns().items():
        out[f"clinical.{role}"] = col
    if config.response is not None and config.response.best_response is not None:
        out["response.best_response"] = config.response.best_response
    return out


def _output_columns(config: StudyConfig) -> dict[str, str]:
    """``{config key path: column}`` for columns that may also be derived ones."""
    out: dict[str, str] = {}
    for i, d in enumerate(config.derived):
        out[f"derived[{i}].column"] = d.column
    for i, b in enumerate(config.baseline):
        out[f"baseline[{i}].column"] = b.column
    for i, c in enumerate(config.cox.candidates):
        out[f"cox.candidates[{i}].column"] = c.column
    if config.adjust is not None:
        for i, col in enumerate(config.adjust.covariates):
            out[f"adjust.covariates[{i}]"] = col
    for i, col in enumerate(config.cox.strata):
        out[f"cox.strata[{i}]"] = col
    if config.subgroups is not None:
        for key in ("variables", "covariates"):
            for i, col in enumerate(getattr(config.subgroups, key)):
                out[f"subgroups.{key}[{i}]"] = col
    return out


def _missing_columns(
    wanted: dict[str, str], columns: list[str], frame: pd.DataFrame | None = None
) -> list[Problem]:
    problems = [
        Problem(
            where=where,
            message=(
                f"column '{col}' is not in the data{_suggest(col, columns)} "
                f"(columns: {', '.join(columns)})"
            ),
            rule="unknown_column",
        )
        for where, col in wanted.items()
        if col not in columns
    ]
    hint = _header_hint(frame, {c for c in wanted.values() if c not in columns}, len(wanted))
    return problems + ([hint] if hint is not None and problems else [])


def _header_hint(frame: pd.DataFrame | None, missing: set[str], wanted: int) -> Problem | None:
    """Where the columns may be instead: a lower header row (title rows) or another sheet.

    Said once, and only when the file suggests it: a data row holding missing names, or most
    of the names missing (a title read as the header, the wrong sheet), not for a typo.
    """
    if frame is None or not missing:
        return None
    rows = file_rows(frame)
    for pos in range(min(len(frame), 20)):
        cells = {as_text(frame.iloc[[pos]][c]).iloc[0] for c in frame.columns}
        if missing & cells:
            return Problem(
                where="study.read.header_row",
                message=(
                    f"the column names look like they are on file row {rows[pos]}: set "
                    f"study.read.header_row = {rows[pos]} (the rows above it are skipped)"
                ),
                rule="header_row",
            )
    if 2 * len(missing) <= wanted:
        return None
    sheets = frame.attrs.get("sheets")
    if isinstance(sheets, list) and len(sheets) > 1:
        return Problem(
            where="study.sheet",
            message=(
                f"most columns are missing and the workbook has sheets "
                f"{', '.join(repr(n) for n in sheets)}: set study.sheet to the one with the "
                "cohort (a name or a 0-based index), and study.read.header_row if a title sits "
                "above the column names"
            ),
            rule="header_row",
        )
    return Problem(
        where="study.read.header_row",
        message=(
            "most columns are missing: if a title or a merged header sits above the column "
            "names, set study.read.header_row to the file row of the names"
        ),
        rule="header_row",
    )


def _formula_problems(frame: pd.DataFrame, labels: pd.Series, used: set[str]) -> list[Problem]:
    """XLSX formulas without a saved value in columns the config uses (they read as empty)."""
    position = {row: i for i, row in enumerate(file_rows(frame))}
    return [
        Problem(
            where=f"cell {cell}",
            message=(
                f"cell {cell} holds a formula without a saved value (the file was written by a "
                "program that does not compute formulas); open and save it in Excel or "
                "LibreOffice, or type the value"
            ),
            patient=str(labels.iloc[position[row]]),
            column=column,
            rule="formula_no_value",
        )
        for row, column, cell in frame.attrs.get("formula_cells", [])
        if column in used and row in position
    ]


def _group_sizes(config: StudyConfig, frame: pd.DataFrame, read: int) -> list[Problem]:
    """A plain refusal when there is nothing, or too little, to compare."""
    col = config.groups.column
    if read == 0:
        message = "the data file has no patients (only a header); add the patient rows"
        return [Problem(where="cohort", message=message, column=col, rule="no_patients")]
    counts = as_text(frame[col]).value_counts()
    problems = []
    for label in config.groups.labels:
        n = int(counts.get(label, 0))
        if n < MIN_PER_GROUP:
            problems.append(
                Problem(
                    where="cohort",
                    message=(
                        f"too few patients in group {label!r}: {n} analysed, at least "
                        f"{MIN_PER_GROUP} are needed to compare groups"
                    ),
                    column=col,
                    rule="too_few_patients",
                )
            )
    return problems


def _check_levels(config: StudyConfig, frame: pd.DataFrame) -> list[Problem]:
    """Cox references and baseline levels must be values of their columns."""
    problems: list[Problem] = []

    def values(col: str) -> set[str]:
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            return {str(c) for c in series.cat.categories}
        return {str(v) for v in series.dropna().unique()}

    for i, c in enumerate(config.cox.candidates):
        if c.reference is not None and c.reference not in values(c.column):
            found = sorted(values(c.column))
            problems.append(
                Problem(
                    where=f"cox.candidates[{i}].reference",
                    message=(
                        f"reference {c.reference!r} is not a value of '{c.column}'"
                        f"{_suggest(c.reference, found)} (values: {', '.join(found)})"
                    ),
                    rule="unknown_level",
                )
            )
    for i, b in enumerate(config.baseline):
        if b.levels is not None:
            found = sorted(values(b.column))
            unknown = [lv for lv in b.levels if lv not in found]
            if unknown:
                problems.append(
                    Problem(
                        where=f"baseline[{i}].levels",
                        message=(
                            f"{', '.join(repr(u) for u in unknown)} not among the values of "
                            f"'{b.column}' ({', '.join(found)})"
                        ),
                        rule="unknown_level",
                    )
                )
    return problems


def load_cohort(
    config: StudyConfig,
    *,
    exclude_invalid: bool = False,
    data: pd.DataFrame | None = None,
) -> Cohort:
    """Read, validate and derive the cohort described by ``config``.

    Parameters
    ----------
    config
        The study config (:func:`hccsurv.config.load_config`).
    exclude_invalid
        Exclude patients with problems (recorded in ``flow.excluded``) instead of raising.
    data
        The raw table, when it is already in memory; default: read ``config.data_path``.

    Raises
    ------
    ConfigError
        A column named in the config is not in the data, or a reference level is unknown.
    CohortValidationError
        Patient-level problems (all of them), unless ``exclude_invalid``; column-level problems
        always.
    DataReadError
        The data file cannot be read.
    """
    read = config.study.read
    raw = (
        read_table(
            config.data_path,
            sheet=config.study.sheet,
            delimiter=read.delimiter,
            encoding=read.encoding,
            decimal=read.decimal,
            header_row=read.header_row,
            missing_values=read.missing_values,
        )
        if data is None
        else data.reset_index(drop=True)
    )
    columns = [str(c) for c in raw.columns]
    problems = _missing_columns(_input_columns(config), columns, raw)
    if problems:
        raise ConfigError("The study config names columns that are not in the data", problems)
    if config.groups.merge:  # [groups] merge: data values gathered into one group, before checks
        col = config.groups.column
        merged = as_text(raw[col]).replace(config.groups.merge_map)
        raw = raw.copy()  # keeps attrs (the file rows of the reader)
        raw[col] = raw[col].where(raw[col].isna(), merged)

    raw, id_column = _with_ids(derive_roles(raw, config), config)
    long_problems: list[Problem] = []
    keyed = {n: ep for n, ep in config.endpoints.items() if ep.key is not None}
    long_rows = raw
    if keyed:
        long_problems = validate_long_rows(raw, config, id_column=id_column)
        raw = _first_rows(raw, id_column)
    labels = patient_labels(raw, id_column)
    dates = pd.DataFrame(index=raw.index)
    date_problems: list[Problem] = []
    for col in date_columns(config):
        parsed, found = parse_date_column(
            raw[col], column=col, ids=labels, date_format=read.date_format
        )
        dates[col] = parsed
        date_problems += found
    problems = validate_cohort(raw, dates, config, date_problems, id_column=id_column)
    problems += long_problems
    problems += check_categories(raw, config, labels)
    used = set(_input_columns(config).values()) | set(_output_columns(config).values())
    problems += _formula_problems(raw, labels, used)
    # every patient problem quotes the file row, so the cell is found even in a large sheet
    row_of: dict[str, int] = {}
    for label, row in zip(labels, file_rows(raw), strict=True):
        row_of.setdefault(str(label), row)
    problems = [
        replace(p, row=row_of.get(p.patient)) if p.patient is not None and p.row is None else p
        for p in problems
    ]

    column_level = [p for p in problems if p.patient is None]
    if column_level or (problems and not exclude_invalid):
        raise CohortValidationError(
            "The cohort has problems; fix them in the data file or rerun with exclude_invalid",
            problems,
        )
    excluded: dict[str, list[str]] = {}
    first_rule: dict[str, str] = {}
    for p in problems:
        if p.patient is not None and p.patient not in first_rule:
            rule = p.rule or "invalid"
            first_rule[p.patient] = rule
            excluded.setdefault(rule, []).append(p.patient)
    keep = ~labels.isin(list(first_rule))
    frame = raw.loc[keep].reset_index(drop=True)
    dates = dates.loc[keep].reset_index(drop=True)
    if problems and not keep.any():
        raise CohortValidationError(
            f"exclude_invalid would exclude every one of the {len(raw)} patients; nothing is "
            "left to analyse, so the run stops: fix the problems listed",
            [
                Problem(where="cohort", message="every patient has a problem", rule="all_excluded"),
                *problems,
            ],
        )
    sizes = _group_sizes(config, frame, len(raw))
    if sizes:
        title = "The cohort is too small to analyse"
        if problems:
            title += " once the patients with problems are excluded (they are listed too)"
        raise CohortValidationError(title, [*sizes, *problems])
    exclusions = tuple(
        Exclusion(
            rule=rule,
            reason=RULE_LABELS.get(rule, rule),
            count=int(labels.isin(ids).sum()),
            patients=tuple(ids),
        )
        for rule, ids in excluded.items()
    )
    for col in dates.columns:
        frame[col] = dates[col]
    r = config.response
    if r is not None and r.source == "column" and r.best_response is not None:
        # validated above: what is left are the codes (" pr " read as PR) or missing
        frame[r.best_response] = response_codes(frame[r.best_response])[0]
    group = config.groups.column
    frame[group] = pd.Categorical(
        as_text(frame[group]), categories=config.groups.labels, ordered=True
    )

    warnings: list[str] = []
    clinical, clinical_warnings = derive_clinical(frame, config)
    warnings += clinical_warnings
    for col in clinical.columns:
        frame[col] = clinical[col]
    early = role_columns(config)
    clash = [d.name for d in config.derived if d.name in frame.columns and d.name not in early]
    if clash:
        raise ConfigError(
            "Derived variable names clash with existing columns",
            [
                Problem(
                    where=f"derived[{i}].name",
                    message=f"'{d.name}' is already a column; choose another name",
                    rule="name_clash",
                )
                for i, d in enumerate(config.derived)
                if d.name in clash
            ],
        )
    problems = _missing_columns(
        {k: v for k, v in _output_columns(config).items() if k.startswith("derived[")},
        [str(c) for c in frame.columns],
    )
    if problems:
        raise ConfigError("The study config names columns that are not in the data", problems)
    derived = derive_variables(frame, config.derived)
    for col in derived.columns:
        if col not in early:  # the group keeps its config order, a status its validated codes
            frame[col] = derived[col]

    endpoint_cols: dict[str, tuple[str, str]] = {}
    causes: dict[str, tuple[str, ...]] = {}
    counts: list[EndpointCount] = []
    cutoff = pd.Timestamp(config.study.cutoff) if config.study.cutoff is not None else None
    for name, ep in config.endpoints.items():
        source = frame if ep.key is None else _key_frame(long_rows, frame, ep, id_column)
        values = (
            endpoint_from_dates(dates, ep, cutoff=cutoff, days_per_unit=config.days_per_unit)
            if ep.from_dates
            else endpoint_from_columns(source, ep, days_per_unit=config.days_per_unit)
        )
        time_col, event_col = f"{name}_time", f"{name}_event"
        frame[time_col] = values.time
        frame[event_col] = values.event
        endpoint_cols[name] = (time_col, event_col)
        if values.cause is not None:
            frame[f"{name}_cause"] = values.cause
            causes[name] = ep.cause_labels
        n = int(values.time.notna().sum())
        counts.append(EndpointCount(endpoint=name, n=n, events=int(values.event.sum())))
        if n < len(frame):
            warnings.append(
                f"{name}: {len(frame) - n} patient(s) without a usable time (no event and no "
                "censoring date) are left out of this endpoint"
            )

    problems = _missing_columns(
        {k: v for k, v in _output_columns(config).items() if not k.startswith("derived[")},
        [str(c) for c in frame.columns],
    )
    if not problems:
        problems = _check_levels(config, frame)
    if problems:
        raise ConfigError("The study config does not match the data", problems)

    lesions, lesion_warnings = read_lesions(
        config, frame[id_column].astype(str), raw[id_column].astype(str)
    )
    warnings += lesion_warnings
    safety, safety_warnings = read_safety(
        config, frame[id_column].astype(str), raw[id_column].astype(str)
    )
    warnings += safety_warnings

    missing = {str(c): int(frame[c].isna().sum()) for c in frame.columns}
    by_group = frame[group].value_counts(sort=False)
    flow = PatientFlow(
        read=len(raw),
        excluded=exclusions,
        analysed=len(frame),
        analysed_by_group={str(g): int(by_group[g]) for g in config.groups.labels},
        endpoints=tuple(counts),
        missing=missing,
        note=_flow_note(config, id_column, long_rows, len(raw)),
    )
    return Cohort(
        frame=frame,
        flow=flow,
        missing=missing,
        endpoints=endpoint_cols,
        warnings=tuple(warnings),
        id_column=id_column,
        group_column=group,
        groups=tuple(config.groups.labels),
        time_unit=config.study.time_unit,
        lesions=lesions,
        causes=causes,
        safety=safety,
    )


def _with_ids(raw: pd.DataFrame, config: StudyConfig) -> tuple[pd.DataFrame, str]:
    """The table and its id column: without ``study.id_column``, the rows numbered 1..n.

    The numbers take a column name the file does not use (``row``, else ``row_1``, ...).
    """
    if config.study.id_column is not None:
        return raw, config.study.id_column
    name, i = "row", 0
    while name in raw.columns:
        i += 1
        name = f"row_{i}"
    numbered = raw.copy()
    numbered.insert(0, name, range(1, len(raw) + 1))
    numbered.attrs = dict(raw.attrs)
    return numbered, name


def _first_rows(raw: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """One row per patient of a long-format file: the first row of each id (baseline values).

    Rows with an empty id are all kept, so that validation names each of them.
    """
    ids = as_text(raw[id_column])
    keep = ~ids.duplicated() | (ids == "")
    rows = file_rows(raw)
    out = raw.loc[keep].reset_index(drop=True)
    out.attrs = dict(raw.attrs) | {"file_rows": [r for r, k in zip(rows, keep, strict=True) if k]}
    return out


def _key_frame(
    long_rows: pd.DataFrame, frame: pd.DataFrame, ep: EndpointConfig, id_column: str
) -> pd.DataFrame:
    """A long-format endpoint's rows (key = key_value), one per patient, aligned with ``frame``.

    A patient without such a row gets missing values: no time, left out of this endpoint.
    """
    assert ep.key is not None  # only called for keyed endpoints
    rows = long_rows[as_text(long_rows[ep.key]) == as_text(pd.Series([ep.key_value])).iloc[0]]
    by_id = rows.set_index(as_text(rows[id_column]))
    by_id = by_id[~by_id.index.duplicated()]
    aligned: pd.DataFrame = by_id.reindex(as_text(frame[id_column])).reset_index(drop=True)
    return aligned


def _flow_note(config: StudyConfig, id_column: str, long_rows: pd.DataFrame, read: int) -> str:
    """How rows became patients, said in the flow: numbered rows, or long format."""
    notes = [] if config.study.id_column is not None else [NUMBERED_ROWS]
    keys = {ep.key for ep in config.endpoints.values() if ep.key is not None}
    if keys:
        notes.append(
            f"long format: {len(long_rows)} rows, one per patient and {', '.join(sorted(keys))}, "
            f"for {read} patients ('{id_column}')"
        )
    return "; ".join(notes)
