"""Number formatting for publication tables: pure functions of a value and :class:`FormatOptions`.

Rounding rule
-------------
Values are rounded **half away from zero on their shortest decimal representation** (``repr`` of
the float, i.e. the digits a person sees when the value is printed): ``0.0785 -> 0.079``,
``18.15 -> 18.2``, ``2.675 -> 2.68``, ``-0.125 -> -0.13``. Python's ``round()`` and C/R
``sprintf`` work on the binary value instead (``18.15`` is stored as ``18.149999…``, so they print
``18.1``; ``round(0.125, 2)`` is ``0.12`` by banker's rounding). A biostatistician checking a table
by hand rounds the printed decimal, so this module does too. A value that rounds to zero never
carries a sign (``-0.001 -> "0.00"``).

Missing values
--------------
``None``, NaN and infinities print as ``options.not_applicable`` (``"–"``) in generic formatters.
Medians and their confidence limits print ``None`` as ``options.not_reached`` (``"NR"``), the
project-wide meaning of ``None`` for a survival quantile that was not reached.

Ranges
------
Intervals are ``a–b`` with an en dash; when either end is negative the separator becomes
``" to "`` (``-0.50 to 1.20``), because ``-0.50–-0.20`` is unreadable (AMA Manual of Style,
11th ed., §20.2 / §18.1.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

from hccsurv.errors import InputError

CIStyle = Literal["dash", "comma", "bracket"]
_CI_STYLES = ("dash", "comma", "bracket")
_P_TOLERANCE = 1e-9


@dataclass(frozen=True)
class FormatOptions:
    """How numbers are printed in tables.

    Parameters
    ----------
    decimals : int
        Decimals for estimates (means, SDs, medians, survival times). Default 2.
    hr_decimals : int
        Decimals for hazard/odds ratios and their limits. Default 2.
    percent_decimals : int
        Decimals for percentages. Default 1.
    p_decimals : int
        Decimals for p-values. Default 3.
    p_threshold : float, optional
        Smallest p printed as a number; below it ``"<threshold"``. Must be a positive multiple
        of ``10**-p_decimals`` so that a printed p is never ``0.000``. Default ``None``: one unit
        of the last decimal, ``10**-p_decimals`` (0.001 for 3 decimals, 0.01 for 2); see
        :attr:`p_floor`.
    ci_style : {"dash", "comma", "bracket"}
        ``"(a–b)"``, ``"(a, b)"`` or ``"[a; b]"``.
    not_reached : str
        Text for a quantile (median) or limit that was not reached. Default ``"NR"``.
    not_applicable : str
        Text for a missing or not applicable value. Default ``"–"`` (en dash).
    reference_text : str
        Text in the estimate cell of a reference level. Default ``"Ref."``.
    """

    decimals: int = 2
    hr_decimals: int = 2
    percent_decimals: int = 1
    p_decimals: int = 3
    p_threshold: float | None = None
    ci_style: CIStyle = "dash"
    not_reached: str = "NR"
    not_applicable: str = "–"
    reference_text: str = "Ref."

    def __post_init__(self) -> None:
        for name in ("decimals", "hr_decimals", "percent_decimals", "p_decimals"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
                raise InputError(f"FormatOptions.{name} = {value!r}; use an integer from 0 to 10")
        if self.p_decimals < 1:
            raise InputError("FormatOptions.p_decimals = 0; p-values need at least 1 decimal")
        step = Decimal(1).scaleb(-self.p_decimals)
        threshold = Decimal(repr(float(self.p_floor)))
        if not 0 < self.p_floor < 1 or threshold % step != 0:
            raise InputError(
                f"FormatOptions.p_threshold = {self.p_threshold!r} with p_decimals = "
                f"{self.p_decimals}: use a value in (0, 1) that is a multiple of {step}, "
                "e.g. 0.001 for 3 decimals"
            )
        if self.ci_style not in _CI_STYLES:
            raise InputError(
                f"FormatOptions.ci_style = {self.ci_style!r}; use one of {', '.join(_CI_STYLES)}"
            )

    @property
    def p_floor(self) -> float:
        """The p-value threshold in effect: ``p_threshold`` or ``10**-p_decimals``."""
        if self.p_threshold is not None:
            return self.p_threshold
        return float(Decimal(1).scaleb(-self.p_decimals))


DEFAULT_OPTIONS = FormatOptions()


NOT_ESTIMABLE = "not estimable"
"""What a table cell shows for an analysis that could not be estimated on the data."""


def _decimal(x: float) -> Decimal:
    """The shortest decimal representation of ``x`` (``repr``), as a Decimal."""
    return Decimal(repr(float(x)))


def _is_missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def _round_text(x: float | Decimal, decimals: int) -> str:
    """``x`` rounded half away from zero on its decimal representation, fixed-point text."""
    value = x if isinstance(x, Decimal) else _decimal(x)
    context = Context(prec=max(28, value.adjusted() + decimals + 2))
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=context)
    if q == 0:
        q = abs(q)
    return f"{q:.{decimals}f}"


def _text(x: float | None, decimals: int, missing: str) -> str:
    return missing if x is None or _is_missing(x) else _round_text(x, decimals)


def _interval(lower: str, upper: str, negative: bool, options: FormatOptions) -> str:
    if options.ci_style == "comma":
        return f"({lower}, {upper})"
    if options.ci_style == "bracket":
        return f"[{lower}; {upper}]"
    sep = " to " if negative else "–"
    return f"({lower}{sep}{upper})"


def _negative(*values: float | None) -> bool:
    return any(v is not None and math.isfinite(v) and v < 0 for v in values)


def format_number(
    x: float | None, decimals: int | None = None, *, options: FormatOptions = DEFAULT_OPTIONS
) -> str:
    """``x`` with ``decimals`` (default ``options.decimals``) decimals, rounded half away from zero.

    ``None``, NaN and infinities give ``options.not_applicable``.

    Examples
    --------
    >>> format_number(0.0785, 3)
    '0.079'
    >>> format_number(None)
    '–'
    """
    d = options.decimals if decimals is None else decimals
    return _text(x, d, options.not_applicable)


def format_percent(
    proportion: float | None,
    decimals: int | None = None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """A proportion (0-1) as a percentage without the sign: ``0.403 -> "40.3"``."""
    d = options.percent_decimals if decimals is None else decimals
    if proportion is None or _is_missing(proportion):
        return options.not_applicable
    return _round_text(_decimal(proportion) * 100, d)


def format_p(p: float | None, *, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    """A p-value: ``"<0.001"`` below the threshold, ``">0.999"`` when it rounds to 1.

    Never prints ``0.000`` or ``1.000``. ``None``/NaN give ``options.not_applicable``.
    Values outside [0, 1] beyond a 1e-9 numerical tolerance raise :class:`InputError`.

    Examples
    --------
    >>> format_p(0.0004), format_p(0.0785), format_p(0.9996), format_p(1.0)
    ('<0.001', '0.079', '>0.999', '>0.999')
    """
    if p is None or math.isnan(p):
        return options.not_applicable
    if not -_P_TOLERANCE <= p <= 1 + _P_TOLERANCE:
        raise InputError(f"p-value {p!r} is outside [0, 1]; pass a probability")
    p = min(max(p, 0.0), 1.0)
    threshold = _round_text(options.p_floor, options.p_decimals)
    if p < options.p_floor:
        return f"<{threshold}"
    text = _round_text(p, options.p_decimals)
    if Decimal(text) >= 1:
        top = Decimal(1) - Decimal(1).scaleb(-options.p_decimals)
        return f">{top:.{options.p_decimals}f}"
    return text


def format_ci(
    estimate: float | None,
    lower: float | None,
    upper: float | None,
    decimals: int | None = None,
    *,
    missing: str | None = None,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """An estimate with its confidence interval: ``"1.98 (1.08–3.63)"``.

    Parameters
    ----------
    estimate, lower, upper : float or None
        The numbers; ``None``/NaN/inf print as ``missing``.
    decimals : int, optional
        Default ``options.decimals``.
    missing : str, optional
        Text for a missing number; default ``options.not_applicable``.
    options : FormatOptions
        ``ci_style`` chooses ``(a–b)``, ``(a, b)`` or ``[a; b]``.
    """
    d = options.decimals if decimals is None else decimals
    miss = options.not_applicable if missing is None else missing
    body = _interval(_text(lower, d, miss), _text(upper, d, miss), _negative(lower, upper), options)
    return f"{_text(estimate, d, miss)} {body}"


def format_hr_ci(
    hr: float | None,
    lower: float | None,
    upper: float | None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """A hazard (or odds) ratio with its CI at ``options.hr_decimals``: ``"0.40 (0.20–0.83)"``.

    Degenerate ratios print as R reports them: a ratio of 0 (a limit that underflows, the odds
    ratio of a 2 x 2 table with a zero cell) as ``0.00`` and an infinite one as ``Inf``, so a
    non-estimable hazard ratio reads ``"Inf (0.00–Inf)"`` instead of stopping the run. A
    negative value is not a ratio and raises :class:`InputError`.

    Examples
    --------
    >>> format_hr_ci(0.0, 0.0, 2.5)
    '0.00 (0.00–2.50)'
    >>> format_hr_ci(1.4e9, 0.0, float("inf"))
    '1400000000.00 (0.00–Inf)'
    """
    for name, value in (("hr", hr), ("lower", lower), ("upper", upper)):
        if value is not None and not math.isnan(value) and value < 0:
            raise InputError(f"format_hr_ci: {name} = {value!r} is not a ratio (negative)")
    d = options.hr_decimals
    miss = options.not_applicable

    def text(x: float | None) -> str:
        return "Inf" if x is not None and x == math.inf else _text(x, d, miss)

    return f"{text(hr)} {_interval(text(lower), text(upper), False, options)}"


def format_percent_ci(
    proportion: float | None,
    lower: float | None,
    upper: float | None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """A proportion and its CI as percentages: ``(0.403, 0.280, 0.581) -> "40.3 (28.0–58.1)"``."""
    body = _interval(
        format_percent(lower, options=options),
        format_percent(upper, options=options),
        _negative(lower, upper),
        options,
    )
    return f"{format_percent(proportion, options=options)} {body}"


def format_n_pct(k: int, n: int, *, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    """A count with its percentage of ``n``: ``(12, 66) -> "12 (18.2)"``; ``n = 0`` -> ``"0 (–)"``.

    The percentage is ``100 k / n`` rounded half away from zero to ``options.percent_decimals``.
    """
    if k < 0 or n < 0 or k > n:
        raise InputError(f"format_n_pct: count {k} of {n} is impossible; need 0 <= k <= n")
    if n == 0:
        return f"{k} ({options.not_applicable})"
    pct = _round_text(Decimal(100 * k) / Decimal(n), options.percent_decimals)
    return f"{k} ({pct})"


def format_mean_sd(
    mean: float | None,
    sd: float | None,
    decimals: int | None = None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """Mean ± SD: ``"65.79 ± 11.19"``."""
    d = options.decimals if decimals is None else decimals
    return f"{_text(mean, d, options.not_applicable)} ± {_text(sd, d, options.not_applicable)}"


def format_median_iqr(
    median: float | None,
    q1: float | None,
    q3: float | None,
    decimals: int | None = None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """Median [Q1–Q3]: ``(410, 120, 2310), decimals=0 -> "410 [120–2310]"``."""
    d = options.decimals if decimals is None else decimals
    miss = options.not_applicable
    sep = " to " if _negative(q1, q3) else "–"
    return f"{_text(median, d, miss)} [{_text(q1, d, miss)}{sep}{_text(q3, d, miss)}]"


def format_median_ci(
    median: float | None,
    lower: float | None,
    upper: float | None,
    decimals: int | None = None,
    *,
    options: FormatOptions = DEFAULT_OPTIONS,
) -> str:
    """A survival median and its CI; ``None`` (not reached) prints ``options.not_reached``.

    ``(6.8, 4.1, None), decimals=1 -> "6.8 (4.1–NR)"``; ``(None, 9.0, None) -> "NR (9.0–NR)"``.
    """
    return format_ci(median, lower, upper, decimals, missing=options.not_reached, options=options)
