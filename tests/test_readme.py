"""The README's rule list is generated from the rule table and must match it."""

from __future__ import annotations

from drmigrate.cli import rules_markdown
from drmigrate.rules import bundled_table
from tests.fixturelib import ROOT


def test_readme_rule_list_is_current() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert block == rules_markdown(bundled_table()), "run `drmigrate rules --markdown` into the README"
