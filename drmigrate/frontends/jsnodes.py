"""Small readers of ESTree nodes that every JavaScript analysis module shares: spans, member names,
dotted names, object keys. They know nothing about scopes or payloads."""

from __future__ import annotations

from typing import Any, Protocol

from drmigrate.model import Span

Node = Any  # an ESTree node (esprima's, or the tree-sitter converter's look-alike)


class Constants(Protocol):
    def string_const(self, node: Node, depth: int = 0) -> str | None: ...


def span_of(node: Node) -> Span:
    start, end = node.range
    return (int(start), int(end))


def member_name(member: Node) -> str | None:
    """The property a member expression names (`a.b`, `a['b']`, `a.#b`), when it is fixed."""
    prop = member.property
    if prop is None:
        return None
    if not member.computed and prop.type == "Identifier":
        return str(prop.name)
    if prop.type == "PrivateIdentifier":
        return "#" + str(prop.name)
    if member.computed and prop.type in ("Literal", "StringLiteral") and isinstance(prop.value, str):
        return str(prop.value)
    return None


def dotted(node: Node) -> str | None:
    """`a.b.c` for a chain of names (and `this`), else None."""
    if node is None:
        return None
    if node.type == "Identifier":
        return str(node.name)
    if node.type == "ThisExpression":
        return "this"
    if node.type == "MemberExpression":
        base = dotted(node.object)
        name = member_name(node)
        if base is None or name is None:
            return None
        return f"{base}.{name}"
    return None


def is_literal_bool(node: Node) -> bool:
    return node.type == "BooleanLiteral" or (node.type == "Literal" and isinstance(node.value, bool))


def prop_key(prop: Node, analysis: Constants | None = None) -> str | None:
    """The key of an object entry, a method or a class member; a computed key only when `analysis`
    can tell which constant it is."""
    key = prop.key
    if key is None:
        return None
    if not prop.computed:
        if key.type == "Identifier":
            return str(key.name)
        if key.type == "PrivateIdentifier":
            return "#" + str(key.name)
        if key.type in ("Literal", "StringLiteral", "NumericLiteral"):
            return str(key.value)
        return None
    if analysis is not None:
        return analysis.string_const(key)
    return None


def string_literal(node: Node) -> str | None:
    """The value of a plain string literal (or a template without expressions)."""
    if node is None:
        return None
    if node.type in ("Literal", "StringLiteral") and isinstance(node.value, str):
        return str(node.value)
    if node.type == "TemplateLiteral" and not node.expressions and len(node.quasis or ()) == 1:
        cooked = node.quasis[0].value
        value = getattr(cooked, "cooked", None) if cooked is not None else None
        return value if isinstance(value, str) else None
    return None
