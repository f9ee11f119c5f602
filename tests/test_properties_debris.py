"""Generated programs of nested blocks around payload writes: the fix must remove exactly the
statements a removal empties and may remove (an `if` without `else`, a loop that only reads or
counts, a labelled or bare block, in turn outwards), keep every other statement, and name each
statement it leaves with an empty block.

The oracle is a model of the rules written here, independently of drmigrate's planner, rendered as
the expected program; the fixed text is compared with it as esprima and tree-sitter trees.
Profiles as in test_properties (`HYPOTHESIS_PROFILE=thorough`: ten times the examples).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import esprima
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drmigrate.engine import Options
from drmigrate.frontends.treesitter_js import parse_tree
from drmigrate.runner import make_config, process_text

_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = 300 * (10 if _PROFILE == "thorough" else 1)
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=_PROFILE == "ci", database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONFIG = make_config(options=Options(session_id={"js": "sid"}))

# holder kinds: (head, whether its emptied block may go with it, the statement left when it goes)
HOLDERS = {
    "if": ("if (ready) ", True, None),
    "if-call": ("if (isReady(cart)) ", True, "isReady(cart);"),
    "while": ("while (n > 0 && !done) ", True, None),
    "while-call": ("while (more()) ", False, None),
    "for-count": ("for (var {v} = 0; {v} < cart.lines.length; {v}++) ", True, None),
    "for-read-after": ("for (var {v} = 0; {v} < n; {v}++) ", False, None),
    "for-of": ("for (const {v} of cart.lines) ", True, None),
    "label": ("{v}: ", True, None),
    "bare": ("", True, None),
}
WRITES = ("p.amount = total;", "p.currency = 'USD';", "p.payPal.shipping = ship;", "p.payPal.items = items;")


@dataclass
class Node:
    kind: str  # "write", "keep", a HOLDERS key, or "if-else"
    body: list[Node] = field(default_factory=list)
    other: list[Node] = field(default_factory=list)  # the `else` block
    name: str = ""


def _node(depth: int) -> st.SearchStrategy[Node]:
    leaf = st.one_of(st.sampled_from(WRITES).map(lambda w: Node("write", name=w)),
                     st.just(Node("keep")), st.just(Node("risky")), st.just(Node("note")))
    if depth == 0:
        return leaf
    block = st.lists(_node(depth - 1), min_size=1, max_size=3)
    holder = st.builds(lambda k, b: Node(k, b), st.sampled_from(sorted(HOLDERS)), block)
    if_else = st.builds(lambda b, o: Node("if-else", b, o), block, block)
    return st.one_of(leaf, holder, if_else)


@dataclass
class Model:
    template: bool = False
    counters: int = 0
    leftovers: int = 0
    reads_after: list[str] = field(default_factory=list)

    def fresh(self) -> str:
        self.counters += 1
        return f"i{self.counters}"


def _render(nodes: list[Node], model: Model, indent: str, *, fixed: bool, asi: bool = False,
            open_before: bool = False) -> list[str]:
    """The statements of a block, before the fix or (`fixed`) as the model says they end.

    `asi`: semicolon-less style; a line that starts with `[` gets the `;` that ends the statement
    before it when that one is open (an expression statement, not a block), as standard style
    writes it. `open_before`: the statement before the block's first one is open."""
    out: list[str] = []
    end = "" if asi else ";"
    is_open = open_before  # the last statement of this list so far ends without a block
    for i, node in enumerate(nodes):
        if node.kind == "write":
            if not fixed or asi and _ends_after_a_note(nodes, i):
                out.append(indent + node.name.rstrip(";") + end)
                is_open = True
            continue
        if node.kind == "keep":
            out.append(indent + "log(n)" + end)
            is_open = True
            continue
        if node.kind == "note":  # a comment line, or in a template a comment tag: both always stay
            out.append(indent + ("{# note #}" if model.template else "// note"))
            continue
        if node.kind == "risky":
            out.append(indent + (";" if asi and is_open else "") + "[n].forEach(log)" + end)
            is_open = True
            continue
        if not node.name:
            node.name = model.fresh()
        inner = _render(node.body, model, indent + "  ", fixed=fixed, asi=asi)
        emptied = fixed and not inner
        if node.kind == "if-else":
            other = _render(node.other, model, indent + "  ", fixed=fixed, asi=asi)
            model.leftovers += fixed and (not inner or not other)
            out += [indent + "if (ready) {", *inner, indent + "} else {", *other, indent + "}"]
            is_open = False
            continue
        head, may_go, stays = HOLDERS[node.kind]
        head = head.replace("{v}", node.name)
        if node.kind == "for-read-after":
            model.reads_after.append(node.name)
        if emptied and may_go:
            if stays:
                out.append(indent + stays.rstrip(";") + end)
                is_open = True
            continue
        model.leftovers += emptied
        out += [indent + head + "{", *inner, indent + "}"]
        is_open = False
    return out


