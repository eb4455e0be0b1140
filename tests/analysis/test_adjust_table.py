"""The balance table (present/tables/balance.py) built from a balance result."""

from __future__ import annotations

import numpy as np
import pandas as pd

from conftest import R_DATA_DIR
from hccsurv.analysis.adjust.balance import BALANCE_COLUMNS, covariate_balance
from hccsurv.analysis.adjust.matching import match_nearest
from hccsurv.analysis.adjust.propensity import fit_propensity
from hccsurv.present.tables.balance import balance_table

ORDER = ["First-line", "Post-ate-beva"]


def test_balance_table_layout() -> None:
    d = pd.read_csv(R_DATA_DIR / "adjust_cohort.csv")
    model = fit_propensity(d, "group", ORDER, ["age", "sex", "etiology"])
    m = match_nearest(model.linear, model.treated, caliper=0.2)
    bal = covariate_balance(
        model.design, model.treated, m.weights, estimand="ATT", adjustment="matching"
    )
    table = balance_table(bal, labels=ORDER, variable_labels={"age": "Age, years"})
    assert table.id == "balance" and table.n_columns == 8
    first = [r.cells[0] for r in table.rows]
    assert first == ["Age, years", "sex: Male", "etiology", "Alcohol", "HBV", "HCV", "Other"]
    assert table.rows[2].bold and table.rows[3].indent == 1
    assert table.rows[1].cells[1].endswith(" %")
    assert [g.label for g in table.header_groups] == ["", "Before adjustment", "After matching"]
    assert list(table.data.columns) == list(BALANCE_COLUMNS)
    assert "SD of the non-reference group" in table.footnotes[0]
    np.testing.assert_allclose(table.data["smd_before"].iloc[0], bal.rows[0].smd_before)
