"""The study config: one TOML file that describes a cohort study from data file to figures.

``load_config(path)`` reads the TOML (``tomllib``), validates it with pydantic v2 and returns a
frozen :class:`StudyConfig`. Every problem is reported at once as
:class:`hccsurv.errors.ConfigError`; each :class:`~hccsurv.errors.Problem` names the key path
(``endpoints.PFS.events[1]``), what was found and what is allowed. Unknown keys are errors with a
"did you mean" suggestion.

Every number must be finite (``nan`` and ``inf`` are refused) and inside its range, stated in the
message: figure sizes 20-1200 mm, 72-1200 dpi and at most 150 megapixels, ``rmst_horizon`` and
``time_break`` at least one day in the study time unit (a smaller value is a unit mix-up and
would ask a figure for billions of ticks), ``tables.decimals`` 0-6, ``adjust.ratio`` 1-100,
``adjust.seed`` >= 0. ``date_format`` must write and read back a probe date unchanged (so it has
year, month and day directives and no unknown one such as ``%Q``), ``encoding`` must be a Python
codec, palette colours must be colours matplotlib can draw, and a derived variable may not take
the name of a generated endpoint column (``OS_time``, ``OS_event``).

The file, section by section (``src/hccsurv/demo/study.toml`` is a complete, commented example)::

    [study]
    title = "HAIC first-line vs after atezolizumab-bevacizumab"
    design = "Retrospective single-centre cohort"
    data = "cohort.csv"            # path relative to this file; .csv .txt .tsv .xlsx .parquet
                                   # .sas7bdat .xpt .sav .dta
    sheet = 0                      # XLSX only: sheet name or 0-based index (default: first)
    id_column = "patient_id"       # optional: without it the rows are numbered 1..n
    death_column = "death_date"    # optional: lets validation check progression after death
    progression_column = "progression_date"
    cutoff = 2024-12-31            # data cut-off (TOML date or "YYYY-MM-DD")
    time_unit = "months"           # days | weeks | months (days / 30.4375) | years (days / 365.25)
    landmarks = [12]               # landmark times for survival rates, in time_unit
    rmst_horizon = 18              # optional, in time_unit

    [study.read]                   # all optional: guessed from the file when absent
    delimiter = ","                # "," ";" "\\t" "|"
    encoding = "utf-8"
    decimal = "."                  # "," for decimal commas (1,5)
    date_format = "%Y-%m-%d"       # force one strptime format for every date column
    header_row = 1                 # CSV/XLSX: file row of the column names (title rows above)
    missing_values = ["-"]         # also missing, besides empty NA N/A na NaN NULL null .

    [groups]
    column = "group"
    labels = ["First-line", "Post-ate-beva"]   # data values, display order, first = reference
    display_names = { "First-line" = "First-line HAIC" }   # optional
    merge = { "Post-ate-beva" = ["Post-ate-beva", "Post-ate"] }   # optional: values -> a group
    pairwise_adjust = "holm"       # 3+ groups: pairwise log-rank and Cox p adjusted by holm |
                                   # bonferroni | BH | none (R p.adjust)

    [endpoints.OS]                 # an endpoint from dates ...
    label = "Overall survival"
    start = "haic_start"
    events = ["death_date"]        # one or more event-date columns; the earliest counts
    last_contact = "last_contact_date"
    censoring = "last_followup"    # or "last_assessment" (then last_assessment = "<column>")

    [endpoints.TTF]                # ... or from ready time + status columns
    label = "Time to treatment failure"
    time = "ttf"
    event = "ttf_event"            # the status column
    time_unit = "days"             # unit of the time column
    event_codes = [1]              # default [1]; R's 1/2 coding: event_codes = [2] ...
    censored_codes = [0]           # ... and censored_codes = [1] (default [0])
    competing_codes = { Transplant = 2 }   # { label = code or [codes] }: <name>_cause 2, 3, ...
    key = "etype"                  # long format: the rows whose etype is key_value, one per
    key_value = 2                  # patient (id_column required; Table 1 reads the first row)

    [endpoints.TTP]                # an endpoint with competing events (from dates)
    label = "Time to progression"
    start = "haic_start"
    events = ["progression_date"]
    last_contact = "last_contact_date"
    competing = { "Death without progression" = "death_date" }   # the first date decides
    cause_label = "Progression"    # optional: cause 1's label (default: the endpoint's label)

    [units]                        # units of the raw laboratory columns
    bilirubin = "mg/dL"            # or "umol/L"
    albumin = "g/dL"               # or "g/L"
    afp = "ng/mL"                  # or "IU/mL" (converted with afp_iu_factor ng per IU)
    afp_iu_factor = 1.21

    [clinical]                     # columns feeding the scores; derive what is present
    bilirubin = "bilirubin_mg_dl"
    ...                            # albumin inr ascites encephalopathy ecog tumor_size_mm
                                   # tumor_number vascular_invasion extrahepatic_spread
                                   # height_cm weight_kg afp age
    [clinical.options]
    albumin_band = "pugh"          # Child-Pugh albumin bands: pugh (2.8/3.5) | harrison (3.0/3.5)
    albi_coefficient = -0.085      # or -0.0852
    afp_cutoff = 400               # afp_ge_400 = AFP (ng/mL) >= this value
    bsa_formula = "mosteller"      # or "dubois"
    bclc_child_pugh_b = "preserved"  # or "end_stage" (Child-Pugh B -> BCLC D)

    [[derived]]                    # binary: column <op> value -> labels [when false, when true]
    name = "tumor_gt_10cm"
    column = "tumor_size_mm"
    op = ">"
    value = 100
    labels = ["≤10 cm", ">10 cm"]
    [[derived]]                    # ordinal: breaks -> len(breaks) + 1 labels, [a, b) intervals
    name = "age_group"
    column = "age"
    breaks = [65]
    labels = ["<65", "≥65"]
    [[derived]]                    # recode: map of value -> new value
    name = "etiology_viral"
    column = "etiology"
    map = { HBV = "Viral", HCV = "Viral", Alcohol = "Non-viral", Other = "Non-viral" }

    [[baseline]]                   # Table 1 rows, in order
    column = "age"
    label = "Age, years"
    kind = "normal"                # categorical | normal (mean ± SD) | skewed (median [IQR])
    levels = []                    # categorical only: level order (default: sorted)

    [cox]
    threshold = 0.1                # univariate p below this enters the multivariable model
    selection = "screen"           # or "all": every candidate enters
    forced = ["group"]             # always in the model (default: the group, when a candidate)
    strata = ["centre"]            # stratify every Cox model (R strata())
    stratify_logrank = false       # true: the log-rank test of each endpoint stratified too
    ties = "efron"                 # or "breslow"
    [[cox.candidates]]
    column = "group"
    label = "Group"
    reference = "First-line"       # categorical candidates: the reference level

    [subgroups]                    # optional, two groups: the group HR within each level
    variables = ["sex", "bclc_stage"]   # with the interaction LR test (R anova of coxph fits)
    covariates = ["age"]           # adjust every subgroup model (optional)

    [tables]
    decimals = 1
    p_decimals = 3
    categorical_test = "any_expected_lt_5"   # Fisher when any expected count < 5; or "cochran"
    fisher_max_levels = 10         # more levels: Fisher's Monte Carlo p (noted), not the exact
    t_test = "student"             # or "welch"
    smd = true

    [response]
    source = "lesions"             # or "column" (then best_response = "<column>")
    lesion_file = "lesions.csv"    # relative to this file
    criteria = "mRECIST"           # or "RECIST1.1"
    confirm_days = 28
    sd_min_days = 42
    max_nr_ne = 1
    accept_sd = false
    denominator = "all_treated"    # or "evaluable_only"
    adjudication = "consensus"     # or "third_reader" | "conservative"
    [response.lesion_columns]      # lesion-file column names when they differ from the
    patient_id = "patient_id"      # defaults: patient_id reader assessment_date lesion_id
                                   # lesion_kind organ viable_diameter_mm total_diameter_mm
                                   # nontarget_status new_lesion_size_mm new_lesion_typical
                                   # effusion_cytology_positive

    [figures]
    width_mm = 174
    height_mm = 120
    dpi = 300
    formats = ["png", "pdf"]
    palette = ["#0072B2", "#D55E00"]
    y_percent = true
    time_break = 3                 # optional: time between x ticks (in time_unit); default
                                   # automatic round breaks (3/6/12 months, 1/2 years, ...)
    xlim = 24                      # optional: cut the time axis here (in time_unit)
    font_family = ["Arial"]        # optional: fonts tried first; DejaVu Sans and the installed
                                   # CJK fonts (Noto Sans CJK, ...) draw what they lack
    show_ci = true
    risk_table = true

    [adjust]                       # optional: propensity-score adjustment
    method = "matching"            # or "weighting"
    covariates = ["age", "sex"]
    caliper = 0.2                  # SD of the logit of the propensity score
    ratio = 1
    replace = false
    estimand = "ATT"               # or "ATE"
    weight_type = "ipw"            # weighting: ipw | stabilized | overlap
    trimming = 0.0                 # weighting: drop scores outside [t, 1 - t]
    truncate = 0.01                # weighting: cap weights at their 99th percentile (optional)
    m_order = "largest"            # matching order: largest | smallest | random | data
    exact = ["sex"]                # matching: columns matched exactly (optional)
    missing = "complete"           # or "indicator" (missing-indicator covariates)
    doubly_robust = false          # also adjust the weighted Cox model for the covariates
    seed = 20240101                # seed of every random step (numpy default_rng)

    [time_varying]                 # optional: survival by response without immortal time
    endpoint = "OS"                # the endpoint compared by the status reached during it
    status = "response"            # confirmed CR/PR dates of the response engine (without
                                   # [response] source = "lesions": reported not estimable)
    landmarks = [3, 6]             # landmark times, in study.time_unit

    [output]
    include_identifiers = false    # patient ids in results.json and exported tables
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import itertools
import math
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import ErrorDetails

from hccsurv.clinical.response.lesions import LesionColumns, ResponseRules
from hccsurv.errors import ConfigError, Problem

__all__ = [
    "DAYS_PER_UNIT",
    "AdjustConfig",
    "BaselineVariable",
    "ClinicalColumns",
    "ClinicalOptions",
    "CoxCandidate",
    "CoxConfig",
    "DerivedVariable",
    "EndpointConfig",
    "FiguresConfig",
    "GroupsConfig",
    "LabColumns",
    "OutputConfig",
    "ReadOptions",
    "ResponseConfig",
    "SafetyConfig",
    "StudyConfig",
    "StudySection",
    "TablesConfig",
    "TimeVaryingConfig",
    "TreatmentColumns",
    "UnitsConfig",
    "load_config",
    "parse_config",
]

TimeUnit = Literal["days", "weeks", "months", "years"]
ImageFormat = Literal["png", "pdf", "svg", "tiff"]

#: Days in one unit of time: months = 365.25 / 12 = 30.4375 days (HCC_REFERENCE §0).
DAYS_PER_UNIT: dict[str, float] = {
    "days": 1.0,
    "weeks": 7.0,
    "months": 30.4375,
    "years": 365.25,
}

ColumnName = Annotated[str, Field(min_length=1)]

MM_PER_INCH = 25.4
#: The largest raster figure: 150 megapixels (an A0 poster at 300 dpi is 139) keeps the drawing
#: buffer near 600 MB; 1200 dpi on a 1200 mm square would ask for 13 GB.
MAX_MEGAPIXELS = 150


def _bound(value: float) -> str:
    return f"{value:g}"


def _number(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    whole: bool = False,
) -> BeforeValidator:
    """A check run on the raw TOML value of a numeric key: a finite number in the allowed range.

    It runs before pydantic's own coercion so that ``nan``, ``inf``, ``true`` and ``"12"`` get
    one message that states the whole allowed range (``a finite number > 0 and <= 1200``)
    instead of a bare "greater than 0", and so that ``nan`` never slips through a comparison.
    """
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {_bound(low)}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {_bound(high)}")
    kind = "a whole number" if whole else "a finite number"
    allowed = f"{kind} {' and '.join(parts)}" if parts else kind

    def check(value: Any) -> Any:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or (whole and value != int(value)):
            raise ValueError(f"allowed: {allowed}")
        if low is not None and (value <= low if low_open else value < low):
            raise ValueError(f"allowed: {allowed}")
        if high is not None and (value >= high if high_open else value > high):
            raise ValueError(f"allowed: {allowed}")
        return int(value) if whole else value

    return BeforeValidator(check)


def _date_format(value: str) -> str:
    """A strptime format must write and read back a probe date with day > 12 unchanged."""
    probe = datetime(2024, 12, 31)
    try:
        back = datetime.strptime(probe.strftime(value), value)
    except ValueError as error:
        raise ValueError(
            f"not a usable strptime date format ({error}); allowed: a format with year, month "
            "and day directives such as %Y-%m-%d, %d/%m/%Y or %d.%m.%Y"
        ) from None
    if back.date() != probe.date():
        raise ValueError(
            f"it reads {probe:%Y-%m-%d} back as {back:%Y-%m-%d}; allowed: a format with year, "
            "month and day directives such as %Y-%m-%d, %d/%m/%Y or %d.%m.%Y"
        )
    return value


def _encoding(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(
            "unknown text encoding; allowed: a Python codec name such as utf-8, utf-16, "
            "cp1252 or latin-1"
        ) from None
    return value


def _colour(value: str) -> str:
    # matplotlib draws the figures, so its parser is the judge; imported here, when a config
    # names colours, so that importing the config (and `hccsurv --version`) stays light
    from matplotlib.colors import is_color_like

    if not is_color_like(value):
        raise ValueError(
            "not a colour; allowed: a hex code (#0072B2, #07B) or a colour name (black, tab:blue)"
        )
    return value


#: Finite number types of the config; each states its allowed range in its error message.
Positive = Annotated[float, _number(0, low_open=True)]
Finite = Annotated[float, _number()]
#: A value of a ready status column (R's 0/1, 1/2 or 0/1/2 codings).
StatusCode = Annotated[float, _number()]
Colour = Annotated[str, AfterValidator(_colour)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadOptions(_Section):
    """How to read the data file; every option is guessed when absent."""

    delimiter: Literal[",", ";", "\t", "|"] | None = None
    encoding: Annotated[str, AfterValidator(_encoding)] | None = None
    decimal: Literal[".", ","] | None = None
    date_format: Annotated[str, AfterValidator(_date_format)] | None = None
    header_row: Annotated[int, Field(ge=1, le=1000)] | None = None
    missing_values: list[str] = []


class StudySection(_Section):
    """``[study]``: the data file, the id column, the cut-off and the time unit.

    Without ``id_column`` the rows are the patients, numbered 1..n in file order (as R's row
    names); the outputs say so.
    """

    title: str = "Untitled study"
    design: str = ""
    data: ColumnName
    sheet: Any = None
    read: ReadOptions = ReadOptions()
    id_column: ColumnName | None = None
    death_column: ColumnName | None = None
    progression_column: ColumnName | None = None
    cutoff: date | None = None
    time_unit: TimeUnit = "months"
    landmarks: list[Positive] = [12.0]
    rmst_horizon: Positive | None = None

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, value: Any) -> str | int | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValueError("sheet must be a sheet name (string) or a 0-based index (integer >= 0)")


class GroupsConfig(_Section):
    """``[groups]``: the group column and its values in display order (first = reference)."""

    column: ColumnName
    labels: list[str] = Field(min_length=2)
    display_names: dict[str, str] = {}
    # R p.adjust method of the pairwise comparisons (three or more groups)
    pairwise_adjust: Literal["holm", "bonferroni", "BH", "none"] = "holm"
    # merged levels: a group label -> the data values it gathers (itself among them or not)
    merge: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _check(self) -> GroupsConfig:
        dup = sorted({x for x in self.labels if self.labels.count(x) > 1})
        if dup:
            raise ValueError(f"group labels must be unique; repeated: {', '.join(dup)}")
        unknown = [k for k in self.display_names if k not in self.labels]
        if unknown:
            raise ValueError(
                f"display_names has keys that are not group labels: {', '.join(unknown)}; "
                f"allowed: {', '.join(self.labels)}"
            )
        outside = [k for k in self.merge if k not in self.labels]
        if outside:
            raise ValueError(
                f"merge has keys that are not group labels: {', '.join(outside)}; a merged "
                f"group must be one of labels ({', '.join(self.labels)})"
            )
        values = [v for vs in self.merge.values() for v in vs]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"merge lists {', '.join(twice)} in more than one group")
        other = sorted(v for k, vs in self.merge.items() for v in vs if v in self.labels and v != k)
        if other:
            raise ValueError(
                f"merge sends the group label(s) {', '.join(other)} into another group; drop "
                "them from labels or from merge"
            )
        return self

    @property
    def merge_map(self) -> dict[str, str]:
        """Each merged data value -> its group label (``merge`` inverted)."""
        return {v: label for label, values in self.merge.items() for v in values}

    def display(self, label: str) -> str:
        """The display name of a group label (the label itself when none is set)."""
        return self.display_names.get(label, label)


class EndpointConfig(_Section):
    """One endpoint: either from dates (``start`` + ``events``) or ready ``time`` + ``event``."""

    label: str
    start: ColumnName | None = None
    events: list[ColumnName] | None = None
    last_contact: ColumnName | None = None
    censoring: Literal["last_followup", "last_assessment"] = "last_followup"
    last_assessment: ColumnName | None = None
    time: ColumnName | None = None
    event: ColumnName | None = None
    time_unit: TimeUnit | None = None
    event_codes: list[StatusCode] | None = None
    censored_codes: list[StatusCode] | None = None
    competing_codes: dict[str, StatusCode | list[StatusCode]] = {}
    key: ColumnName | None = None
    key_value: str | StatusCode | None = None

    competing: dict[str, ColumnName] | None = None
    cause_label: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _check(self) -> EndpointConfig:
        self._check_competing()
        if (self.key is None) != (self.key_value is None):
            raise ValueError(
                "a long-format endpoint needs both key (the column that picks its rows) and "
                "key_value (the value of that column on its rows)"
            )
        from_dates = self.start is not None or self.events is not None
        ready = self.time is not None or self.event is not None
        if from_dates and ready:
            raise ValueError(
                "give either dates (start, events, last_contact) or ready columns (time, event, "
                "time_unit), not both"
            )
        if not from_dates and not ready:
            raise ValueError(
                "an endpoint needs either start + events + last_contact (dates) or time + event "
                "+ time_unit (ready columns)"
            )
        if from_dates:
            missing = [
                k
                for k, v in (
                    ("start", self.start),
                    ("events", self.events),
                    ("last_contact", self.last_contact),
                )
                if not v
            ]
            if missing:
                raise ValueError(f"an endpoint from dates also needs: {', '.join(missing)}")
            if self.censoring == "last_assessment" and self.last_assessment is None:
                raise ValueError(
                    'censoring = "last_assessment" needs last_assessment = "<column of the last '
                    'adequate tumour assessment date>"'
                )
            if self.censoring == "last_followup" and self.last_assessment is not None:
                raise ValueError(
                    'last_assessment is only used with censoring = "last_assessment"; remove it '
                    "or change censoring"
                )
            if self.time_unit is not None:
                raise ValueError("time_unit belongs to ready time + event columns, not to dates")
            coded = [
                k
                for k in ("event_codes", "censored_codes", "competing_codes", "key")
                if getattr(self, k)
            ]
            if coded:
                raise ValueError(
                    f"{', '.join(coded)} belong(s) to ready time + event columns, not to dates"
                )
        else:
            missing = [
                k
                for k, v in (
                    ("time", self.time),
                    ("event", self.event),
                    ("time_unit", self.time_unit),
                )
                if v is None
            ]
            if missing:
                raise ValueError(f"an endpoint from ready columns also needs: {', '.join(missing)}")
            self._check_codes()
        return self

    def _check_codes(self) -> None:
        """Every status code has one meaning: event, censored or one competing cause."""
        seen: dict[float, str] = {}
        for meaning, codes in (
            ("event_codes", self.status_codes),
            ("censored_codes", self.censored),
            *((f"competing_codes.{k}", v) for k, v in self.competing_status.items()),
        ):
            if not codes:
                raise ValueError(f"{meaning} is empty; give at least one status code")
            for code in codes:
                if code in seen:
                    raise ValueError(
                        f"status code {code:g} is in both {seen[code]} and {meaning}; each code "
                        "has one meaning"
                    )
                seen[code] = meaning

    @property
    def status_codes(self) -> tuple[float, ...]:
        """Codes of the endpoint's own event (``event_codes``, default 1)."""
        return tuple(self.event_codes) if self.event_codes is not None else (1.0,)

    @property
    def censored(self) -> tuple[float, ...]:
        """Codes of censored follow-up (``censored_codes``, default 0)."""
        return tuple(self.censored_codes) if self.censored_codes is not None else (0.0,)

    @property
    def competing_status(self) -> dict[str, tuple[float, ...]]:
        """``{cause label: codes}`` of the competing events, cause 2, 3, ... in key order."""
        return {
            k: tuple(v) if isinstance(v, list) else (v,) for k, v in self.competing_codes.items()
        }

    def _check_competing(self) -> None:
        """``competing`` (dates of competing events, by cause label) and ``cause_label``."""
        if self.competing is not None:
            if not self.competing:
                raise ValueError(
                    'competing needs at least one {label = "date column"}; remove it for an '
                    "endpoint without competing events"
                )
            if self.time is not None or self.event is not None:
                raise ValueError(
                    "competing names date columns, so it belongs to an endpoint from dates "
                    "(start, events, last_contact), not to ready time + event columns"
                )
            labels = [self.cause_label or self.label, *self.competing]
            if len({lab.strip().casefold() for lab in labels}) < len(labels):
                raise ValueError(
                    f"the cause labels {labels} repeat one another; give each competing event "
                    "its own label (cause_label renames the endpoint's own event)"
                )
            shared = sorted(set(self.competing.values()) & set(self.events or []))
            if shared:
                raise ValueError(
                    f"{shared} is both an event and a competing event of this endpoint; a date "
                    "column belongs to one cause"
                )
        if self.cause_label is not None and self.competing is None and not self.competing_codes:
            raise ValueError(
                "cause_label names the endpoint's own event among competing causes; it needs "
                'competing = {label = "date column"} or competing_codes = {label = code}'
            )

    @property
    def from_dates(self) -> bool:
        """True when time and event are computed from date columns."""
        return self.start is not None

    @property
    def cause_labels(self) -> tuple[str, ...]:
        """The cause labels in code order (cause 1 = the endpoint's own event); empty without
        competing events."""
        if self.competing is not None:
            return (self.cause_label or self.label, *self.competing)
        if self.competing_codes:
            return (self.cause_label or self.label, *self.competing_codes)
        return ()


