"""Fields that reach a JavaScript payload without a key in the code: dynamic-key writes and
`Object.defineProperty`.

`FIELDS.forEach(f => payload[f] = cart[f])` and `for (const k of ['amount', 'currency']) p[k] = …`
write the keys of a constant list: each becomes a write of that key that drmigrate cannot remove
(the list is edited by hand), so the field is reported, never silently sent. A key that cannot be
known (`Object.entries(t).forEach(([k, v]) => payload[k] = v)`, `for (k in t)`) makes a dynamic
write (`Write.kind == "dynamic"`), which the engine reports (DR200) and which may set `sessionId`.
`Object.defineProperty(payload, 'amount', {value: x})` is a write of `amount`, removed whole when
it is a statement of its own and its descriptor is free of effects.
"""

from __future__ import annotations

from typing import Any

from drmigrate.frontends.jsscope import FUNCTIONS
from drmigrate.model import Span, Write

Node = Any
DEFINE_CALLS = frozenset({"Object.defineProperty", "Reflect.defineProperty"})


def _span(node: Node) -> Span:
    return int(node.range[0]), int(node.range[1])


def _strings(analysis: Any, node: Node | None, depth: int = 0) -> list[str] | None:
    """The strings of an array that always holds string constants (a literal, or a constant bound
    to one), or None."""
    if node is None or depth > 4:
        return None
    if node.type == "ArrayExpression":
        out = [analysis.string_const(e) if e is not None else None for e in node.elements or ()]
        return None if any(v is None for v in out) else [str(v) for v in out]
    if node.type == "Identifier":
        variable = analysis.scopes.variable(node)
        if variable is None:
            return None
        values = [r.value for r in variable.references if r.write]
        if len(values) != 1 or values[0] is None:
            return None
        return _strings(analysis, values[0], depth + 1)
    return None


def _key_list(analysis: Any, key: Node) -> tuple[list[str] | None, str]:
    """The keys a computed key can take (None: unknown) and the code that lists them."""
    if key.type != "Identifier":
        return None, ""
    variable = analysis.scopes.variable(key)
    if variable is None or not variable.definitions:
        return None, ""
    definition = variable.definitions[0]
    owner = definition.node
    if definition.kind == "param" and owner is not None and owner.type in FUNCTIONS \
            and (owner.params or [None])[0] is definition.name:
        call = analysis.parent.get(id(owner))
        callee = call.callee if call is not None and call.type == "CallExpression" else None
        if callee is not None and callee.type == "MemberExpression" and not callee.computed \
                and callee.property.name in ("forEach", "map") and (call.arguments or [None])[0] is owner:
            return _strings(analysis, callee.object), analysis.snippet(callee.object, 40)
        return None, ""
    loop = analysis.parent.get(id(owner)) if owner is not None else None
    loop = analysis.parent.get(id(loop)) if loop is not None and loop.type == "VariableDeclaration" else loop
    if loop is not None and loop.type == "ForOfStatement":
        return _strings(analysis, loop.right), analysis.snippet(loop.right, 40)
    return None, ""


def dynamic_writes(analysis: Any, assignment: Node, part: Span) -> list[Write]:
    """`payload[k] = v`: a write of each key of a constant list `k` walks, or one dynamic write."""
    target = assignment.left
    keys, listed = _key_list(analysis, target.property)
    where = f"line {analysis.line(assignment)}"
    if keys is None:
        return [Write(("*",), _span(assignment), False,
                      f"the write `{analysis.snippet(assignment, 50)}` ({where})",
                      kind="dynamic", part=part)]
    why = (f"it is written by `{analysis.snippet(assignment, 40)}` ({where}) for each key of `{listed}`; "
           "take it out of that list by hand")
    return [Write((key,), _span(assignment), False, why, kind="write", part=part) for key in dict.fromkeys(keys)]


def defined_property(analysis: Any, call: Node, part: Span, removable: bool, stmt: Node) -> list[Write]:
    """`Object.defineProperty(payload, 'amount', {value: x})`: a write of `amount`."""
    from drmigrate.frontends.jsanalysis import effects

    args = list(call.arguments or ())
    key = analysis.string_const(args[1]) if len(args) > 2 else None
    if key is None:
        return [Write(("*",), _span(call), False,
                      f"`{analysis.snippet(call, 50)}` (line {analysis.line(call)})", kind="dynamic", part=part)]
    why = ""
    if not removable:
        why = f"`{analysis.snippet(call, 40)}` is not a statement of its own"
    elif any(effects(a, analysis) is not None for a in args[1:]):
        why = f"`{analysis.snippet(call, 40)}` may have side effects (a getter or a call in its descriptor)"
    value = next((p.value for p in args[2].properties or () if p.type == "Property"
                  and getattr(p.key, "name", None) == "value"), None) if args[2].type == "ObjectExpression" else None
    return [Write((key,), _span(stmt) if not why else _span(call), not why, why,
                  analysis.string_const(value) if value is not None else None, kind="write", part=part,
                  value_span=_span(value) if value is not None else None)]
