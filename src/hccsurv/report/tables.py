"""The tables of a run, in manuscript order, built from the analysis by the present layer."""

from __future__ import annotations

from dataclasses import dataclass

from hccsurv.analysis.study import StudyAnalysis
from hccsurv.config import StudyConfig
from hccsurv.present.format import FormatOptions
from hccsurv.present.table import Table
from hccsurv.present.tables.adjusted import adjusted_outcomes_table
from hccsurv.present.tables.balance import balance_table
from hccsurv.present.tables.baseline import baseline_table_to_table
from hccsurv.present.tables.cox import cox_table
from hccsurv.present.tables.response import response_table_to_table
from hccsurv.present.tables.survival import survival_summary_table


@dataclass(frozen=True)
class StudyTables:
    """Every table of the report; ``cox`` holds one table per endpoint with models."""

    baseline: Table | None
    response: Table | None
    survival: Table
    cox: tuple[Table, ...]
    balance: Table | None
    adjusted: Table | None

    def all(self) -> tuple[Table, ...]:
        """The tables in manuscript order."""
        head = tuple(t for t in (self.baseline, self.response) if t is not None)
        tail = tuple(t for t in (self.balance, self.adjusted) if t is not None)
        return (*head, self.survival, *self.cox, *tail)


def format_options(config: StudyConfig) -> FormatOptions:
    """Number formats from the config's ``[tables]`` section."""
    return FormatOptions(decimals=config.tables.decimals, p_decimals=config.tables.p_decimals)


def build_tables(
    analysis: StudyAnalysis, config: StudyConfig, options: FormatOptions
) -> StudyTables:
    """Build the baseline, response, survival and Cox tables, numbered as in a manuscript."""
    number = 1
    baseline = None
    if analysis.baseline is not None:
        baseline = baseline_table_to_table(analysis.baseline, options).with_title(
            f"Table {number}. Baseline characteristics of the patients"
        )
        number += 1
    response = None
    if analysis.response is not None:
        response = response_table_to_table(analysis.response.summary, options).with_title(
            f"Table {number}. Best overall response ({analysis.response.rule_text})"
        )
        number += 1
    survival = survival_summary_table(
        [ep.summary for ep in analysis.endpoints],
        display_names=dict(config.groups.display_names),
        options=options,
        title=f"Table {number}. Survival outcomes",
    )
    number += 1
    labels = config.cox_labels
    cox = []
    for ep in analysis.endpoints:
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
    if analysis.adjusted is not None:
        a = analysis.adjusted
        balance = balance_table(
            a.balance, labels=a.labels, variable_labels=config.variable_labels, options=options
        ).with_title(f"Table {number}. Covariate balance before and after adjustment")
        number += 1
        adjusted = adjusted_outcomes_table(
            a,
            endpoint_labels={ep.name: ep.label for ep in analysis.endpoints},
            options=options,
        )
        adjusted = adjusted.with_title(f"Table {number}. {adjusted.title}")
    return StudyTables(
        baseline=baseline,
        response=response,
        survival=survival,
        cox=tuple(cox),
        balance=balance,
        adjusted=adjusted,
    )