class UnitsConfig(_Section):
    """``[units]``: units in which the raw laboratory values were recorded."""

    bilirubin: Literal["mg/dL", "umol/L"] = "mg/dL"
    albumin: Literal["g/dL", "g/L"] = "g/dL"
    afp: Literal["ng/mL", "IU/mL"] = "ng/mL"
    afp_iu_factor: Annotated[float, _number(0, 10, low_open=True)] = 1.21


class ClinicalOptions(_Section):
    """``[clinical.options]``: study choices in the scores (HCC_REFERENCE §2-§4, §6, §8)."""

    albumin_band: Literal["pugh", "harrison"] = "pugh"
    albi_coefficient: Finite = -0.085
    afp_cutoff: Positive = 400.0
    bsa_formula: Literal["mosteller", "dubois"] = "mosteller"
    bclc_child_pugh_b: Literal["preserved", "end_stage"] = "preserved"

    @field_validator("albi_coefficient")
    @classmethod
    def _albi(cls, value: float) -> float:
        if value not in (-0.085, -0.0852):
            raise ValueError("the ALBI albumin coefficient is -0.085 (Johnson 2015) or -0.0852")
        return value


class ClinicalColumns(_Section):
    """``[clinical]``: data columns feeding the scores; every one is optional."""

    age: ColumnName | None = None
    bilirubin: ColumnName | None = None
    albumin: ColumnName | None = None
    inr: ColumnName | None = None
    ascites: ColumnName | None = None
    encephalopathy: ColumnName | None = None
    ecog: ColumnName | None = None
    afp: ColumnName | None = None
    tumor_size_mm: ColumnName | None = None
    tumor_number: ColumnName | None = None
    vascular_invasion: ColumnName | None = None
    extrahepatic_spread: ColumnName | None = None
    height_cm: ColumnName | None = None
    weight_kg: ColumnName | None = None
    options: ClinicalOptions = ClinicalOptions()

    def columns(self) -> dict[str, str]:
        """The configured inputs as ``{role: column}`` (options excluded, absent ones dropped)."""
        return {k: v for k, v in self.model_dump(exclude={"options"}).items() if isinstance(v, str)}


