"""Property-based intake test (issue 14): the demo study re-exported and damaged as real files are.

Meaning-preserving changes (encoding, delimiter, decimal comma, quoting, CRLF, blank rows, a
delimiter ending each row, column order) give the same results.json numbers; damaging ones (a bad
cell, a bad config value) end with a documented exit code, never a traceback, and write no output
folder. Hypothesis runs derandomized (a fixed
seed) with a few examples each: every example with exit 0 is a whole study run.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hccsurv.cli import app
from hccsurv.errors import HccsurvWarning
from hccsurv.report.pipeline import demo_config_path

EXIT_CODES = {0, 2, 3, 4, 5, 6, 7}
_DECIMAL = re.compile(r"^(-?\d+)\.(\d+)$")
DEMO = demo_config_path().parent
COHORT = pd.read_csv(DEMO / "cohort.csv", dtype=str, keep_default_na=False)
runner = CliRunner()


@dataclass(frozen=True)
class Export:
    """How the cohort table is written: each choice leaves its content unchanged."""

    encoding: str
    delimiter: str
    quote_all: bool
    newline: str
    columns: tuple[str, ...]
    blank_at: int | None  # a blank line inserted before this data row
    trailing: tuple[str, ...]  # "" (blank line) or "bare" (a row of bare delimiters)
    end_delimiter: bool  # every data row ends with a delimiter (an empty last field)
    decimal_comma: bool  # 12.5 written 12,5 (only with a delimiter other than ",")

    def write(self, frame: pd.DataFrame, path: Path) -> None:
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=self.delimiter,
            lineterminator=self.newline,
            quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(self.columns)
        rows = frame[list(self.columns)].to_numpy().tolist()
        comma = self.decimal_comma and self.delimiter != ","
        for i, row in enumerate(rows):
            if i == self.blank_at:
                buffer.write(self.newline)
            cells = [_DECIMAL.sub(r"\1,\2", c) if comma else c for c in row]
            writer.writerow([*cells, ""] if self.end_delimiter else cells)
        for kind in self.trailing:
            bare = self.delimiter * (len(self.columns) - 1)
            buffer.write((bare if kind == "bare" else "") + self.newline)
        # Excel's "Unicode text" is UTF-16 with a byte-order mark; utf-8-sig is Excel's CSV UTF-8
        path.write_bytes(buffer.getvalue().encode(self.encoding))


exports = st.builds(
    Export,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quote_all=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    columns=st.permutations(list(COHORT.columns)).map(tuple),
    blank_at=st.none() | st.integers(1, len(COHORT) - 1),
    trailing=st.lists(st.sampled_from(["", "bare"]), max_size=3).map(tuple),
    end_delimiter=st.booleans(),
    decimal_comma=st.booleans(),
)

# Cells a clinician's export may hold where a number, date, code or label is expected.
BAD_CELLS = [
    "sixty",
    "-",
    "2,2",
    "inf",
    "1e309",
    "Partial response",
    "2023-02-30",
    "31/12/2023",
    "NA",
    "",
    "  ",
    "-5",
    "99999",
    "é",
    "0",
]
# (text in study.toml, replacement): config values a user may mistype
BAD_CONFIG = [
    ('time_unit = "months"', 'time_unit = "fortnights"'),
    ("landmarks = [12]", "landmarks = [-12]"),
    ("rmst_horizon = 12", "rmst_horizon = 0"),
    ('data = "cohort.csv"', 'data = "cohort_missing.csv"'),
    ('id_column = "patient_id"', 'id_column = "patient"'),
    ("cutoff = 2024-12-31", 'cutoff = "31.12.2024"'),
    ('labels = ["First-line", "Post-ate-beva"]', 'labels = ["First-line", "Second-line"]'),
]


@dataclass(frozen=True)
class Damage:
    """One bad cell, or one bad config value."""

    row: int
    column: str
    value: str
    config: tuple[str, str] | None


damages = st.builds(
    Damage,
    row=st.integers(0, len(COHORT) - 1),
    column=st.sampled_from(list(COHORT.columns)),
    value=st.sampled_from(BAD_CELLS),
    # mostly a bad cell alone: a bad config value stops the run before the cells are read
    config=st.sampled_from([None] * 2 * len(BAD_CONFIG) + BAD_CONFIG),
)


def _run(export: Export, damage: Damage | None) -> tuple[int, str, str, Path]:
    folder = Path(tempfile.mkdtemp(prefix="hccsurv-intake-"))
    try:
        config = folder / "study.toml"
        # the demo forces its delimiter, encoding and decimal mark; a re-exported file relies on
        # the guesses
        text = (DEMO / "study.toml").read_text(encoding="utf-8")
        for forced in ('delimiter = ","\n', 'encoding = "utf-8"\n', 'decimal = "."\n'):
            assert forced in text
            text = text.replace(forced, "", 1)
        config.write_text(text, encoding="utf-8")
        for name in ("lesions.csv", "treatment.csv", "labs.csv"):
            shutil.copy(DEMO / name, folder / name)
        frame = COHORT.copy()
        if damage is not None:
            frame.loc[damage.row, damage.column] = damage.value
            if damage.config is not None:
                old, new = damage.config
                text = config.read_text(encoding="utf-8")
                assert old in text
                config.write_text(text.replace(old, new, 1), encoding="utf-8")
        export.write(frame, folder / "cohort.csv")
        out = folder / "out"
        # as a user runs it: warnings are messages, not the errors pytest makes of them here;
        # only hccsurv's own (a monotone likelihood on a one-patient level) may appear
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = runner.invoke(app, ["run", str(config), "--out", str(out), "--json"])
        assert all(issubclass(w.category, HccsurvWarning) for w in caught), [
            str(w.message) for w in caught
        ]
        # a refusal is an exit code with a message; an exception escaping is a bug
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert "Traceback" not in result.output
        if result.exit_code != 0:
            assert not out.exists() and not (folder / "out.partial").exists()
        return result.exit_code, result.stdout, result.output, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _close(a: Any, b: Any, path: str = "") -> None:
    """Equal JSON trees, numbers at rtol 1e-9 (the same computation on re-read input)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (path, a, b)
    else:
        assert a == b, (path, a, b)


