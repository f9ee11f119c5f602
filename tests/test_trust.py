"""Fixes that can be trusted: one regression test per class of wrong fix found by review (issue 10).

Every case runs through the real pipeline (`process_text`, the fix guard included) and is judged
twice: by its exact expected text, and for JavaScript by the parser that did *not* read it
(tree-sitter for esprima files, esprima for tree-sitter files where it can), which must read the
fixed text and find the same program shape as in the expected text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import esprima
import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.engine import Options
from drmigrate.frontends.treesitter_js import parse_tree
from drmigrate.runner import Outcome, make_config, process_text

SID = {"js": "sid", "python": "sid", "php": "$sid"}


def run(text: str, name: str = "a.js", **options: object) -> Outcome:
    opts = Options(session_id=SID, **options)  # type: ignore[arg-type]
    return process_text(text, name, make_config(options=opts), fix=True)


def fixed(text: str, name: str = "a.js", **options: object) -> str:
    outcome = run(text, name, **options)
    assert not outcome.error, outcome.error
    assert not [f for f in outcome.findings if f.code == "DR203"], outcome.findings
    return outcome.fixed if outcome.fixed is not None else text


def codes(text: str, name: str = "a.js", **options: object) -> list[str]:
    return [f.code for f in run(text, name, **options).findings]


def _esprima_shape(text: str) -> str:
    return json.dumps(_strip(esprima.parseScript(text, {"jsx": False}).toDict()), sort_keys=True)


def _strip(node: object) -> object:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in ("range", "loc", "raw")}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _tree_sitter_shape(text: str) -> str:
    tree, _ = parse_tree(text, "javascript")
    assert not tree.root_node.has_error, text
    return str(tree.root_node)


def check_js(before: str, after: str, name: str = "a.js") -> None:
    """fix(before) == after, and the other parser agrees that it is the same program as `after`."""
    got = fixed(before, name)
    assert got == after
    assert _tree_sitter_shape(got) == _tree_sitter_shape(after)
    try:
        want_shape = _esprima_shape(after)
    except esprima.Error:
        return  # modern syntax only tree-sitter reads
    assert _esprima_shape(got) == want_shape


# --- 1. removing two keys never deletes what lies between them -------------------------------------

@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("digitalriver.createSource({type: 'konbini', amount: a, ...extra, currency: 'JPY', storeId: s});\n",
                     "digitalriver.createSource({type: 'konbini', ...extra, storeId: s});\n", id="spread"),
        pytest.param("digitalriver.createSource({type: 'konbini', amount: a, [k]: v, currency: 'JPY'});\n",
                     "digitalriver.createSource({type: 'konbini', [k]: v});\n", id="computed"),
        pytest.param("digitalriver.createSource({\n  type: 'payPal',\n  payPal: {\n    items: i,\n    ...more,\n"
                     "    shipping: s,\n    returnUrl: u\n  }\n});\n",
                     "digitalriver.createSource({\n  type: 'payPal',\n  sessionId: sid,\n  payPal: {\n    ...more,\n"
                     "    returnUrl: u\n  }\n});\n", id="nested-hash"),
    ],
)
def test_1_javascript_neighbours_stay(before: str, after: str) -> None:
    check_js(before, after)


def test_1_python_and_php_neighbours_stay() -> None:
    py = 'import json\np = {"type": "konbini", "amount": a, **extra, k: v, "currency": "JPY", "konbini": {}}\nout = json.dumps(p)\n'
    assert fixed(py, "a.py") == py.replace('"amount": a, ', "").replace('"currency": "JPY", ', "")
    php = "<?php\n$p = ['type' => 'konbini', 'amount' => $a, ...$extra, $k => $v, 'currency' => 'JPY', 'konbini' => []];\n"
    assert fixed(php, "a.php") == php.replace("'amount' => $a, ", "").replace("'currency' => 'JPY', ", "")


# --- 2. template tags are never deleted with a property --------------------------------------------

@pytest.mark.parametrize(
    ("name", "inner", "between"),
    [
        pytest.param("p.twig", "  {% if x %}\n  currency: 'USD',\n  {% endif %}\n", "{% if x %}", id="twig-if"),
        pytest.param("p.erb", "  <% if x %>\n  currency: 'USD',\n  <% end %>\n", "<% end %>", id="erb-end"),
        pytest.param("p.erb", "  <%# legacy %>\n  currency: 'USD',\n", "<%# legacy %>", id="erb-comment"),
        pytest.param("p.twig", "  currency: 'USD', {# legacy #}\n", "{# legacy #}", id="twig-comment-after"),
        pytest.param("p.phtml", "  currency: 'USD',\n  <?php // legacy ?>\n", "<?php // legacy ?>", id="php-comment"),
    ],
)
def test_2_template_tags_stay(name: str, inner: str, between: str) -> None:
    before = f"<script>\ndigitalriver.createSource({{\n  type: 'payPal',\n  amount: 1,\n{inner}  payPal: {{returnUrl: u}}\n}});\n</script>\n"
    got = fixed(before, name)
    assert between in got
    assert "amount" not in got and "currency" not in got
    assert got.count("<") - got.count("<script") - got.count("</script") == before.count("<") - 2


# --- 3. statement removal knows ASI ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("const p = {type: 'directDebit', owner: o}\np.amount = t\n;[a, b].forEach(f)\ndigitalriver.createSource(p)\n",
                     "const p = {type: 'directDebit', sessionId: sid, owner: o}\n;[a, b].forEach(f)\ndigitalriver.createSource(p)\n",
                     id="guarding-semicolon-kept"),
        pytest.param("const p = {type: 'directDebit', owner: o}\np.amount = t;\n[a, b].forEach(f)\ndigitalriver.createSource(p)\n",
                     "const p = {type: 'directDebit', sessionId: sid, owner: o}\n;\n[a, b].forEach(f)\ndigitalriver.createSource(p)\n",
                     id="own-semicolon-kept"),
        pytest.param("const p = {type: 'directDebit', owner: o}\np.amount = t\np.currency = c\n;(g || h)()\ndigitalriver.createSource(p)\n",
                     "const p = {type: 'directDebit', sessionId: sid, owner: o}\n;(g || h)()\ndigitalriver.createSource(p)\n",
                     id="run-of-two"),
        pytest.param("const p = {type: 'directDebit', owner: o};\np.amount = t;\n[a, b].forEach(f);\ndigitalriver.createSource(p);\n",
                     "const p = {type: 'directDebit', sessionId: sid, owner: o};\n[a, b].forEach(f);\ndigitalriver.createSource(p);\n",
                     id="with-semicolons-no-guard"),
    ],
)
def test_3_asi(before: str, after: str) -> None:
    check_js(before, after)


# --- 4. scopes are bindings, not names -------------------------------------------------------------

def test_4_block_scoped_stripe_payload_keeps_its_write() -> None:
    before = ("if (x) {\n  let payload = {type: 'card'};\n  payload.amount = 5;\n  stripe.createSource(payload);\n"
              "} else {\n  let payload = {type: 'directDebit', owner: o};\n  payload.amount = 5;\n"
              "  digitalriver.createSource(payload);\n}\n")
    after = before.replace("owner: o};\n  payload.amount = 5;\n", "sessionId: sid, owner: o};\n")
    check_js(before, after)


@pytest.mark.parametrize(
    "before",
    [
        pytest.param("var p = {};\np.amount = 5;\nsendToStripe(p);\np = {type: 'directDebit', owner: o};\n"
                     "digitalriver.createSource(p);\n", id="write-before-reassignment"),
        pytest.param("try { go(); } catch (p) { p.amount = 5; }\nvar p = {type: 'directDebit', owner: o};\n"
                     "digitalriver.createSource(p);\n", id="catch-parameter"),
        pytest.param("for (const p of list) { p.amount = 5; }\nvar p = {type: 'directDebit', owner: o};\n"
                     "digitalriver.createSource(p);\n", id="for-of-head"),
    ],
)
def test_4_other_bindings_keep_their_writes(before: str) -> None:
    got = fixed(before)
    assert got.count("p.amount = 5;") == 1
    assert "sessionId: sid" in got


# --- 5. objects other code also uses are never emptied ---------------------------------------------

@pytest.mark.parametrize(
    "before",
    [
        pytest.param("var base = {amount: t, currency: 'USD'};\nstripe.createSource({...base, type: 'card'});\n"
                     "digitalriver.createSource({...base, type: 'directDebit', owner: o});\n", id="spread-base"),
        pytest.param("var base = {amount: t, currency: 'USD'};\nsummary.render(base);\n"
                     "digitalriver.createSource(Object.assign({type: 'directDebit', owner: o}, base));\n",
                     id="assign-source"),
        pytest.param("function totals() { return {amount: t, currency: 'USD'}; }\nanalytics.send(totals());\n"
                     "digitalriver.createSource({...totals(), type: 'directDebit', owner: o});\n", id="helper"),
    ],
)
def test_5_shared_objects_keep_their_keys(before: str) -> None:
    outcome = run(before)
    got = outcome.fixed or before
    assert "amount: t, currency: 'USD'" in got
    refused = [f for f in outcome.findings if f.code == "DR202"]
    assert len(refused) == 2 and all("also used by" in f.message for f in refused)


# --- 6. side effects are never dropped -------------------------------------------------------------

@pytest.mark.parametrize(
    ("write", "kept"),
    [
        pytest.param("p.amount = recordTotal(cart);", "recordTotal(cart);", id="call"),
        pytest.param("p.amount = totals[i++];", "totals[i++];", id="increment"),
        pytest.param("p.amount = order.total = x;", "order.total = x;", id="chained-assignment"),
        pytest.param("p.amount = (reserve(cart));", "reserve(cart);", id="parenthesized"),
    ],
)
def test_6_write_keeps_its_effects(write: str, kept: str) -> None:
    before = f"var p = {{type: 'directDebit', owner: o}};\n{write}\ndigitalriver.createSource(p);\n"
    after = f"var p = {{type: 'directDebit', sessionId: sid, owner: o}};\n{kept}\ndigitalriver.createSource(p);\n"
    check_js(before, after)


def test_6_server_writes_keep_their_effects() -> None:
    py = ('async def view(cart):\n    payload = {"type": "directDebit", "owner": o}\n'
          '    payload["amount"] = await cart.reserve()\n    return json.dumps(payload)\n')
    assert "    await cart.reserve()\n" in fixed(py, "a.py")
    php = "<?php\n$data = ['type' => 'directDebit', 'owner' => $o];\n$data['amount'] = $cart->reserveTotal();\necho json_encode($data);\n"
    assert "\n$cart->reserveTotal();\n" in fixed(php, "a.php")


def test_6_a_key_whose_value_acts_stays_unless_unsafe() -> None:
    before = "digitalriver.createSource({type: 'directDebit', owner: o, amount: recordTotal(cart)});\n"
    assert "recordTotal(cart)" in fixed(before)
    amount = [f for f in run(before).initial if f.code == "DR101"]
    assert len(amount) == 1 and amount[0].fix == "unsafe" and not amount[0].fix_applicable
    assert "DR202" not in codes(before)
    assert "recordTotal" not in fixed(before, unsafe_fixes=True)


# --- 7. fields still read elsewhere stay -----------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "before", "field"),
    [
        pytest.param("a.js", "var p = {type: 'directDebit', owner: o, amount: t, currency: 'EUR'};\n"
                             "digitalriver.createSource(p).then(() => track(p.amount));\n", "amount", id="callback"),
        pytest.param("a.js", "var p = {type: 'directDebit', owner: o, amount: t, currency: 'EUR'};\n"
                             "digitalriver.createSource(p);\nconst {amount} = p;\n", "amount", id="destructuring"),
        pytest.param("a.js", "var p = {type: 'directDebit', owner: o, amount: t, currency: 'EUR'};\n"
                             "p.amount += ship;\ndigitalriver.createSource(p);\n", "amount", id="compound"),
        pytest.param("a.ts", "let p = {type: 'directDebit', owner: o, amount: t, currency: 'EUR'};\n"
                             "p.currency ??= 'USD';\ndigitalriver.createSource(p);\n", "currency", id="logical"),
        pytest.param("a.py", 'def v():\n    p = {"type": "directDebit", "owner": o, "amount": 1, "currency": "EUR"}\n'
                             '    del p["currency"]\n    return json.dumps(p)\n', "currency", id="py-del"),
        pytest.param("a.py", 'def v():\n    p = {"type": "directDebit", "owner": o, "amount": 1, "currency": "EUR"}\n'
                             '    total = p.pop("amount")\n    return json.dumps(p)\n', "amount", id="py-pop"),
        pytest.param("a.py", 'def v():\n    payload = {"type": "directDebit", "owner": o, "amount": 1}\n'
                             '    log(payload["amount"])\n    return payload\n', "amount", id="py-read"),
        pytest.param("a.php", "<?php\n$data = ['type' => 'directDebit', 'owner' => $o, 'amount' => 1];\n"
                              "$x = $data['amount'];\necho json_encode($data);\n", "amount", id="php-read"),
    ],
)
def test_7_read_fields_stay(name: str, before: str, field: str) -> None:
    outcome = run(before, name)
    got = outcome.fixed or before
    assert got.count(field) == before.count(field)
    assert any(f.code == "DR202" and ("read" in f.message or "updated" in f.message or "deleted" in f.message)
               for f in outcome.findings)


# --- 8. a dict that is not a payload is left alone -------------------------------------------------

def test_8_ui_choices_are_not_payloads() -> None:
    text = 'CHOICES = [{"type": "payPal", "label": "PayPal", "currency": "USD"}]\nout = json.dumps(CHOICES)\n'
    assert run(text, "a.py").findings == ()
    assert fixed(text, "a.py") == text


# --- 9. comments after `type` with a neighbour on the same line ------------------------------------

@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        pytest.param("a.js", "digitalriver.createSource({type: 'creditCard', /* saved */ owner: o});\n",
                     "digitalriver.createSource({type: 'creditCard', sessionId: sid, /* saved */ owner: o});\n",
                     id="js"),
        pytest.param("a.js", "digitalriver.createSource({\n  type: 'creditCard', /* saved */ owner: o\n});\n",
                     "digitalriver.createSource({\n  type: 'creditCard', sessionId: sid, /* saved */ owner: o\n});\n",
                     id="js-multi-line"),
        pytest.param("a.py", 'p = {"type": "creditCard", # saved\n     "owner": o}\nout = json.dumps(p)\n',
                     'p = {"type": "creditCard", "sessionId": sid, # saved\n     "owner": o}\nout = json.dumps(p)\n',
                     id="python"),
        pytest.param("a.php", "<?php\n$p = ['type' => 'creditCard', /* saved */ 'owner' => $o];\necho json_encode($p);\n",
                     "<?php\n$p = ['type' => 'creditCard', 'sessionId' => $sid, /* saved */ 'owner' => $o];\necho json_encode($p);\n",
                     id="php"),
    ],
)
def test_9_comment_after_type(name: str, before: str, after: str) -> None:
    assert fixed(before, name) == after


# --- 10, 11, 12: errors stay one line, exit 2 ------------------------------------------------------

def _cli(tmp_path: Path, name: str, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return subprocess.run([sys.executable, "-m", "drmigrate.cli", *args, str(path)],
                          check=False, capture_output=True, text=True, cwd=tmp_path)


def test_10_deep_python_nesting_is_one_line_exit_2(tmp_path: Path) -> None:
    text = 'import json\np = {"type": "payPal", "payPal": {}, "x": ' + "[" * 300 + "]" * 300 + "}\njson.dumps(p)\n"
    done = _cli(tmp_path, "deep.py", text, "check")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "deep.py" in done.stdout


def test_11_a_file_that_does_not_parse_is_never_fixed(tmp_path: Path) -> None:
    text = 'digitalriver.createSource({type: "payPal", amount: 1,,})\n'
    done = _cli(tmp_path, "bad.js", text, "fix")
    assert done.returncode == 2
    assert "cannot parse" in done.stdout
    assert (tmp_path / "bad.js").read_text("utf-8") == text


@pytest.mark.parametrize(
    ("expr", "ok"),
    [
        ("x, y", False), ("x // c", False), ("x /* c */", False), ("a) + (b", False), ("x; y", False),
        ("import.meta.env.VITE_SESSION", True), ("checkout.payment.session.id", True), ("(a, b)", True),
    ],
)
def test_12_session_id_is_exactly_one_expression(tmp_path: Path, expr: str, ok: bool) -> None:
    (tmp_path / "a.js").write_text("digitalriver.createSource({type: 'directDebit', owner: o});\n", "utf-8")
    result = CliRunner().invoke(main, ["fix", "--session-id", expr, str(tmp_path / "a.js")])
    if ok:
        assert result.exit_code in (0, 1), result.output
        assert f"sessionId: {expr}," in (tmp_path / "a.js").read_text("utf-8")
    else:
        assert result.exit_code == 2
        assert "single JavaScript expression" in result.output


# --- 13. one fix settles the file ------------------------------------------------------------------

def test_13_many_duplicate_keys_settle_in_one_fix() -> None:
    before = "digitalriver.createSource({type: 'directDebit', owner: o" + ", amount: 1" * 12 + "});\n"
    once = fixed(before)
    assert once == "digitalriver.createSource({type: 'directDebit', sessionId: sid, owner: o});\n"
    assert fixed(once) == once
