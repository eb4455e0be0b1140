"""Every table of a study, in manuscript order: pure functions of
:class:`~hccsurv.analysis.results.StudyResults`.

The numbered tables (Table 1, response, survival, Cox per endpoint, balance, adjusted outcomes),
the missing-values table, the proportional-hazards check of each multivariable model and, for the
demo, the comparison with the published results; and the tables of further analyses registered
in :data:`MORE_TABLES`. :meth:`StudyTables.all` is what every table format (docx, xlsx, csv, tex,
md) and the report receive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hccsurv.analysis.published import Comparison
from hccsurv.analysis.results import StudyResults
from hccsurv.config import StudyConfig
from hccsurv.present.format import FormatOptions, format_n_pct, format_number
from hccsurv.present.table import Column, Row, Table
from hccsurv.present.tables.adjusted import adjusted_outcomes_table
from hccsurv.present.tables.balance import balance_table
from hccsurv.present.tables.baseline import baseline_table_to_table
from hccsurv.present.tables.comparisons import pairwise_tables, subgroup_tables
from hccsurv.present.tables.competing import competing_tables
from hccsurv.present.tables.cox import cox_table
from hccsurv.present.tables.response import response_table_to_table
from hccsurv.present.tables.safety import adverse_event_tables, exposure_tables
from hccsurv.present.tables.survival import survival_summary_table
from hccsurv.present.tables.time_varying import time_varying_table
from hccsurv.present.tables.zph import zph_table

MoreTables = Callable[[Any, FormatOptions], tuple[Table, ...]]

MORE_TABLES: dict[str, MoreTables] = {
    "adverse_events": adverse_event_tables,
    "exposure": exposure_tables,
    "time_varying": time_varying_table,
}
"""The table builders of further analyses (``StudyResults.more``), by step name: a new analysis
registers its builder here and its tables reach every table format and the report."""
MORE_TABLES["pairwise"] = pairwise_tables
MORE_TABLES["subgroups"] = subgroup_tables
MORE_TABLES["competing"] = competing_tables


@dataclass(frozen=True)
class StudyTables:
    """Every table of the report; ``cox`` and ``zph`` hold one table per endpoint with a model."""

    missing: Table | None
    baseline: Table | None
    response: Table | None
    survival: Table
    cox: tuple[Table, ...]
    zph: tuple[Table, ...]
    balance: Table | None
    adjusted: Table | None
    published: Table | None
    more: dict[str, tuple[Table, ...]] = field(default_factory=dict)

    def all(self) -> tuple[Table, ...]:
        """The tables in manuscript order (each PH check after its Cox table)."""
        zph = {t.id.removeprefix("zph_"): t for t in self.zph}
        cox = [t for c in self.cox for t in (c, zph.get(c.id.removeprefix("cox_"))) if t]
        tables = (
            self.missing,
            self.baseline,
            self.response,
            self.survival,
            *cox,
            self.balance,
            self.adjusted,
            *(t for tables in self.more.values() for t in tables),
            self.published,
        )
        return tuple(t for t in tables if t is not None)


def format_options(config: StudyConfig) -> FormatOptions:
    """Number formats from the config's ``[tables]`` section."""
    return FormatOptions(decimals=config.tables.decimals, p_decimals=config.tables.p_decimals)


