"""CSV export of the unrounded numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hccsurv.errors import InputError
from hccsurv.present.render.csv import write_csv
from hccsurv.present.table import Column, Row, Table

from ._paper_tables import cox_table, table1


def test_csv_round_trips_raw_numbers(tmp_path: Path) -> None:
    table = cox_table()
    path = write_csv(table, tmp_path / "cox.csv")
    back = pd.read_csv(path, encoding="utf-8")
    pd.testing.assert_frame_equal(back, table.data)  # floats exact, no index column
    raw = path.read_bytes()
    assert raw.startswith(b"endpoint,model,term,hr,lower,upper,p_value\n")
    assert b"\r\n" not in raw


def test_csv_missing_and_unicode(tmp_path: Path) -> None:
    table = table1()
    text = write_csv(table, tmp_path / "t1.csv").read_text(encoding="utf-8")
    assert text.splitlines()[-1] == "sex,Post-ate-beva,n_male,24.0,"
    assert "65.78787878787878" in text
    data = pd.DataFrame({"level": ["≥ 10 cm"], "n": [3]})
    unicode_table = table.with_data(data)
    assert write_csv(unicode_table, tmp_path / "u.csv").read_bytes() == (
        "level,n\n≥ 10 cm,3\n".encode()
    )


def test_csv_requires_data(tmp_path: Path) -> None:
    table = Table(id="empty", title="t", columns=(Column("a", "A"),), rows=(Row(("x",)),))
    with pytest.raises(InputError, match="no data"):
        write_csv(table, tmp_path / "e.csv")
