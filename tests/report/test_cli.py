"""The `hccsurv` command through typer's runner: exit codes, output, nothing partial written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from hccsurv import __version__
from hccsurv.cli import app
from hccsurv.report.pipeline import demo_config_path

runner = CliRunner()


def _demo_copy(tmp_path: Path) -> Path:
    """A copy of the demo study (config, cohort and lesions) that a test may damage."""
    src = demo_config_path().parent
    for name in ("study.toml", "cohort.csv", "lesions.csv", "treatment.csv", "labs.csv"):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path / "study.toml"


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"hccsurv {__version__}"


def test_run_json_prints_results(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["flow"]["analysed"] == 100


def test_invalid_config_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    config = _demo_copy(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        'time_unit = "months"', 'time_unit = "fortnights"'
    )
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 3
    assert "study.time_unit" in result.output
    assert not out.exists()


def test_invalid_cohort_exits_5_and_writes_nothing(tmp_path: Path) -> None:
    config = _demo_copy(tmp_path)
    cohort = tmp_path / "cohort.csv"
    lines = cohort.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("ecog")] = "7"
    lines[1] = ",".join(row)
    cohort.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(config), "--out", str(out)])
    assert result.exit_code == 5
    assert "HCC001" in result.output and "ecog" in result.output
    assert "--exclude-invalid" in result.output
    assert not out.exists()
    assert not (tmp_path / "out.partial").exists()

    result = runner.invoke(
        app, ["run", str(config), "--out", str(out), "--exclude-invalid", "--json"]
    )
    assert result.exit_code == 0, result.output
    flow = json.loads(result.stdout)["flow"]
    assert flow["read"] == 100 and flow["analysed"] == 99
    assert sum(flow["excluded"].values()) == 1


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    result = runner.invoke(app, ["run", "--out", str(out)])
    assert result.exit_code == 7
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_demo_data_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert runner.invoke(app, ["demo-data", "--seed", "1", "--out", str(a)]).exit_code == 0
    assert runner.invoke(app, ["demo-data", "--seed", "1", "--out", str(b)]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    from hccsurv.config import load_config

    data = tmp_path / "cohort.csv"
    shutil.copy(demo_config_path().parent / "cohort.csv", data)
    result = runner.invoke(app, ["init", str(data)])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "study.toml")
    assert config.study.id_column == "patient_id"


def test_console_entry_point_keeps_exit_codes_and_output(tmp_path: Path) -> None:
    # the console-script entry point, run as its own process
    def main(*args: str) -> subprocess.CompletedProcess[str]:
        code = "from hccsurv.cli import main; main()"
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
        )

    version = main("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"hccsurv {__version__}")
    missing = main("run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 3 and "No such file" in missing.stderr
    assert not (tmp_path / "out").exists()
    usage = main("--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    done = main("run", "--json", "--out", str(tmp_path / "json"))
    assert done.returncode == 0 and json.loads(done.stdout)["flow"]["analysed"] == 100