class DerivedVariable(_Section):
    """``[[derived]]``: a binary cut, an ordinal cut or a recode of one column.

    Binary: ``column <op> value`` gives ``labels[1]`` when true and ``labels[0]`` when false.
    Ordinal: ``breaks`` b1 < b2 < ... give intervals (-inf, b1), [b1, b2), ..., [bk, inf) labelled
    by ``labels`` (k + 1 of them). Recode: ``map`` sends each listed value to a new one; values not
    listed become missing. Missing inputs stay missing. The new column is an ordered categorical in
    the order of ``labels`` (or of first appearance in ``map``).
    """

    name: ColumnName
    column: ColumnName
    label: str | None = None
    op: Literal[">", ">=", "<", "<=", "==", "!="] | None = None
    value: Finite | None = None
    breaks: list[Finite] | None = None
    map: dict[str, str] | None = None
    labels: list[str] | None = None

    @model_validator(mode="after")
    def _check(self) -> DerivedVariable:
        kinds = [
            k
            for k, present in (
                ("op + value", self.op is not None or self.value is not None),
                ("breaks", self.breaks is not None),
                ("map", self.map is not None),
            )
            if present
        ]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one rule: op + value (binary), breaks (ordinal) or map (recode); "
                f"found {', '.join(kinds) if kinds else 'none'}"
            )
        if kinds[0] == "op + value":
            if self.op is None or self.value is None:
                raise ValueError("a binary cut needs both op and value")
            if self.labels is not None and len(self.labels) != 2:
                raise ValueError(
                    f"a binary cut needs 2 labels [when false, when true]; found {len(self.labels)}"
                )
        if self.breaks is not None:
            if any(a >= b for a, b in itertools.pairwise(self.breaks)):
                raise ValueError(f"breaks must be strictly increasing; found {self.breaks}")
            if not self.breaks:
                raise ValueError("breaks must list at least one value")
            need = len(self.breaks) + 1
            if self.labels is not None and len(self.labels) != need:
                raise ValueError(
                    f"{len(self.breaks)} breaks need {need} labels; found {len(self.labels)}"
                )
        if self.map is not None and self.labels is not None:
            extra = sorted(set(self.map.values()) - set(self.labels))
            if extra:
                raise ValueError(
                    f"labels must list every mapped value; missing: {', '.join(extra)}"
                )
        return self

    def level_order(self) -> list[str]:
        """The category order of the derived column."""
        if self.labels is not None:
            return list(self.labels)
        if self.op is not None:
            return ["No", "Yes"]
        if self.breaks is not None:
            edges = [f"{b:g}" for b in self.breaks]
            return (
                [f"<{edges[0]}"]
                + [f"{a}-<{b}" for a, b in itertools.pairwise(edges)]
                + [f"≥{edges[-1]}"]
            )
        return list(dict.fromkeys((self.map or {}).values()))


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class BaselineVariable:
    """``[[baseline]]``: one row block of Table 1 (:func:`hccsurv.analysis.table1.baseline_table`).

    ``kind`` picks the summary and the test (categorical: n (%), chi-square or Fisher;
    normal: mean ± SD, t test or ANOVA; skewed: median [IQR], Wilcoxon or Kruskal-Wallis).
    ``label`` is the text shown (default: the column name); ``levels`` the display order of a
    categorical variable's levels (levels found but not listed follow, sorted, with a note).
    A dataclass, so that a Table 1 result holding it stays a tree of dataclasses.
    """

    column: ColumnName
    kind: Literal["categorical", "normal", "skewed"]
    label: str = ""
    levels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.column)
        if self.levels is not None and self.kind != "categorical":
            raise ValueError(f"levels apply to categorical variables only (kind = {self.kind!r})")


