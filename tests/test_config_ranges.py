"""Every numeric, format and colour key of the config is checked against its allowed range.

Each refused value is reported (exit 3 through the CLI) at its key path with the range allowed,
never as a traceback, a MemoryError or an endless figure (issue 14's config rows).
"""

from __future__ import annotations

import copy
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hccsurv.cli import app
from hccsurv.config import load_config, parse_config
from hccsurv.errors import ConfigError
from hccsurv.report.pipeline import demo_config_path

BASE: dict[str, Any] = {
    "study": {"data": "x.csv", "id_column": "id"},
    "groups": {"column": "g", "labels": ["a", "b"]},
    "endpoints": {"OS": {"label": "OS", "time": "t", "event": "e", "time_unit": "days"}},
}


def _problems(changes: dict[str, dict[str, Any]]) -> list[str]:
    data = copy.deepcopy(BASE)
    for section, keys in changes.items():
        data.setdefault(section, {}).update(keys)
    with pytest.raises(ConfigError) as info:
        parse_config(data, "/")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("study", "rmst_horizon", math.nan, "study.rmst_horizon: found nan; allowed: a finite "
         "number > 0"),
        ("study", "rmst_horizon", math.inf, "study.rmst_horizon: found inf; allowed: a finite "
         "number > 0"),
        ("study", "landmarks", [12, -math.inf], "study.landmarks[1]: found -inf; allowed: a "
         "finite number > 0"),
        ("figures", "dpi", 20000, "figures.dpi: found 20000; allowed: a whole number >= 72 and "
         "<= 1200"),
        ("figures", "dpi", 300.5, "figures.dpi: found 300.5; allowed: a whole number >= 72 and "
         "<= 1200"),
        ("figures", "width_mm", 1e7, "figures.width_mm: found 10000000.0; allowed: a finite "
         "number >= 20 and <= 1200"),
        ("figures", "height_mm", math.nan, "figures.height_mm: found nan; allowed: a finite "
         "number >= 20 and <= 1200"),
        ("figures", "time_break", math.inf, "figures.time_break: found inf; allowed: a finite "
         "number > 0"),
        ("cox", "threshold", math.nan, "cox.threshold: found nan; allowed: a finite number > 0 "
         "and <= 1"),
        ("tables", "decimals", True, "tables.decimals: found True; allowed: a whole number >= 0 "
         "and <= 6"),
        ("units", "afp_iu_factor", 1e9, "units.afp_iu_factor: found 1000000000.0; allowed: a "
         "finite number > 0 and <= 10"),
    ],
)  # fmt: skip
def test_numbers_out_of_range_name_the_key_and_the_range(
    section: str, key: str, value: Any, expected: str
) -> None:
    assert _problems({section: {key: value}}) == [expected]


def test_adjustment_numbers() -> None:
    adjust = {"method": "matching", "covariates": ["x"]}
    assert _problems({"adjust": adjust | {"caliper": math.inf, "seed": -1, "ratio": 0}}) == [
        "adjust.caliper: found inf; allowed: a finite number > 0",
        "adjust.ratio: found 0; allowed: a whole number >= 1 and <= 100",
        "adjust.seed: found -1; allowed: a whole number >= 0 and <= 9.22337e+18",
    ]


def test_a_derived_cut_at_nan_is_refused() -> None:
    derived = [{"name": "big", "column": "size", "op": ">", "value": math.nan}]
    data = copy.deepcopy(BASE) | {"derived": derived}
    with pytest.raises(ConfigError) as info:
        parse_config(data, "/")
    assert [str(p) for p in info.value.problems] == [
        "derived[0].value: found nan; allowed: a finite number"
    ]


@pytest.mark.parametrize(("key", "unit"), [("rmst_horizon", "days"), ("time_break", "months")])
def test_a_horizon_or_tick_step_under_one_day_is_refused(key: str, unit: str) -> None:
    section = "study" if key == "rmst_horizon" else "figures"
    changes: dict[str, dict[str, Any]] = {"study": {"time_unit": unit}}
    changes.setdefault(section, {})[key] = 1e-6
    one_day = "1" if unit == "days" else "0.03285"
    assert _problems(changes) == [
        f"{section}.{key}: found 1e-06, shorter than one day; allowed: at least {one_day} {unit} "
        "(one day, in study.time_unit)"
    ]
    changes[section][key] = 1.0  # one day, or one month: both fine
    data = copy.deepcopy(BASE)
    for name, keys in changes.items():
        data.setdefault(name, {}).update(keys)
    assert getattr(parse_config(data, "/"), section).model_dump()[key] == 1.0


