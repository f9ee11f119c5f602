"""The README's rule list is generated from the rule table and must match it; its text-output
example is real output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main, rules_markdown
from drmigrate.rules import bundled_table
from tests.fixturelib import ROOT


def test_readme_rule_list_is_current() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert block == rules_markdown(bundled_table()), "run `drmigrate rules --markdown` into the README"


def test_readme_text_output_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's text-output example is what drmigrate prints for the scenario it describes."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Text output", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "shop")
    (tmp_path / "shop" / "js" / "card.js").write_text(
        "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n", "utf-8")
    (tmp_path / "shop" / "js" / "pay.js").write_text(
        "function pay(payload) { return digitalriver.createSource(payload); }\n", "utf-8")
    monkeypatch.chdir(tmp_path / "shop")
    out = CliRunner().invoke(main, ["check", "."]).stdout
    blocks = out.rstrip("\n").split("\n\n")
    for block in example.rstrip("\n").split("\n\n"):
        assert block in blocks, block
    fixed = CliRunner().invoke(main, ["fix", "--session-id", "sid", "."]).stdout.rstrip("\n").split("\n")[-1]
    assert f"``{fixed}``" in " ".join(section.split())