class CoxCandidate(_Section):
    """``[[cox.candidates]]``: one candidate factor; ``reference`` marks it categorical."""

    column: ColumnName
    label: str | None = None
    reference: str | None = None


class CoxConfig(_Section):
    """``[cox]``: univariate screening threshold, ties method and the candidate factors.

    ``forced`` columns enter the multivariable model whatever their univariate p (``None``, the
    default: the group column, when it is a candidate); ``selection = "all"`` takes every
    candidate without screening; ``strata`` stratifies every Cox model and, with
    ``stratify_logrank``, the log-rank test of each endpoint (R ``strata()``).
    """

    threshold: Annotated[float, _number(0, 1, low_open=True)] = 0.1
    selection: Literal["screen", "all"] = "screen"
    forced: list[ColumnName] | None = None
    strata: list[ColumnName] = []
    stratify_logrank: bool = False
    ties: Literal["efron", "breslow"] = "efron"
    candidates: list[CoxCandidate] = []

    @model_validator(mode="after")
    def _check(self) -> CoxConfig:
        columns = [c.column for c in self.candidates]
        unknown = [f for f in self.forced or [] if f not in columns]
        if unknown:
            raise ValueError(
                f"forced names {', '.join(unknown)}, not a [[cox.candidates]] column; "
                f"allowed: {', '.join(columns) or 'none (add candidates first)'}"
            )
        both = [s for s in self.strata if s in columns]
        if both:
            raise ValueError(
                f"{', '.join(both)} is both a stratum and a candidate; a stratified column has "
                "no hazard ratio, so keep it in one of the two"
            )
        return self


