"""The Python side of a payload that a page's DigitalRiver.js call receives from a view
(`Settings.seeds` with target ("response", "py-function", name): a Flask / FastAPI / Django view
that `drmigrate.project.routes` found for the page's URL).

What the view answers with: `jsonify(x)` (or `jsonify(key=value, ...)`), `JsonResponse(x)`,
`make_response(...)`, `Response(json.dumps(x))` / `HttpResponse(json.dumps(x))`, or a returned
dict (Flask and FastAPI serialize it; `return x, 201` too). From each answer the seed's key path is
followed into the value, inside the function: dict literals and `dict(...)`, names bound before
the answer and the `x["k"] = ...` writes to them, functions of this module that return the dict
(string arguments bound to their parameters). The dict found there becomes a payload site for the
seed, with the writes and reads of any Python payload. A dict built in another module is reported
(DR200, naming the call): Python imports are not followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from drmigrate.frontends import Settings
from drmigrate.frontends.server_payloads import Binding, _dominates, held_fields
from drmigrate.model import Block, Confidence, PayloadSite, Seed, Span, Step, Write

MAX_DEPTH = 5
_WRAPPERS = frozenset({"jsonify", "JsonResponse", "make_response", "Response", "HttpResponse", "dumps",
                       "JSONResponse", "ORJSONResponse", "UJSONResponse"})


class _Spans(cst.CSTVisitor):
    """Every node's span and parent, and the functions by name (one metadata pass)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, base: int, line_starts: list[int]) -> None:
        super().__init__()
        self.base = base
        self.line_starts = line_starts
        self.spans: dict[int, Span] = {}
        self.parents: dict[int, cst.CSTNode] = {}
        self.functions: dict[str, list[cst.FunctionDef]] = {}
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        where: CodeRange = self.get_metadata(PositionProvider, node)
        self.spans[id(node)] = (self.base + self.line_starts[where.start.line - 1] + where.start.column,
                                self.base + self.line_starts[where.end.line - 1] + where.end.column)
        if self.stack:
            self.parents[id(node)] = self.stack[-1]
        if isinstance(node, cst.FunctionDef):
            self.functions.setdefault(node.name.value, []).append(node)
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


@dataclass(frozen=True)
class _Assign:
    name: str
    path: tuple[str, ...]
    value: cst.BaseExpression
    start: int
    place: tuple[tuple[int, int], ...]


@dataclass
class _Context:
    fn: cst.FunctionDef
    params: dict[str, str | tuple[cst.BaseExpression, _Context]] = field(default_factory=dict)
    depth: int = 0


@dataclass
class _Found:
    node: cst.Dict | cst.Call | None = None
    ctx: _Context | None = None
    holders: list[tuple[str, tuple[str, ...], int, int]] = field(default_factory=list)
    via: list[tuple[Span, str]] = field(default_factory=list)
    unresolved: str = ""
    span: Span = (0, 0)


