"""Tables of the pairwise group comparisons and of the subgroup analyses (``MORE_TABLES``)."""

from __future__ import annotations

from hccsurv.analysis.comparisons import PairwiseComparisons, SubgroupResults
from hccsurv.present.format import FormatOptions, format_hr_ci, format_number, format_p
from hccsurv.present.table import Column, Row, Table

ADJUST_NAMES = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "BH": "Benjamini-Hochberg",
    "none": "unadjusted",
}


def pairwise_tables(result: PairwiseComparisons, options: FormatOptions) -> tuple[Table, ...]:
    """One table: per endpoint, each pair's log-rank p and Cox HR with raw and adjusted p."""
    names = result.display_names
    rows: list[Row] = []
    for ep in result.endpoints:
        rows.append(Row((ep.label,), kind="section"))
        lr, cx = ep.logrank, ep.cox
        pairs = lr if lr is not None else cx
        if pairs is None:
            rows.append(Row(("not estimable (see the analyses)",), kind="section"))
            continue
        for i, (g1, g2) in enumerate(zip(pairs.group1, pairs.group2, strict=True)):
            cells = [f"{names.get(g2, g2)} vs {names.get(g1, g1)}"]
            if lr is None:
                cells += [options.not_applicable] * 3
            else:
                cells += [
                    format_number(lr.chisq[i], 2, options=options),
                    format_p(lr.p[i], options=options),
                    format_p(lr.p_adjusted[i], options=options),
                ]
            if cx is None:
                cells += [options.not_applicable] * 2
            else:
                frame = cx.to_frame()
                cells += [
                    format_hr_ci(
                        float(frame["hr"].iloc[i]),
                        float(frame["hr_lower"].iloc[i]),
                        float(frame["hr_upper"].iloc[i]),
                        options=options,
                    ),
                    format_p(cx.p_adjusted[i], options=options),
                ]
            rows.append(Row(tuple(cells), indent=1))
    adjust = ADJUST_NAMES[result.adjust]
    strata = ", ".join(result.strata)
    k = len(result.groups)
    how = (
        "not adjusted for multiplicity"
        if result.adjust == "none"
        else f"adjusted for the {k * (k - 1) // 2} comparisons by the {adjust} method (R p.adjust)"
    )
    lr_strata = f", stratified by {strata}" if result.stratified_logrank else ""
    cox_strata = f", stratified by {strata}" if strata else ""
    notes = (
        "Each pair of groups compared by the log-rank test on the patients of the two groups "
        f"(as survminer::pairwise_survdiff{lr_strata}) and by the hazard ratio of one Cox model "
        f"on all groups{cox_strata}; p-values {how}.",
    )
    table = Table(
        id="pairwise",
        title="Pairwise comparisons of the groups",
        columns=(
            Column("pair", "Comparison", "left"),
            Column("chisq", "Log-rank\nchi-square"),
            Column("p_logrank", "Log-rank p"),
            Column("p_logrank_adjusted", f"Log-rank p\n({adjust})"),
            Column("hr", "HR (95% CI)"),
            Column("p_cox_adjusted", f"Cox p\n({adjust})"),
        ),
        rows=tuple(rows),
        footnotes=notes,
        data=result.to_frame(),
    )
    return (table,)


def subgroup_tables(result: SubgroupResults, options: FormatOptions) -> tuple[Table, ...]:
    """One table per endpoint with an analysis: the group HR overall and per subgroup level,
    events per arm and the interaction p."""
    names = result.display_names
    labels = result.variable_labels
    tables = []
    for ep in result.endpoints:
        a = ep.analysis
        if a is None:
            continue
        ref, trt = names.get(a.reference, a.reference), names.get(a.comparator, a.comparator)
        p_int = {t.variable: t.p for t in a.interactions}
        rows: list[Row] = []
        previous: str | None = None
        for est in (a.overall, *a.estimates):
            if est.level is not None and est.variable != previous:
                rows.append(
                    Row(
                        (
                            labels.get(est.variable, est.variable),
                            "",
                            "",
                            "",
                            "",
                            format_p(p_int.get(est.variable), options=options),
                        ),
                        bold=True,
                    )
                )
                previous = est.variable
            hr = (
                format_hr_ci(est.hr, est.hr_lower, est.hr_upper, options=options)
                if est.estimable
                else f"not estimable ({est.reason})"
            )
            rows.append(
                Row(
                    (
                        "Overall" if est.level is None else est.level,
                        f"{est.events_reference}/{est.n_reference}",
                        f"{est.events_treatment}/{est.n_treatment}",
                        hr,
                        format_p(est.p, options=options) if est.estimable else "",
                        "",
                    ),
                    indent=0 if est.level is None else 1,
                    bold=est.level is None,
                )
            )
        adjusted = ", ".join(labels.get(c, c) for c in a.covariates)
        strata = ", ".join(a.strata)
        notes = (
            f"Hazard ratio of {trt} versus {ref} within each subgroup (Cox model"
            f"{f' adjusted for {adjusted}' if adjusted else ''}"
            f"{f', stratified by {strata}' if strata else ''}); interaction p from the "
            "likelihood-ratio test of group x subgroup (R anova of nested coxph fits).",
        )
        tables.append(
            Table(
                id=f"subgroups_{ep.endpoint.lower()}",
                title=f"Subgroup analysis of {ep.label.lower()}",
                columns=(
                    Column("subgroup", "Subgroup", "left"),
                    Column("reference", f"{ref}\nevents/n"),
                    Column("treatment", f"{trt}\nevents/n"),
                    Column("hr", "HR (95% CI)"),
                    Column("p", "p"),
                    Column("p_interaction", "p for\ninteraction"),
                ),
                rows=tuple(rows),
                footnotes=notes,
                data=ep.to_frame(),
            )
        )
    return tuple(tables)