class SubgroupsConfig(_Section):
    """``[subgroups]``: the treatment (group) hazard ratio within each level of ``variables``
    (two groups), with the likelihood-ratio test of treatment x subgroup; every model adjusted
    for ``covariates`` and stratified by ``[cox] strata``."""

    variables: list[ColumnName] = Field(min_length=1)
    covariates: list[ColumnName] = []


class TablesConfig(_Section):
    """``[tables]``: number formats and test choices of the tables."""

    decimals: Annotated[int, _number(0, 6, whole=True)] = 1
    p_decimals: Annotated[int, _number(1, 6, whole=True)] = 3
    categorical_test: Literal["any_expected_lt_5", "cochran"] = "any_expected_lt_5"
    fisher_max_levels: Annotated[int, Field(ge=2)] = 10
    t_test: Literal["student", "welch"] = "student"
    smd: bool = True


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class ResponseConfig(ResponseRules):
    """``[response]``: where best responses come from, and the response rules.

    The rule keys (``criteria``, ``confirm_days``, ``sd_min_days``, ``max_nr_ne``, ``accept_sd``,
    ``denominator``, ``adjudication``) are the fields of
    :class:`hccsurv.clinical.response.ResponseRules`, inherited with their defaults and checks;
    ``lesion_columns`` is a :class:`hccsurv.clinical.response.LesionColumns`.
    """

    source: Literal["column", "lesions"] = "column"
    best_response: ColumnName | None = None
    lesion_file: str | None = None
    lesion_columns: LesionColumns = LesionColumns()

    @model_validator(mode="after")
    def _check(self) -> ResponseConfig:
        if self.source == "column" and self.best_response is None:
            raise ValueError('source = "column" needs best_response = "<column>"')
        if self.source == "lesions" and self.lesion_file is None:
            raise ValueError('source = "lesions" needs lesion_file = "<path relative to config>"')
        return self

    @property
    def rules(self) -> ResponseRules:
        """The response rules alone, as the response engine records them."""
        return ResponseRules(
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(ResponseRules)}
        )


