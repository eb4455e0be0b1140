"""Every figure of a study, in report order: pure views of
:class:`~hccsurv.analysis.results.StudyResults`.

A Kaplan-Meier figure per endpoint, a forest plot per endpoint with Cox models, a subgroup forest
plot per endpoint with a subgroup analysis, and the Love plot of the propensity-score
adjustment. :func:`study_figures` lists them, not yet drawn: ``draw()``
builds the matplotlib figure (the report layer saves it). A new figure is one more entry here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import pandas as pd
from matplotlib.figure import Figure

from hccsurv.analysis.adjust.balance import BalanceResult
from hccsurv.analysis.comparisons import SubgroupResults
from hccsurv.analysis.competing_study import CompetingAnalysis, CompetingEndpoint
from hccsurv.analysis.results import EndpointAnalysis, StudyResults
from hccsurv.analysis.subgroup import SubgroupEstimate
from hccsurv.analysis.survival import EndpointSummary
from hccsurv.config import StudyConfig
from hccsurv.present.figures.cif import plot_cif
from hccsurv.present.figures.forest import plot_forest
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.love import plot_love
from hccsurv.present.figures.risk_table import GroupedCurves, SurvivalCurve
from hccsurv.present.figures.style import DEFAULT_FONT_FAMILY, FigureStyle
from hccsurv.present.figures.subgroup import SubgroupData, SubgroupRow, plot_subgroup_forest
from hccsurv.present.format import FormatOptions, format_hr_ci


@dataclass(frozen=True)
class FigureView:
    """One figure of the study: its file name, caption, alt text, and how to draw it;
    ``section`` names the further analysis (``StudyResults.more``) whose report section shows it
    (``None``: one of the main sections places it)."""

    name: str
    caption: str
    alt: str
    draw: Callable[[], Figure]
    section: str | None = None


def figure_style(config: StudyConfig, height_mm: float | None = None) -> FigureStyle:
    """The figure style of the config's ``[figures]`` section."""
    f = config.figures
    return FigureStyle(
        palette=tuple(f.palette),
        width_mm=f.width_mm,
        height_mm=height_mm if height_mm is not None else f.height_mm,
        dpi=f.dpi,
        percent=f.y_percent,
        font_size=8.0,
        small_font_size=7.0,
        font_family=(*f.font_family, *DEFAULT_FONT_FAMILY),
    )


def _group_hr_text(ep: EndpointAnalysis, config: StudyConfig, options: FormatOptions) -> str | None:
    group_column = config.groups.column
    show = config.groups.display
    if ep.models is None:
        return None
    for model in ep.models.univariate:
        if model.covariates == (group_column,):
            rows = model.to_frame()
            if len(rows) != 1:
                return None
            r = rows.iloc[0]
            hr = format_hr_ci(r["hr"], r["hr_lower"], r["hr_upper"], options=options)
            return f"HR {show(str(r['level']))} vs {show(str(r['reference']))}: {hr}"
    return None


@dataclass(frozen=True)
class _Named:
    """Curves by group under their display names (``[groups] display_names``): what the legend
    and the risk table show."""

    labels: tuple[str, ...]
    curves: Mapping[str, SurvivalCurve]


def _named(km: GroupedCurves, config: StudyConfig) -> _Named:
    show = config.groups.display
    return _Named(tuple(show(g) for g in km.labels), {show(g): km.curves[g] for g in km.labels})


def _draw_km(
    s: EndpointSummary, hr_text: str | None, config: StudyConfig, options: FormatOptions
) -> Figure:
    return plot_km(
        _named(s.km_groups, config),
        style=figure_style(config),
        logrank=s.logrank,
        hr_text=hr_text,
        time_unit=s.time_unit,
        risk_table=config.figures.risk_table,
        show_ci=config.figures.show_ci,
        landmarks=tuple(config.study.landmarks),
        break_every=config.figures.time_break,
        xlim=config.figures.xlim,
        legend_medians=True,
        format_options=options,
    ).figure


def _draw_forest(
    frames: dict[str, pd.DataFrame], config: StudyConfig, options: FormatOptions
) -> Figure:
    return plot_forest(
        frames, labels=config.cox_labels, style=figure_style(config), format_options=options
    ).figure


def subgroup_data(results: SubgroupResults, endpoint: str) -> SubgroupData | None:
    """The subgroup forest plot's data of ``endpoint`` (``None``: not estimable): arms in display
    names, the experimental (second) group first; an HR that is not finite and positive (no
    events in an arm) is drawn as not estimable."""
    ep = next(e for e in results.endpoints if e.endpoint == endpoint)
    a = ep.analysis
    if a is None:
        return None
    names, labels = results.display_names, results.variable_labels

    def row(variable: str, level: str, est: SubgroupEstimate) -> SubgroupRow:
        ok = est.estimable and math.isfinite(est.hr) and est.hr_lower > 0
        nan = math.nan
        return SubgroupRow(
            variable,
            level,
            n=(est.n_treatment, est.n_reference),
            events=(est.events_treatment, est.events_reference),
            hr=est.hr if ok else nan,
            lower=est.hr_lower if ok else nan,
            upper=est.hr_upper if ok else nan,
        )

    return SubgroupData(
        arms=(names.get(a.comparator, a.comparator), names.get(a.reference, a.reference)),
        overall=row("Overall", "", a.overall),
        rows=tuple(row(labels.get(e.variable, e.variable), str(e.level), e) for e in a.estimates),
        interaction_p={
            labels.get(t.variable, t.variable): t.p for t in a.interactions if math.isfinite(t.p)
        },
    )


