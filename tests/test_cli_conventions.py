"""The conventions ruff users expect: `check --fix`, `--show-fixes`, `--extend-select` /
`--extend-ignore` (and their configuration keys)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drmigrate.cli import main
from tests.fixturelib import ROOT

LEGACY = "digitalriver.createSource({type: 'payPal', amount: 1, currency: 'USD', payPal: {returnUrl: u}});\n"
CARD = "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n"


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, [*args])


def _codes(result: Result) -> list[str]:
    return sorted(f["code"] for f in json.loads(result.stdout)["findings"])


def test_check_fix_is_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.js").write_text(LEGACY)
    via_check = _run(tmp_path, monkeypatch, "check", "--fix", "--no-cache", "--session-id", "sid", "a")
    via_fix = _run(tmp_path, monkeypatch, "fix", "--no-cache", "--session-id", "sid", "b")
    assert (tmp_path / "a" / "x.js").read_text() == (tmp_path / "b" / "x.js").read_text() != LEGACY
    assert via_check.exit_code == via_fix.exit_code == 0
    assert via_check.stdout.replace("a/", "b/") == via_fix.stdout
    (tmp_path / "a" / "x.js").write_text(LEGACY)
    flagged = _run(tmp_path, monkeypatch, "check", "--fix", "--exit-non-zero-on-fix", "--session-id", "sid", "a")
    assert flagged.exit_code == 1


def test_show_fixes_lists_what_check_would_fix_and_what_fix_did(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "shop")
    (tmp_path / "shop" / "js" / "card.js").write_text(CARD)
    would = _run(tmp_path, monkeypatch, "check", "--no-cache", "--show-fixes", "shop")
    section = would.stdout.split("`drmigrate fix` would apply 14 fixes:\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "  shop/js/card.js:",
        "    1 × DR100 (missing-session-id): Add `sessionId` after `type`",
        "  shop/js/checkout.js:",
        "    2 × DR100 (missing-session-id): Add `sessionId` after `type`",
        "    2 × DR101 (legacy-amount-currency): Remove `amount`; Remove `currency`",
        ("    3 × DR102 (legacy-order-details): Remove `payPal.items`; Remove `payPal.taxAmount`; "
        "Remove `payPal.requestShipping`"),
        "  shop/js/klarna.js:",
        "    1 × DR100 (missing-session-id): Add `sessionId` after `type`",
        "    2 × DR101 (legacy-amount-currency): Remove `amount`; Remove `currency`",
        ("    3 × DR102 (legacy-order-details): Remove `klarnaCredit.locale`; Remove `klarnaCredit.shipping`; "
        "Remove `klarnaCredit.hasPaidBefore`"),
    ]
    did = _run(tmp_path, monkeypatch, "fix", "--show-fixes", "--session-id", "sid", "shop")
    assert "Applied 14 fixes:\n" in did.stdout
    assert "Fixed 14 findings in 3 files" in did.stdout  # the section agrees with the summary
    # the card's unsafe DR120 is not applied, so not listed
    assert "DR120" not in did.stdout.split("Applied 14 fixes:", 1)[1].split("\n\n", 1)[0]
    nothing = _run(tmp_path, monkeypatch, "check", "--show-fixes", "-q", "shop")
    assert "No fixes available." in nothing.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.drmigrate]\nshow-fixes = true\n")
    assert "No fixes applied." in _run(tmp_path, monkeypatch, "fix", "shop").stdout


def test_extend_select_and_extend_ignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.js").write_text(LEGACY + CARD)
    base = ["check", "--no-cache", "--format", "json", "a.js"]
    assert _codes(_run(tmp_path, monkeypatch, *base)) == ["DR100", "DR100", "DR101", "DR101", "DR120"]
    assert _codes(_run(tmp_path, monkeypatch, *base, "--extend-ignore", "DR101")) == ["DR100", "DR100", "DR120"]
    assert _codes(_run(tmp_path, monkeypatch, *base, "--select", "DR100", "--extend-select", "DR120")) == [
        "DR100", "DR100", "DR120"]
    # extend-select on top of everything selects nothing more
    assert _codes(_run(tmp_path, monkeypatch, *base, "--extend-select", "DR1")) == _codes(
        _run(tmp_path, monkeypatch, *base))
    # in the configuration, and the flags on top of it
    (tmp_path / ".drmigrate.toml").write_text('select = ["DR101"]\nextend-select = ["DR120"]\nextend-ignore = ["DR12"]\n')
    assert _codes(_run(tmp_path, monkeypatch, *base)) == ["DR101", "DR101"]
    assert _codes(_run(tmp_path, monkeypatch, *base, "--extend-ignore", "DR101")) == []
    described = _run(tmp_path, monkeypatch, "config").stdout
    assert "extend-select = ['DR120']" in described and "extend-ignore = ['DR12']" in described
    # a run with extend-ignore hides findings: it never says the migration is complete
    (tmp_path / ".drmigrate.toml").write_text('extend-ignore = ["DR1"]\n')
    text = _run(tmp_path, monkeypatch, "check", "--no-cache", "a.js").stdout
    assert "Migration complete" not in text


@pytest.mark.parametrize(("args", "config", "message"), [
    pytest.param(("--extend-ignore", "DR999"), "", "unknown rule code DR999", id="flag"),
    pytest.param((), 'extend-select = ["DR1O1"]\n', "unknown rule code DR1O1 (`extend-select` in", id="config"),
    pytest.param((), 'extend-ignore = "DR101"\n', "`extend-ignore` must be a list of strings", id="config-type"),
])
def test_unknown_codes_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
                                           config: str, message: str) -> None:
    (tmp_path / "a.js").write_text(LEGACY)
    if config:
        (tmp_path / ".drmigrate.toml").write_text(config)
    done = _run(tmp_path, monkeypatch, "check", *args, "a.js")
    assert done.exit_code == 2 and message in done.output, done.output