class FiguresConfig(_Section):
    """``[figures]``: size, resolution, formats and look of the figures.

    Sizes run from 20 mm (a thumbnail) to 1200 mm (an A0 poster's long side); the resolution
    from 72 dpi (screen) to 1200 dpi (line art; journals ask 300-600). ``time_break`` is at
    least one day in the study time unit (checked with ``study.time_unit``).
    """

    width_mm: Annotated[float, _number(20, 1200)] = 174.0
    height_mm: Annotated[float, _number(20, 1200)] = 120.0
    dpi: Annotated[int, _number(72, 1200, whole=True)] = 300
    formats: list[Literal["png", "pdf", "svg", "tiff"]] = Field(
        default=["png", "pdf"], min_length=1
    )
    palette: list[Colour] = Field(
        default=["#0072B2", "#D55E00", "#009E73", "#CC79A7"], min_length=1
    )
    y_percent: bool = True
    time_break: Positive | None = None
    xlim: Positive | None = None
    font_family: list[Annotated[str, Field(min_length=1)]] = []
    show_ci: bool = True
    risk_table: bool = True


class AdjustConfig(_Section):
    """``[adjust]``: propensity-score matching or weighting (``analysis.adjust.adjust_study``).

    ``caliper`` is in SD of the logit of the propensity score (``None``: no caliper); ``m_order``
    the order treated patients are matched in (MatchIt ``m.order``); ``exact`` columns to match
    exactly on; ``trimming`` drops scores outside [t, 1 - t] (weighting); ``truncate`` caps the
    weights at their 1 - q quantile (weighting); ``missing`` drops patients with a missing
    covariate (complete) or adds missing indicators; ``doubly_robust`` adds the covariates to
    the weighted Cox model; ``seed`` seeds every random step.
    """

    method: Literal["matching", "weighting"]
    covariates: list[ColumnName] = Field(min_length=1)
    caliper: Positive | None = 0.2
    ratio: Annotated[int, _number(1, 100, whole=True)] = 1
    replace: bool = False
    estimand: Literal["ATE", "ATT"] = "ATT"
    weight_type: Literal["ipw", "stabilized", "overlap"] = "ipw"
    trimming: Annotated[float, _number(0, 0.5, high_open=True)] = 0.0
    truncate: Annotated[float, _number(0, 0.5, low_open=True, high_open=True)] | None = None
    m_order: Literal["largest", "smallest", "random", "data"] = "largest"
    exact: list[ColumnName] = []
    missing: Literal["complete", "indicator"] = "complete"
    doubly_robust: bool = False
    seed: Annotated[int, _number(0, 2**63 - 1, whole=True)] = 20240101

    @model_validator(mode="after")
    def _check(self) -> AdjustConfig:
        if self.method == "matching" and self.estimand != "ATT":
            raise ValueError(
                "nearest-neighbour matching estimates the ATT (the effect in the second group); "
                f'estimand = "{self.estimand}" needs method = "weighting"'
            )
        return self


