"""The figures of a run: a Kaplan-Meier figure and a forest plot per endpoint.

Each figure is saved in the formats the config asks for (PNG at its dpi, vector PDF/SVG) under
``figures/`` and its PNG bytes are kept for inlining in the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hccsurv.analysis.study import EndpointAnalysis, StudyAnalysis
from hccsurv.config import StudyConfig
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.forest import plot_forest
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.love import plot_love
from hccsurv.present.figures.style import FigureStyle
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


def _save(fig_name: str, figure: Figure, folder: Path, config: StudyConfig) -> tuple[Path, ...]:
    formats = tuple(dict.fromkeys(["png", *config.figures.formats]))
    return save_figure(figure, folder / fig_name, formats=formats, dpi=config.figures.dpi)


def build_figures(
    analysis: StudyAnalysis, config: StudyConfig, folder: Path, options: FormatOptions
) -> tuple[SavedFigure, ...]:
    """Draw and save every figure of the study; return them in report order."""
    out: list[SavedFigure] = []
    group_column = analysis.cohort.group_column
    for i, ep in enumerate(analysis.endpoints, start=1):
        s = ep.summary
        km = plot_km(
            s.km_groups,
            style=_style(config),
            logrank=s.logrank,
            hr_text=_group_hr_text(ep, group_column, options),
            time_unit=s.time_unit,
            risk_table=config.figures.risk_table,
            show_ci=config.figures.show_ci,
            landmarks=tuple(config.study.landmarks),
            break_every=config.figures.time_break,
            legend_medians=True,
            format_options=options,
        )
        name = f"km_{ep.name.lower()}"
        paths = _save(name, km.figure, folder, config)
        out.append(
            SavedFigure(
                name=name,
                caption=(
                    f"Figure {i}. Kaplan-Meier curves of {ep.label.lower()} by group, with "
                    f"{round(s.conf_level * 100)}% confidence bands ({s.conf_type} transform), "
                    "dotted lines at each group's median and the number at risk below."
                ),
                alt=f"Kaplan-Meier curves of {ep.label}",
                paths=paths,
                png=(folder / f"{name}.png").read_bytes(),
            )
        )
    for ep in analysis.endpoints:
        models = ep.models
        if models is None:
            continue
        frames = {
            "Univariate": pd.concat([m.to_frame() for m in models.univariate], ignore_index=True)
        }
        if models.multivariable is not None:
            frames["Multivariable"] = models.multivariable.to_frame()
        forest = plot_forest(
            frames, labels=config.cox_labels, style=_style(config), format_options=options
        )
        name = f"forest_{ep.name.lower()}"
        paths = _save(name, forest.figure, folder, config)
        out.append(
            SavedFigure(
                name=name,
                caption=(
                    f"Hazard ratios for {ep.label.lower()}: univariate and multivariable Cox "
                    "models (log scale; reference levels marked Ref.)."
                ),
                alt=f"Forest plot of hazard ratios for {ep.label}",
                paths=paths,
                png=(folder / f"{name}.png").read_bytes(),
            )
        )
    if analysis.adjusted is not None:
        love = plot_love(
            analysis.adjusted.balance, variable_labels=config.variable_labels, style=_style(config)
        )
        paths = _save("love", love.figure, folder, config)
        out.append(
            SavedFigure(
                name="love",
                caption=(
                    "Love plot: absolute standardized mean differences of the covariates before "
                    "and after propensity-score adjustment; the dashed line marks 0.1."
                ),
                alt="Love plot of covariate balance",
                paths=paths,
                png=(folder / "love.png").read_bytes(),
            )
        )
    return tuple(out)
