"""Property tests for the shapes of issue 19, each judged by a parser that is not the one under test.

The generators write every program twice — as it stands, and as the migration should leave it,
from their own model of which values may act and which keys reach the payload — and the fixed
text must be the second program token for token, as a parser drmigrate did not use reads it:

- effects hidden in values: legacy keys and writes whose values are literals, reads, known-pure
  builtins, functions of the file proven pure — or unknown calls, immediately-invoked functions that
  write globals, `new`, `++`, assignments, getters, functions of the file that push to `dataLayer`.
  A pure value goes; a key whose value acts stays (an unsafe fix); a write whose value acts keeps it
  as a statement. Read by tree-sitter (drmigrate reads `.js` with esprima).
- dynamic writes: keys written through a constant list or unknown keys stay, and are reported
  (DR202 per listed legacy key, DR200 for unknown keys); the statement is untouched.
- spreads in server code: Python dicts with `**extra` and PHP arrays with `...$extra` lose their
  legacy keys, keep the spread, get no `sessionId` (the spread may hold one) and a DR100 that says
  so. Read by Python's `ast` (drmigrate reads Python with libcst) and tree-sitter-php's tokens.
- inline handlers: `onclick` / `@click` / `v-on:` / `x-on:` / `(click)` attributes whose code calls
  DigitalRiver.js are fixed in place; Python's `html.parser` (not drmigrate's scanner) finds the
  attributes of the fixed page, and tree-sitter reads their code.

Profiles as in test_properties (`HYPOTHESIS_PROFILE=thorough`: ten times the examples).
"""

from __future__ import annotations

import ast
import os
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drmigrate.engine import Options
from drmigrate.frontends.treesitter_js import parse_tree
from drmigrate.runner import make_config, process_text

_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = 150 * (10 if _PROFILE == "thorough" else 1)
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=_PROFILE == "ci", database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONFIG = make_config(options=Options(session_id={"js": "sid"}))

HELPERS = ("function sum(c) { var t = 0; for (var i = 0; i < c.lines.length; i++) { t += c.lines[i].p; } return t; }\n"
           "function computeTotal(c) { dataLayer.push({t: c.total}); return c.total; }\n")
PURE = ["cart.total", "'EUR'", "12.5", "parseFloat(cart.total).toFixed(2)", "Math.round(t * 100)", "sum(cart)",
        "cart.lines.map(l => l.p)", "`${cart.total}`", "-1", "cart['currency']", "String(n).toUpperCase()"]
ACTS = ["computeTotal(cart)", "cart.getTotal()", "(function () { window.lastTotal = t; return t; })()",
        "(() => { localStorage.setItem('t', t); return t; })()", "new Money(t)", "totals[i++]",
        "order.total = t", "format(t)", "cart.lines.map(l => track(l))"]
TYPES = ["payPal", "directDebit", "wireTransfer", "klarnaCredit"]


def js_tokens(text: str) -> list[str]:
    """The leaves of tree-sitter's tree (comments aside), with a comma before a closing brace
    dropped: the layout of separators is not what these tests judge."""
    tree, data = parse_tree(text, "javascript")
    assert not tree.root_node.has_error, text
    out: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            continue
        if node.child_count == 0:
            out.append(data[node.start_byte:node.end_byte].decode("utf-8"))
        stack.extend(reversed(node.children))
    return [t for i, t in enumerate(out) if not (t == "," and i + 1 < len(out) and out[i + 1] in "}])")]


@dataclass(frozen=True)
class Program:
    before: str
    expected: str
    unsafe: int  # legacy keys left as unsafe fixes
    name: str = "a.js"


@st.composite
def effect_programs(draw: st.DrawFn) -> Program:
    source_type = draw(st.sampled_from(TYPES))
    keys = draw(st.lists(st.sampled_from(["amount", "currency"]), unique=True, max_size=2))
    values = {k: draw(st.sampled_from(PURE + ACTS)) for k in keys}
    writes = draw(st.lists(st.tuples(st.sampled_from(["amount", "currency"]), st.sampled_from(PURE + ACTS)),
                           max_size=2, unique_by=lambda w: w[0]))
    writes = [w for w in writes if w[0] not in keys]
    getter = draw(st.sampled_from([None, "track()", "cart.total"])) if "amount" not in keys else None
    entries = [f"type: '{source_type}'", *(f"{k}: {values[k]}" for k in keys), f"{source_type}: {{returnUrl: u}}"]
    kept = [f"type: '{source_type}'", "sessionId: sid", *(f"{k}: {values[k]}" for k in keys if values[k] in ACTS),
            f"{source_type}: {{returnUrl: u}}"]
    if getter is not None:
        body = f"get amount() {{ {getter}; return t; }}" if getter == "track()" else "get amount() { return cart.total; }"
        entries.insert(1, body)
        if getter == "track()":
            kept.insert(2, body)
    lines = [f"p.{k} = {v};" for k, v in writes]
    kept_lines = [f"{v};" for _, v in writes if v in ACTS]
    before = HELPERS + f"var p = {{{', '.join(entries)}}};\n" + "".join(f"{line}\n" for line in lines) + \
        "digitalriver.createSource(p);\n"
    expected = HELPERS + f"var p = {{{', '.join(kept)}}};\n" + "".join(f"{line}\n" for line in kept_lines) + \
        "digitalriver.createSource(p);\n"
    unsafe = sum(values[k] in ACTS for k in keys) + (getter == "track()")
    return Program(before, expected, unsafe)


