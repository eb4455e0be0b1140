"""The response Table built from hccsurv.analysis.response results (the template's counts)."""

from __future__ import annotations

from hccsurv.analysis.response import response_summary
from hccsurv.present.render.markdown import table_to_markdown
from hccsurv.present.tables.response import response_table_to_table

ORDER = ["First-line", "Post-ate-beva"]
FIRST = ["CR"] * 1 + ["PR"] * 11 + ["SD"] * 27 + ["PD"] * 27
POST = ["PR"] * 12 + ["SD"] * 17 + ["PD"] * 5
GROUPS = [ORDER[0]] * 66 + [ORDER[1]] * 34


def test_template_table() -> None:
    table = response_table_to_table(response_summary(FIRST + POST, GROUPS, ORDER))
    assert [c.label for c in table.columns] == [
        "Response",
        "First-line\n(n = 66)",
        "Post-ate-beva\n(n = 34)",
        "All patients\n(n = 100)",
        "p",
    ]
    rows = {r.cells[0]: r for r in table.rows}
    assert rows["Partial response (PR)"].cells[1:4] == ("11 (16.7)", "12 (35.3)", "23 (23.0)")
    assert rows["Partial response (PR)"].indent == 1
    dcr = rows["Disease control rate (CR + PR + SD)"]
    # chisq.test(correct = FALSE) p = 0.0078; binom.test(29, 34) 68.9-95.0 %
    assert dcr.cells[2] == "29/34, 85.3 (68.9–95.0)" and dcr.cells[4] == "0.008ᵃ"
    orr = rows["Objective response rate (CR + PR)"]
    assert orr.cells[1] == "12/66, 18.2 (9.8–29.6)" and orr.cells[4] == "0.058ᵃ"
    assert table.footnotes[0] == "ᵃ Pearson's chi-square test."
    assert table.rows[0].cells[-1] == ""  # no distribution test asked
    assert "Disease control rate" in table_to_markdown(table)
    assert table.data.shape[0] == 21


def test_evaluable_only_and_distribution_test() -> None:
    br = ["NE", *FIRST[1:], *POST]
    res = response_summary(br, GROUPS, ORDER, denominator="evaluable_only", distribution_test=True)
    table = response_table_to_table(res)
    assert table.columns[1].label == "First-line\n(n = 65)"
    rows = {r.cells[0]: r for r in table.rows}
    assert rows["Not evaluable (excluded)"].cells[1:4] == ("1", "0", "1")
    assert table.rows[0].cells[-1].endswith("ᵃ")
    # CR is empty once the only CR is NE: PR/SD/PD x group, all expected >= 5 -> Pearson
    assert table.footnotes[0] == "ᵃ Pearson's chi-square test."
    assert any("evaluable patients only" in n for n in table.footnotes)
