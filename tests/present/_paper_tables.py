"""Tables shaped like the template study's (Table 1, Cox OS/PFS, a wide survival summary).

Numbers are the published ones where the study reports them (docs: /work/shared/study/STUDY.md),
otherwise plausible; the renderers only lay text out, so the values need not be consistent.
"""

from __future__ import annotations

import pandas as pd

from hccsurv.present.format import (
    FormatOptions,
    format_hr_ci,
    format_mean_sd,
    format_median_ci,
    format_median_iqr,
    format_n_pct,
    format_p,
    format_percent_ci,
)
from hccsurv.present.table import Column, HeaderGroup, Row, Table

HR3 = FormatOptions(hr_decimals=3)


def table1() -> Table:
    """Baseline characteristics by group, with a spanning "HAIC group" header."""
    columns = (
        Column("characteristic", "Characteristic", "left"),
        Column("first_line", "First-line\n(n = 66)"),
        Column("post_ab", "Post-ate-beva\n(n = 34)"),
        Column("p", "p"),
    )
    rows = (
        Row(
            (
                "Age, years, mean ± SD",
                format_mean_sd(65.7878, 11.1915),
                format_mean_sd(62.1176, 13.4632),
                format_p(0.1513),
            )
        ),
        Row(("Sex, n (%)", "", "", format_p(0.1128)), bold=True),
        Row(("Male", format_n_pct(55, 66), format_n_pct(24, 34), ""), indent=1),
        Row(("Female", format_n_pct(11, 66), format_n_pct(10, 34), ""), indent=1),
        Row(("Etiology, n (%)", "", "", format_p(0.4581)), bold=True),
        Row(("HBV", format_n_pct(40, 66), format_n_pct(22, 34), ""), indent=1),
        Row(("HCV", format_n_pct(8, 66), format_n_pct(3, 34), ""), indent=1),
        Row(("Alcohol", format_n_pct(12, 66), format_n_pct(7, 34), ""), indent=1),
        Row(("Other", format_n_pct(6, 66), format_n_pct(2, 34), ""), indent=1),
        Row(("ECOG ≥ 1, n (%)", format_n_pct(20, 66), format_n_pct(10, 34), format_p(0.9994))),
        Row(
            (
                "AFP, ng/mL, median [IQR]",
                format_median_iqr(410.2, 120.0, 2310.5, 0),
                format_median_iqr(388.0, 35.5, 5120.0, 0),
                format_p(0.815),
            )
        ),
        Row(
            (
                "Multiple tumours, n (%)",
                format_n_pct(50, 66),
                format_n_pct(18, 34),
                format_p(0.0171),
            )
        ),
    )
    data = pd.DataFrame(
        {
            "variable": ["age", "age", "sex", "sex"],
            "group": ["First-line", "Post-ate-beva", "First-line", "Post-ate-beva"],
            "statistic": ["mean", "mean", "n_male", "n_male"],
            "value": [65.78787878787878, 62.11764705882353, 55.0, 24.0],
            "p_value": [0.15131, 0.15131, 0.11283, None],
        }
    )
    return Table(
        id="table1",
        title="Table 1. Baseline characteristics",
        columns=columns,
        rows=rows,
        header_groups=(HeaderGroup(""), HeaderGroup("HAIC group", 2), HeaderGroup("")),
        footnotes=(
            "Values are n (%), mean ± SD or median [IQR]; % of the column total.",
            "p: Student's t-test; Pearson's χ² test or Fisher's exact test (expected count < 5).",
            "AFP, alpha-fetoprotein; ECOG, Eastern Cooperative Oncology Group; "
            "HBV/HCV, hepatitis B/C virus; IQR, interquartile range.",
        ),
        data=data,
    )