@given(effect_programs())
@_SETTINGS
def test_effects_in_values_are_never_dropped(program: Program) -> None:
    outcome = process_text(program.before, program.name, CONFIG, fix=True)
    assert not outcome.error and not [f for f in outcome.findings if f.code == "DR203"], outcome.findings
    fixed = outcome.fixed or program.before
    assert js_tokens(fixed) == js_tokens(program.expected), fixed
    hidden = [f for f in outcome.initial if f.code in ("DR101", "DR102") and f.fix == "unsafe"]
    assert len(hidden) == program.unsafe
    assert not [f for f in outcome.initial if f.code == "DR202"]


LISTS = [("['amount', 'currency']", ["amount", "currency"]), ("['amount']", ["amount"]),
         ("['owner']", []), ("['currency', 'amount', 'owner']", ["currency", "amount"])]


@st.composite
def dynamic_programs(draw: st.DrawFn) -> tuple[str, Counter[str], bool]:
    listed, legacy = draw(st.sampled_from(LISTS))
    form = draw(st.sampled_from(["forEach", "for-of", "entries", "for-in"]))
    const = draw(st.booleans())
    head = f"var FIELDS = {listed};\n" if const else ""
    walk = "FIELDS" if const else listed
    line = {"forEach": f"{walk}.forEach(f => p[f] = cart[f]);",
            "for-of": f"for (const f of {walk}) {{ p[f] = cart[f]; }}",
            "entries": "Object.entries(t).forEach(([k, v]) => p[k] = v);",
            "for-in": "for (var k in t) { p[k] = t[k]; }"}[form]
    known = form in ("forEach", "for-of")
    text = (f"{head}var p = {{type: 'payPal', payPal: {{returnUrl: u}}}};\n{line}\n"
            "digitalriver.createSource(p);\n")
    codes = Counter({"DR202": len(legacy)} if known else {"DR200": 1})
    return text, codes, known


@given(dynamic_programs())
@_SETTINGS
def test_dynamic_writes_are_reported_and_never_edited(case: tuple[str, Counter[str], bool]) -> None:
    text, codes, known = case
    outcome = process_text(text, "a.js", CONFIG, fix=True)
    assert not outcome.error
    found = Counter(f.code for f in outcome.initial if f.code in ("DR200", "DR202"))
    assert found == +codes
    fixed = outcome.fixed or text
    line = text.splitlines()[-2]
    assert line in fixed.splitlines()  # the write stays as it was
    # sessionId goes in only when no unknown key can set it
    assert ("sessionId: sid" in fixed) == known
    js_tokens(fixed)