def test_date_format_is_probed() -> None:
    (unknown,) = _problems({"study": {"read": {"date_format": "%Q"}}})
    assert unknown.startswith("study.read.date_format: found '%Q'; not a usable strptime date")
    assert "'Q' is a bad directive" in unknown and "allowed: a format with year, month" in unknown
    (lossy,) = _problems({"study": {"read": {"date_format": "%Y-%m"}}})
    assert "reads 2024-12-31 back as 2024-12-01" in lossy
    data = copy.deepcopy(BASE)
    data["study"]["read"] = {"date_format": "%d.%m.%Y", "encoding": "cp1252"}
    assert parse_config(data, "/").study.read.date_format == "%d.%m.%Y"


def test_encoding_must_be_a_codec() -> None:
    (problem,) = _problems({"study": {"read": {"encoding": "utf-99"}}})
    assert problem.startswith("study.read.encoding: found 'utf-99'; unknown text encoding")


def test_palette_colours_are_checked() -> None:
    assert _problems({"figures": {"palette": ["#0072B2", "tab:blue", "bleu", "#12345"]}}) == [
        f"figures.palette[{i}]: found {bad!r}; not a colour; allowed: a hex code (#0072B2, #07B) "
        "or a colour name (black, tab:blue)"
        for i, bad in ((2, "bleu"), (3, "#12345"))
    ]


def test_a_derived_name_may_not_be_a_generated_endpoint_column() -> None:
    data = copy.deepcopy(BASE) | {
        "derived": [
            {"name": "OS_event", "column": "age", "breaks": [65]},
            {"name": "old", "column": "age", "breaks": [70]},
            {"name": "OS_time", "column": "x", "map": {"a": "b"}},
        ]
    }
    with pytest.raises(ConfigError) as info:
        parse_config(data, "/")
    allowed = "allowed: any name except <endpoint>_time and <endpoint>_event (OS_event, OS_time)"
    assert [str(p) for p in info.value.problems] == [
        f"derived[0].name: found 'OS_event', the name of a column hccsurv generates for an "
        f"endpoint; {allowed}",
        f"derived[2].name: found 'OS_time', the name of a column hccsurv generates for an "
        f"endpoint; {allowed}",
    ]


def test_demo_values_are_within_every_range() -> None:
    config = load_config(demo_config_path())
    assert config.figures.dpi == 300 and config.study.rmst_horizon is not None


def test_cli_exits_3_naming_the_key_and_range(tmp_path: Path) -> None:
    src = demo_config_path().parent
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv", "labs.csv"):
        shutil.copy(src / name, tmp_path / name)
    config = tmp_path / "study.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("dpi = 300", "dpi = 20000").replace("width_mm = 174", "width_mm = nan")
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "figures.dpi: found 20000; allowed: a whole number >= 72 and <= 1200" in result.output
    assert "figures.width_mm: found nan; allowed: a finite number >= 20" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_figure_too_large_to_draw_is_refused() -> None:
    # each value is inside its own range, but together they ask for a 3.2-gigapixel image
    assert _problems({"figures": {"dpi": 1200, "width_mm": 1200, "height_mm": 1200}}) == [
        "figures.dpi: found 1200 dpi on 1200 x 1200 mm, a 3214-megapixel image; allowed: at most "
        "150 megapixels (lower dpi, width_mm or height_mm)"
    ]
    data = copy.deepcopy(BASE) | {"figures": {"dpi": 600, "width_mm": 174, "height_mm": 234}}
    assert parse_config(data, "/").figures.dpi == 600  # a full journal page at 600 dpi is fine


def test_safety_numbers() -> None:
    safety = {"treatment_file": "t.csv", "planned_mg_m2": {"5-FU": -1}}
    assert _problems(
        {"safety": safety | {"reduction_below": 1.5, "baseline_window_days": math.nan}}
    ) == [
        "safety.baseline_window_days: found nan; allowed: a finite number >= 0 and <= 365",
        "safety.planned_mg_m2.5-FU: found -1; allowed: a finite number > 0",
        "safety.reduction_below: found 1.5; allowed: a finite number > 0 and <= 1",
    ]
