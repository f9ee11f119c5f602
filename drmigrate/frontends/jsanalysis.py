"""JavaScript payload analysis over an ESTree AST: calls, receivers, scopes and payload data flow.

Works on ESTree nodes as the esprima package builds them with `range` (attribute access, missing
attributes read as None); the tree-sitter fallback builds the same shape, so both parsers share this
module. It finds `<receiver>.createSource(...)` calls, decides whether the receiver is a
DigitalRiver.js instance, follows the payload argument back to the object literals that can reach the
call (a small flow-insensitive reaching-definitions analysis per function scope, with hoisting), and
yields neutral `PayloadSite`s. It knows nothing about the rule table beyond the set of Digital River
type names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from drmigrate.frontends import Settings
from drmigrate.model import Confidence, ObjectLit, PayloadSite, Prop, Span, Write

Node = Any  # an ESTree node (esprima's, or the fallback's look-alike)

FUNCTIONS = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})
STATEMENT_LISTS = frozenset({"Program", "BlockStatement", "SwitchCase", "StaticBlock"})
MERGE_CALLS = frozenset(
    {"Object.assign", "$.extend", "jQuery.extend", "_.extend", "_.assign", "angular.extend", "_.merge",
     "$.merge"}
)
STRIPE_RE = re.compile(r"stripe", re.IGNORECASE)
MAX_DEPTH = 8


def is_node(value: object) -> bool:
    return getattr(value, "range", None) is not None and hasattr(value, "type")


def children(node: Node) -> Iterator[Node]:
    for key, value in vars(node).items():
        if key in ("range", "loc", "type"):
            continue
        if isinstance(value, list):
            for item in value:
                if item is not None and is_node(item):
                    yield item
        elif value is not None and is_node(value):
            yield value


def span_of(node: Node) -> Span:
    start, end = node.range
    return (int(start), int(end))


@dataclass
class Binding:
    name: str
    scope: Scope
    kind: str  # var, let, const, param, function, import, catch, class, global
    defs: list[tuple[Node | None, int]] = field(default_factory=list)  # (value, position)
    writes: list[tuple[tuple[str, ...], Node, Node, int]] = field(default_factory=list)
    merges: list[tuple[Node, int]] = field(default_factory=list)  # Object.assign(p, ...) calls
    function: Node | None = None  # the function node for params


@dataclass
class Scope:
    node: Node
    parent: Scope | None
    bindings: dict[str, Binding] = field(default_factory=dict)

    def declare(self, name: str, kind: str, function: Node | None = None) -> Binding:
        binding = self.bindings.get(name)
        if binding is None:
            binding = Binding(name, self, kind, function=function)
            self.bindings[name] = binding
        return binding

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return None


@dataclass
class Candidate:
    """One way the payload can be built: its literal parts, writes, and what cannot be seen."""

    parts: list[Node] = field(default_factory=list)
    writes: list[tuple[tuple[str, ...], Node, Node, int]] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    unresolved: str = ""
    origin: str = "inline"
    where: Span | None = None  # the expression that cannot be seen into, when unresolved


class Analysis:
    """One pass over the tree collecting scopes, bindings, writes and calls; then resolution."""

    def __init__(self, program: Node, text: str, settings: Settings) -> None:
        self.text = text
        self.settings = settings
        self.parent: dict[int, Node] = {}
        self.scope_of: dict[int, Scope] = {}  # id(function or program node) -> scope
        self.calls: list[tuple[Node, Scope, Node, list[Node]]] = []  # call, scope, receiver, args
        self.returns: dict[int, list[Node]] = {}  # id(function) -> returned expressions
        self.member_assigns: dict[str, list[Node]] = {}  # `x.name = value` by property name
        self.pending: list[tuple[Scope, str, Node | None, int, str]] = []
        self.pending_writes: list[tuple[Scope, str, tuple[str, ...], Node, Node, int]] = []
        self.pending_merges: list[tuple[Scope, str, Node, int]] = []
        self.root = Scope(program, None)
        self.scope_of[id(program)] = self.root
        self._walk(program)
        self._resolve_pending()

    # -- collection ---------------------------------------------------------------------------
    def _walk(self, program: Node) -> None:
        stack: list[tuple[Node, Scope]] = [(program, self.root)]
        while stack:
            node, scope = stack.pop()
            ntype = node.type
            if ntype in FUNCTIONS:
                if ntype == "FunctionDeclaration" and node.id is not None:
                    b = scope.declare(node.id.name, "function")
                    b.defs.append((node, span_of(node)[0]))
                inner = Scope(node, scope)
                self.scope_of[id(node)] = inner
                if ntype == "FunctionExpression" and node.id is not None:
                    inner.declare(node.id.name, "function").defs.append((node, span_of(node)[0]))
                for param in node.params or ():
                    for name_node in _pattern_names(param):
                        inner.declare(name_node.name, "param", function=node)
                scope = inner
            elif ntype == "VariableDeclaration":
                # let/const are scoped to their function here, like var: an approximation that
                # only matters when a block shadows a name, which payload code rarely does
                target = scope
                for decl in node.declarations:
                    if decl.id is not None and decl.id.type == "Identifier":
                        b = target.declare(decl.id.name, node.kind)
                        if decl.init is not None:
                            b.defs.append((decl.init, span_of(decl)[0]))
                    elif decl.id is not None:
                        for name_node in _pattern_names(decl.id):
                            target.declare(name_node.name, node.kind).defs.append((None, span_of(decl)[0]))
            elif ntype == "ClassDeclaration" and node.id is not None:
                scope.declare(node.id.name, "class")
            elif ntype == "CatchClause" and node.param is not None:
                for name_node in _pattern_names(node.param):
                    scope.declare(name_node.name, "catch")
            elif ntype in ("ImportDefaultSpecifier", "ImportSpecifier", "ImportNamespaceSpecifier"):
                if node.local is not None:
                    scope.declare(node.local.name, "import")
            elif ntype == "AssignmentExpression":
                self._assignment(node, scope)
            elif ntype == "CallExpression":
                self._call(node, scope)
            elif ntype == "MemberExpression":
                self._member_use(node, scope)
            elif ntype == "PropertyDefinition" and node.value is not None and node.key is not None:
                # a class field `#dr = new DigitalRiver(key)` stores like `this.#dr = ...`
                key = node.key
                name = ("#" if key.type == "PrivateIdentifier" else "") + str(key.name or key.value)
                self.member_assigns.setdefault("." + name, []).append(node.value)
            elif ntype == "ReturnStatement" and node.argument is not None:
                fn = scope.node
                self.returns.setdefault(id(fn), []).append(node.argument)
            for child in children(node):
                self.parent[id(child)] = node
                stack.append((child, scope))
            if ntype == "ArrowFunctionExpression" and node.expression and node.body is not None:
                self.returns.setdefault(id(node), []).append(node.body)

    def _assignment(self, node: Node, scope: Scope) -> None:
        left = node.left
        pos = span_of(node)[0]
        if node.operator != "=":
            return
        if left.type == "Identifier":
            self.pending.append((scope, left.name, node.right, pos, "assign"))
            return
        if left.type == "MemberExpression":
            root, path = member_path(left)
            # instances stored on objects: `this.dr = new DigitalRiver()`, `services[KEY] = ...`
            self.member_assigns.setdefault(self.member_key(left), []).append(node.right)
            if root is not None and path:
                self.pending_writes.append((scope, root.name, tuple(path), node, node.right, pos))

    def _member_use(self, node: Node, scope: Scope) -> None:
        """Record `p.payPal.items.push(x)` and reads of `p.amount`: code that needs the field."""
        parent = self.parent.get(id(node))
        if parent is not None and parent.type == "MemberExpression" and parent.object is node:
            return  # only the outermost member of a chain
        if parent is not None and parent.type == "AssignmentExpression" and parent.left is node:
            return  # a write, recorded by _assignment
        root, path = member_path(node)
        if root is None or not path:
            return
        if parent is not None and parent.type == "CallExpression" and parent.callee is node:
            path = path[:-1]  # `p.payPal.items.push(...)` uses p.payPal.items
            if not path or path[-1] == "createSource":
                return
            self.pending_writes.append((scope, root.name, tuple(path), parent, None, span_of(parent)[0]))
            return
        self.pending_writes.append((scope, root.name, tuple(path), node, None, span_of(node)[0]))

    def _call(self, node: Node, scope: Scope) -> None:
        callee = node.callee
        if callee is None or callee.type != "MemberExpression":
            return
        name = member_name(callee)
        args = list(node.arguments or ())
        if name in ("call", "apply") and callee.object.type == "MemberExpression":
            inner = callee.object
            if member_name(inner) == "createSource":
                if name == "call":
                    args = args[1:]
                else:
                    arr = args[1] if len(args) > 1 else None
                    args = list(arr.elements) if arr is not None and arr.type == "ArrayExpression" else []
                self.calls.append((node, scope, inner.object, args))
            return
        if name == "createSource":
            self.calls.append((node, scope, callee.object, args))
            return
        qualified = dotted(callee)
        if qualified in MERGE_CALLS and args and args[0].type == "Identifier":
            self.pending_merges.append((scope, args[0].name, node, span_of(node)[0]))

    def _resolve_pending(self) -> None:
        for scope, name, value, pos, _kind in self.pending:
            binding = scope.lookup(name) or self.root.declare(name, "global")
            binding.defs.append((value, pos))
        for scope, name, path, node, value, pos in self.pending_writes:
            written = scope.lookup(name)
            if written is not None:
                written.writes.append((path, node, value, pos))
        for scope, name, node, pos in self.pending_merges:
            merged = scope.lookup(name)
            if merged is not None:
                merged.merges.append((node, pos))

    # -- receivers ----------------------------------------------------------------------------
    def receiver_kind(self, receiver: Node, scope: Scope, depth: int = 0) -> str:
        """'dr', 'stripe' or 'unknown' for the object a createSource call is made on."""
        if depth > MAX_DEPTH or receiver is None:
            return "unknown"
        rtype = receiver.type
        if rtype == "Identifier":
            name = receiver.name
            binding = scope.lookup(name)
            if binding is not None:
                kinds = {self._instance_kind(v, binding.scope, depth) for v, _ in binding.defs if v is not None}
                if "stripe" in kinds:
                    return "stripe"
                if "dr" in kinds:
                    return "dr"
                if binding.kind == "param" and binding.function is not None:
                    passed = self._param_receiver(binding, depth)
                    if passed != "unknown":
                        return passed
            return self._by_name(name)
        if rtype == "MemberExpression":
            kinds = {
                self._instance_kind(v, scope, depth)
                for v in self.member_assigns.get(self.member_key(receiver), ())
            }
            if "stripe" in kinds:
                return "stripe"
            if "dr" in kinds:
                return "dr"
            prop = member_name(receiver)
            if prop is None and receiver.computed:
                prop = self.string_const(receiver.property, scope)
            return self._by_name(prop) if prop is not None else "unknown"
        if rtype in ("NewExpression", "CallExpression"):
            return self._instance_kind(receiver, scope, depth)
        return "unknown"

    def _by_name(self, name: str) -> str:
        if STRIPE_RE.search(name):
            return "stripe"
        if name in self.settings.receiver_names:
            return "dr"
        return "unknown"

    def _instance_kind(self, value: Node, scope: Scope, depth: int) -> str:
        if value.type in ("NewExpression", "CallExpression"):
            callee = value.callee
            name = dotted(callee) or ""
            last = name.rsplit(".", 1)[-1]
            if last == "DigitalRiver":
                return "dr"
            if last == "Stripe":
                return "stripe"
            return "unknown"
        if value.type in ("Identifier", "MemberExpression"):
            return self.receiver_kind(value, scope, depth + 1)
        if value.type == "LogicalExpression":
            kinds = {self._instance_kind(value.left, scope, depth + 1),
                     self._instance_kind(value.right, scope, depth + 1)}
            return "stripe" if "stripe" in kinds else ("dr" if "dr" in kinds else "unknown")
        return "unknown"

    def _param_receiver(self, binding: Binding, depth: int) -> str:
        """A parameter is a DR instance when a call in this file passes one in that position."""
        fn = binding.function
        if fn is None:
            return "unknown"
        index = next(
            (i for i, p in enumerate(fn.params or ()) if p.type == "Identifier" and p.name == binding.name),
            None,
        )
        if index is None:
            return "unknown"
        fname = fn.id.name if fn.id is not None else None
        if fname is None:
            # `var pay = function (client) {...}`: the function is named by its declarator
            holder = self.parent.get(id(fn))
            if holder is not None and holder.type == "VariableDeclarator" and holder.id.type == "Identifier":
                fname = holder.id.name
        if fname is None:
            return "unknown"
        kinds: set[str] = set()
        for call, scope in self._calls_to(fname):
            args = call.arguments or []
            if index < len(args):
                kinds.add(self._instance_kind(args[index], scope, depth + 1))
        return "stripe" if "stripe" in kinds else ("dr" if "dr" in kinds else "unknown")

    def _calls_to(self, fname: str) -> list[tuple[Node, Scope]]:
        found: list[tuple[Node, Scope]] = []
        for node, scope in self._all_calls():
            callee = node.callee
            if callee is not None and callee.type == "Identifier" and callee.name == fname:
                found.append((node, scope))
        return found

    def _all_calls(self) -> list[tuple[Node, Scope]]:
        cached = getattr(self, "_calls_cache", None)
        if cached is not None:
            return list(cached)
        out: list[tuple[Node, Scope]] = []
        stack: list[tuple[Node, Scope]] = [(self.root.node, self.root)]
        while stack:
            node, scope = stack.pop()
            if node.type in FUNCTIONS:
                scope = self.scope_of.get(id(node), scope)
            if node.type == "CallExpression":
                out.append((node, scope))
            for child in children(node):
                stack.append((child, scope))
        self._calls_cache = out
        return list(out)

    # -- payload resolution -------------------------------------------------------------------
    def resolve(self, expr: Node, scope: Scope, at: int, depth: int = 0) -> list[Candidate]:
        found = self._resolve(expr, scope, at, depth)
        for cand in found:
            if cand.unresolved and cand.where is None:
                cand.where = span_of(expr)
        return found

    def _resolve(self, expr: Node, scope: Scope, at: int, depth: int) -> list[Candidate]:
        if depth > MAX_DEPTH:
            return [Candidate(unresolved=f"the payload `{self.snippet(expr)}` is built too indirectly to follow; migrate it by hand")]
        etype = expr.type
        if etype == "ObjectExpression":
            return [self._object_candidate(expr, scope, at, depth)]
        if etype == "Identifier":
            return self._resolve_identifier(expr, scope, at, depth)
        if etype == "ConditionalExpression":
            return self.resolve(expr.consequent, scope, at, depth + 1) + self.resolve(
                expr.alternate, scope, at, depth + 1
            )
        if etype == "LogicalExpression":
            return self.resolve(expr.left, scope, at, depth + 1) + self.resolve(
                expr.right, scope, at, depth + 1
            )
        if etype == "CallExpression":
            return self._resolve_call(expr, scope, at, depth)
        if etype == "MemberExpression":
            text = self.snippet(expr)
            return [Candidate(unresolved=f"the payload arrives from `{text}` (a server response or another object): "
                                         "migrate the code that builds it, on the server if it comes from there",
                              origin="external")]
        if etype == "AwaitExpression" and expr.argument is not None:
            return self.resolve(expr.argument, scope, at, depth + 1)
        return [Candidate(unresolved=f"the payload is computed by `{self.snippet(expr)}`; migrate the code that builds it",
                          origin="external")]

    def _object_candidate(self, obj: Node, scope: Scope, at: int, depth: int) -> Candidate:
        cand = Candidate(parts=[obj], origin="inline" if depth == 0 else "variable")
        for prop in obj.properties or ():
            if prop.type in ("SpreadElement", "ExperimentalSpreadProperty", "RestElement"):
                subs = self.resolve(prop.argument, scope, at, depth + 1)
                if len(subs) == 1 and not subs[0].unresolved:
                    cand.parts.extend(subs[0].parts)
                    cand.writes.extend(subs[0].writes)
                    cand.opaque.extend(subs[0].opaque)
                else:
                    cand.opaque.append(f"the spread `...{self.snippet(prop.argument)}`")
        return cand

    def _resolve_identifier(self, expr: Node, scope: Scope, at: int, depth: int) -> list[Candidate]:
        name = expr.name
        binding = scope.lookup(name)
        if binding is None and len(name) > 2 and not name.strip("_"):
            # the template front end stands a server tag (`<?= json_encode($data) ?>`) in as `___`
            return [Candidate(unresolved="the payload is printed by a server template tag; "
                                         "migrate the server code that builds it", origin="template")]
        if binding is None or binding.kind == "global" and not binding.defs:
            return [Candidate(unresolved=f"the payload `{name}` is not defined in this file; "
                                         "migrate the code that builds it", origin="external")]
        if binding.kind == "param":
            fn = binding.function
            fname = fn.id.name if fn is not None and fn.id is not None else "an anonymous function"
            return [Candidate(unresolved=f"the payload comes from the parameter `{name}` of {fname}; "
                                         "migrate the callers that build it", origin="parameter")]
        if binding.kind == "import":
            return [Candidate(unresolved=f"the payload `{name}` is imported; migrate it in the module "
                                         "that builds it", origin="import")]
        same_fn = binding.scope
        defs = [
            (value, pos) for value, pos in binding.defs
            if value is not None and (pos < at or self._enclosing_function(pos) is not same_fn.node)
        ]
        if not defs:
            return [Candidate(unresolved=f"the payload `{name}` is never given an object before the call; "
                                     "migrate the code that builds it")]
        writes = [w for w in binding.writes if w[3] < at]
        merges = [m for m in binding.merges if m[1] < at]
        out: list[Candidate] = []
        for value, _pos in defs:
            for cand in self.resolve(value, binding.scope, at, depth + 1):
                if cand.unresolved:
                    out.append(cand)
                    continue
                cand.writes.extend(writes)
                for call, _ in merges:
                    for arg in list(call.arguments or ())[1:]:
                        self._merge_part(cand, arg, binding.scope, at, depth)
                cand.origin = "variable"
                out.append(cand)
        return out

    def _merge_part(self, cand: Candidate, arg: Node, scope: Scope, at: int, depth: int) -> None:
        subs = self.resolve(arg, scope, at, depth + 1)
        if len(subs) == 1 and not subs[0].unresolved:
            cand.parts.extend(subs[0].parts)
            cand.writes.extend(subs[0].writes)
            cand.opaque.extend(subs[0].opaque)
        else:
            cand.opaque.append(f"the merged part `{self.snippet(arg)}`")

    def _resolve_call(self, expr: Node, scope: Scope, at: int, depth: int) -> list[Candidate]:
        qualified = dotted(expr.callee) or ""
        args = list(expr.arguments or ())
        if qualified in MERGE_CALLS and args:
            base = args[0]
            if base.type == "BooleanLiteral" or (base.type == "Literal" and isinstance(base.value, bool)):
                args = args[1:]  # $.extend(true, ...) deep merge
            if not args:
                return [Candidate(unresolved=f"the payload is computed by `{self.snippet(expr)}`; "
                                             "migrate the code that builds it")]
            first = self.resolve(args[0], scope, at, depth + 1)
            out: list[Candidate] = []
            for cand in first:
                if cand.unresolved:
                    cand = Candidate(opaque=[f"the merged part `{self.snippet(args[0])}`"])
                for arg in args[1:]:
                    self._merge_part(cand, arg, scope, at, depth)
                if not cand.parts:
                    cand = Candidate(unresolved=f"no part of `{self.snippet(expr)}` can be seen here; "
                                                    "migrate the code that builds it")
                out.append(cand)
            return out
        if expr.callee is not None and expr.callee.type == "Identifier":
            binding = scope.lookup(expr.callee.name)
            fn = None
            if binding is not None:
                fn = next((v for v, _ in binding.defs if v is not None and v.type in FUNCTIONS), None)
            if fn is not None:
                rets = self.returns.get(id(fn), [])
                inner = self.scope_of.get(id(fn), scope)
                if rets:
                    out = []
                    for ret in rets:
                        for cand in self.resolve(ret, inner, span_of(ret)[0] + 1, depth + 1):
                            cand.origin = "helper"
                            out.append(cand)
                    return out
        return [Candidate(unresolved=f"the payload is the result of `{self.snippet(expr)}`; "
                                     "migrate the code that builds it", origin="external")]

    def _enclosing_function(self, pos: int) -> Node:
        """The innermost function (or program) whose range contains `pos`."""
        best = self.root.node
        best_len = span_of(best)[1] - span_of(best)[0]
        for scope in self.scope_of.values():
            start, end = span_of(scope.node)
            if start <= pos < end and end - start < best_len:
                best, best_len = scope.node, end - start
        return best

    # -- helpers -------------------------------------------------------------------------------
    def member_key(self, member: Node) -> str:
        """What a member expression stores under: `.name` for named members, else its source text."""
        name = member_name(member)
        if name is not None:
            return "." + name
        start, end = span_of(member)
        return "".join(self.text[start:end].split())

    def snippet(self, node: Node, limit: int = 60) -> str:
        start, end = span_of(node)
        text = " ".join(self.text[start:end].split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def string_const(self, node: Node, scope: Scope, depth: int = 0) -> str | None:
        """The string a node always evaluates to, when it is a literal or a constant binding."""
        if node is None or depth > MAX_DEPTH:
            return None
        if node.type in ("Literal", "StringLiteral") and isinstance(node.value, str):
            return str(node.value)
        if node.type == "TemplateLiteral" and not node.expressions and len(node.quasis) == 1:
            cooked = node.quasis[0].value
            return getattr(cooked, "cooked", None) if cooked is not None else None
        if node.type == "Identifier":
            binding = scope.lookup(node.name)
            if binding is not None and len(binding.defs) == 1 and binding.defs[0][0] is not None:
                return self.string_const(binding.defs[0][0], binding.scope, depth + 1)
        if node.type == "MemberExpression":
            # CONSTANTS.PAYPAL where CONSTANTS = {PAYPAL: 'payPal'}
            root, path = member_path(node)
            if root is not None and len(path) == 1:
                binding = scope.lookup(root.name)
                if binding is not None and len(binding.defs) == 1 and binding.defs[0][0] is not None:
                    obj = binding.defs[0][0]
                    if obj.type == "ObjectExpression" and not any(w[2] is not None for w in binding.writes):
                        for prop in obj.properties or ():
                            if prop.type == "Property" and prop_key(prop, self, scope) == path[0]:
                                return self.string_const(prop.value, binding.scope, depth + 1)
        return None


# -- small AST helpers ------------------------------------------------------------------------------

def _pattern_names(pattern: Node) -> Iterator[Node]:
    if pattern is None:
        return
    if pattern.type == "Identifier":
        yield pattern
    elif pattern.type == "AssignmentPattern":
        yield from _pattern_names(pattern.left)
    elif pattern.type == "RestElement":
        yield from _pattern_names(pattern.argument)
    elif pattern.type == "ArrayPattern":
        for el in pattern.elements or ():
            yield from _pattern_names(el)
    elif pattern.type == "ObjectPattern":
        for prop in pattern.properties or ():
            yield from _pattern_names(prop.value if prop.type == "Property" else prop.argument)


def member_name(member: Node) -> str | None:
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


def member_path(member: Node) -> tuple[Node | None, list[str]]:
    """`a.b['c'].d` -> (Identifier a, ['b', 'c', 'd']); root None when not rooted at a name."""
    path: list[str] = []
    node = member
    while node.type == "MemberExpression":
        name = member_name(node)
        if name is None:
            return None, []
        path.append(name)
        node = node.object
    if node.type != "Identifier":
        return None, []
    path.reverse()
    return node, path


def dotted(node: Node) -> str | None:
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


def prop_key(prop: Node, analysis: Analysis | None = None, scope: Scope | None = None) -> str | None:
    key = prop.key
    if key is None:
        return None
    if not prop.computed:
        if key.type == "Identifier":
            return str(key.name)
        if key.type in ("Literal", "StringLiteral", "NumericLiteral"):
            return str(key.value)
        return None
    if analysis is not None and scope is not None:
        return analysis.string_const(key, scope)
    return None


# -- conversion to the neutral model ----------------------------------------------------------------

def to_object(obj: Node, analysis: Analysis, scope: Scope) -> ObjectLit:
    text = analysis.text
    props: list[Prop] = []
    opaque: list[str] = []
    for prop in obj.properties or ():
        if prop.type != "Property":
            continue  # spreads are resolved into separate parts
        key = prop_key(prop, analysis, scope)
        kstart, kend = span_of(prop.key)
        if prop.computed:
            # keep the brackets with the key so that removal takes `[k]: v` whole
            kstart = text.rfind("[", 0, kstart)
            kend = text.find("]", kend) + 1
        if key is None:
            opaque.append(f"the computed key `{text[kstart:kend]}`")
            key = f"[{text[kstart:kend]}]"
        quote = text[kstart] if text[kstart] in "\"'" else ""
        value = prop.value
        vspan = span_of(value) if value is not None else (kend, kend)
        nested = to_object(value, analysis, scope) if value is not None and value.type == "ObjectExpression" else None
        sval = analysis.string_const(value, scope) if value is not None and not prop.shorthand else None
        start = min(kstart, span_of(prop)[0])
        props.append(Prop(key, (start, max(span_of(prop)[1], vspan[1])), (kstart, kend), quote, vspan,
                          nested, sval))
    return ObjectLit(span_of(obj), tuple(props), tuple(opaque))


def _statement_for(analysis: Analysis, node: Node) -> tuple[Node, bool, str]:
    """The statement holding an assignment, whether it can be removed whole, and why not."""
    parent = analysis.parent.get(id(node))
    if parent is None or parent.type != "ExpressionStatement":
        return node, False, "it is part of a larger expression"
    holder = analysis.parent.get(id(parent))
    if holder is None or holder.type not in STATEMENT_LISTS:
        return parent, False, "the write is the body of a statement without braces"
    return parent, True, ""


def find_sites(program: Node, text: str, settings: Settings) -> tuple[PayloadSite, ...]:
    """Every payload that can reach a DigitalRiver.js `createSource` call in this program."""
    analysis = Analysis(program, text, settings)
    sites: list[PayloadSite] = []
    for call, scope, receiver, args in sorted(analysis.calls, key=lambda c: span_of(c[0])[0]):
        kind = analysis.receiver_kind(receiver, scope)
        if kind == "stripe":
            continue
        confidence = Confidence.HIGH if kind == "dr" else Confidence.LOW
        call_span = span_of(call)
        if not args:
            continue
        payload = args[1] if len(args) > 1 else args[0]
        at = call_span[0]
        for cand in analysis.resolve(payload, scope, at):
            site = _site(analysis, scope, call_span, cand, confidence, settings)
            if site is None:
                continue
            if confidence is Confidence.LOW and (site.source_type is None or
                                                 site.source_type not in settings.dr_types):
                continue  # an unknown receiver is reported only with a Digital River type
            sites.append(site)
    return tuple(sites)


def _site(analysis: Analysis, scope: Scope, call_span: Span, cand: Candidate,
          confidence: Confidence, settings: Settings) -> PayloadSite | None:
    if cand.unresolved:
        return PayloadSite(call_span, None, unresolved=cand.unresolved, unresolved_span=cand.where,
                           confidence=confidence, origin=cand.origin)
    pairs = [(p, to_object(p, analysis, scope)) for p in cand.parts]
    # the part that holds `type` goes first: sessionId is inserted there
    pairs.sort(key=lambda pair: 0 if pair[1].get("type") is not None else 1)
    parts = [obj for _, obj in pairs]
    writes: list[Write] = []
    type_value: str | None = None
    type_span: Span | None = None
    type_reason = ""
    type_options: tuple[str, ...] = ()
    for ast_part, part in pairs:
        tprop = part.get("type")
        if tprop is None:
            continue
        type_span = tprop.span
        type_value = tprop.string_value
        if type_value is None:
            value = next(p.value for p in ast_part.properties
                         if p.type == "Property" and prop_key(p, analysis, scope) == "type")
            type_options, type_reason = _type_options(analysis, scope, value)
            if len(type_options) == 1:
                type_value, type_options = type_options[0], ()
    for path, node, value, _pos in cand.writes:
        stmt, removable, why = _statement_for(analysis, node)
        if value is None and not removable:
            why = f"`{analysis.snippet(node)}` needs it"
        sval = analysis.string_const(value, scope) if value is not None else None
        writes.append(Write(tuple(path), span_of(stmt), removable, why, sval,
                            kind="write" if value is not None else "use"))
        if path == ("type",) and value is not None:
            type_span = span_of(stmt)
            type_value = sval
            if sval is None:
                type_reason = f"the type is computed at run time (`{analysis.snippet(value)}`)"
    if type_value is None and not type_options and not type_reason:
        if type_span is None and not cand.opaque:
            return None  # an object without a type is not a source payload
        type_reason = "the payload's type cannot be seen" + (
            f" ({', '.join(cand.opaque)} may set it)" if cand.opaque else "")
    if type_value is None and type_options:
        type_value = type_options[0]
    if type_value is not None and type_value not in settings.dr_types and not type_options:
        return None  # another kind of source (customerCredit on a REST client, a Stripe type, ...)
    return PayloadSite(
        call_span=call_span,
        source_type=type_value,
        type_span=type_span,
        type_reason=type_reason,
        type_options=type_options,
        parts=tuple(parts),
        writes=tuple(writes),
        opaque=tuple(cand.opaque) + tuple(o for p in parts for o in p.opaque),
        confidence=confidence,
        origin=cand.origin,
    )


def _type_options(analysis: Analysis, scope: Scope, value: Node) -> tuple[tuple[str, ...], str]:
    """For `cond ? 'a' : 'b'`, the literal choices; otherwise why the type cannot be known."""
    options: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if node.type == "ConditionalExpression":
            stack.extend((node.alternate, node.consequent))
            continue
        const = analysis.string_const(node, scope)
        if const is None:
            return (), f"the type is computed at run time (`{analysis.snippet(value)}`)"
        options.append(const)
    if len(set(options)) == 1:
        return (options[0],), ""
    return tuple(options), f"the type is `{analysis.snippet(value)}`"


def comment_spans(comments: Sequence[Node]) -> tuple[Span, ...]:
    return tuple(span_of(c) for c in comments or ())
