"""The fix guard: proof that a fixed text differs from the original exactly as planned.

Black's AST safety check is the precedent. The original text and the fixed text are both parsed
(by the front end's own parser, into `SyntaxView`s: a neutral tree, the comments, the template tags
and the markup a template keeps outside its scripts). The planned intents (`model.Intent`: these
entries removed, this `sessionId` inserted, these statements removed, this write reduced to its
value) are applied to the original tree; the result must equal the fixed text's tree node for node,
and the comments, tags and markup must be the same multisets, less what sat inside removed code.
Any other difference — a lost spread, two statements merged by automatic semicolon insertion, a lost
template tag — is a refusal, described in one line. The guard knows trees and spans, nothing about
any language or rule: the front ends build the views (`Grammar`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from drmigrate.model import Intent, Span

_TRIVIA = " \t\r\n\f\v;,()"


@dataclass(eq=False)
class TNode:
    """A syntax-tree node: its kind, the values that are not positions, its children in order."""

    kind: str
    label: tuple[object, ...] = ()
    span: Span = (0, 0)
    children: list[TNode] = field(default_factory=list)
    role: str = ""  # the field of its parent it sits in

    def same(self, other: TNode) -> bool:
        return (self.kind, self.label, self.role, len(self.children)) == (
            other.kind, other.label, other.role, len(other.children))

    def walk(self) -> Iterator[tuple[TNode, TNode | None]]:
        """(node, parent) in preorder."""
        stack: list[tuple[TNode, TNode | None]] = [(self, None)]
        while stack:
            node, parent = stack.pop()
            yield node, parent
            stack.extend((child, node) for child in reversed(node.children))


@dataclass
class SyntaxView:
    """What the guard compares of one text."""

    tree: TNode
    comments: list[tuple[Span, str]] = field(default_factory=list)
    tags: list[tuple[Span, str]] = field(default_factory=list)  # template tags
    markup: list[tuple[Span, str]] = field(default_factory=list)  # text outside scripts and tags
    free_tags: Sequence[Span] = ()  # tags whose text may change (server code the server guard checks)
    merged: frozenset[str] = frozenset()  # kinds of opaque nodes that run together when adjacent


class GuardError(Exception):
    """The fixed text cannot be proven: the message says what would also change (and where)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span  # in the original text, when the difference is there


