"""The proportional-hazards check of a Cox model: R ``cox.zph`` per term and GLOBAL."""

from __future__ import annotations

from collections.abc import Mapping

from hccsurv.core.zph import ZphResult
from hccsurv.present.format import DEFAULT_OPTIONS, FormatOptions, format_number, format_p
from hccsurv.present.table import Column, Row, Table


def zph_table(
    zph: ZphResult,
    *,
    endpoint_label: str,
    variable_labels: Mapping[str, str] | None = None,
    options: FormatOptions = DEFAULT_OPTIONS,
    table_id: str = "zph",
) -> Table:
    """Per-term and global score tests of proportional hazards for the multivariable model."""
    labels = dict(variable_labels or {})
    rows = tuple(
        Row(
            (
                "Global" if r.term == "GLOBAL" else labels.get(r.term, r.term),
                format_number(r.chisq, 2, options=options),
                str(r.df),
                format_p(r.p, options=options),
            ),
            bold=r.term == "GLOBAL",
        )
        for r in zph.rows
    )
    return Table(
        id=table_id,
        title=f"Proportional-hazards check, multivariable model of {endpoint_label.lower()}",
        columns=(
            Column("term", "Term", "left"),
            Column("chisq", "Chi-square"),
            Column("df", "df"),
            Column("p", "p"),
        ),
        rows=rows,
        footnotes=(
            f"Score tests of scaled Schoenfeld residuals against time ({zph.transform} "
            "transform), as R cox.zph; p < 0.05 suggests the hazard ratio changes over time.",
        ),
        data=zph.to_frame(),
    )