class LabColumns(_Section):
    """``[safety.lab_columns]``: column names of the laboratory file (each defaults to its key)."""

    patient_id: ColumnName = "patient_id"
    date: ColumnName = "date"
    test: ColumnName = "test"
    value: ColumnName = "value"
    unit: ColumnName = "unit"
    lln: ColumnName = "lln"
    uln: ColumnName = "uln"


class TreatmentColumns(_Section):
    """``[safety.treatment_columns]``: column names of the treatment file (each defaults to its
    key; ``status`` may be absent from the file: every cycle is then ``given``)."""

    patient_id: ColumnName = "patient_id"
    cycle: ColumnName = "cycle"
    date: ColumnName = "date"
    drug: ColumnName = "drug"
    dose: ColumnName = "dose_mg"
    status: ColumnName = "status"


class SafetyConfig(_Section):
    """``[safety]``: adverse events graded from the laboratory record, and treatment exposure.

    ``treatment_file`` (one row per patient, cycle and drug) defines the safety population and
    the exposure; ``lab_file`` (long: one row per measurement) the adverse-event table.
    ``baseline_window_days``: the baseline of a test is its last value in this many days before
    the first cycle (the day of the first cycle included). ``planned_mg_m2``: the protocol's dose
    per cycle of each drug in mg/m² (HAIC-FP: 5-FU 1500 = 500 × 3 days, cisplatin 60), for the
    relative dose intensity with the patient's BSA. A cycle is a dose reduction when a drug's
    RDI is below ``reduction_below``, a delay when it starts more than ``delay_after_days`` after
    the previous one."""

    treatment_file: str
    lab_file: str | None = None
    lab_columns: LabColumns = LabColumns()
    treatment_columns: TreatmentColumns = TreatmentColumns()
    ctcae_version: Literal["5.0"] = "5.0"
    baseline_window_days: Annotated[float, _number(0, 365)] = 30.0
    planned_mg_m2: dict[str, Positive] = {}
    reduction_below: Annotated[float, _number(0, 1, low_open=True)] = 0.9
    delay_after_days: Positive = 42.0


class AnalysisConfig(_Section):
    """``[analysis]``: which analyses must succeed. By default an analysis that cannot be
    estimated on the data (no events, a constant covariate) is reported as "not estimable" and
    the run goes on; one named in ``required`` (a key of results.json's ``analyses`` or its
    prefix: ``"OS"``, ``"OS.cox.multivariable"``, ``"adjust"``) ends the run with exit 6."""

    required: list[str] = []


class OutputConfig(_Section):
    """``[output]``: what may leave the machine."""

    include_identifiers: bool = False


class TimeVaryingConfig(_Section):
    """``[time_varying]``: an endpoint by a status reached during follow-up (a confirmed
    response), as landmark analyses at ``landmarks`` (study time unit) and as a time-varying
    Cox covariate, beside the naive (immortal-time biased) comparison from the start."""

    endpoint: str
    status: Literal["response"] = "response"
    landmarks: list[Positive] = Field(default=[3.0], min_length=1)


class StudyConfig(_Section):
    """The validated study config. Paths are resolved against the config file's folder."""

    study: StudySection
    groups: GroupsConfig
    endpoints: dict[str, EndpointConfig] = Field(min_length=1)
    units: UnitsConfig = UnitsConfig()
    clinical: ClinicalColumns = ClinicalColumns()
    derived: list[DerivedVariable] = []
    baseline: list[BaselineVariable] = []
    cox: CoxConfig = CoxConfig()
    subgroups: SubgroupsConfig | None = None
    tables: TablesConfig = TablesConfig()
    response: ResponseConfig | None = None
    figures: FiguresConfig = FiguresConfig()
    adjust: AdjustConfig | None = None
    safety: SafetyConfig | None = None
    time_varying: TimeVaryingConfig | None = None
    output: OutputConfig = OutputConfig()
    analysis: AnalysisConfig = AnalysisConfig()

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @field_validator("endpoints")
    @classmethod
    def _endpoint_names(cls, value: dict[str, EndpointConfig]) -> dict[str, EndpointConfig]:
        bad = [k for k in value if not k.isidentifier()]
        if bad:
            raise ValueError(
                f"endpoint names must be letters, digits and underscores (e.g. OS, PFS); "
                f"found {', '.join(repr(b) for b in bad)}"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> StudyConfig:
        names = [d.name for d in self.derived]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"derived variable names must be unique; repeated: {', '.join(dup)}")
        keyed = [n for n, ep in self.endpoints.items() if ep.key is not None]
        if keyed and self.study.id_column is None:
            raise ValueError(
                f"long-format endpoints ({', '.join(keyed)}: key = ...) need study.id_column, "
                "the column that says which rows belong to one patient"
            )
        tv = self.time_varying
        if tv is not None and tv.endpoint not in self.endpoints:
            raise ValueError(
                f"time_varying.endpoint = {tv.endpoint!r} is not an endpoint; use one of "
                f"{sorted(self.endpoints)}"
            )
        return self

    @property
    def base_dir(self) -> Path:
        """The folder of the config file; relative paths are resolved against it."""
        return self._base_dir

    @property
    def data_path(self) -> Path:
        """The cohort file, resolved against the config's folder."""
        return self.resolve(self.study.data)

    @property
    def days_per_unit(self) -> float:
        """Days in one study time unit (months: 30.4375)."""
        return DAYS_PER_UNIT[self.study.time_unit]

    def resolve(self, path: str) -> Path:
        """Resolve ``path`` (from the config) against the config file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self._base_dir / p

    @property
    def cox_labels(self) -> dict[str, str]:
        """Display label of each Cox candidate column (``"ECOG 0 vs ≥1"``)."""
        return {c.column: c.label or c.column for c in self.cox.candidates}

    @property
    def variable_labels(self) -> dict[str, str]:
        """Display label of every described column; Table 1's label wins over the Cox one."""
        return self.cox_labels | {b.column: b.label or b.column for b in self.baseline}


