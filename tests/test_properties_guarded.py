"""Property tests for the shapes that broke fixes before the guard (issue 10), judged by an oracle of
their own: the generator writes each program twice — as it stands, and as the migration should
leave it — and the fixed text must be the second program for esprima (syntax tree modulo layout,
the same comments) and for tree-sitter (the same tree, no error), the parser drmigrate did not use.

Shapes: spreads and computed entries between legacy keys; comments in every gap; template tags
around entries (`.twig`); code without semicolons, with `;[...]` / `;(...)` lines after the removed
writes; writes whose value has side effects; a shadowing `let` of the same name in a block that
feeds Stripe; a spread base shared with a Stripe payload; a legacy field read after the call.

Profiles as in test_properties (`HYPOTHESIS_PROFILE=thorough`: ten times the examples).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass

import esprima
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drmigrate.engine import Options
from drmigrate.frontends.treesitter_js import parse_tree
from drmigrate.runner import make_config, process_text

_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = 400 * (10 if _PROFILE == "thorough" else 1)
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=_PROFILE == "ci", database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONFIG = make_config(options=Options(session_id={"js": "sid"}))

TYPES = ["directDebit", "wireTransfer", "konbini", "payco", "bankTransfer", "bPay", "codJapan"]
LEGACY = ["amount", "currency"]
VALUES = ["t", "0", "'EUR'", "cart.total", "[1, 2]", "{a: 1}"]
EFFECT_VALUES = ["record(c)", "totals[i++]", "order.total = x", "(track)(c)"]
COMMENTS = ["/* a */", "/* amount: 1, */", "/* } */"]
TAGS = ["{# note #}", "{# amount: 1 #}"]


@dataclass(frozen=True)
class Entry:
    text: str  # `key: value`, `...spread`, `[k]: v`
    legacy: bool = False  # removed by the fix
    opaque: bool = False  # a spread or computed key: it may set sessionId, so none is inserted
    lead: str = ""  # a comment or tag before it
    trail: str = ""  # a comment after its comma


@dataclass(frozen=True)
class Program:
    before: str
    expected: str
    template: bool


@st.composite
def entries(draw: st.DrawFn, source_type: str, gaps: list[str]) -> list[Entry]:
    kept = [Entry("owner: o"), Entry(f"{source_type}: {{returnUrl: u}}")]
    legacy = [Entry(f"{k}: {draw(st.sampled_from(VALUES))}", legacy=True)
              for k in draw(st.lists(st.sampled_from(LEGACY), min_size=1, max_size=3))]
    opaque = draw(st.lists(st.sampled_from([Entry("...extra", opaque=True), Entry("[k]: v", opaque=True)]),
                           max_size=2))
    body = draw(st.permutations(kept + legacy + opaque))
    position = draw(st.integers(0, len(body)))
    body.insert(position, Entry(f"type: '{source_type}'"))
    out = []
    for e in body:
        lead = draw(st.sampled_from(["", "", *gaps]))
        trail = draw(st.sampled_from(["", "", *[g for g in gaps if g.startswith("/*")]]))
        out.append(Entry(e.text, e.legacy, e.opaque, lead, trail))
    return out


def render_object(items: list[Entry], *, multiline: bool, trailing: bool, insert: bool) -> str:
    """The object literal; with `insert`, `sessionId: sid` follows `type`."""
    shown: list[Entry] = []
    for e in items:
        shown.append(e)
        if insert and e.text.startswith("type:"):
            shown.append(Entry("sessionId: sid"))
    real = [i for i, e in enumerate(shown) if e.text]
    parts = []
    for i, e in enumerate(shown):
        if not e.text:  # only the comments of a removed entry
            parts.append("".join(f"  {c}\n" if multiline else f"{c} " for c in (e.lead, e.trail) if c))
            continue
        comma = "," if i < real[-1] or trailing else ""
        trail = f" {e.trail}" if e.trail else ""
        if multiline:
            lead = f"  {e.lead}\n" if e.lead else ""
            parts.append(f"{lead}  {e.text}{comma}{trail}\n")
        else:
            lead = f"{e.lead} " if e.lead else ""
            parts.append(f"{lead}{e.text}{comma}{trail}")
    return "{\n" + "".join(parts) + "}" if multiline else "{" + " ".join(parts) + "}"


@st.composite
def programs(draw: st.DrawFn) -> Program:
    source_type = draw(st.sampled_from(TYPES))
    template = draw(st.booleans())
    multiline = draw(st.booleans()) or template
    gaps = COMMENTS + (TAGS if template else [])
    items = draw(entries(source_type, gaps if multiline else COMMENTS))
    trailing = draw(st.booleans())
    semi = "" if draw(st.booleans()) else ";"
    shared = draw(st.booleans())
    read = draw(st.sampled_from([None, *LEGACY]))
    writes = draw(st.lists(st.tuples(st.sampled_from(LEGACY), st.sampled_from(VALUES + EFFECT_VALUES)),
                           max_size=3))
    hazard = draw(st.sampled_from(["", ";[a, b].forEach(f)", ";(g || h)()"])) if not semi else ""
    shadow = draw(st.booleans())
    # what stays: a field read after the call keeps every place of it
    stays = {read} if read else set()
    # a removed entry's comments and tags stay (where exactly is layout: the oracle ignores it)
    kept_items = [e if not e.legacy or e.text.split(":")[0] in stays else Entry("", lead=e.lead, trail=e.trail)
                  for e in items]
    insert = not any(e.opaque for e in items)
    lines_before: list[str] = []
    lines_after: list[str] = []
    if shadow:
        block = ("if (z) {\n  let p = {type: 'card'}\n  p.amount = 5\n  stripe.createSource(p)\n}")
        lines_before.append(block)
        lines_after.append(block)
    if shared:
        base = f"const base = {{amount: s, currency: 'EUR'}}{semi}"
        stripe = f"stripe.createSource({{...base, type: 'card'}}){semi}"
        lines_before += [base, stripe]
        lines_after += [base, stripe]
    obj_before = render_object(([Entry("...base")] if shared else []) + items, multiline=multiline,
                               trailing=trailing, insert=False)
    obj_after = render_object(([Entry("...base")] if shared else []) + kept_items, multiline=multiline,
                              trailing=trailing, insert=insert)
    lines_before.append(f"const p = {obj_before}{semi}")
    lines_after.append(f"const p = {obj_after}{semi}")
    for field, value in writes:
        lines_before.append(f"p.{field} = {value}{semi}")
        if field in stays:
            lines_after.append(f"p.{field} = {value}{semi}")
        elif value in EFFECT_VALUES:
            lines_after.append(f"{';' if not semi and value.startswith('(') else ''}"
                               f"{value.split(' = ', 1)[0] if False else _kept(value)}{semi}")
    if hazard:
        lines_before.append(hazard)
        lines_after.append(hazard)
    call = f"digitalriver.createSource(p){semi}"
    if read:
        call = f"digitalriver.createSource(p).then(() => track(p.{read})){semi}"
    lines_before.append(call)
    lines_after.append(call)
    before = "\n".join(lines_before) + "\n"
    expected = "\n".join(lines_after) + "\n"
    if template:
        before = f"<p>{{{{ title }}}}</p>\n<script>\n{before}</script>\n"
        expected = f"<p>{{{{ title }}}}</p>\n<script>\n{expected}</script>\n"
    return Program(before, expected, template)


def _kept(value: str) -> str:
    """What stays of a removed write's value: the value itself, as a statement."""
    return value


