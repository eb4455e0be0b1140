"""`hccsurv ... --help`: a flag is shown without a type placeholder (issue 16 item 6); an option
that takes a value keeps its type."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hccsurv.cli import app

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["run"], ["init"], ["demo-data"]])
def test_help_shows_flags_without_a_bool_placeholder(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    assert "<bool>" not in result.output


def test_help_keeps_the_type_of_an_option_with_a_value() -> None:
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "100"})
    line = next(x for x in result.output.splitlines() if "--out" in x)
    assert "<str>" in line
    quiet = next(x for x in result.output.splitlines() if "--quiet" in x)
    assert "Print nothing but errors." in quiet