def build_tables(results: StudyResults, options: FormatOptions) -> StudyTables:
    """Build every table of ``results``; the main ones numbered as in a manuscript."""
    config = results.config
    number = 1
    baseline = None
    if results.baseline is not None:
        baseline = baseline_table_to_table(
            results.baseline, options, display_names=config.groups.display_names
        ).with_title(f"Table {number}. Baseline characteristics of the patients")
        number += 1
    response = None
    if results.response is not None:
        response = response_table_to_table(
            results.response.summary, options, display_names=config.groups.display_names
        ).with_title(f"Table {number}. Best overall response ({results.response.rule_text})")
        number += 1
    survival = survival_summary_table(
        [ep.summary for ep in results.endpoints],
        display_names=dict(config.groups.display_names),
        options=options,
        title=f"Table {number}. Survival outcomes",
    )
    number += 1
    labels = config.cox_labels
    cox = []
    zph = []
    for ep in results.endpoints:
        if ep.zph_multivariable is not None:
            zph.append(
                zph_table(
                    ep.zph_multivariable,
                    endpoint_label=ep.label,
                    variable_labels=labels,
                    options=options,
                    table_id=f"zph_{ep.name.lower()}",
                )
            )
        if ep.models is None:
            continue
        cox.append(
            cox_table(
                ep.models,
                endpoint_label=ep.label,
                variable_labels=labels,
                options=options,
                table_id=f"cox_{ep.name.lower()}",
                title=f"Table {number}. Factors associated with {ep.label.lower()}",
            )
        )
        number += 1
    balance = adjusted = None
    if results.adjusted is not None:
        a = results.adjusted
        balance = balance_table(
            a.balance, labels=a.labels, variable_labels=config.variable_labels, options=options
        ).with_title(f"Table {number}. Covariate balance before and after adjustment")
        number += 1
        adjusted = adjusted_outcomes_table(
            a,
            endpoint_labels={ep.name: ep.label for ep in results.endpoints},
            options=options,
        )
        adjusted = adjusted.with_title(f"Table {number}. {adjusted.title}")
    return StudyTables(
        missing=missing_table(results, options),
        baseline=baseline,
        response=response,
        survival=survival,
        cox=tuple(cox),
        zph=tuple(zph),
        balance=balance,
        adjusted=adjusted,
        published=None
        if results.published is None
        else published_table(results.published, options),
        more={
            name: MORE_TABLES[name](result, options)
            for name, result in results.more.items()
            if result is not None and name in MORE_TABLES
        },
    )


def _analysis_columns(config: StudyConfig) -> list[str]:
    """Columns the analyses use as variables (event dates are not 'missing' when empty)."""
    cols = [b.column for b in config.baseline] + [c.column for c in config.cox.candidates]
    if config.adjust is not None:
        cols += list(config.adjust.covariates)
    return list(dict.fromkeys(cols))


def missing_table(results: StudyResults, options: FormatOptions) -> Table | None:
    """Missing values per analysis variable among the patients analysed (``None``: none)."""
    flow = results.cohort.flow
    missing = {c: flow.missing[c] for c in _analysis_columns(results.config) if flow.missing.get(c)}
    if not missing:
        return None
    n = flow.analysed
    return Table(
        id="missing",
        title="Missing values among the patients analysed",
        columns=(Column("column", "Variable", "left"), Column("n", "Missing, n (%)")),
        rows=tuple(Row((k, format_n_pct(v, n, options=options))) for k, v in missing.items()),
        data=pd.DataFrame({"column": list(missing), "missing": list(missing.values())}),
    )


def published_table(comparisons: Sequence[Comparison], options: FormatOptions) -> Table:
    """The demo against the template study's published numbers, with the calibration targets."""

    def text(x: float | None, exact: bool) -> str:
        if x is None:
            return options.not_applicable
        if exact:  # counts: 66, not 66.0
            return format_number(x, 0, options=options)
        return format_number(x, 3 if abs(x) < 1 else 1, options=options)

    verdict = {True: "yes", False: "NO", None: "shown only"}
    tol = {
        "exact": "exact",
        "relative-15%": "within 15 %",
        "absolute-0.1": "within 0.1",
        "shown": "–",
    }
    rows = tuple(
        Row(
            (
                c.quantity,
                text(c.published, c.tolerance == "exact"),
                text(c.observed, c.tolerance == "exact"),
                tol[c.tolerance],
                verdict[c.within],
            )
        )
        for c in comparisons
    )
    return Table(
        id="published",
        title="Appendix. The demo cohort against the published results",
        columns=(
            Column("quantity", "Quantity", "left"),
            Column("published", "Published"),
            Column("demo", "Demo cohort"),
            Column("tolerance", "Calibration target"),
            Column("within", "Met"),
        ),
        rows=rows,
        footnotes=(
            "The study's patient data were not published; the demo cohort is simulated to "
            "reproduce its design and margins. Published values from the template study.",
        ),
        data=pd.DataFrame([c.__dict__ for c in comparisons]),
    )