_TAG = re.compile(r"\{#(.*?)#\}")


def _script(text: str, template: bool) -> str:
    """The JavaScript of a program; a template's `{# #}` tags read as block comments (the test's own
    masking, not drmigrate's)."""
    if not template:
        return text
    body = text.split("<script>\n", 1)[1].rsplit("</script>", 1)[0]
    return _TAG.sub(lambda m: f"/*TAG{m.group(1)}*/", body)


def _esprima(text: str) -> tuple[str, Counter[str]]:
    tree = esprima.parseScript(text, {"comment": True})
    data = tree.toDict()
    comments = Counter(c["value"] for c in data.pop("comments", []))
    return json.dumps(_strip(data), sort_keys=True), comments


def _strip(node: object) -> object:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in ("range", "loc")}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _tree_sitter(text: str) -> str:
    """tree-sitter's tree without its comment nodes (where a comment sits is layout)."""
    tree, _ = parse_tree(text, "javascript")
    assert not tree.root_node.has_error, text
    return str(tree.root_node).replace(" (comment)", "").replace("(comment) ", "")


@_SETTINGS
@given(programs())
def test_fix_is_the_expected_program(program: Program) -> None:
    name = "page.twig" if program.template else "page.js"
    outcome = process_text(program.before, name, CONFIG, fix=True)
    assert not outcome.error, outcome.error
    assert not [f for f in outcome.findings if f.code == "DR203"], [f.message for f in outcome.findings]
    fixed = outcome.fixed if outcome.fixed is not None else program.before
    got, want = _script(fixed, program.template), _script(program.expected, program.template)
    assert _esprima(got) == _esprima(want), f"\n--- fixed\n{fixed}\n--- expected\n{program.expected}"
    assert _tree_sitter(got) == _tree_sitter(want)
    if program.template:
        assert _TAG.findall(fixed) == _TAG.findall(program.expected)
        assert fixed.startswith("<p>{{ title }}</p>\n<script>\n") and fixed.endswith("</script>\n")
    # one fix settles it
    again = process_text(fixed, name, CONFIG, fix=True)
    assert again.fixed is None
