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


def _scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's scenario: the bundled example plus a card payload with `amount` and a payload
    from a parameter, run from inside it."""
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "shop")
    (tmp_path / "shop" / "js" / "card.js").write_text(
        "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n", "utf-8")
    (tmp_path / "shop" / "js" / "pay.js").write_text(
        "function pay(payload) { return digitalriver.createSource(payload); }\n", "utf-8")
    monkeypatch.chdir(tmp_path / "shop")


def test_readme_text_output_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's text-output example is what drmigrate prints for the scenario it describes."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Text output", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    _scenario(tmp_path, monkeypatch)
    out = CliRunner().invoke(main, ["check", "."]).stdout
    blocks = out.rstrip("\n").split("\n\n")
    for block in example.rstrip("\n").split("\n\n"):
        assert block in blocks, block
    fixed = CliRunner().invoke(main, ["fix", "--session-id", "sid", "."]).stdout.rstrip("\n").split("\n")[-1]
    assert f"``{fixed}``" in " ".join(section.split())


def test_readme_what_is_left_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's "What is left" example is the closing section `fix` prints for its scenario,
    and the configuration example's keys are all known."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### What is left", 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    _scenario(tmp_path, monkeypatch)
    out = CliRunner().invoke(main, ["fix", "--no-cache", "."]).stdout
    assert example.rstrip("\n") in out.rstrip("\n").split("\n\n")
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "done")
    monkeypatch.chdir(tmp_path / "done")
    CliRunner().invoke(main, ["fix", "--no-cache", "--session-id", "sid", "."])
    complete = CliRunner().invoke(main, ["check", "--no-cache", "."]).stdout.split("\n")[0]
    shown = section.split("When nothing is left, the section is one line instead:", 1)[1]
    assert complete.startswith("Migration complete") and f"`{complete}`" in " ".join(shown.split())


def test_readme_configuration_example_loads(tmp_path: Path) -> None:
    from drmigrate.cli import build_config
    from drmigrate.config import load

    readme = (ROOT / "README.md").read_text("utf-8")
    example = readme.split("### Configuration", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    # as it stands in a .drmigrate.toml, and under [tool.drmigrate] in a pyproject.toml
    (tmp_path / ".drmigrate.toml").write_text(example, "utf-8")
    pyproject = "[tool.drmigrate]\n" + example.replace("[per-file-session-id]", "[tool.drmigrate.per-file-session-id]")
    (tmp_path / "pyproject.toml").write_text(pyproject, "utf-8")
    for name in (".drmigrate.toml", "pyproject.toml"):
        settings = load(tmp_path / name)
        assert settings.per_file_session_id and settings.extend_receiver_names
        build_config(settings, bundled_table())  # every value valid, per-path session ids included
