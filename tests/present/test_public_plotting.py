"""The public plotting and table API: ``hccsurv.plot_km``, ``hccsurv.plot_forest``, the Table
writers, and the README's example run as written."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from openpyxl import load_workbook

import hccsurv
from hccsurv.core.km import KaplanMeierGroups
from hccsurv.core.logrank import LogRank
from hccsurv.errors import InputError
from hccsurv.present.table import Column, Row

ROOT = Path(__file__).resolve().parents[2]
VETERAN = ROOT / "tests" / "reference" / "data" / "veteran.csv"


@pytest.fixture(scope="module")
def veteran() -> pd.DataFrame:
    d = pd.read_csv(VETERAN)
    d["arm"] = np.where(d["trt"] == 1, "Standard", "Test")
    return d


def test_plot_km_returns_the_axes_with_the_data(veteran: pd.DataFrame) -> None:
    km = hccsurv.kaplan_meier_groups(veteran["time"], veteran["status"], veteran["arm"])
    ax = hccsurv.plot_km(km, time_unit="days", xlim=540.0)
    assert isinstance(ax, Axes)
    assert ax.get_xlim() == (0.0, 540.0)
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "curve:Standard"]
    np.testing.assert_allclose(line.get_ydata()[1:], km.curves["Standard"].surv)
    assert isinstance(ax.get_figure(), Figure)


def test_plot_km_of_one_curve_and_of_an_endpoint_summary(veteran: pd.DataFrame) -> None:
    one = hccsurv.kaplan_meier(veteran["time"], veteran["status"])
    ax = hccsurv.plot_km(one, time_unit="days", risk_table=False)
    assert next(ln.get_gid() for ln in ax.lines) == "curve:All patients"

    @dataclass(frozen=True)
    class Summary:  # the fields plot_km reads from a study's endpoint summary
        km_groups: KaplanMeierGroups
        logrank: LogRank
        time_unit: str

    km = hccsurv.kaplan_meier_groups(veteran["time"], veteran["status"], veteran["arm"])
    lr = hccsurv.logrank(veteran["time"], veteran["status"], veteran["arm"])
    ax = hccsurv.plot_km(Summary(km, lr, "days"))
    assert ax.get_xlabel() == "Time (days)"
    texts = [t.get_text() for t in ax.findobj() if hasattr(t, "get_text")]
    assert "Log-rank p = 0.928" in texts
    with pytest.raises(InputError, match="cannot draw a str"):
        hccsurv.plot_km("curves")


def test_drawn_into_a_users_axes_keeps_its_title_font(veteran: pd.DataFrame) -> None:
    km = hccsurv.kaplan_meier_groups(veteran["time"], veteran["status"], veteran["arm"])
    fig = Figure(figsize=(7.0, 3.5), layout="constrained")
    left = fig.add_subplot(1, 2, 1)
    left.set_title("My panel", family="DejaVu Serif")
    style = hccsurv.FigureStyle(small_font_size=6.5)
    hccsurv.plot_km(km, ax=left, time_unit="days", style=style)
    assert left.title.get_fontfamily() == ["DejaVu Serif"]
    assert all(t.get_fontsize() == 6.5 for t in left.get_xticklabels())
    assert fig.get_layout_engine() is not None  # a user's figure keeps its layout engine
    assert len(fig.axes) == 2  # the cell is split: curves and the risk table


def test_plot_forest_of_models_and_subgroups(veteran: pd.DataFrame) -> None:
    fit = hccsurv.coxph(veteran, "time", "status", ["arm", "karno"])
    one = hccsurv.plot_forest(fit)
    both = hccsurv.plot_forest({"Univariate": fit, "Adjusted": fit.to_frame()})
    assert isinstance(one, Figure) and isinstance(both, Figure)
    texts = [t.get_text() for ax in both.axes for t in ax.texts]
    assert "Univariate" in texts and "Adjusted" in texts
    data = hccsurv.SubgroupData(
        arms=("Test", "Standard"),
        overall=hccsurv.SubgroupRow("Overall", "", (68, 69), (64, 64), 1.0, 0.7, 1.4),
        rows=(),
    )
    assert isinstance(hccsurv.plot_forest(data), Figure)
    with pytest.raises(InputError, match="cannot draw a int"):
        hccsurv.plot_forest(3)


def test_table_writers(tmp_path: Path) -> None:
    table = hccsurv.Table(
        id="t2",
        title="Table 2. Rates",
        columns=(Column("arm", "Arm", "left"), Column("rate", "ORR (95% CI)")),
        rows=(Row(("Atezo–bev", "30% (21–40)")), Row(("Sorafenib & co", "12% (6–20)"))),
    )
    docx = table.to_docx(tmp_path / "t.docx")
    cells = [c.text for t in Document(str(docx)).tables for r in t.rows for c in r.cells]
    assert "Atezo–bev" in cells and "30% (21–40)" in cells
    xlsx = table.to_xlsx(tmp_path / "t.xlsx")
    workbook = load_workbook(xlsx)
    values = [c.value for row in workbook.worksheets[0].iter_rows() for c in row]
    workbook.close()
    assert "Sorafenib & co" in values
    html = table.to_html()
    assert html.startswith("<table") and "Sorafenib &amp; co" in html
    latex = table.to_latex()
    assert "\\toprule" in latex and "Sorafenib \\& co" in latex


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Figures and tables in your own layout", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "tests" / "reference" / "data"
    data.mkdir(parents=True)
    shutil.copy(VETERAN, data / "veteran.csv")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), namespace)
    for name in ("veteran_km.png", "veteran_km.pdf", "veteran_by_cell_type.png", "veteran_hr.png"):
        assert (tmp_path / name).stat().st_size > 5_000, name
    assert (tmp_path / "table2.docx").exists() and (tmp_path / "table2.xlsx").exists()
    assert "Test vs standard" in str(namespace["html"])
    ax = namespace["ax"]
    assert isinstance(ax, Axes)
