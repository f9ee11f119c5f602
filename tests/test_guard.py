"""The fix guard: a fixed text is accepted only when it differs from the original as planned.

The guard is tested on its own (hand-made wrong results for every front end: a lost spread, two
statements merged by automatic semicolon insertion, a lost comment, a lost template tag, changed
markup) and through the runner, with the edit planner broken on purpose so that only the guard
stands between the bad edit and the disk: the file must stay unchanged and DR203 say why.
"""

from __future__ import annotations

import pytest

from drmigrate import edits
from drmigrate.frontends.combined import CombinedFrontEnd
from drmigrate.frontends.javascript import JavaScriptFrontEnd
from drmigrate.frontends.php import PhpFrontEnd
from drmigrate.frontends.python_cst import PythonFrontEnd
from drmigrate.frontends.templates import TemplateFrontEnd
from drmigrate.guard import GuardError
from drmigrate.model import Edit, Intent
from drmigrate.runner import front_end_for, make_config, process_text


def _span(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def _esprima() -> JavaScriptFrontEnd:
    front = JavaScriptFrontEnd()
    front.reader = "esprima"
    return front


def _tree_sitter(dialect: str = "typescript") -> JavaScriptFrontEnd:
    front = JavaScriptFrontEnd(dialect, esprima_first=False)
    front.reader = "tree-sitter"
    return front


SPREAD = "f({type: 'konbini', amount: a, ...extra, currency: 'JPY'});\n"
SPREAD_INTENTS = [Intent("remove", _span(SPREAD, "amount: a")),
                  Intent("remove", _span(SPREAD, "currency: 'JPY'"))]
ASI = "const p = {type: 'directDebit'}\np.amount = t\n;[a, b].forEach(f)\n"
ASI_INTENTS = [Intent("remove", (ASI.index("p.amount"), ASI.index(";[") + 1))]


@pytest.mark.parametrize("front", [_esprima(), _tree_sitter()], ids=["esprima", "tree-sitter"])
@pytest.mark.parametrize(
    ("original", "intents", "fixed", "refusal"),
    [
        pytest.param(SPREAD, SPREAD_INTENTS, "f({type: 'konbini', ...extra});\n", None, id="spread-kept"),
        pytest.param(SPREAD, SPREAD_INTENTS, "f({type: 'konbini'});\n", "remove `...extra`",
                     id="spread-lost"),
        pytest.param(ASI, ASI_INTENTS, "const p = {type: 'directDebit'}\n;[a, b].forEach(f)\n", None,
                     id="asi-semicolon-kept"),
        pytest.param(ASI, ASI_INTENTS, "const p = {type: 'directDebit'}\n[a, b].forEach(f)\n", "change",
                     id="asi-statements-merged"),
        pytest.param("f({type: 't', /* c */ owner: o, amount: 1});\n",
                     [Intent("remove", (32, 41))], "f({type: 't', owner: o});\n", "comment `/* c */`",
                     id="comment-lost"),
        pytest.param("f({type: 't'});\n", [Intent("insert", (2, 13), "sessionId: s", after=(3, 12))],
                     "f({type: 't', sessionId: s});\n", None, id="insert"),
        pytest.param("f({type: 't'});\n", [Intent("insert", (2, 13), "sessionId: s", after=(3, 12))],
                     "f({type: 't', sessionId: s, x});\n", "add", id="insert-and-more"),
        pytest.param("var p = {};\np.amount = record(c);\n",
                     [Intent("hoist", (12, 34), keep=(23, 32))], "var p = {};\nrecord(c);\n", None,
                     id="hoist"),
        pytest.param("var p = {};\np.amount = record(c);\n",
                     [Intent("hoist", (12, 34), keep=(23, 32))], "var p = {};\n", "remove", id="hoist-lost"),
    ],
)
def test_javascript_guard(front: JavaScriptFrontEnd, original: str, intents: list[Intent], fixed: str,
                          refusal: str | None) -> None:
    if refusal is None:
        front.verify(original, fixed, intents)
        return
    with pytest.raises(GuardError, match=refusal.replace("(", r"\(").replace("*", r"\*")):
        front.verify(original, fixed, intents)


def test_the_fixed_text_must_parse() -> None:
    with pytest.raises(GuardError, match="would not parse"):
        _esprima().verify("f({type: 't', amount: 1});\n", "f({type: 't',, });\n",
                          [Intent("remove", (14, 23))])


TWIG = "<p>{{ t }}</p>\n<script>\nf({\n  type: 'payPal',\n  {% if x %}\n  amount: 1,\n  {% endif %}\n  owner: o\n});\n</script>\n"


@pytest.mark.parametrize(
    ("fixed", "refusal"),
    [
        pytest.param(TWIG.replace("  amount: 1,\n", ""), None, id="tags-kept"),
        pytest.param(TWIG.replace("  amount: 1,\n  {% endif %}\n", ""), "template tag `{% endif %}`",
                     id="tag-lost"),
        pytest.param(TWIG.replace("  amount: 1,\n", "").replace("<p>", "<p class=x>"), "markup",
                     id="markup-changed"),
    ],
)
def test_template_guard(fixed: str, refusal: str | None) -> None:
    front = TemplateFrontEnd(".twig")
    intents = [Intent("remove", _span(TWIG, "amount: 1"))]
    if refusal is None:
        front.verify(TWIG, fixed, intents)
        return
    with pytest.raises(GuardError, match=refusal):
        front.verify(TWIG, fixed, intents)


PY = 'p = {"type": "konbini", "amount": a, **extra, "currency": "JPY"}  # note\n'


@pytest.mark.parametrize(
    ("fixed", "refusal"),
    [
        pytest.param('p = {"type": "konbini", **extra}  # note\n', None, id="kept"),
        pytest.param('p = {"type": "konbini"}  # note\n', "remove", id="unpack-lost"),
        pytest.param('p = {"type": "konbini", **extra}\n', "comment", id="comment-lost"),
    ],
)
def test_python_guard(fixed: str, refusal: str | None) -> None:
    intents = [Intent("remove", _span(PY, '"amount": a')), Intent("remove", _span(PY, '"currency": "JPY"'))]
    if refusal is None:
        PythonFrontEnd().verify(PY, fixed, intents)
        return
    with pytest.raises(GuardError, match=refusal):
        PythonFrontEnd().verify(PY, fixed, intents)


PHP = "<?php\n$p = ['type' => 'konbini', 'amount' => $a, ...$extra, 'currency' => 'JPY'];\n"


@pytest.mark.parametrize(
    ("fixed", "refusal"),
    [
        pytest.param("<?php\n$p = ['type' => 'konbini', ...$extra];\n", None, id="kept"),
        pytest.param("<?php\n$p = ['type' => 'konbini'];\n", "remove", id="spread-lost"),
    ],
)
def test_php_guard(fixed: str, refusal: str | None) -> None:
    front = CombinedFrontEnd(PhpFrontEnd(), TemplateFrontEnd(".php"))
    intents = [Intent("remove", _span(PHP, "'amount' => $a")), Intent("remove", _span(PHP, "'currency' => 'JPY'"))]
    if refusal is None:
        front.verify(PHP, fixed, intents)
        return
    with pytest.raises(GuardError, match=refusal):
        front.verify(PHP, fixed, intents)


# --- through the runner, with the edit planner broken on purpose ---------------------------------

def _greedy_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug of issue 10, class 1, put back: a removal takes everything up to the next removal."""
    real = edits.plan_object

    def greedy(text, obj, remove, insertion, comments, protected=()):  # type: ignore[no-untyped-def]
        plan = real(text, obj, remove, insertion, comments, protected)
        removed = sorted(obj.props[i].span for i in set(remove))
        if len(removed) < 2:
            return plan
        wide = Edit(removed[0][0], removed[-1][1], "")
        kept = [e for e in plan.edits if e.text or e.end <= wide.start or e.start >= wide.end]
        return edits.ObjectPlan((*kept, wide), plan.refused, plan.inserted)

    monkeypatch.setattr("drmigrate.engine.plan_object", greedy)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("a.js", "digitalriver.createSource({type: 'konbini', amount: a, ...extra, currency: 'JPY'});\n",
                     id="js"),
        pytest.param("a.ts", "digitalriver.createSource({type: 'konbini', amount: a as number, [k]: v, "
                             "currency: 'JPY'});\n", id="ts"),
        pytest.param("a.py", 'import json\np = {"type": "konbini", "amount": a, **extra, "currency": "JPY", '
                             '"konbini": {}}\nout = json.dumps(p)\n', id="python"),
    ],
)
def test_runner_refuses_what_the_guard_cannot_prove(monkeypatch: pytest.MonkeyPatch, name: str,
                                                    text: str) -> None:
    _greedy_planner(monkeypatch)
    outcome = process_text(text, name, make_config(), fix=True)
    # the wide cut is refused: what it would have lost is still there (the removals then go one by
    # one, each proven), and DR203 says why
    kept = next(k for k in ("...extra", "[k]: v", "**extra") if k in text)
    assert kept in (outcome.fixed or text), "the spread or computed entry must survive"
    refusals = [f for f in outcome.initial if f.code == "DR203"]
    assert len(refusals) == 1
    assert "it would also remove" in refusals[0].message or "would not parse" in refusals[0].message
    checked = process_text(text, name, make_config(), fix=False)
    assert [f.code for f in checked.findings if f.code == "DR203"] == ["DR203"]  # check says so too
    front = front_end_for(name)
    assert front is not None


def test_without_the_breakage_the_same_inputs_are_fixed() -> None:
    text = "digitalriver.createSource({type: 'konbini', amount: a, ...extra, currency: 'JPY'});\n"
    outcome = process_text(text, "a.js", make_config(), fix=True)
    assert outcome.fixed is not None and "...extra" in outcome.fixed
    assert not [f for f in outcome.findings if f.code == "DR203"]


def test_a_statement_removed_with_its_writes_may_not_take_a_template_tag() -> None:
    """Defence in depth: even if the planner removed an `if` whose block holds a tag beside the
    write, the guard refuses, since only the writes' own regions may lose tags."""
    from drmigrate.runner import front_end_for

    text = ("<script>\nvar p = {type: 'payPal'};\nif (a) {\n  <?php if ($x): ?>\n  p.amount = 1;\n"
            "  <?php endif; ?>\n}\ndigitalriver.createSource(p);\n</script>\n")
    start, write = text.index("if (a)"), text.index("p.amount")
    end = text.index("}\n", start) + 1
    fixed = text[:start] + text[end + 1:]
    front = front_end_for("a.phtml")
    assert front is not None
    front.verify(text, fixed, [Intent("remove", (start, end))])  # a whole removal may take them
    with pytest.raises(GuardError):
        front.verify(text, fixed, [Intent("remove", (start, end), only=((write, text.index(";", write) + 1),))])
