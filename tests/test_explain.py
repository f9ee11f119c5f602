"""`drmigrate explain` and every word it accepts; no output anywhere carries a raw `{field}`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.rules import bundled_table, fill
from tests.fixturelib import FIXTURES

# every placeholder the rule table's messages and fix titles use
PLACEHOLDERS = sorted({name for info in bundled_table().codes.values()
                       for name in re.findall(r"\{(\w+)\}", info.message + info.fix_title)})
RAW_PLACEHOLDER = re.compile(r"\{(?:" + "|".join(PLACEHOLDERS) + r")\}")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("word", "heading"),
    [
        pytest.param("DR101", "DR101 (legacy-amount-currency)", id="code"),
        pytest.param("dr101", "DR101 (legacy-amount-currency)", id="code-lower-case"),
        pytest.param("legacy-amount-currency", "DR101 (legacy-amount-currency)", id="code-name"),
        pytest.param("Legacy_Amount_Currency", "DR101 (legacy-amount-currency)", id="code-name-underscores"),
        pytest.param("payPal", "payPal (PayPal)", id="method"),
        pytest.param("paypal", "payPal (PayPal)", id="method-lower-case"),
        pytest.param("PAYPALCREDIT", "payPalCredit (PayPal Credit)", id="method-upper-case"),
        pytest.param("googlePay", "googlePay (session-native)", id="session-native"),
        pytest.param("applepay", "applePay (session-native)", id="session-native-lower-case"),
        pytest.param("createdropin", "createDropin (Drop-in payments)", id="call"),
    ],
)
def test_explain_accepts_codes_names_and_types_in_any_case(word: str, heading: str) -> None:
    code, out, _ = run("explain", word)
    assert code == 0
    assert out.splitlines()[0] == heading


def test_explain_a_session_native_type_says_what_the_table_says() -> None:
    _, out, _ = run("explain", "googlePay")
    assert "Remove: nothing" in out and "Add: nothing" in out
    assert "Reported, removed only with --unsafe-fixes: amount (DR122), currency (DR122)" in out
    assert bundled_table().native_note in out


def test_explain_code_shows_the_fix_title_without_placeholders() -> None:
    _, out, _ = run("explain", "DR101")
    assert "Fix\n  Remove the legacy field (safe)\n" in out
    _, out, _ = run("explain", "DR100")
    assert "Fix\n  Add `sessionId` after `type` (safe)\n" in out


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [
        pytest.param("DR2000", "did you mean `DR200`?", id="code"),
        pytest.param("legacy-amount-curency", "did you mean `legacy-amount-currency`?", id="code-name"),
        pytest.param("gogglePay", "did you mean `googlePay`?", id="native-type"),
        pytest.param("paypl", "did you mean `payPal`?", id="method"),
        pytest.param("quux", "", id="nothing-near"),
    ],
)
def test_explain_unknown_word_is_one_line_with_the_nearest_match(word: str, suggestion: str) -> None:
    code, out, err = run("explain", word)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"unknown code or type {word!r}" in lines[0] and "`drmigrate rules` lists them" in lines[0]
    assert suggestion in lines[0]
    if not suggestion:
        assert "did you mean" not in lines[0]


@pytest.mark.parametrize(
    ("template", "values", "filled"),
    [
        pytest.param("Remove `{field}`", {"field": "amount"}, "Remove `amount`", id="filled"),
        pytest.param("Remove `{field}`", {}, "Remove the legacy field", id="rephrased"),
        pytest.param("Remove `{field}` (unsafe)", {}, "Remove the legacy field (unsafe)", id="rephrased-suffix"),
        pytest.param("{reason}: check it", {}, "the reason: check it", id="bare"),
        pytest.param("Add `sessionId` after `type`", {}, "Add `sessionId` after `type`", id="no-placeholder"),
    ],
)
def test_fill(template: str, values: dict[str, str], filled: str) -> None:
    assert fill(template, values) == filled


def test_no_output_carries_a_raw_placeholder(tmp_path: Path) -> None:
    """Every format, `check` and `fix`, over the whole fixtures corpus, and every `explain`."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    outputs: dict[str, str] = {}
    for fmt in ("text", "concise", "json", "html", "sarif", "github", "junit"):
        _, outputs[f"check {fmt}"], _ = run("check", "--format", fmt, *cache, str(corpus))
    _, outputs["check --statistics"], _ = run("check", "--statistics", *cache, str(corpus))
    report = tmp_path / "report.json"
    report.write_text(outputs["check json"], "utf-8")
    for fmt in ("text", "json", "html"):
        _, outputs[f"merge {fmt}"], _ = run("report", "merge", "--format", fmt, str(report))
    _, outputs["fix text"], _ = run("fix", str(corpus))
    _, outputs["rules"], _ = run("rules")
    _, outputs["rules --markdown"], _ = run("rules", "--markdown")
    table = bundled_table()
    assert {"field", "type", "reason", "element"} <= set(PLACEHOLDERS)
    for word in [*table.codes, *table.methods, *table.native_types, *table.calls]:
        _, outputs[f"explain {word}"], _ = run("explain", word)
    assert json.loads(outputs["check json"])["findings"], "the corpus must yield findings"
    for name, out in outputs.items():
        assert out, name
        raw = RAW_PLACEHOLDER.search(out)
        assert raw is None, f"{name}: {out[max(0, raw.start() - 80):raw.end() + 20]!r}"
