"""Baselines through the CLI: adopt, edits that must not resurrect findings, new payloads that must be
reported, the entries that no longer occur, shrinking, and bad baseline files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drmigrate.report.baseline import normalize

CHECKOUT = """var dr = new DigitalRiver('pk_test');

function payPal(cart) {
    var payload = {
        type: 'payPal',
        amount: cart.total,
        payPal: {returnUrl: '/review', items: cart.items}
    };
    return dr.createSource(payload);
}
"""
KLARNA = "dr.createSource({type: 'klarnaCredit', currency: 'EUR', klarnaCredit: {locale: 'de_DE'}});\n"


def invoke(*args: str) -> Result:
    from drmigrate.cli import main

    return CliRunner().invoke(main, list(args), env={"NO_COLOR": None, "FORCE_COLOR": None})


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "checkout.js").write_text(CHECKOUT, "utf-8")
    (tmp_path / "js" / "klarna.js").write_text("var dr = DigitalRiver('pk');\n" + KLARNA, "utf-8")
    monkeypatch.chdir(tmp_path)
    adopted = invoke("check", "--write-baseline", "drmigrate-baseline.json", ".")
    assert adopted.exit_code == 0, adopted.stdout
    assert adopted.stdout == "Wrote 6 findings in 2 files in the baseline drmigrate-baseline.json.\n"
    return tmp_path


def codes(result: Result) -> list[str]:
    """The codes of the findings reported (not of the baseline entries listed as gone)."""
    return [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()
            if ": DR" in line and not line.startswith(" ")]


def test_adopt_then_nothing_new(repo: Path) -> None:
    doc = json.loads((repo / "drmigrate-baseline.json").read_text("utf-8"))
    assert doc["version"] == 1 and len(doc["findings"]) == 6
    assert {e["path"] for e in doc["findings"]} == {"js/checkout.js", "js/klarna.js"}
    assert all("line" in e and "message" in e and len(e["fingerprint"]) == 32 for e in doc["findings"])
    result = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "All checks passed (2 files). 6 findings in the baseline not shown.\n"


def test_unrelated_edits_and_line_shifts_do_not_resurrect_findings(repo: Path) -> None:
    edited = (
        "// a new header comment\n'use strict';\n\nfunction unrelated() { return 42; }\n\n"
        + CHECKOUT.replace("amount: cart.total,", "amount:   cart.total ,")  # spacing inside the span
                  .replace("type: 'payPal'", 'type: "payPal"')  # quote style
                  .replace("items: cart.items}", "items: cart.items,}")  # a formatter's trailing comma
                  .replace("    return dr.createSource(payload);", "    log('paying');\n    return dr.createSource(payload);")
    )
    (repo / "js" / "checkout.js").write_text(edited.replace("\n", "\r\n"), "utf-8")  # and CRLF now
    (repo / "js" / "klarna.js").write_text("\n\n\n" + (repo / "js" / "klarna.js").read_text("utf-8"), "utf-8")
    result = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert result.exit_code == 0, result.stdout
    assert "6 findings in the baseline not shown" in result.stdout


def test_a_new_payload_is_reported(repo: Path) -> None:
    (repo / "js" / "wire.js").write_text(
        "var dr = DigitalRiver('pk');\ndr.createSource({type: 'wireTransfer', amount: 1, wireTransfer: {}});\n", "utf-8")
    result = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert result.exit_code == 1
    assert codes(result) == ["DR100", "DR101"]
    assert all("js/wire.js:" in line for line in result.stdout.splitlines() if ": DR" in line)
    assert "Found 2 findings in 1 file" in result.stdout and "6 findings in the baseline not shown" in result.stdout


def test_a_copy_of_a_baselined_payload_is_new(repo: Path) -> None:
    """Identical findings in one file are counted: the second copy is not covered by the first's entry."""
    path = repo / "js" / "klarna.js"
    path.write_text(path.read_text("utf-8") + KLARNA, "utf-8")
    result = invoke("check", "--baseline", "drmigrate-baseline.json", "--format", "json", ".")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["line"], f["code"]) for f in found] == [
        ("js/klarna.js", 3, "DR100"), ("js/klarna.js", 3, "DR101"), ("js/klarna.js", 3, "DR102")]