class SeededPython:
    def __init__(self, module: cst.Module, text: str, base: int, line_starts: list[int], collector: object,
                 settings: Settings) -> None:
        from drmigrate.frontends.python_cst import _Collector

        assert isinstance(collector, _Collector)
        self.text = text
        self.c = collector
        self.settings = settings
        self.s = _Spans(base, line_starts)
        MetadataWrapper(module, unsafe_skip_copy=True).visit(self.s)
        self._assigns: dict[int, list[_Assign]] = {}

    def span(self, node: cst.CSTNode) -> Span:
        return self.s.spans[id(node)]

    def shown(self, node: cst.CSTNode, size: int = 50) -> str:
        text = " ".join(self.text[slice(*self.span(node))].split())
        return text if len(text) <= size else text[: size - 1] + "…"

    def body(self, fn: cst.FunctionDef) -> list[cst.CSTNode]:
        """Every node of the function's own body (nested functions and classes excluded)."""
        out: list[cst.CSTNode] = []
        stack: list[cst.CSTNode] = [fn.body]
        while stack:
            node = stack.pop()
            out.append(node)
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            stack.extend(reversed(node.children))
        return out

    def returns(self, fn: cst.FunctionDef) -> list[tuple[cst.Return, cst.BaseExpression]]:
        return [(n, n.value) for n in self.body(fn) if isinstance(n, cst.Return) and n.value is not None]

    def assigns(self, fn: cst.FunctionDef) -> list[_Assign]:
        known = self._assigns.get(id(fn))
        if known is not None:
            return known
        from drmigrate.frontends.python_cst import _name, _subscript_path

        places = {b.start: b.place for b in self.c.bindings if b.scope == id(fn)}
        places.update({w.write.span[0]: w.place for w in self.c.writes if w.scope == id(fn)})
        found: list[_Assign] = []
        for node in self.body(fn):
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
                value: cst.BaseExpression = node.value
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            start = self.span(node)[0]
            for target in targets:
                if (name := _name(target)) is not None:
                    found.append(_Assign(name, (), value, start, places.get(start, ())))
                else:
                    owner, path = _subscript_path(target)
                    if owner is not None and path:
                        found.append(_Assign(owner, path, value, start, places.get(start, ())))
        self._assigns[id(fn)] = found
        return found

    # -- answers and key paths ------------------------------------------------------------------
    def answer(self, value: cst.BaseExpression, path: tuple[str, ...]) -> tuple[cst.BaseExpression, tuple[str, ...]] | None:
        """The value a view's return statement answers with: `jsonify(x)` -> x, `x, 201` -> x."""
        if isinstance(value, cst.Tuple) and value.elements:
            return self.answer(value.elements[0].value, path)
        if isinstance(value, cst.Call):
            from drmigrate.frontends.python_cst import _callee_name

            if _callee_name(value.func) in _WRAPPERS:
                positional = [a for a in value.args if a.keyword is None and not a.star]
                if positional:
                    return self.answer(positional[0].value, path)
                if value.args:
                    return value, path  # `jsonify(payload=...)`: the keywords are the answer's keys
                return None
        return value, path

    def resolve(self, node: cst.BaseExpression, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        from drmigrate.frontends.python_cst import _callee_name, _name, _string

        if ctx.depth > MAX_DEPTH:
            return [self.unresolved(node, "the payload is built too many calls away for drmigrate to follow")]
        if isinstance(node, (cst.Dict, cst.Call)) and id(node) in self.c.literals or \
                isinstance(node, cst.Call) and _callee_name(node.func) in _WRAPPERS and node.args and \
                all(a.keyword is not None for a in node.args):
            if not path:
                return [_Found(node=node, ctx=ctx)] if id(node) in self.c.literals else \
                    [self.unresolved(node, f"the payload is `{self.shown(node)}`; migrate the code that builds it")]
            value: cst.BaseExpression | None = None
            unknown: cst.CSTNode | None = None
            if isinstance(node, cst.Dict):
                for element in node.elements:
                    if isinstance(element, cst.DictElement) and (key := _string(element.key)) is not None:
                        if key[0] == path[0]:
                            value = element.value
                    else:
                        unknown = element
            else:
                for arg in node.args:
                    if arg.keyword is not None and arg.keyword.value == path[0]:
                        value = arg.value
                    elif arg.keyword is None:
                        unknown = arg
            if value is not None:
                return self.resolve(value, path[1:], ctx, at)
            if unknown is not None:
                return [self.unresolved(unknown, f"the key `{path[0]}` may come from `{self.shown(unknown)}`; "
                                                 "migrate the code that builds the payload")]
            return []
        if isinstance(node, cst.Name) or (isinstance(node, cst.Attribute) and _name(node) is not None):
            return self.variable(node, path, ctx, at)
        if isinstance(node, cst.IfExp):
            return [*self.resolve(node.body, path, ctx, at), *self.resolve(node.orelse, path, ctx, at)]
        if isinstance(node, cst.Call):
            return self.call(node, path, ctx, at)
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.FormattedString, cst.ConcatenatedString)):
            return []
        return [self.unresolved(node, f"the payload is computed by `{self.shown(node)}`; migrate the code that "
                                      "builds it")]

    def unresolved(self, node: cst.CSTNode, why: str) -> _Found:
        return _Found(unresolved=why, span=self.span(node))

    def variable(self, node: cst.BaseExpression, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        from drmigrate.frontends.python_cst import _name

        name = _name(node) or ""
        here = self.place_of(node)
        bound = ctx.params.get(name)
        if isinstance(bound, str):
            return []
        if bound is not None:
            return self.resolve(bound[0], path, bound[1], self.span(bound[0])[0])
        assigns = [a for a in self.assigns(ctx.fn) if a.name == name and a.start < at]
        bindings = [a for a in assigns if not a.path]
        writes = [a for a in assigns if a.path and a.path == path[:len(a.path)]]

        def dominates(a: _Assign) -> bool:
            return _dominates(Binding(id(ctx.fn), name, a.place, a.start, None), here)

        reaching = [b for b in bindings if not any(o is not b and b.start < o.start and dominates(o) for o in bindings)]
        out: list[_Found] = []
        for binding in reaching:
            if any(binding.start < w.start and dominates(w) for w in writes):
                continue
            for found in self.resolve(binding.value, path, ctx, binding.start):
                if found.node is not None:
                    found.holders.append((name, path, binding.start, id(ctx.fn)))
                out.append(found)
        for write in writes:
            if reaching and write.start < min(b.start for b in reaching):
                continue
            for found in self.resolve(write.value, path[len(write.path):], ctx, write.start):
                if found.node is not None:
                    found.holders.append((name, path, write.start, id(ctx.fn)))
                out.append(found)
        if out or assigns:
            return out
        return [self.unresolved(node, f"the payload comes from `{name}`, which this function does not set; "
                                      "migrate the code that builds it")]

    def place_of(self, node: cst.CSTNode) -> tuple[tuple[int, int], ...]:
        """The statement place of `node`, as the collector gives its bindings and writes."""
        chain: list[tuple[int, int]] = []
        current: cst.CSTNode | None = node
        while current is not None:
            slot = self.c.slots.get(id(current))
            if slot is not None and id(current) not in self.c.in_line:
                chain.append(slot[:2])
            current = self.s.parents.get(id(current))
        return tuple(reversed(chain))

    def call(self, node: cst.Call, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        from drmigrate.frontends.python_cst import _string

        shown = self.shown(node)
        callee = None
        if isinstance(node.func, cst.Name):
            defined = self.s.functions.get(node.func.value, [])
            callee = defined[0] if len(defined) == 1 else None
        if callee is None:
            return [self.unresolved(node, f"the payload is the result of `{shown}`, built outside this module or "
                                          "computed; migrate the code that builds it")]
        inner = _Context(callee, {}, ctx.depth + 1)
        params = [p for p in callee.params.params]
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for index, param in enumerate(params):
            arg = positional[index].value if index < len(positional) else \
                next((a.value for a in node.args if a.keyword is not None and a.keyword.value == param.name.value), None)
            if arg is not None:
                literal = _string(arg)
                inner.params[param.name.value] = literal[0] if literal is not None else (arg, ctx)
        out: list[_Found] = []
        for ret, returned in self.returns(callee):
            for found in self.resolve(returned, path, inner, self.span(ret)[0]):
                found.via.append((self.span(node), f"returned by `{self.shown(node, 40)}` here"))
                out.append(found)
        return out or [self.unresolved(node, f"`{shown}` returns nothing drmigrate can see; migrate the code "
                                             "that builds the payload")]

    def constant(self, value: cst.BaseExpression, ctx: _Context) -> str | None:
        from drmigrate.frontends.python_cst import _string

        found = _string(value)
        if found is not None:
            return found[0]
        if isinstance(value, cst.Name):
            bound = ctx.params.get(value.value)
            if isinstance(bound, str):
                return bound
            if bound is not None:
                return self.constant(bound[0], bound[1])
            strings = {_string(a.value) for a in self.assigns(ctx.fn) if a.name == value.value and not a.path}
            if len(strings) == 1:
                only = strings.pop()
                return only[0] if only is not None else None
        return None

    # -- sites ----------------------------------------------------------------------------------
    def sites(self, seed: Seed) -> list[PayloadSite]:
        target = seed.target
        path = seed.path
        key = dict(self.settings.elements).get(seed.element, "") if seed.element else ""
        if key:
            path = (*path, key)
        out: list[PayloadSite] = []
        for fn in self.s.functions.get(target[2], []):
            ctx = _Context(fn)
            found: list[_Found] = []
            for ret, value in self.returns(fn):
                answered = self.answer(value, path)
                if answered is None:
                    continue
                for item in self.resolve(answered[0], answered[1], ctx, self.span(ret)[0]):
                    item.via.append((self.span(ret), "sent to the page here"))
                    found.append(item)
            for item in found:
                out.append(self.site(item, seed))
        return out

    def site(self, found: _Found, seed: Seed) -> PayloadSite:
        via = tuple(Step(span, what) for span, what in found.via) + seed.via
        confidence = Confidence.LOW if seed.low else Confidence.HIGH
        if found.node is None:
            return PayloadSite(found.span, None, unresolved=found.unresolved, unresolved_span=found.span,
                               confidence=confidence, language="python", origin="python-dict", call=seed.call,
                               element=seed.element, via=via, seed=seed.key)
        lit = self.c.literals[id(found.node)]
        writes, blocks = self.completed(found)
        source = seed.call == "createSource" or bool(seed.element and dict(self.settings.elements).get(seed.element))
        tprop = lit.get("type")
        source_type = tprop.string_value if tprop is not None else None
        if tprop is not None and source_type is None:
            node = found.node
            value = next((e.value for e in node.elements if isinstance(e, cst.DictElement)
                          and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value == "type"), None) \
                if isinstance(node, cst.Dict) else \
                next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "type"), None)
            if value is not None and found.ctx is not None:
                source_type = self.constant(value, found.ctx)
        type_reason = "" if source_type is not None else (
            f"the payload's `type` is `{self.text[slice(*tprop.value_span)]}`, which drmigrate cannot resolve here"
            if tprop is not None else "the payload has no `type` drmigrate can see")
        return PayloadSite(lit.span, source_type if source else None, type_span=tprop.span if tprop else None,
                           type_reason=type_reason if source else "", parts=(lit,), writes=writes,
                           opaque=lit.opaque, confidence=confidence, language="python", origin="python-dict",
                           blocks=blocks, call=seed.call, element=seed.element, via=via, seed=seed.key)

    def completed(self, found: _Found) -> tuple[tuple[Write, ...], tuple[Block, ...]]:
        return held_fields(found.holders, self.c.bindings, self.c.writes, self.c.uses)


def seeded_sites(module: cst.Module, text: str, base: int, line_starts: list[int], collector: object,
                 settings: Settings) -> list[PayloadSite]:
    seeds = [s for s in settings.seeds or () if s.target[:2] == ("response", "py-function") and len(s.target) > 2]
    if not seeds:
        return []
    reader = SeededPython(module, text, base, line_starts, collector, settings)
    out: list[PayloadSite] = []
    for seed in seeds:
        out.extend(reader.sites(seed))
    return out