def _is_section(annotation: Any) -> bool:
    """A pydantic model or a dataclass: a table of keys in the TOML."""
    return isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)
    )


def _keys(section: type[Any]) -> list[str]:
    """The keys a section allows."""
    if issubclass(section, BaseModel):
        return sorted(section.model_fields)
    return sorted(f.name for f in dataclasses.fields(section))


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated/list/dict wrappers down to a section class when there is one."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            sections = [a for a in args if _is_section(a)]
            annotation = sections[0] if sections else args[0]
        else:
            return annotation


def _section_at(loc: Sequence[int | str]) -> type | None:
    """The section class whose keys live at ``loc`` (walking StudyConfig field annotations)."""
    section: Any = StudyConfig
    i = 0
    while i < len(loc):
        key = loc[i]
        if not _is_section(section):
            return None
        hints = typing.get_type_hints(section, include_extras=True)
        if not isinstance(key, str) or key not in hints:
            return None
        ann = _unwrap(hints[key])
        origin = typing.get_origin(ann)
        if origin is list:
            ann = _unwrap(typing.get_args(ann)[0])
            i += 1  # skip the list index
        elif origin is dict:
            ann = _unwrap(typing.get_args(ann)[1])
            i += 1  # skip the dict key
        section = ann
        i += 1
    return section if _is_section(section) else None


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(err: ErrorDetails) -> Problem:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    where = _format_loc(loc)
    kind = err["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # models, dataclasses
        key = str(loc[-1])
        parent = _section_at(loc[:-1])
        allowed = _keys(parent) if parent is not None else []
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown key '{key}'"
        if hint:
            message += f"; did you mean '{hint[0]}'?"
        if allowed:
            message += f" Allowed keys: {', '.join(allowed)}"
        return Problem(where=where, message=message, rule="unknown_key")
    if kind == "missing":
        return Problem(where=where, message="required key is missing", rule="missing")
    text = err["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    found = err["input"]
    if not isinstance(found, Mapping):
        text = f"found {_short(found)}; {text}"
    return Problem(where=where, message=text, rule=kind)


def _across_sections(config: StudyConfig) -> list[Problem]:
    """Checks that join keys of two sections, each reported at the key to change."""
    problems: list[Problem] = []
    generated = {f"{e}_{part}" for e in config.endpoints for part in ("time", "event")}
    generated |= {f"{e}_cause" for e, ep in config.endpoints.items() if ep.cause_labels}
    problems += [
        Problem(
            where=f"derived[{i}].name",
            message=(
                f"found {d.name!r}, the name of a column hccsurv generates for an endpoint; "
                "allowed: any name except <endpoint>_time and <endpoint>_event "
                f"({', '.join(sorted(generated))})"
            ),
            rule="name_clash",
        )
        for i, d in enumerate(config.derived)
        if d.name in generated
    ]
    # a horizon or tick step below one day is a unit mix-up, and a tick step of 1e-6 months
    # would ask the figure for billions of ticks
    unit = config.study.time_unit
    day = 1.0 / DAYS_PER_UNIT[unit]
    for where, value in (
        ("study.rmst_horizon", config.study.rmst_horizon),
        ("figures.time_break", config.figures.time_break),
    ):
        if value is not None and value < day:
            problems.append(
                Problem(
                    where=where,
                    message=(
                        f"found {value:g}, shorter than one day; allowed: at least {day:.4g} "
                        f"{unit} (one day, in study.time_unit)"
                    ),
                    rule="too_short",
                )
            )
    figures = config.figures
    megapixels = figures.width_mm * figures.height_mm * (figures.dpi / MM_PER_INCH) ** 2 / 1e6
    if megapixels > MAX_MEGAPIXELS:
        problems.append(
            Problem(
                where="figures.dpi",
                message=(
                    f"found {figures.dpi} dpi on {figures.width_mm:g} x {figures.height_mm:g} mm, "
                    f"a {megapixels:.0f}-megapixel image; allowed: at most {MAX_MEGAPIXELS} "
                    "megapixels (lower dpi, width_mm or height_mm)"
                ),
                rule="too_large",
            )
        )
    return problems


def parse_config(data: Mapping[str, Any], base_dir: Path | str) -> StudyConfig:
    """Validate a parsed TOML mapping and attach ``base_dir`` for relative paths.

    Raises
    ------
    ConfigError
        With one :class:`~hccsurv.errors.Problem` per invalid or unknown key.
    """
    try:
        config = StudyConfig.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        raise ConfigError("Invalid study config", problems) from None
    problems = _across_sections(config)
    if problems:
        raise ConfigError("Invalid study config", problems)
    config._base_dir = Path(base_dir)
    return config


def load_config(path: str | Path) -> StudyConfig:
    """Read and validate a study config TOML file.

    Parameters
    ----------
    path
        The ``study.toml``; relative paths inside it are resolved against its folder.

    Raises
    ------
    ConfigError
        The file is missing, is not valid TOML, or has invalid or unknown keys (all listed).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"Cannot read study config {p}",
            [Problem(where=str(p), message=f"{exc.strerror or exc}; check the path")],
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Study config {p} is not valid TOML",
            [Problem(where=str(p), message=f"{exc}; fix the TOML syntax at that line")],
        ) from None
    return parse_config(data, p.resolve().parent)
