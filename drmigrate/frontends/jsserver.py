"""Server-side JavaScript that answers a page's request: SFCC (SFRA) controllers and Express-style
routes, read for a "response" seed (`drmigrate.project.routes`).

The seed names the route: ("response", "sfcc", verb, action) is the handler registered as
`server.<verb>('Action', [middleware...,] function (req, res, next) {...})`; ("response",
"express", verb, route) is `app.<verb>('/route', [middleware...,] (req, res) => {...})` (a handler
may be a function declared in the file). The handler answers through its response parameter:
`res.json(x)`, `res.send(x)` (`res.send(JSON.stringify(x))`), `res.jsonp(x)`,
`res.status(200).json(x)`; SFRA's `res.setViewData(x)` merges `x` into the same JSON as
`res.json`, so every answer that has the seed's first key is a way the payload is built. The key
path is followed into each answer with the page analysis' own resolution, so helpers, merges and
`require('*/cartridge/scripts/...')` imports are followed as on the page (an imported helper is a
hop the project follows on). Nothing here knows about Digital River.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from drmigrate.frontends.jsnodes import Node, dotted, member_name, prop_key, span_of
from drmigrate.frontends.jsscope import FUNCTIONS
from drmigrate.model import Confidence, Seed

if TYPE_CHECKING:
    from drmigrate.frontends.jsanalysis import Analysis, CallSite, Candidate

ANSWERS = frozenset({"json", "send", "jsonp", "setViewData"})
CHAINED = frozenset({"status", "type", "set", "header", "cookie", "vary", "append", "location"})


def seeded(analysis: Analysis, seed: Seed,
           confidence: Confidence) -> list[tuple[CallSite, Confidence, list[Candidate]]]:
    """The payload roots a "response" seed names in this program, as `jsanalysis.seeded` gives them."""
    from drmigrate.frontends.jsanalysis import CallSite, written_before

    target = seed.target
    if len(target) < 4 or target[1] not in ("sfcc", "express"):
        return []
    path = seed.path
    key = dict(analysis.settings.elements).get(seed.element, "") if seed.element else ""
    if key:
        path = (*path, key)
    out: list[tuple[CallSite, Confidence, list[Candidate]]] = []
    for handler in handlers(analysis, target[1], target[2], target[3]):
        for call, value in answers(analysis, handler):
            cands = answer_candidates(analysis, value, path, call)
            written = written_before(analysis, _holder(analysis, value, path), call)
            for cand in cands:
                cand.via.append((call, "sent to the page here"))
                if written and cand.hop is not None:
                    # the handler writes into what another module builds: not followed there
                    cand.hop = replace(cand.hop, written=written)
            if cands:
                out.append((CallSite(call, None, seed.call, [], seed.element, seed=seed), confidence, cands))
    return out


def _holder(analysis: Analysis, value: Node, path: tuple[str, ...]) -> Node | None:
    """The variable that holds `value.path` in the handler, when the path leads to one
    (`res.json({config: cfg})` with path ("config",) -> `cfg`)."""
    node: Node | None = value
    rest = path
    for _ in range(8):
        if node is None or not rest:
            break
        if node.type == "ObjectExpression":
            node = next((p.value for p in node.properties or ()
                         if p.type == "Property" and prop_key(p, analysis) == rest[0]), None)
            rest = rest[1:]
        elif node.type == "Identifier":
            variable = analysis.scopes.variable(node)
            values = [r.value for r in variable.references if r.write and r.value is not None] if variable else []
            node = values[0] if len(values) == 1 else None
        else:
            return None
    return node if node is not None and node.type == "Identifier" and not rest else None


def handlers(analysis: Analysis, kind: str, verb: str, route: str) -> list[Node]:
    """The handler functions registered for the route (the last function argument)."""
    found: list[Node] = []
    for call in analysis.member_calls.get("." + verb, ()):
        callee = call.callee
        args = list(call.arguments or ())
        if not args or analysis.string_const(args[0]) != route:
            continue
        if kind == "sfcc" and dotted(callee.object) != "server":
            continue
        last = args[-1]
        if last.type in FUNCTIONS:
            found.append(last)
        elif last.type == "Identifier":
            variable = analysis.scopes.variable(last)
            values = [d.value for d in variable.definitions if d.value is not None] if variable is not None else []
            found.extend(v for v in values if v.type in FUNCTIONS)
    return found


def answers(analysis: Analysis, fn: Node) -> list[tuple[Node, Node]]:
    """(the answer call, the value it answers with) for each use of the handler's response."""
    params = list(fn.params or ())
    if len(params) < 2 or params[1].type != "Identifier":
        return []
    variable = analysis.scopes.variable(params[1])
    if variable is None:
        return []
    out: list[tuple[Node, Node]] = []
    for ref in variable.references:
        if ref.write:
            continue
        node: Node = ref.identifier
        while True:
            member = analysis.parent.get(id(node))
            call = analysis.parent.get(id(member)) if member is not None else None
            if member is None or member.type != "MemberExpression" or member.object is not node \
                    or call is None or call.type != "CallExpression" or call.callee is not member:
                break
            name = member_name(member) or ""
            args = list(call.arguments or ())
            if name in ANSWERS and args:
                value = args[0]
                if name == "send" and value.type == "CallExpression" and dotted(value.callee) == "JSON.stringify" \
                        and value.arguments:
                    value = value.arguments[0]
                out.append((call, value))
                break
            if name not in CHAINED:
                break
            node = call
    return out


def answer_candidates(analysis: Analysis, value: Node, path: tuple[str, ...], call: Node) -> list[Candidate]:
    """The ways `value.path` is built; an answer object that surely lacks the path's first key
    (`res.json({error: true})` on a failure) is no way the payload is built."""
    if not path:
        return analysis.resolve(value, call, 1)
    out: list[Candidate] = []
    for cand in analysis.resolve(value, call, 1):
        if not cand.unresolved and not cand.opaque and not _has_key(analysis, cand, path[0]):
            continue
        out.extend(analysis._member_of(cand, path, call, 1, value))
    return out


def _has_key(analysis: Analysis, cand: Candidate, key: str) -> bool:
    for part in cand.parts:
        for prop in part.properties or ():
            if prop.type != "Property" or prop_key(prop, analysis) == key:
                return True  # a spread may hold it
    start = min((span_of(p)[0] for p in cand.parts), default=0)
    return any(_writes_key(analysis, holder, key, start) for holder, _, _ in cand.holders)


def _writes_key(analysis: Analysis, variable: object, key: str, start: int) -> bool:
    for ref in getattr(variable, "references", ()):
        member = analysis.parent.get(id(ref.identifier))
        if member is not None and member.type == "MemberExpression" and member.object is ref.identifier \
                and member_name(member) == key and span_of(member)[0] > start:
            return True
    return False