def _draw_subgroups(data: SubgroupData, config: StudyConfig, options: FormatOptions) -> Figure:
    n_rows = 2 + len(data.rows) + len({r.variable for r in data.rows})
    # about 6 mm a row, never shorter than the configured figure
    height = max(config.figures.height_mm, 20.0 + 6.0 * n_rows)
    return plot_subgroup_forest(
        data, style=figure_style(config, height_mm=height), format_options=options
    ).figure


def _draw_love(balance: BalanceResult, config: StudyConfig) -> Figure:
    return plot_love(
        balance, variable_labels=config.variable_labels, style=figure_style(config)
    ).figure


def _draw_cif(ep: CompetingEndpoint, config: StudyConfig, options: FormatOptions) -> Figure:
    return plot_cif(
        ep,
        style=figure_style(config),
        time_unit=config.study.time_unit,
        risk_table=config.figures.risk_table,
        show_ci=config.figures.show_ci,
        break_every=config.figures.time_break,
        xlim=config.figures.xlim,
        format_options=options,
    )


def _cif_views(results: StudyResults, options: FormatOptions, first: int) -> list[FigureView]:
    competing = results.more.get("competing")
    if not isinstance(competing, CompetingAnalysis):
        return []
    views: list[FigureView] = []
    for ep in competing.endpoints:
        if ep.cif is None:
            continue
        views.append(
            FigureView(
                name=f"cif_{ep.name.lower()}",
                caption=(
                    f"Figure {first + len(views)}. Cumulative incidence of "
                    f"{_join_lower(ep.causes)} ({ep.label.lower()}) by group (Aalen-Johansen, "
                    "95% confidence bands on the log scale), with Gray's test of each cause and "
                    "the number of patients still free of any event below."
                ),
                alt=f"Cumulative incidence curves of {ep.label}",
                draw=partial(_draw_cif, ep, results.config, options),
                section="competing",
            )
        )
    return views


def _join_lower(items: tuple[str, ...]) -> str:
    words = [i.lower() for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def study_figures(results: StudyResults, options: FormatOptions) -> tuple[FigureView, ...]:
    """The figures of the study in report order, not yet drawn."""
    config = results.config
    views: list[FigureView] = []
    for i, ep in enumerate(results.endpoints, start=1):
        s = ep.summary
        views.append(
            FigureView(
                name=f"km_{ep.name.lower()}",
                caption=(
                    f"Figure {i}. Kaplan-Meier curves of {ep.label.lower()} by group, with "
                    f"{round(s.conf_level * 100)}% confidence bands ({s.conf_type} transform), "
                    "dotted lines at each group's median and the number at risk below."
                ),
                alt=f"Kaplan-Meier curves of {ep.label}",
                draw=partial(_draw_km, s, _group_hr_text(ep, config, options), config, options),
            )
        )
    views += _cif_views(results, options, len(results.endpoints) + 1)
    for ep in results.endpoints:
        models = ep.models
        if models is None or not models.univariate:
            continue
        frames = {
            "Univariate": pd.concat([m.to_frame() for m in models.univariate], ignore_index=True)
        }
        if models.multivariable is not None:
            frames["Multivariable"] = models.multivariable.to_frame()
        views.append(
            FigureView(
                name=f"forest_{ep.name.lower()}",
                caption=(
                    f"Hazard ratios for {ep.label.lower()}: univariate and multivariable Cox "
                    "models (log scale; reference levels marked Ref.)."
                ),
                alt=f"Forest plot of hazard ratios for {ep.label}",
                draw=partial(_draw_forest, frames, config, options),
            )
        )
    subgroups = results.more.get("subgroups")
    if isinstance(subgroups, SubgroupResults):
        for sub in subgroups.endpoints:
            data = subgroup_data(subgroups, sub.endpoint)
            if data is None:
                continue
            views.append(
                FigureView(
                    name=f"subgroups_{sub.endpoint.lower()}",
                    caption=(
                        f"Subgroup analysis of {sub.label.lower()}: hazard ratio of "
                        f"{data.arms[0]} versus {data.arms[1]} within each subgroup (log scale), "
                        "events/patients per arm and the p-value of the group-by-subgroup "
                        "interaction (likelihood-ratio test)."
                    ),
                    alt=f"Subgroup forest plot for {sub.label}",
                    draw=partial(_draw_subgroups, data, config, options),
                )
            )
    if results.adjusted is not None:
        views.append(
            FigureView(
                name="love",
                caption=(
                    "Love plot: absolute standardized mean differences of the covariates before "
                    "and after propensity-score adjustment; the dashed line marks "
                    f"{results.adjusted.balance.threshold:g}."
                ),
                alt="Love plot of covariate balance",
                draw=partial(_draw_love, results.adjusted.balance, config),
            )
        )
    return tuple(views)