class Grammar(Protocol):
    """What a front end provides to the guard."""

    def views(self, original: str, fixed: str) -> tuple[SyntaxView, SyntaxView]:
        """Both texts parsed by the same parser; GuardError when the fixed one does not parse."""
        ...

    def entry(self, container: TNode, text: str) -> TNode:
        """The tree of an inserted `key: value` entry (`text`) as it stands in `container`."""
        ...

    def first_entry(self, container: TNode) -> int:
        """Where an entry inserted first goes among the container's children."""
        ...

    def statement(self, expression: TNode) -> TNode:
        """An expression statement holding `expression`."""
        ...

    def expression(self, text: str) -> TNode:
        """The tree of an expression."""
        ...


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _snippet(text: str, span: Span, limit: int = 50) -> str:
    shown = " ".join(text[span[0]:span[1]].split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _Index:
    """Nodes of the original tree by span, outermost first, with their parents."""

    def __init__(self, root: TNode) -> None:
        self.parent: dict[int, TNode | None] = {}
        self.by_span: dict[Span, TNode] = {}
        self.inner: dict[Span, TNode] = {}
        self.nodes: list[TNode] = []
        for node, parent in root.walk():
            self.parent[id(node)] = parent
            self.by_span.setdefault(node.span, node)
            self.inner[node.span] = node
            self.nodes.append(node)

    def find(self, text: str, span: Span, *, innermost: bool = False) -> TNode | None:
        """The outermost (or innermost) node that is `span`, give or take blanks, `;`, `,` and
        parentheses."""
        exact = (self.inner if innermost else self.by_span).get(span)
        if exact is not None and self.parent.get(id(exact)) is not None:
            return exact
        best: TNode | None = None
        for node in self.nodes:
            s0, s1 = node.span
            if self.parent.get(id(node)) is None or not (span[0] <= s0 and s1 <= span[1]):
                continue
            if text[span[0]:s0].strip(_TRIVIA) or text[s1:span[1]].strip(_TRIVIA):
                continue
            if best is None or (s1 - s0) > (best.span[1] - best.span[0]):
                best = node
        return best


def expected_tree(grammar: Grammar, view: SyntaxView, text: str, intents: Sequence[Intent]) -> TNode:
    """The original tree with the intents applied (the tree the fixed text must have)."""
    index = _Index(view.tree)
    for intent in intents:
        node = index.find(text, intent.span, innermost=intent.kind == "insert")
        if node is None:
            raise GuardError(f"its planned change at line {_line(text, intent.span[0])} "
                             f"(`{_snippet(text, intent.span)}`) matches no code; please report this")
        parent = index.parent.get(id(node))
        assert parent is not None
        if intent.kind == "remove":
            parent.children = [c for c in parent.children if c is not node]
        elif intent.kind == "insert":
            new = grammar.entry(node, intent.text)
            position = 0
            if intent.after is not None:
                anchor = index.find(text, intent.after)
                holder = index.parent.get(id(anchor)) if anchor is not None else None
                if anchor is None or holder is None or not (
                        node.span[0] <= holder.span[0] and holder.span[1] <= node.span[1]):
                    raise GuardError(f"the entry `{_snippet(text, intent.after)}` to insert after is not "
                                     "in the object; please report this")
                node = holder
                new = grammar.entry(node, intent.text)
                position = node.children.index(anchor) + 1
            else:
                position = grammar.first_entry(node)
            node.children.insert(position, new)
        elif intent.kind == "hoist":
            assert intent.keep is not None
            kept = index.find(text, intent.keep)
            if kept is None:
                raise GuardError(f"the value kept at line {_line(text, intent.keep[0])} matches no code; "
                                 "please report this")
            replacement = grammar.statement(kept)
            replacement.role = node.role
            parent.children = [replacement if c is node else c for c in parent.children]
        elif intent.kind == "replace":
            replacement = grammar.expression(intent.text)
            replacement.role = node.role
            parent.children = [replacement if c is node else c for c in parent.children]
    return view.tree


def _inside(span: Span, removed: Sequence[Span]) -> bool:
    return any(r0 <= span[0] and span[1] <= r1 for r0, r1 in removed)


def _merge(tree: TNode, kinds: frozenset[str]) -> None:
    """Adjacent opaque nodes of one kind read as one (text on both sides of a removed tag)."""
    if not kinds:
        return
    for node, _ in tree.walk():
        out: list[TNode] = []
        for child in node.children:
            if out and child.kind in kinds and out[-1].kind == child.kind and not child.children:
                out[-1] = TNode(child.kind, child.label, (out[-1].span[0], child.span[1]), role=child.role)
                continue
            out.append(child)
        node.children = out


def check(grammar: Grammar, original: str, fixed: str, intents: Sequence[Intent], *,
          added_tags: Sequence[tuple[Span, str]] = ()) -> None:
    """Raise GuardError unless `fixed` is `original` with exactly `intents` applied.

    `added_tags`: the template tags that inserted text brings (a `sessionId: <?= … ?>` entry),
    by the span of the intent that inserts each: the fixed text must have them too.
    """
    before, after = grammar.views(original, fixed)
    # where comments and tags may go: removed code, less what a removed statement only held
    gone = [s for i in intents if i.kind == "remove" for s in (i.only if i.only is not None else (i.span,))]
    hoisted = [i for i in intents if i.kind == "hoist" and i.keep is not None and i.only is None]
    gone += [(i.span[0], i.keep[0]) for i in hoisted if i.keep is not None]
    gone += [(i.keep[1], i.span[1]) for i in hoisted if i.keep is not None]
    gone += [s for i in intents if i.kind == "hoist" and i.only is not None for s in i.only]
    gone += [i.span for i in intents if i.kind == "replace"]
    want = expected_tree(grammar, before, original, intents)
    _merge(want, before.merged)
    _merge(after.tree, after.merged)
    _compare_trees(want, after.tree, original, fixed)
    _compare_texts("comment", [(s, t) for s, t in before.comments if not _inside(s, gone)],
                   after.comments, original, fixed)
    free = before.free_tags
    tags = [(s, t) for s, t in before.tags if not _inside(s, gone)] + list(added_tags)
    # a free tag holds server code that the server's own guard checks: its text may change
    _compare_texts("template tag", [(s, t) for s, t in tags if not _inside(s, free)], after.tags,
                   original, fixed, allow_extra=bool(free))
    if len(tags) != len(after.tags):
        raise GuardError(f"it would change the number of template tags ({len(tags)} -> {len(after.tags)})")
    if "".join(t for _, t in before.markup) != "".join(t for _, t in after.markup):
        raise GuardError("it would also change the markup outside the page's scripts")


def _compare_texts(what: str, want: list[tuple[Span, str]], got: list[tuple[Span, str]],
                   original: str, fixed: str, *, allow_extra: bool = False) -> None:
    missing = Counter(t for _, t in want) - Counter(t for _, t in got)
    extra = Counter(t for _, t in got) - Counter(t for _, t in want)
    if missing:
        text = next(iter(missing))
        span = next(s for s, t in want if t == text)
        raise GuardError(f"it would also remove the {what} `{_snippet(original, span, 40)}` "
                         f"(line {_line(original, span[0])})", span)
    if extra and not allow_extra:
        text = next(iter(extra))
        span = next(s for s, t in got if t == text)
        raise GuardError(f"it would also add the {what} `{_snippet(fixed, span, 40)}`")


def _compare_trees(want: TNode, got: TNode, original: str, fixed: str) -> None:
    stack = [(want, got)]
    while stack:
        a, b = stack.pop()
        if a.same(b):
            stack.extend(zip(reversed(a.children), reversed(b.children)))
            continue
        if (a.kind, a.role) == (b.kind, b.role) and a.label == b.label:
            _differing_children(a, b, original, fixed)
        where = _line(original, a.span[0])
        raise GuardError(f"it would also change `{_snippet(original, a.span)}` (line {where}) into "
                         f"`{_snippet(fixed, b.span)}`", a.span)


def _differing_children(a: TNode, b: TNode, original: str, fixed: str) -> None:
    """Name the child that one tree lost, gained or changed."""
    i = 0
    while i < min(len(a.children), len(b.children)) and _equal(a.children[i], b.children[i]):
        i += 1
    rest_a, rest_b = a.children[i + 1:], b.children[i + 1:]
    if len(a.children) > len(b.children) and _all_equal(rest_a, b.children[i:]):
        lost = a.children[i]
        raise GuardError(f"it would also remove `{_snippet(original, lost.span)}` "
                         f"(line {_line(original, lost.span[0])})", lost.span)
    if len(b.children) > len(a.children) and _all_equal(a.children[i:], rest_b):
        added = b.children[i]
        raise GuardError(f"it would also add `{_snippet(fixed, added.span)}` "
                         f"(near line {_line(original, a.span[0])})", a.span)
    if i < len(a.children) and i < len(b.children):
        x, y = a.children[i], b.children[i]
        raise GuardError(f"it would also change `{_snippet(original, x.span)}` (line "
                         f"{_line(original, x.span[0])}) into `{_snippet(fixed, y.span)}`", x.span)


def _all_equal(xs: list[TNode], ys: list[TNode]) -> bool:
    return len(xs) == len(ys) and all(_equal(x, y) for x, y in zip(xs, ys))


def _equal(a: TNode, b: TNode) -> bool:
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if not x.same(y):
            return False
        stack.extend(zip(x.children, y.children))
    return True
