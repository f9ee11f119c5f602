"""Neutral syntax trees for the fix guard, from the parsers the front ends use.

- `from_estree`: esprima's nodes (or the tree-sitter converter's look-alikes);
- `from_tree_sitter`: any tree-sitter tree (JavaScript, TypeScript, TSX, PHP), node by node, with
  separators (`,` `;`) and comments left out — the structure says where statements end;
- `from_python_ast`: Python's own `ast` module (a second parser beside libcst, which finds the
  payloads), with each dict entry as one node.

Every node keeps its span in `str` indices of the text; positions never take part in comparisons.
In template scripts, server tags stand in the masked JavaScript as `____` runs whose length follows
the tag: `template=True` makes every such run read the same.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from drmigrate.guard import TNode
from drmigrate.model import Span

_FILLER = re.compile(r"_{3,}")
_SCALARS = (str, int, float, bool, type(None))
_SKIPPED = frozenset({"range", "loc", "type", "comments", "tokens", "errors"})  # comments: compared apart
SEPARATORS = frozenset({",", ";"})


def _scalar(value: object, template: bool) -> object:
    if isinstance(value, str) and template:
        return _FILLER.sub("___", value)
    return value


def _is_node(value: object) -> bool:
    return getattr(value, "range", None) is not None and hasattr(value, "type")


def from_estree(root: Any, *, template: bool = False) -> TNode:
    """An ESTree (esprima-shaped) tree as a TNode tree."""
    top = TNode("")
    stack: list[tuple[Any, TNode, str]] = [(root, top, "")]
    while stack:
        node, parent, role = stack.pop()
        if node is None:
            parent.children.append(TNode("Hole", role=role))
            continue
        label: list[object] = []
        kids: list[tuple[Any, str]] = []
        for key, value in vars(node).items():
            if key in _SKIPPED:
                continue
            if _is_node(value):
                kids.append((value, key))
            elif isinstance(value, list):
                for item in value:
                    if item is None or _is_node(item):
                        kids.append((item, key))
                    else:
                        label.append((key, _scalar(item, template)))
            elif isinstance(value, _SCALARS):
                label.append((key, _scalar(value, template)))
            elif key == "regex" or hasattr(value, "__dict__"):
                label.append((key, tuple(sorted((k, _scalar(v, template)) for k, v in vars(value).items()
                                                if isinstance(v, _SCALARS)))))
            # anything else (a compiled regex value) is left out: `raw` says the same
        start, end = node.range
        me = TNode(str(node.type), tuple(label), (int(start), int(end)), role=role)
        parent.children.append(me)
        for child, key in reversed(kids):
            stack.append((child, me, key))
    return top.children[0]


def from_tree_sitter(root: Any, text: str, data: bytes, *, template: bool = False,
                     opaque: frozenset[str] = frozenset()) -> TNode:
    """A tree-sitter tree as a TNode tree: leaves carry their text; separators and comments go.

    Nodes whose type is in `opaque` keep their kind and no text (a PHP page's HTML, which the
    page's own guard checks).
    """
    from drmigrate.frontends.treesitter_js import offset_index

    index = offset_index(text, data)
    top = TNode("")
    stack: list[tuple[Any, TNode, str]] = [(root, top, "")]
    while stack:
        node, parent, role = stack.pop()
        kind = node.type
        span = (index(node.start_byte), index(node.end_byte))
        if node.child_count == 0 or kind in opaque:
            label = () if kind in opaque else (_scalar(text[span[0]:span[1]], template),)
            parent.children.append(TNode(kind, label, span, role=role))
            continue
        me = TNode(kind, (), span, role=role)
        parent.children.append(me)
        kids = []
        for i, child in enumerate(node.children):
            if child.type == "comment" or (not child.is_named and child.type in SEPARATORS):
                continue
            kids.append((child, node.field_name_for_child(i) or ""))
        for child, name in reversed(kids):
            stack.append((child, me, name))
    return top.children[0]


class PythonPositions:
    """(line, UTF-8 column) as `ast` reports them -> `str` indices of the exact text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def __call__(self, line: int, column: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        prefix = self.text[start:end].encode("utf-8", "surrogatepass")[:column]
        return start + len(prefix.decode("utf-8", "replace"))


def from_python_ast(tree: ast.AST, text: str, base: int = 0) -> TNode:
    """A Python `ast` tree as a TNode tree; a dict's entries become `DictItem` / `DictUnpack` nodes.

    `base` is added to every offset (a BOM the parser did not see).
    """
    where = PythonPositions(text[base:])

    def span(node: ast.AST) -> Span:
        if not hasattr(node, "lineno") or getattr(node, "end_lineno", None) is None:
            return (0, 0)
        return (base + where(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                base + where(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    top = TNode("")
    stack: list[tuple[Any, TNode, str]] = [(tree, top, "")]
    while stack:
        node, parent, role = stack.pop()
        if isinstance(node, tuple):  # a dict entry: (key or None, value)
            key, value = node
            if key is None:
                vs = span(value)
                me = TNode("DictUnpack", (), (text.rfind("**", 0, vs[0]), vs[1]), role=role)
                parent.children.append(me)
                stack.append((value, me, "value"))
            else:
                me = TNode("DictItem", (), (span(key)[0], span(value)[1]), role=role)
                parent.children.append(me)
                stack.append((value, me, "value"))
                stack.append((key, me, "key"))
            continue
        if node is None:
            parent.children.append(TNode("None", role=role))
            continue
        label: list[object] = []
        kids: list[tuple[Any, str]] = []
        if isinstance(node, ast.Dict):
            kids = [((k, v), "entries") for k, v in zip(node.keys, node.values)]
        else:
            for key, value in ast.iter_fields(node):
                if key == "ctx":
                    continue
                if isinstance(value, ast.AST):
                    kids.append((value, key))
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST) or item is None:
                            kids.append((item, key))
                        else:
                            label.append((key, item))
                elif isinstance(value, (str, int, float, bool, complex, bytes, type(None))) or value is ...:
                    label.append((key, repr(value)))
        me = TNode(type(node).__name__, tuple(label), span(node), role=role)
        parent.children.append(me)
        for child, key in reversed(kids):
            stack.append((child, me, key))
    return top.children[0]