def _ends_after_a_note(nodes: list[Node], i: int) -> bool:
    """Semicolon-less, a write followed by notes and then a `;[...]` line ends at that `;`: the
    statement holds the notes, and drmigrate leaves it (DR202: a comment or tag inside it)."""
    j = i + 1
    while j < len(nodes) and nodes[j].kind == "note":
        j += 1
    return j > i + 1 and j < len(nodes) and nodes[j].kind == "risky"


def _program(nodes: list[Node], *, fixed: bool, asi: bool = False, template: bool = False) -> tuple[str, int]:
    model = Model(template=template)
    end = "" if asi else ";"
    first = ("var p = {type: 'payPal', sessionId: sid, payPal: {}}" if fixed else
             "var p = {type: 'payPal', payPal: {}}") + end
    lines = [first, *_render(nodes, model, "", fixed=fixed, asi=asi, open_before=True),
             "digitalriver.createSource(p)" + end]
    lines += [f"report({name}){end}" for name in model.reads_after]
    text = "\n".join(lines) + "\n"
    if template:
        text = f"<p>{{{{ title }}}}</p>\n<script>\n{text}</script>\n"
    return text, model.leftovers


_TAG = re.compile(r"\{#(.*?)#\}")


def _script(text: str) -> str:
    """The JavaScript of a page; its `{# #}` tags read as block comments (the test's own masking)."""
    if not text.startswith("<p>"):
        return text
    body = text.split("<script>\n", 1)[1].rsplit("</script>", 1)[0]
    return _TAG.sub(lambda m: f"/*TAG{m.group(1)}*/", body)


def _esprima(text: str) -> str:
    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("range", "loc")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(esprima.parseScript(text).toDict()), sort_keys=True)


def _tree_sitter(text: str) -> str:
    tree, _ = parse_tree(text, "javascript")
    assert not tree.root_node.has_error, text
    return str(tree.root_node)


@_SETTINGS
@given(st.lists(_node(3), min_size=1, max_size=4), st.booleans(), st.booleans())
def test_emptied_blocks_go_or_are_named(nodes: list[Node], asi: bool, template: bool) -> None:
    before, _ = _program(nodes, fixed=False, asi=asi, template=template)
    expected, leftovers = _program(nodes, fixed=True, asi=asi, template=template)
    assert _esprima(_script(before))  # the generated program itself parses
    outcome = process_text(before, "page.twig" if template else "page.js", CONFIG, fix=True)
    assert not outcome.error, outcome.error
    assert not [f for f in outcome.findings if f.code == "DR203"], [f.message for f in outcome.findings]
    fixed = outcome.fixed if outcome.fixed is not None else before
    got, want = _script(fixed), _script(expected)
    assert _esprima(got) == _esprima(want), f"\n--- before\n{before}--- fixed\n{fixed}--- expected\n{expected}"
    assert _tree_sitter(got) == _tree_sitter(want)
    # every comment and tag stays (the trees above do not see comments)
    assert re.findall(r"//.*|/\*.*?\*/", got) == re.findall(r"//.*|/\*.*?\*/", want)
    assert len(outcome.leftovers) == leftovers, (outcome.leftovers, fixed)
