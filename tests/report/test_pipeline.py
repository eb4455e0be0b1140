"""End to end: `hccsurv run` on the bundled demo cohort writes every output, the report has every
section, results.json satisfies its schema, and a re-run gives identical files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import jsonschema
import pytest

from hccsurv.report.pipeline import StudyOutcome, run_study
from hccsurv.report.results import results_schema

EXPECTED_FILES = (
    "report.html",
    "tables.docx",
    "tables.xlsx",
    "results.json",
    "provenance.json",
    "methods.txt",
    "flow.csv",
    "cohort_derived.csv",
    "figures/km_os.png",
    "figures/km_os.pdf",
    "figures/km_pfs.png",
    "figures/forest_os.png",
    "figures/forest_pfs.png",
    "figures/love.png",
    "tables/survival.csv",
    "tables/cox_os.tex",
)
SECTIONS = (
    "methods",
    "competing",
    "flow",
    "baseline",
    "response",
    "survival",
    "cox",
    "cox-os",
    "cox-pfs",
    "appendix",
)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> StudyOutcome:
    return run_study(None, tmp_path_factory.mktemp("run") / "out")


def test_every_output_is_written(demo_run: StudyOutcome) -> None:
    for name in EXPECTED_FILES:
        path = demo_run.out_dir / name
        assert path.is_file(), name
        assert path.stat().st_size > 0, name


def test_results_json_satisfies_the_contract(demo_run: StudyOutcome) -> None:
    data = json.loads((demo_run.out_dir / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, results_schema())
    assert set(data["endpoints"]) == {"OS", "PFS", "TTP"}
    os_ = data["endpoints"]["OS"]
    assert set(os_["groups"]) == {"First-line", "Post-ate-beva"}
    assert os_["overall"]["n"] == 100
    assert data["flow"] == {**data["flow"], "read": 100, "analysed": 100, "excluded": {}}
    groups = data["response"]["groups"]
    assert [groups["First-line"][k] for k in ("CR", "PR", "SD", "PD")] == [1, 11, 27, 27]
    assert [groups["Post-ate-beva"][k] for k in ("CR", "PR", "SD", "PD")] == [0, 12, 17, 5]
    multi_terms = {t["term"] for t in os_["cox"]["multivariable"]}
    assert "group" in multi_terms


def test_every_table_is_in_every_format(demo_run: StudyOutcome) -> None:
    from docx import Document
    from openpyxl import load_workbook

    ids = [p.stem for p in (demo_run.out_dir / "tables").glob("*.csv")]
    # the PH checks and the published comparison, once built only for the HTML report
    assert {"zph_os", "zph_pfs", "published", "cox_os", "survival"} <= set(ids)
    for table_id in ids:
        for suffix in ("tex", "md"):
            assert (demo_run.out_dir / "tables" / f"{table_id}.{suffix}").is_file()
    text = "\n".join(p.text for p in Document(str(demo_run.out_dir / "tables.docx")).paragraphs)
    assert "Proportional-hazards check, multivariable model of overall survival" in text
    assert "The demo cohort against the published results" in text
    workbook = load_workbook(demo_run.out_dir / "tables.xlsx", read_only=True)
    assert len(workbook.sheetnames) >= len(ids)
    workbook.close()


def test_the_contract_requires_a_reason_for_a_not_estimable_analysis(
    demo_run: StudyOutcome,
) -> None:
    data = json.loads(json.dumps(demo_run.results))
    record = data["analyses"][0]
    record["status"] = "not estimable"
    with pytest.raises(jsonschema.ValidationError, match="None is not of type 'string'"):
        jsonschema.validate(data, results_schema())
    record["reason"] = "no events"
    jsonschema.validate(data, results_schema())


def test_report_has_every_section_and_fetches_nothing(demo_run: StudyOutcome) -> None:
    html = demo_run.report_path.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    # KM and forest plots per endpoint, the Love plot and the CIF of TTP
    assert html.count("data:image/png;base64,") == 8
    # self-contained: no resource is loaded from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert "<script" not in html
    assert "@import" not in html
    # patient identifiers stay out unless asked
    assert "HCC001" not in html
    assert "HCC001" not in (demo_run.out_dir / "results.json").read_text(encoding="utf-8")


def test_demo_meets_the_published_calibration(demo_run: StudyOutcome) -> None:
    rows = demo_run.results["published_comparison"]
    calibrated = [r for r in rows if r["tolerance"] != "shown"]
    missed = [r["quantity"] for r in calibrated if r["within"] is not True]
    assert missed == []
    # counts, medians and the two adjusted group hazard ratios (issue 7's tolerances)
    assert len(calibrated) == 17


def test_demo_multivariable_models_single_out_the_published_factors(demo_run: StudyOutcome) -> None:
    # the paper's multivariable results: group and ECOG for OS; group, ECOG and metastasis for PFS
    endpoints = demo_run.results["endpoints"]
    significant = {
        name: sorted({t["term"] for t in ep["cox"]["multivariable"] if t["p"] < 0.05})
        for name, ep in endpoints.items()
    }
    assert significant == {
        "OS": ["ecog_0", "group"],
        "PFS": ["ecog_0", "extrahepatic_metastasis", "group"],
        # time to progression (issue 18), death without progression censored: cause-specific
        "TTP": ["ecog_0", "extrahepatic_metastasis", "group", "multiple_tumors"],
    }


def test_rerun_is_identical_apart_from_the_timestamp(
    demo_run: StudyOutcome, tmp_path: Path
) -> None:
    again = run_study(None, tmp_path / "again")
    first = {p.relative_to(demo_run.out_dir): p.read_bytes() for p in demo_run.files}
    second = {p.relative_to(again.out_dir): p.read_bytes() for p in again.files}
    assert first.keys() == second.keys()
    differing = sorted(str(k) for k in first if first[k] != second[k])
    assert differing == ["provenance.json"]
    p1 = json.loads(first[Path("provenance.json")])
    p2 = json.loads(second[Path("provenance.json")])
    p1.pop("created")
    p2.pop("created")
    # the options of each run, which differ only in the output folder
    assert p1["options"].pop("out_dir") == str(demo_run.out_dir)
    assert p2["options"].pop("out_dir") == str(tmp_path / "again")
    assert p1 == p2


class _Recording:
    """A Progress that records each step, its total and how far it advanced."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None, int]] = []

    @contextmanager
    def step(self, text: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        done = [0]

        def advance(k: int) -> None:
            done[0] += k

        yield advance
        self.steps.append((text, total, done[0]))


def test_every_step_is_reported_and_counted_steps_reach_their_total(tmp_path: Path) -> None:
    progress = _Recording()
    run_study(None, tmp_path / "out", progress=progress)
    texts = [text for text, _, _ in progress.steps]
    assert texts[0].startswith("Config") and texts[1].startswith("Cohort")
    assert texts[-1] == "Report"
    counted = {text.split(":")[0]: (total, done) for text, total, done in progress.steps if total}
    # 3 endpoints x (summary + 12 univariate models + multivariable/PH), 8 figures, 2 workbooks
    # and one entry per table
    assert counted["Survival"] == (42, 42)
    assert counted["Figures"] == (8, 8)
    total, done = counted["Tables"]
    assert total == done and total > 2 + 7


def test_steps_the_config_does_not_ask_for_leave_no_empty_section(demo_run: StudyOutcome) -> None:
    # the demo has two groups (no pairwise comparisons) and no [subgroups]
    html = demo_run.report_path.read_text(encoding="utf-8")
    for section in ("pairwise", "subgroups"):
        assert f'<section id="{section}">' not in html, section
    assert '<section id="competing">' in html
