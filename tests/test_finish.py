"""Finishing the migration (issue 12): wiring the session id later, suggestions from scope, no
debris left by removals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.engine import Options
from drmigrate.runner import make_config, process_text
from tests.fixturelib import FIXTURES

LEGACY = ("var payload = {type: 'payPal', amount: cart.total, currency: 'USD', payPal: {returnUrl: u}};\n"
          "payload.sessionId = 'DRMIGRATE_TODO_SESSION_ID';\n"
          "if (cart.requiresShipping) {\n  payload.payPal.shipping = cart.shipping;\n}\n"
          "digitalriver.createSource(payload);\n")


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    return result.exit_code, result.output


def test_fix_without_then_with_session_id_leaves_no_placeholder(tmp_path: Path) -> None:
    page = tmp_path / "page.js"
    page.write_text("digitalriver.createSource({type: 'payPal', amount: 1, payPal: {returnUrl: u}});\n"
                    "dr.createDropin({options: {flow: 'checkout'}});\n", "utf-8")
    code, out = _invoke("fix", str(page))
    assert "DRMIGRATE_TODO_SESSION_ID" in page.read_text("utf-8")
    assert code == 1 and "DR110" in out  # the placeholders remain to be wired
    code, out = _invoke("fix", "--session-id", "checkout.payment.session.id", str(page))
    text = page.read_text("utf-8")
    assert "DRMIGRATE_TODO_SESSION_ID" not in text
    assert text.count("sessionId: checkout.payment.session.id") == 2
    assert _invoke("check", "--session-id", "checkout.payment.session.id", str(page))[0] == 0
    assert _invoke("check", str(page))[0] == 0


@pytest.mark.parametrize(
    ("name", "text", "placeholder"),
    [
        pytest.param("a.js", LEGACY, "'DRMIGRATE_TODO_SESSION_ID'", id="js-write"),
        pytest.param("a.py", 'import json\np = {"type": "payPal", "sessionId": "DRMIGRATE_TODO_SESSION_ID", '
                             '"payPal": {}}\njson.dumps(p)\n', '"DRMIGRATE_TODO_SESSION_ID"', id="python"),
        pytest.param("a.php", "<?php\n$p = ['type' => 'payPal', 'sessionId' => 'DRMIGRATE_TODO_SESSION_ID', "
                              "'payPal' => []];\necho json_encode($p);\n", "'DRMIGRATE_TODO_SESSION_ID'", id="php"),
        pytest.param("a.phtml", "<script>\ndigitalriver.createSource({type: 'payPal', sessionId: "
                                "'DRMIGRATE_TODO_SESSION_ID', payPal: {returnUrl: '<?= $u ?>'}});\n</script>\n",
                     "'DRMIGRATE_TODO_SESSION_ID'", id="template"),
    ],
)
def test_placeholders_are_wired_in_every_front_end(name: str, text: str, placeholder: str) -> None:
    expr = {"js": "sid", "python": "sid", "php": "$sid"}
    outcome = process_text(text, name, make_config(options=Options(session_id=expr)), fix=True)
    assert not outcome.error
    assert outcome.fixed is not None and placeholder not in outcome.fixed
    assert not [f for f in outcome.findings if f.code in ("DR110", "DR203")]


def test_a_session_id_in_scope_is_suggested_and_used_when_asked(tmp_path: Path) -> None:
    page = tmp_path / "page.js"
    page.write_text("var drConfig = window.checkoutConfig.drpay;\nfunction pay(cart) {\n"
                    "  digitalriver.createSource({type: 'directDebit', owner: o});\n"
                    "  log(drConfig.paymentSessionId);\n}\n", "utf-8")
    _, out = _invoke("check", str(page))
    assert "in scope: `drConfig.paymentSessionId`" in out
    _, out = _invoke("check", "--format", "json", str(page))
    (finding,) = json.loads(out)["findings"]
    assert finding["suggestion"]["session_id"] == "drConfig.paymentSessionId"
    assert "DRMIGRATE" not in page.read_text("utf-8")
    _invoke("fix", "--session-id-from-scope", str(page))
    assert "sessionId: drConfig.paymentSessionId," in page.read_text("utf-8")


def test_an_unrelated_session_id_out_of_scope_is_not_suggested() -> None:
    text = ("function other() { var sessionId = 1; }\n"
            "function pay() { digitalriver.createSource({type: 'directDebit', owner: o}); }\n")
    (finding,) = process_text(text, "a.js", make_config(), fix=False).findings
    assert finding.suggestion == "" and "in scope" not in finding.message


DEBRIS = [
    re.compile(r"\bif\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*\{\s*\}"),  # if (c) {}
    re.compile(r"\b(?:while|for)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*\{\s*\}"),  # while (c) {}, for (...) {}
    re.compile(r"\b(?:do|try|else|finally)\s*\{\s*\}"),
    re.compile(r"\b(?:Object\.assign|\$\.extend|jQuery\.extend|_\.extend)\(\s*[\w$.]+\s*,\s*\{\s*\}\s*\)"),
    re.compile(r"^\s*if [^\n]*:\s*\n(?!\s)", re.MULTILINE),  # Python: an if with nothing under it
]


def test_no_fixture_output_has_debris_left_by_a_removal() -> None:
    afters = sorted(FIXTURES.glob("*/*/after.*"))
    assert len(afters) > 60
    for after in afters:
        before = after.with_name("before" + after.suffix).read_text("utf-8")
        text = after.read_text("utf-8")
        for pattern in DEBRIS:
            # debris the fix made: in the fixed text, not in the original
            assert len(pattern.findall(text)) <= len(pattern.findall(before)), f"{after}: {pattern.pattern}"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("var p = {type: 'payPal', payPal: {}};\nif (cart.requiresShipping) {\n  p.payPal.shipping = s;\n}\n"
                     "digitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="if-emptied"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nif (shippingNeeded(cart)) {\n  p.payPal.shipping = s;\n}\n"
                     "digitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\nshippingNeeded(cart);\n"
                     "digitalriver.createSource(p);\n", id="if-with-a-call-keeps-the-call"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nif (c) {\n  // keep me\n  p.payPal.shipping = s;\n}\n"
                     "digitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\nif (c) {\n  // keep me\n}\n"
                     "digitalriver.createSource(p);\n", id="a-comment-keeps-the-block"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\np = $.extend(p, {amount: t});\ndigitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="extend-of-an-emptied-part"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nwhile (n > 0 && !done) { p.amount = t; }\n"
                     "do {\n  p.currency = c\n} while (retry)\ndigitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="loops-with-conditions-that-only-read"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nfill: { p.amount = t; }\n{ p.currency = c; }\n"
                     "digitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="labelled-and-bare-blocks"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nif (a) {\n  if (b) {\n    p.amount = t;\n  }\n"
                     "  while (c) { p.currency = c; }\n}\ndigitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="nested-blocks-emptied-in-turn"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nif (a) {\n  if (b) { p.amount = t }\n  // keep\n}\n"
                     "digitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\nif (a) {\n  // keep\n}\n"
                     "digitalriver.createSource(p);\n", id="a-comment-stops-the-cascade"),
        pytest.param("const p = {type: 'payPal', payPal: {}}\ndo { p.amount = t } while (n > 1)\n;[a, b].forEach(f)\n"
                     "digitalriver.createSource(p)\n",
                     "const p = {type: 'payPal', sessionId: sid, payPal: {}}\n;[a, b].forEach(f)\n"
                     "digitalriver.createSource(p)\n", id="semicolon-less-do-while"),
        pytest.param("let p = {type: 'payPal', payPal: {}}\nif (a) { p.amount = 1 }\n(function () { init() })()\n"
                     "while (b) { p.currency = 'X' }\n  [1, 2].forEach(f)\nlbl: { p.amount = 3 }\n\n`x`.trim()\n"
                     "digitalriver.createSource(p)\n",
                     "let p = {type: 'payPal', sessionId: sid, payPal: {}}\n;(function () { init() })()\n"
                     "  ;[1, 2].forEach(f)\n\n;`x`.trim()\ndigitalriver.createSource(p)\n",
                     id="semicolon-less-blocks-before-risky-lines"),
        pytest.param("var p = {type: 'payPal', payPal: {}};\nfor (var i = 0; i < cart.lines.length; i++) {\n"
                     "  p.payPal.items.push(cart.lines[i]);\n}\nfor (const line of cart.lines) { p.amount = line.total; }\n"
                     "for (k in cart) { p.currency = c; }\ndigitalriver.createSource(p);\n",
                     "var p = {type: 'payPal', sessionId: sid, payPal: {}};\ndigitalriver.createSource(p);\n",
                     id="loops-that-only-count"),
        pytest.param("var base = {type: 'payPal', payPal: {}};\nvar p = Object.assign({}, base, {amount: t, currency: c});\n"
                     "var q = $.extend(true, {}, base, {amount: t} /* kept */, {});\ndigitalriver.createSource(p);\n"
                     "digitalriver.createSource(q);\n",
                     "var base = {type: 'payPal', sessionId: sid, payPal: {}};\nvar p = Object.assign({}, base);\n"
                     "var q = $.extend(true, {}, base /* kept */, {});\ndigitalriver.createSource(p);\n"
                     "digitalriver.createSource(q);\n", id="a-merged-part-emptied-in-an-expression"),
    ],
)
def test_debris_goes_with_the_removal(before: str, after: str) -> None:
    outcome = process_text(before, "a.js", make_config(options=Options(session_id={"js": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed == after
    assert not outcome.leftovers


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        pytest.param("if (a) { p.amount = t; } else { log(a); }", 2, "the `if` with an `else`", id="if-else"),
        pytest.param("for (var i = 0; i < n; i++) { p.amount = t; }\nreport(i);", 2, "the `for` loop",
                     id="for-whose-counter-is-read-after"),
        pytest.param("for (const k of next()) {\n  p.currency = c\n}", 2, "the `for` loop", id="for-of-a-call"),
        pytest.param("for (var j = 0; j < n; j++, tick()) { p.amount = t; }", 2, "the `for` loop",
                     id="for-that-calls"),
        pytest.param("try { p.amount = t; } finally { done(); }", 2, "the `try` statement", id="try"),
        pytest.param("while (next()) { p.amount = t; }", 2, "the `while` loop", id="while-that-calls"),
        pytest.param("function setTotal() { p.amount = t; }\nsetTotal();", 2, "the function body", id="function"),
        pytest.param("outer: while (more) { p.amount = t; }", 2, "the `while` loop", id="the-body-of-a-label"),
        pytest.param("if (z) for (var j = 0; j < n; j++) { p.amount = t; }", 2, "the `for` loop",
                     id="the-body-of-an-unbraced-if"),
        pytest.param("if (y) log(y); else if (w) { p.currency = c; }", 2, "the `if`", id="else-if"),
        pytest.param("if (/* why */ a) { p.amount = t; }", 2, "the `if`", id="a-comment-in-the-condition"),
        pytest.param("if (a) { p.amount = t; } else { p.currency = c; }", 2, "the `if` with an `else`",
                     id="both-branches-emptied"),
    ],
)
def test_a_statement_that_must_stay_is_reported_as_left_empty(body: str, line: int, what: str) -> None:
    before = f"var p = {{type: 'payPal', payPal: {{}}}};\n{body}\ndigitalriver.createSource(p);\n"
    config = make_config(options=Options(session_id={"js": "sid"}))
    checked = process_text(before, "a.js", config, fix=False)
    assert checked.leftovers == ((line, what),)  # what the fix will leave, before it runs
    fixed = process_text(before, "a.js", config, fix=True)
    assert fixed.fixed is not None and "p.amount" not in fixed.fixed and "p.currency" not in fixed.fixed
    assert fixed.leftovers == ((line, what),)
    assert fixed.fixed.splitlines()[line - 1].startswith(body.split()[0])  # the line, in the fixed text


def test_leftovers_are_in_what_is_left_after_fixing_and_in_merged_reports(tmp_path: Path) -> None:
    page = tmp_path / "page.js"
    page.write_text("var p = {type: 'payPal', amount: 1, payPal: {}};\n// shipping\n"
                    "for (var i = 0; i < items.length; i++) { p.payPal.items = items; }\n"
                    "digitalriver.createSource(p);\nreport(i);\n", "utf-8")
    code, out = _invoke("check", str(page))
    assert code == 1 and "the fixes leave 1 statement with an empty block at" in out and "page.js:3" in out
    report = tmp_path / "r.json"
    code, out = _invoke("fix", "--session-id", "sid", "--format", "json", "--output-file", str(report), str(page))
    assert code == 0 and "for (var i = 0; i < items.length; i++) { }" in page.read_text("utf-8")
    (step,) = [s for s in json.loads(report.read_text("utf-8"))["next_steps"] if s["kind"] == "empty-blocks"]
    assert step["after_fix"] is True and step["locations"][0]["line"] == 3
    assert step["locations"][0]["what"] == "the `for` loop"
    merged = CliRunner().invoke(main, ["report", "merge", str(report)])
    out = merged.output
    assert "Tidy by hand: the fixes left 1 statement with an empty block at r: " in out
    assert _invoke("check", str(page))[0] == 0  # drmigrate's part is done; the note was the fix run's


def test_a_php_loop_left_empty_is_named() -> None:
    before = ("<?php\n$data = ['type' => 'payPal', 'payPal' => []];\nforeach ($quote->getItems() as $item) {\n"
              "    $data['payPal']['items'][] = $item;\n}\necho json_encode($data);\n")
    outcome = process_text(before, "a.php", make_config(options=Options(session_id={"php": "$sid"})), fix=True)
    assert outcome.fixed is not None and "['items']" not in outcome.fixed
    assert outcome.leftovers == ((3, "the `foreach` loop"),)


def test_a_template_tag_in_an_emptied_block_keeps_the_block_and_the_tag() -> None:
    before = ("<script>\nvar p = {type: 'payPal', payPal: {returnUrl: '<?= $u ?>'}};\nif (needsShipping) {\n"
              "  <?php if ($block->hasShipping()): ?>\n  p.payPal.shipping = ship;\n  <?php endif; ?>\n}\n"
              "digitalriver.createSource(p);\n</script>\n")
    outcome = process_text(before, "a.phtml", make_config(options=Options(session_id={"js": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed is not None
    assert "p.payPal.shipping" not in outcome.fixed
    assert "if (needsShipping) {\n  <?php if ($block->hasShipping()): ?>\n  <?php endif; ?>\n}" in outcome.fixed



def test_a_template_tag_before_the_semicolon_of_a_write_stays() -> None:
    # semicolon-less: the write ends at the `;` after the tag, so its statement holds the tag
    before = ("<p>{{ title }}</p>\n<script>\nvar p = {type: 'payPal', payPal: {}}\np.amount = total\n{# note #}\n"
              ";[n].forEach(log)\ndigitalriver.createSource(p)\n</script>\n")
    outcome = process_text(before, "page.twig", make_config(options=Options(session_id={"js": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed is not None and "{# note #}" in outcome.fixed
    assert "p.amount = total" in outcome.fixed
    (refused,) = [f for f in outcome.findings if f.code == "DR202"]
    assert "template tag" in refused.message


def test_php_blocks_emptied_in_turn_go_or_are_named() -> None:
    before = ('<?php\n$data = ["type" => "payPal", "payPal" => []];\nif ($a) {\n    if ($b) {\n'
              '        $data["amount"] = $total;\n    }\n}\nforeach ($items as $i) {\n    if ($c) {\n'
              '        $data["currency"] = "USD";\n    }\n}\nif ($x) if ($y) { $data["amount"] = 1; }\n'
              'echo json_encode($data);\n')
    outcome = process_text(before, "a.php", make_config(options=Options(session_id={"php": "$sid"})), fix=True)
    assert not outcome.error and outcome.fixed == (
        '<?php\n$data = ["type" => "payPal", "sessionId" => $sid, "payPal" => []];\nforeach ($items as $i) {\n}\n'
        'if ($x) if ($y) { }\necho json_encode($data);\n')
    assert outcome.leftovers == ((3, "the `foreach` loop"), (5, "the `if`"))