def test_changing_a_legacy_field_makes_it_new(repo: Path) -> None:
    path = repo / "js" / "checkout.js"
    path.write_text(CHECKOUT.replace("amount: cart.total", "amount: cart.grandTotal"), "utf-8")
    result = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert result.exit_code == 1 and codes(result) == ["DR101"]
    assert "1 entry of the baseline drmigrate-baseline.json no longer occur" in result.stdout
    assert "  js/checkout.js:6: DR101 `amount` on a `payPal` payload" in result.stdout


def test_migrated_payloads_are_listed_and_the_baseline_shrinks(repo: Path) -> None:
    fixed = invoke("fix", "--session-id", "sid", "js/klarna.js")
    assert fixed.exit_code == 0, fixed.stdout
    result = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert result.exit_code == 0
    assert "3 entries of the baseline drmigrate-baseline.json no longer occur; shrink it with " \
           "`--baseline drmigrate-baseline.json --write-baseline drmigrate-baseline.json`:" in result.stdout
    assert result.stdout.count("  js/klarna.js:2: DR10") == 3
    # shrinking keeps what still occurs and never adopts a new finding
    (repo / "js" / "wire.js").write_text("DigitalRiver('pk').createSource({type: 'payco', amount: 1, payco: {}});\n",
                                         "utf-8")
    shrink = invoke("check", "--baseline", "drmigrate-baseline.json", "--write-baseline", "drmigrate-baseline.json", ".")
    assert shrink.exit_code == 1  # the new payload is still reported
    assert "Kept 3 findings in 1 file in the baseline drmigrate-baseline.json." in shrink.stderr
    entries = json.loads((repo / "drmigrate-baseline.json").read_text("utf-8"))["findings"]
    assert {e["path"] for e in entries} == {"js/checkout.js"} and len(entries) == 3
    again = invoke("check", "--baseline", "drmigrate-baseline.json", ".")
    assert "no longer occur" not in again.stdout and codes(again) == ["DR100", "DR101"]


def test_paths_are_relative_to_the_baseline_and_partial_runs_list_nothing_stale(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "js")
    result = invoke("check", "--baseline", "../drmigrate-baseline.json", "checkout.js")
    assert result.exit_code == 0, result.stdout
    assert "3 findings in the baseline not shown" in result.stdout
    assert "no longer occur" not in result.stdout  # klarna.js was not analysed: its entries stand


def test_baseline_in_json_report(repo: Path) -> None:
    (repo / "js" / "klarna.js").write_text("// migrated\n", "utf-8")
    doc = json.loads(invoke("check", "--baseline", "drmigrate-baseline.json", "--format", "json", ".").stdout)
    assert doc["baseline"]["hidden"] == 3
    assert [e["code"] for e in doc["baseline"]["stale"]] == ["DR100", "DR101", "DR102"]
    assert doc["findings"] == []


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(None, "no such baseline file; create it with `drmigrate check --write-baseline", id="missing"),
    pytest.param("{not json", "not a drmigrate baseline (invalid JSON", id="not-json"),
    pytest.param('{"version": 9, "findings": []}', "not a drmigrate baseline (expected version 1", id="version"),
    pytest.param('{"version": 1, "findings": [{"path": 1}]}', "baseline entry 0 needs", id="entry"),
])
def test_bad_baseline_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         content: str | None, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pay.js").write_text(KLARNA, "utf-8")
    if content is not None:
        (tmp_path / "b.json").write_text(content, "utf-8")
    result = invoke("check", "--baseline", "b.json", ".")
    assert result.exit_code == 2
    assert message in result.stderr and "b.json" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("a", "b", "same"), [
    pytest.param("amount: cart.total", "amount :  cart.total", True, id="spacing"),
    pytest.param("'amount': 1", '"amount": 1', True, id="quotes"),
    pytest.param("items: [a,\n  b,\n]", "items: [a, b]", True, id="trailing-comma"),
    pytest.param("payload.amount = x;", "payload.amount = x", True, id="semicolon"),
    pytest.param("amount: cart.total", "amount: cart.subtotal", False, id="value"),
    pytest.param("amount: 1", "currency: 1", False, id="key"),
])
def test_normalize(a: str, b: str, same: bool) -> None:
    assert (normalize(a) == normalize(b)) is same