@st.composite
def server_programs(draw: st.DrawFn) -> tuple[str, str, str]:
    language = draw(st.sampled_from(["python", "php"]))
    source_type = draw(st.sampled_from(TYPES))
    legacy = draw(st.lists(st.sampled_from(["amount", "currency"]), unique=True, min_size=1, max_size=2))
    order = draw(st.permutations(["type", "spread", source_type, *legacy]))
    # a legacy key may also arrive by a merge after the literal: the statement goes with its keys
    merged = draw(st.sampled_from([None, *legacy]))
    order = [k for k in order if k != merged]
    if language == "python":
        piece = {"type": f"'type': '{source_type}'", "spread": "**extra", source_type: f"'{source_type}': {{'returnUrl': u}}",
                 "amount": "'amount': cart.total", "currency": "'currency': 'EUR'"}
        body = ", ".join(piece[k] for k in order)
        kept = ", ".join(piece[k] for k in order if k not in legacy)
        merge = draw(st.sampled_from(["payload |= {{{}}}", "payload.update({})"])) if merged else ""
        value = piece[merged] if merged else ""
        if merge.startswith("payload.update"):
            value = value.replace("'", "", 2).replace(": ", "=", 1)  # keywords: update(amount=cart.total)
        line = f"    {merge.format(value)}\n" if merged else ""
        wrap = "import json\n\ndef view(cart, extra):\n    payload = {{{}}}\n{}    return json.dumps(payload)\n"
        return "a.py", wrap.format(body, line), wrap.format(kept, "")
    piece = {"type": f"'type' => '{source_type}'", "spread": "...$extra",
             source_type: f"'{source_type}' => ['returnUrl' => $u]", "amount": "'amount' => $total",
             "currency": "'currency' => 'EUR'"}
    body = ", ".join(piece[k] for k in order)
    kept = ", ".join(piece[k] for k in order if k not in legacy)
    line = f"$payload += [{piece[merged]}];\n" if merged else ""
    wrap = "<?php\n$payload = [{}];\n{}echo json_encode($payload);\n"
    return "a.php", wrap.format(body, line), wrap.format(kept, "")


def php_tokens(text: str) -> list[str]:
    import tree_sitter_php
    from tree_sitter import Language, Parser

    data = text.encode("utf-8")
    tree = Parser(Language(tree_sitter_php.language_php())).parse(data)
    assert not tree.root_node.has_error, text
    out: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.child_count == 0:
            out.append(data[node.start_byte:node.end_byte].decode("utf-8"))
        stack.extend(reversed(node.children))
    return out


@given(server_programs())
@_SETTINGS
def test_server_payloads_with_spreads_lose_their_legacy_keys_and_say_so(case: tuple[str, str, str]) -> None:
    name, before, expected = case
    outcome = process_text(before, name, make_config(), fix=True)
    assert not outcome.error and not [f for f in outcome.findings if f.code == "DR203"]
    fixed = outcome.fixed or before
    if name == "a.py":
        assert ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(expected))
    else:
        assert php_tokens(fixed) == php_tokens(expected)
    missing = [f for f in outcome.findings if f.code == "DR100"]
    assert len(missing) == 1 and "may set it" in missing[0].message  # no silent green, no guessed sessionId


ATTRIBUTES = ["onclick", "@click", "v-on:click.prevent", "x-on:click", "(click)", "onsubmit"]


class _Handlers(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend((k, v or "") for k, v in attrs if k in ATTRIBUTES)


def handlers(page: str) -> list[tuple[str, str]]:
    parser = _Handlers()
    parser.feed(page)
    parser.close()
    return parser.found


@st.composite
def handler_pages(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    rows = []
    expected = []
    for _ in range(draw(st.integers(1, 3))):
        attribute = draw(st.sampled_from(ATTRIBUTES))
        quote, inner = draw(st.sampled_from([('"', "'"), ("'", '"')]))
        source_type = draw(st.sampled_from(TYPES))
        legacy = draw(st.lists(st.sampled_from(["amount", "currency"]), unique=True, max_size=2))
        entries = [f"type: {inner}{source_type}{inner}", *(f"{k}: {draw(st.sampled_from(PURE[:3]))}".replace("'", inner)
                                                             for k in legacy), f"{source_type}: {{}}"]
        kept = [entries[0], "sessionId: sid", entries[-1]]
        tail = draw(st.sampled_from(["", ".then(done)", "; return false"]))
        code = f"drjs.createSource({{{', '.join(entries)}}}){tail}"
        rows.append(f"<button {attribute}={quote}{code}{quote}>Pay</button>")
        expected.append((attribute, f"drjs.createSource({{{', '.join(kept)}}}){tail}"))
    page = ("<html><head></head><body>\n<script>var drjs = new DigitalRiver('k');</script>\n"
            + "\n".join(rows) + "\n</body></html>\n")
    return page, expected


@given(handler_pages())
@_SETTINGS
def test_inline_handlers_are_fixed_in_place(case: tuple[str, list[tuple[str, str]]]) -> None:
    page, expected = case
    outcome = process_text(page, "a.html", CONFIG, fix=True)
    assert not outcome.error and not [f for f in outcome.findings if f.code in ("DR203", "DR204")]
    fixed = outcome.fixed or page
    got = handlers(fixed)
    assert [a for a, _ in got] == [a for a, _ in expected]
    for (_, code), (_, want) in zip(got, expected):
        wrapped = "function handler() { %s }"
        assert js_tokens(wrapped % code) == js_tokens(wrapped % want)
    assert handlers(page) != got or not any(f.fix_applicable for f in outcome.initial)
