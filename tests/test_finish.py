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
    ],
)
def test_debris_goes_with_the_removal(before: str, after: str) -> None:
    outcome = process_text(before, "a.js", make_config(options=Options(session_id={"js": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed == after