def cox_table() -> Table:
    """Univariate and multivariable Cox models for OS and PFS with "Ref." cells."""
    columns = (
        Column("variable", "Variable", "left"),
        Column("hr_uni", "HR (95% CI)"),
        Column("p_uni", "p"),
        Column("hr_multi", "HR (95% CI)"),
        Column("p_multi", "p"),
    )
    ref = HR3.reference_text
    rows = (
        Row.section("Overall survival"),
        Row(("Group", "", "", "", ""), bold=True),
        Row(("First-line", ref, "", ref, ""), indent=1),
        Row(
            (
                "Post-ate-beva",
                format_hr_ci(0.5821, 0.3102, 1.0923, options=HR3),
                format_p(0.0921),
                format_hr_ci(0.40449, 0.19651, 0.82943, options=HR3),
                format_p(0.01353),
            ),
            indent=1,
        ),
        Row(
            (
                "ECOG 0 (vs ≥ 1)",
                format_hr_ci(0.2331, 0.1068, 0.5089, options=HR3),
                format_p(0.00024),
                format_hr_ci(0.2651, 0.0973, 0.7214, options=HR3),
                format_p(0.0094),
            )
        ),
        Row(
            (
                "Child-Pugh A (vs B)",
                format_hr_ci(0.4561, 0.2421, 0.8592, options=HR3),
                format_p(0.0152),
                "",
                "",
            )
        ),
        Row(
            (
                "Tumour size > 10 cm",
                format_hr_ci(1.9821, 1.0832, 3.6291, options=HR3),
                format_p(0.0266),
                "",
                "",
            )
        ),
        Row.section("Progression-free survival"),
        Row(
            (
                "Post-ate-beva (vs first-line)",
                format_hr_ci(0.513, 0.292, 0.901, options=HR3),
                format_p(0.0203),
                format_hr_ci(0.441, 0.245, 0.791, options=HR3),
                format_p(0.0061),
            )
        ),
        Row(
            (
                "Extrahepatic metastasis",
                format_hr_ci(2.079, 1.232, 3.497, options=HR3),
                format_p(0.0060),
                format_hr_ci(1.753, 1.005, 3.055, options=HR3),
                format_p(0.0479),
            )
        ),
    )
    data = pd.DataFrame(
        {
            "endpoint": ["os", "os", "pfs"],
            "model": ["univariate", "multivariable", "multivariable"],
            "term": ["group[Post-ate-beva]", "group[Post-ate-beva]", "metastasis[Yes]"],
            "hr": [0.5821, 0.40449, 1.753],
            "lower": [0.3102, 0.19651, 1.005],
            "upper": [1.0923, 0.82943, 3.055],
            "p_value": [0.0921, 0.01353, 0.0479],
        }
    )
    return Table(
        id="cox_models",
        title="Table 3. Cox proportional hazards regression",
        columns=columns,
        rows=rows,
        header_groups=(
            HeaderGroup(""),
            HeaderGroup("Univariate", 2),
            HeaderGroup("Multivariable", 2),
        ),
        footnotes=(
            "Factors with p < 0.1 in univariate analysis entered the multivariable model.",
            "CI, confidence interval; HR, hazard ratio; Ref., reference category.",
        ),
        data=data,
    )


def survival_table() -> Table:
    """A wide summary (9 columns) that needs a landscape page."""
    columns = (
        Column("endpoint", "Endpoint", "left"),
        Column("events_fl", "Events, n/N"),
        Column("median_fl", "Median, months (95% CI)"),
        Column("rate_fl", "12-month rate, % (95% CI)"),
        Column("events_ab", "Events, n/N"),
        Column("median_ab", "Median, months (95% CI)"),
        Column("rate_ab", "12-month rate, % (95% CI)"),
        Column("hr", "HR (95% CI)"),
        Column("p", "Log-rank p"),
    )
    rows = (
        Row(
            (
                "Overall survival",
                "33/66",
                format_median_ci(6.83, 4.11, None, 1),
                format_percent_ci(0.40325, 0.27996, 0.58104),
                "14/34",
                format_median_ci(12.42, 9.03, None, 1),
                format_percent_ci(0.54, 0.349, 0.834),
                format_hr_ci(0.58, 0.31, 1.09),
                format_p(0.0731),
            )
        ),
        Row(
            (
                "Progression-free survival",
                "51/66",
                format_median_ci(3.1, 2.7, 5.6, 1),
                format_percent_ci(0.129, 0.053, 0.314),
                "20/34",
                format_median_ci(8.2, 4.2, None, 1),
                format_percent_ci(0.41, 0.25, 0.671),
                format_hr_ci(0.51, 0.29, 0.90),
                format_p(0.0181),
            )
        ),
    )
    return Table(
        id="survival_summary",
        title="Table 2. Survival outcomes by group",
        columns=columns,
        rows=rows,
        header_groups=(
            HeaderGroup(""),
            HeaderGroup("First-line (n = 66)", 3),
            HeaderGroup("Post-ate-beva (n = 34)", 3),
            HeaderGroup("", 2),
        ),
        footnotes=("NR, not reached. Kaplan-Meier estimates; log-transformed CIs.",),
        data=pd.DataFrame(
            {
                "endpoint": ["os", "pfs"],
                "median_fl": [6.83, 3.1],
                "median_ab": [12.42, 8.2],
                "upper_ab": [None, None],
            }
        ),
    )


def special_characters_table() -> Table:
    """Every character the escapers must handle, in cells, labels, title and footnotes."""
    return Table(
        id="escapes",
        title="Escapes: 50% & $5 #1 a_b {x} ~y ^z \\ <0.001 > | * `code` <b>",
        columns=(Column("a", "Left_col\nsecond line", "left"), Column("b", "Right %", "right")),
        rows=(
            Row.section("Section & co."),
            Row(("≥ 10 cm × 2 ± 1 – 3 — χ² −1 …", "<0.001"), indent=2, bold=True),
            Row(("pipe | star * under_score", "")),
        ),
        footnotes=("Note with % and & and <script>alert(1)</script>.",),
    )
