"""The figures of a run: a Kaplan-Meier figure and a forest plot per endpoint.

Each figure is saved in the formats the config asks for (PNG at its dpi, vector PDF/SVG) under
``figures/`` and its PNG bytes are kept for inlining in the HTML report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hccsurv.analysis.adjust.balance import BalanceResult
from hccsurv.analysis.study import EndpointAnalysis, OutcomeAnalyses, StudyAnalysis
from hccsurv.analysis.survival import EndpointSummary
from hccsurv.config import StudyConfig
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.forest import plot_forest
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.love import plot_love
from hccsurv.present.figures.style import DEFAULT_FONT_FAMILY, FigureStyle
from hccsurv.present.format import FormatOptions, format_hr_ci


@dataclass(frozen=True)
class SavedFigure:
    """A figure written to disk: its files, the PNG bytes and the caption."""

    name: str
    caption: str
    alt: str
    paths: tuple[Path, ...]
    png: bytes


def _style(config: StudyConfig, height_mm: float | None = None) -> FigureStyle:
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


def _group_hr_text(ep: EndpointAnalysis, group_column: str, options: FormatOptions) -> str | None:
    if ep.models is None:
        return None
    for model in ep.models.univariate:
        if model.covariates == (group_column,):
            rows = model.to_frame()
            if len(rows) != 1:
                return None
            r = rows.iloc[0]
            hr = format_hr_ci(r["hr"], r["hr_lower"], r["hr_upper"], options=options)
            return f"HR {r['level']} vs {r['reference']}: {hr}"
    return None


def _formats(config: StudyConfig) -> tuple[str, ...]:
    return tuple(dict.fromkeys(["png", *config.figures.formats]))


@dataclass(frozen=True)
class FigureJob:
    """A figure still to be drawn: what :func:`render_figure` needs, and its relative cost.

    ``cost`` is the drawing-and-saving time in units of one Kaplan-Meier figure: a run hands the
    figures to :func:`hccsurv.report.workers.share_jobs` largest first.
    """

    name: str
    caption: str
    alt: str
    cost: float
    draw: Callable[[], Figure]


def _draw_km(
    s: EndpointSummary, hr_text: str | None, config: StudyConfig, options: FormatOptions
) -> Figure:
    return plot_km(
        s.km_groups,
        style=_style(config),
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
        frames, labels=config.cox_labels, style=_style(config), format_options=options
    ).figure


def _draw_love(balance: BalanceResult, config: StudyConfig) -> Figure:
    return plot_love(balance, variable_labels=config.variable_labels, style=_style(config)).figure


def plan_figures(
    outcomes: OutcomeAnalyses, group_column: str, config: StudyConfig, options: FormatOptions
) -> tuple[FigureJob, ...]:
    """The figures of the study in report order, not yet drawn."""
    jobs: list[FigureJob] = []
    for i, ep in enumerate(outcomes.endpoints, start=1):
        s = ep.summary
        jobs.append(
            FigureJob(
                name=f"km_{ep.name.lower()}",
                caption=(
                    f"Figure {i}. Kaplan-Meier curves of {ep.label.lower()} by group, with "
                    f"{round(s.conf_level * 100)}% confidence bands ({s.conf_type} transform), "
                    "dotted lines at each group's median and the number at risk below."
                ),
                alt=f"Kaplan-Meier curves of {ep.label}",
                cost=1.0,
                draw=partial(
                    _draw_km, s, _group_hr_text(ep, group_column, options), config, options
                ),
            )
        )
    for ep in outcomes.endpoints:
        models = ep.models
        if models is None:
            continue
        frames = {
            "Univariate": pd.concat([m.to_frame() for m in models.univariate], ignore_index=True)
        }
        if models.multivariable is not None:
            frames["Multivariable"] = models.multivariable.to_frame()
        jobs.append(
            FigureJob(
                name=f"forest_{ep.name.lower()}",
                caption=(
                    f"Hazard ratios for {ep.label.lower()}: univariate and multivariable Cox "
                    "models (log scale; reference levels marked Ref.)."
                ),
                alt=f"Forest plot of hazard ratios for {ep.label}",
                cost=0.6 + 0.035 * sum(len(f) for f in frames.values()),
                draw=partial(_draw_forest, frames, config, options),
            )
        )
    adjusted = outcomes.adjusted
    if adjusted is not None:
        jobs.append(
            FigureJob(
                name="love",
                caption=(
                    "Love plot: absolute standardized mean differences of the covariates before "
                    "and after propensity-score adjustment; the dashed line marks 0.1."
                ),
                alt="Love plot of covariate balance",
                cost=0.9,
                draw=partial(_draw_love, adjusted.balance, config),
            )
        )
    return tuple(jobs)


def render_figure(job: FigureJob, folder: Path, config: StudyConfig) -> None:
    """Draw ``job`` and write it in every format the config asks for (PNG always)."""
    save_figure(job.draw(), folder / job.name, formats=_formats(config), dpi=config.figures.dpi)


def collect_figures(
    jobs: Sequence[FigureJob], folder: Path, config: StudyConfig
) -> tuple[SavedFigure, ...]:
    """The written figures of ``jobs``, with their PNG bytes for the HTML report."""
    formats = _formats(config)
    return tuple(
        SavedFigure(
            name=job.name,
            caption=job.caption,
            alt=job.alt,
            paths=tuple(folder / f"{job.name}.{fmt}" for fmt in formats),
            png=(folder / f"{job.name}.png").read_bytes(),
        )
        for job in jobs
    )


def build_figures(
    analysis: StudyAnalysis, config: StudyConfig, folder: Path, options: FormatOptions
) -> tuple[SavedFigure, ...]:
    """Draw and save every figure of the study in this process; return them in report order."""
    outcomes = OutcomeAnalyses(analysis.endpoints, analysis.adjusted)
    jobs = plan_figures(outcomes, analysis.cohort.group_column, config, options)
    for job in jobs:
        render_figure(job, folder, config)
    return collect_figures(jobs, folder, config)