@functools.cache
def _baseline() -> dict[str, Any]:
    """The results of the demo as shipped (computed once, not a fixture: hypothesis would print
    the whole dict with every example)."""
    code, stdout, output, _ = _run(PLAIN, None)
    assert code == 0, output
    results: dict[str, Any] = json.loads(stdout)
    return results


# derandomize: a fixed seed, the same examples in CI and here; no shrinking, since each step
# would be another study run (the failing example is printed as drawn)
_SETTINGS = settings(
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


PLAIN = Export("utf-8", ",", False, "\n", tuple(COHORT.columns), None, (), False, False)
# Excel's "Unicode text" export (UTF-16, tab, CRLF) with European decimals, always among the cases
EXCEL_UNICODE = Export(
    "utf-16", "\t", False, "\r\n", tuple(COHORT.columns), 10, ("bare",), True, True
)


@settings(_SETTINGS, max_examples=3)
@example(export=EXCEL_UNICODE)
@given(export=exports)
def test_meaning_preserving_exports_give_the_same_results(export: Export) -> None:
    code, stdout, output, _ = _run(export, None)
    assert code == 0, output
    _close(json.loads(stdout), _baseline())


@settings(_SETTINGS, max_examples=6)
# cells that once slipped through: an overflow in a numeric column (a pandas traceback), text in
# a clinical input that was not checked (a silent missing value)
@example(export=PLAIN, damage=Damage(6, "age", "1e309", None))
@example(export=PLAIN, damage=Damage(29, "weight_kg", "sixty", None))
@given(export=exports, damage=damages)
def test_damaged_inputs_end_with_a_documented_exit_code(export: Export, damage: Damage) -> None:
    code, stdout, output, _ = _run(export, damage)
    assert code in EXIT_CODES, output
    numeric = {"age", "weight_kg", "afp_ng_ml", "inr", "bilirubin_mg_dl", "height_cm"}
    if damage.config is None and damage.column in numeric and damage.value in ("1e309", "sixty"):
        assert code == 5, output  # refused, never read as missing or raised
    if code == 0:
        json.loads(stdout)  # a complete, valid results.json
    else:
        assert "error:" in output
