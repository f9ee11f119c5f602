"""JavaScript payload analysis over an ESTree AST: calls, receivers, payload flow, and who else uses it.

Works on ESTree nodes as esprima builds them with `range` (attribute access, missing attributes
read as None); the tree-sitter fallback builds the same shape, so both parsers share this module.
Bindings come from the scope manager (`jsscope`): every read and write attaches to a variable,
never to a name, so a `let payload` in one branch is not the `let payload` of the other.

Three small readers work on those bindings:
- receivers: is the object a `createSource` call is made on a DigitalRiver.js instance?
- payload flow: which object literals can reach the call (definitions that reach it, aliases,
  merges, spreads, helper functions), and which property writes build them before the call;
- other uses: where else each of those objects goes (another call, a read of a legacy field, a
  destructuring, a compound assignment…). A legacy key is removable only when nothing else needs it.

It yields neutral `PayloadSite`s and knows nothing about the rule table beyond the set of Digital
River type names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from drmigrate.frontends import Settings
from drmigrate.frontends.jsdynamic import DEFINE_CALLS, defined_property, dynamic_writes
from drmigrate.frontends.jseffects import Effects
from drmigrate.frontends.jsscope import (
    FUNCTIONS,
    STATEMENT_LISTS,
    Reference,
    ScopeManager,
    Variable,
    children,
)
from drmigrate.model import Block, Confidence, Enclosure, ObjectLit, PayloadSite, Prop, Span, Write

Node = Any  # an ESTree node (esprima's, or the fallback's look-alike)

MERGE_CALLS = frozenset(
    {"Object.assign", "$.extend", "jQuery.extend", "_.extend", "_.assign", "angular.extend", "_.merge",
     "$.merge"}
)
STRIPE_RE = re.compile(r"stripe", re.IGNORECASE)
LOADER_RE = re.compile(r"digital_?river", re.IGNORECASE)  # loadDigitalRiver, getDigitalRiverInstance
MAX_DEPTH = 8

HARMLESS_CALLEES = re.compile(r"^console\.\w+$")
# A statement may not start with these: the expression kept from a write could not stand alone.
_NOT_A_STATEMENT_START = re.compile(r"^\s*(?:[{]|function\b|class\b|async\s+function\b|let\s*\[)")


def span_of(node: Node) -> Span:
    start, end = node.range
    return (int(start), int(end))


# -- small AST helpers ------------------------------------------------------------------------------

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


def _is_literal_bool(node: Node) -> bool:
    return node.type == "BooleanLiteral" or (node.type == "Literal" and isinstance(node.value, bool))


@dataclass
class Candidate:
    """One way the payload can be built: its literal parts, writes, and what cannot be seen."""

    parts: list[Node] = field(default_factory=list)
    holders: list[tuple[Variable, Reference]] = field(default_factory=list)  # part variables
    merges: list[Node] = field(default_factory=list)  # merge calls that add to the payload
    opaque: list[str] = field(default_factory=list)
    unresolved: str = ""
    origin: str = "inline"
    where: Span | None = None  # the expression that cannot be seen into, when unresolved


@dataclass
class CallSite:
    """One call of a DigitalRiver.js method: the receiver, the method, its arguments."""

    node: Node
    receiver: Node
    method: str
    args: list[Node]
    element: str = ""  # createElement: the element type
    unresolved: str = ""  # why the arguments cannot be seen (`.apply(dr, args)` with a built list)


@dataclass
class Use:
    """What another piece of code does with a payload object (or a field of it)."""

    kind: str  # write, use (method call on a field), read, compound, escape
    path: tuple[str, ...]
    node: Node  # the expression or statement
    value: Node | None = None  # for writes: the value written


class Analysis:
    """Calls, receivers and payload flow of one program, on top of its scope manager."""

    def __init__(self, program: Node, text: str, settings: Settings) -> None:
        self.text = text
        self.settings = settings
        self.scopes = ScopeManager(program)
        self.parent = self.scopes.parent
        self.calls: list[CallSite] = []
        self.returns: dict[int, list[Node]] = {}  # id(function) -> returned expressions
        self.member_assigns: dict[str, list[Node]] = {}  # `x.name = value` by property name
        self.flow: set[int] = set()  # ids of nodes through which a payload reaches a DR call
        self._index: dict[int, int] = {}  # id(statement) -> index in its statement list
        self._collect(program)

    # -- collection ---------------------------------------------------------------------------
    def _collect(self, program: Node) -> None:
        stack = [program]
        while stack:
            node = stack.pop()
            ntype = node.type
            if ntype == "CallExpression":
                self._call(node)
            elif ntype == "AssignmentExpression" and node.operator == "=":
                if node.left is not None and node.left.type == "MemberExpression":
                    self.member_assigns.setdefault(self.member_key(node.left), []).append(node.right)
            elif ntype == "PropertyDefinition" and node.value is not None and node.key is not None:
                # a class field `#dr = new DigitalRiver(key)` stores like `this.#dr = ...`
                key = node.key
                name = ("#" if key.type == "PrivateIdentifier" else "") + str(key.name or key.value)
                self.member_assigns.setdefault("." + name, []).append(node.value)
            elif ntype == "ReturnStatement" and node.argument is not None:
                fn = self.scopes.function_of(node)
                self.returns.setdefault(id(fn), []).append(node.argument)
            elif ntype == "ArrowFunctionExpression" and node.expression and node.body is not None:
                self.returns.setdefault(id(node), []).append(node.body)
            if ntype in STATEMENT_LISTS:
                for i, stmt in enumerate(node.body or node.consequent or ()):
                    self._index[id(stmt)] = i
            stack.extend(children(node))

    def _call(self, node: Node) -> None:
        """Record a call of one of the DigitalRiver.js methods, in any of the forms code uses."""
        callee = node.callee
        args = list(node.arguments or ())
        if callee is None:
            return
        if callee.type == "Identifier":
            self._bare_call(node, callee, args)
            return
        if callee.type != "MemberExpression":
            return
        name = member_name(callee)
        if name in ("call", "apply") and callee.object.type == "MemberExpression":
            inner = callee.object
            method = member_name(inner)
            if method in self.settings.calls:
                why = ""
                if name == "call":
                    args = args[1:]
                else:
                    arr = args[1] if len(args) > 1 else None
                    if arr is not None and arr.type == "ArrayExpression":
                        args = list(arr.elements)
                    else:
                        why = (f"the arguments are the list `{self.snippet(arr) if arr is not None else ''}` "
                               "built elsewhere; migrate the payload where the list is filled")
                        args = []
                self._record(node, inner.object, method, args, why)
            return
        if name in self.settings.calls:
            self._record(node, callee.object, name, args)

    def _bare_call(self, node: Node, callee: Node, args: list[Node]) -> None:
        """`createSource(p)` after `const {createSource} = dr` or `const cs = dr.createSource.bind(dr)`;
        redux-saga's `call([dr, dr.createSource], p)`."""
        if callee.name == "call" and args and args[0].type == "ArrayExpression" and len(args[0].elements or ()) == 2:
            receiver, method = args[0].elements
            name = member_name(method) if method is not None and method.type == "MemberExpression" else (
                self.string_const(method) if method is not None else None)
            if receiver is not None and name in self.settings.calls:
                self._record(node, receiver, name, args[1:])
            return
        variable = self.scopes.variable(callee)
        if variable is None:
            return
        for definition in variable.definitions:
            owner = definition.node
            if owner is not None and owner.type == "VariableDeclarator" and owner.id is not None \
                    and owner.id.type == "ObjectPattern" and owner.init is not None:
                for prop in owner.id.properties or ():
                    if prop.type == "Property" and prop.value is definition.name:
                        method = prop_key(prop, self)
                        if method in self.settings.calls:
                            self._record(node, owner.init, method, args)
                            return
        for ref in variable.references:
            value = ref.value
            if ref.write and value is not None and value.type == "CallExpression" \
                    and value.callee is not None and value.callee.type == "MemberExpression" \
                    and member_name(value.callee) == "bind" and value.callee.object.type == "MemberExpression":
                bound = value.callee.object
                method = member_name(bound)
                if method in self.settings.calls:
                    self._record(node, bound.object, method, args)
                    return

    def _record(self, node: Node, receiver: Node, method: str, args: list[Node], why: str = "") -> None:
        element = ""
        if method == "createElement":
            kind = self.string_const(args[0]) if args else None
            elements = dict(self.settings.elements)
            if kind is None or kind.lower() not in elements:
                return  # an element configured without the session (card, online banking...)
            element = kind.lower()
            args = args[1:]
        self.calls.append(CallSite(node, receiver, method, args, element, why))

    # -- statements and reaching definitions ----------------------------------------------------
    def place(self, node: Node) -> tuple[tuple[int, int], ...]:
        """The chain of (statement list, index) from the function holding `node` down to it."""
        chain: list[tuple[int, int]] = []
        current = node
        parent = self.parent.get(id(current))
        while parent is not None:
            if parent.type in STATEMENT_LISTS and id(current) in self._index:
                chain.append((id(parent), self._index[id(current)]))
            if parent.type in FUNCTIONS or parent.type == "Program":
                break
            current, parent = parent, self.parent.get(id(parent))
        chain.reverse()
        return tuple(chain)

    def _unconditional(self, ref: Reference) -> bool:
        """The write runs whenever its statement runs (not inside `a && (p = x)`, a ternary...)."""
        current = ref.identifier
        for ancestor in self.scopes.ancestors(current):
            kind = ancestor.type
            if kind in ("ExpressionStatement", "VariableDeclaration"):
                return True
            if kind not in ("AssignmentExpression", "VariableDeclarator", "SequenceExpression",
                            "AwaitExpression"):
                return False
        return False

    def _dominates(self, ref: Reference, use: Node) -> bool:
        """`ref` (a write) runs on every path to `use`, earlier in the same function."""
        if not self._unconditional(ref):
            return False
        mine, theirs = self.place(ref.identifier), self.place(use)
        if not mine:
            return False
        depth = len(mine) - 1
        if len(theirs) <= depth or mine[:depth] != theirs[:depth]:
            return False
        return mine[depth][0] == theirs[depth][0] and mine[depth][1] < theirs[depth][1]

    def reaching(self, variable: Variable, use: Node) -> list[Reference]:
        """The writes of `variable` whose value `use` may see."""
        at = span_of(use)[0]
        use_fn = self.scopes.function_of(use)
        writes = [r for r in variable.references if r.write]
        out: list[Reference] = []
        for ref in writes:
            if ref.identifier is use:
                continue
            owner = self.parent.get(id(ref.identifier))
            if owner is not None and owner.type in ("AssignmentExpression", "VariableDeclarator"):
                o0, o1 = span_of(owner)
                if o0 <= at < o1:
                    continue  # `p = f(p)`: the use is read before its own assignment is made
            pos = span_of(ref.identifier)[0]
            same = self.scopes.function_of(ref.identifier) is use_fn
            if same and pos >= at:
                continue  # later in the same function (loops aside)
            if same:
                killed = any(
                    other is not ref and pos < span_of(other.identifier)[0] < at
                    and self.scopes.function_of(other.identifier) is use_fn
                    and self._dominates(other, use)
                    for other in writes
                )
                if killed:
                    continue
            out.append(ref)
        return out

    # -- receivers ----------------------------------------------------------------------------
    def receiver_kind(self, receiver: Node, depth: int = 0) -> str:
        """'dr', 'stripe' or 'unknown' for the object a createSource call is made on."""
        if depth > MAX_DEPTH or receiver is None:
            return "unknown"
        rtype = receiver.type
        if rtype == "Identifier":
            variable = self.scopes.variable(receiver)
            if variable is not None:
                values = [r.value for r in variable.references if r.write and r.value is not None]
                values += [d.value for d in variable.definitions if d.value is not None and d.kind != "implicit"]
                kinds = {self._instance_kind(v, depth) for v in values}
                if "stripe" in kinds:
                    return "stripe"
                if "dr" in kinds:
                    return "dr"
                if variable.kind == "param":
                    passed = self._param_receiver(variable, depth)
                    if passed != "unknown":
                        return passed
            return self._by_name(receiver.name)
        if rtype == "MemberExpression":
            kinds = {self._instance_kind(v, depth) for v in self.member_assigns.get(self.member_key(receiver), ())}
            if "stripe" in kinds:
                return "stripe"
            if "dr" in kinds:
                return "dr"
            prop = member_name(receiver)
            if prop is None and receiver.computed:
                prop = self.string_const(receiver.property)
                if prop is None and receiver.property is not None and receiver.property.type == "Identifier":
                    # `app[DRJS]`: a key constant named like the instance (imported, say) is evidence
                    return self._by_name(receiver.property.name, loose=True)
            return self._by_name(prop) if prop is not None else "unknown"
        if rtype in ("NewExpression", "CallExpression"):
            return self._instance_kind(receiver, depth)
        return "unknown"

    def _by_name(self, name: str, *, loose: bool = False) -> str:
        if STRIPE_RE.search(name):
            return "stripe"
        if name in self.settings.receiver_names:
            return "dr"
        if loose and name.lower() in {n.lower() for n in self.settings.receiver_names}:
            return "dr"
        return "unknown"

    def _instance_kind(self, value: Node, depth: int) -> str:
        if depth > MAX_DEPTH:
            return "unknown"
        if value.type in ("NewExpression", "CallExpression"):
            callee = value.callee
            last = (dotted(callee) or "").rsplit(".", 1)[-1]
            if last == "DigitalRiver":
                return "dr"
            if last == "Stripe":
                return "stripe"
            if STRIPE_RE.search(last):
                return "stripe"
            if LOADER_RE.search(last):
                return "dr"  # `loadDigitalRiver(key)`, `await getDigitalRiver()`: an async loader
            if callee is not None and callee.type == "Identifier":
                # `const DR = window.DigitalRiver; new DR(key)`: the constructor under another name
                variable = self.scopes.variable(callee)
                values = [r.value for r in variable.references if r.write and r.value is not None] \
                    if variable is not None else []
                if any((dotted(v) or "").rsplit(".", 1)[-1] == "DigitalRiver" for v in values):
                    return "dr"
            if value.type == "CallExpression" and last == "then" and value.arguments:
                # `load(src).then(() => new DigitalRiver(key))`: what the callback returns
                fn = value.arguments[0]
                if fn.type in FUNCTIONS:
                    kinds = {self._instance_kind(r, depth + 1) for r in self.returns.get(id(fn), [])}
                    if "stripe" in kinds:
                        return "stripe"
                    if "dr" in kinds:
                        return "dr"
            return "unknown"
        if value.type in ("Identifier", "MemberExpression"):
            return self.receiver_kind(value, depth + 1)
        if value.type == "LogicalExpression":
            kinds = {self._instance_kind(value.left, depth + 1), self._instance_kind(value.right, depth + 1)}
            return "stripe" if "stripe" in kinds else ("dr" if "dr" in kinds else "unknown")
        if value.type == "AwaitExpression" and value.argument is not None:
            return self._instance_kind(value.argument, depth + 1)
        return "unknown"

    def _function_variable(self, fn: Node) -> Variable | None:
        """The variable a function is known by: its declaration's name or its declarator's."""
        if fn.type == "FunctionDeclaration" and fn.id is not None:
            return self.scopes.variable(fn.id)
        holder = self.parent.get(id(fn))
        if holder is not None and holder.type == "VariableDeclarator" and holder.id is not None \
                and holder.id.type == "Identifier" and holder.init is fn:
            return self.scopes.variable(holder.id)
        if holder is not None and holder.type == "AssignmentExpression" and holder.right is fn \
                and holder.left.type == "Identifier":
            return self.scopes.variable(holder.left)
        return None

    def _callers(self, fn: Node) -> list[Node] | None:
        """The calls of a function in this file; None when it is also used another way."""
        variable = self._function_variable(fn)
        if variable is None:
            return None
        calls: list[Node] = []
        for ref in variable.references:
            if ref.write:
                continue
            parent = self.parent.get(id(ref.identifier))
            if parent is not None and parent.type == "CallExpression" and parent.callee is ref.identifier:
                calls.append(parent)
            else:
                return None
        return calls

    def _param_receiver(self, variable: Variable, depth: int) -> str:
        """A parameter is a DR instance when a call in this file passes one in that position."""
        definition = variable.definitions[0]
        fn = definition.node
        if fn is None or fn.type not in FUNCTIONS:
            return "unknown"
        index = next((i for i, p in enumerate(fn.params or ()) if p is definition.name), None)
        if index is None:
            return "unknown"
        holder = self.parent.get(id(fn))
        if holder is not None and holder.type == "CallExpression" and holder.callee is not None \
                and holder.callee.type == "MemberExpression" and member_name(holder.callee) == "then" \
                and index == 0 and (holder.arguments or [None])[0] is fn:
            # `loadDigitalRiver(key).then(function (client) {...})`: the promise's value
            return self._instance_kind(holder.callee.object, depth + 1)
        function_var = self._function_variable(fn)
        if function_var is None:
            return "unknown"
        kinds: set[str] = set()
        for ref in function_var.references:
            call = self.parent.get(id(ref.identifier))
            if call is None or call.type != "CallExpression" or call.callee is not ref.identifier:
                continue
            args = call.arguments or []
            if index < len(args):
                kinds.add(self._instance_kind(args[index], depth + 1))
        return "stripe" if "stripe" in kinds else ("dr" if "dr" in kinds else "unknown")

    # -- payload resolution -------------------------------------------------------------------
    def resolve(self, expr: Node, at: Node, depth: int = 0) -> list[Candidate]:
        """The ways `expr` (evaluated at the call `at`) can be built."""
        self.flow.add(id(expr))
        found = self._resolve(expr, at, depth)
        for cand in found:
            if cand.unresolved and cand.where is None:
                cand.where = span_of(expr)
        return found

    def _resolve(self, expr: Node, at: Node, depth: int) -> list[Candidate]:
        if depth > MAX_DEPTH:
            return [Candidate(unresolved=f"the payload `{self.snippet(expr)}` is built too indirectly "
                                         "to follow; migrate it by hand")]
        etype = expr.type
        if etype == "ObjectExpression":
            return [self._object_candidate(expr, at, depth)]
        if etype == "Identifier":
            return self._resolve_identifier(expr, at, depth)
        if etype == "ConditionalExpression":
            return self.resolve(expr.consequent, at, depth + 1) + self.resolve(expr.alternate, at, depth + 1)
        if etype == "LogicalExpression":
            return self.resolve(expr.left, at, depth + 1) + self.resolve(expr.right, at, depth + 1)
        if etype == "CallExpression":
            return self._resolve_call(expr, at, depth)
        if etype == "MemberExpression":
            return [Candidate(unresolved=f"the payload arrives from `{self.snippet(expr)}` (a server "
                                         "response or another object): migrate the code that builds "
                                         "it, on the server if it comes from there", origin="external")]
        if etype == "AwaitExpression" and expr.argument is not None:
            return self.resolve(expr.argument, at, depth + 1)
        return [Candidate(unresolved=f"the payload is computed by `{self.snippet(expr)}`; migrate the "
                                     "code that builds it", origin="external")]

    def _object_candidate(self, obj: Node, at: Node, depth: int) -> Candidate:
        cand = Candidate(parts=[obj], origin="inline" if depth == 0 else "variable")
        for prop in obj.properties or ():
            if prop.type in ("SpreadElement", "ExperimentalSpreadProperty", "RestElement"):
                self._merge_part(cand, prop.argument, at, depth, f"the spread `...{self.snippet(prop.argument)}`")
        return cand

    def _merge_part(self, cand: Candidate, arg: Node, at: Node, depth: int, shown: str) -> None:
        subs = self.resolve(arg, at, depth + 1)
        if len(subs) == 1 and not subs[0].unresolved:
            cand.parts.extend(subs[0].parts)
            cand.holders.extend(subs[0].holders)
            cand.merges.extend(subs[0].merges)
            cand.opaque.extend(subs[0].opaque)
        else:
            cand.opaque.append(shown)

    def _resolve_identifier(self, expr: Node, at: Node, depth: int) -> list[Candidate]:
        name = expr.name
        variable = self.scopes.variable(expr)
        if variable is None or (variable.kind == "implicit" and not variable.definitions):
            if len(name) > 2 and not name.strip("_"):
                # the template front end stands a server tag (`<?= json_encode($data) ?>`) in as `___`
                return [Candidate(unresolved="the payload is printed by a server template tag; "
                                             "migrate the server code that builds it", origin="template")]
            return [Candidate(unresolved=f"the payload `{name}` is not defined in this file; "
                                         "migrate the code that builds it", origin="external")]
        if variable.kind == "param":
            fn = variable.definitions[0].node
            fname = fn.id.name if fn is not None and fn.id is not None else "an anonymous function"
            return [Candidate(unresolved=f"the payload comes from the parameter `{name}` of {fname}; "
                                         "migrate the callers that build it", origin="parameter")]
        if variable.kind == "import":
            return [Candidate(unresolved=f"the payload `{name}` is imported; migrate it in the module "
                                         "that builds it", origin="import")]
        defs = [r for r in self.reaching(variable, expr) if r.value is not None]
        if not defs:
            return [Candidate(unresolved=f"the payload `{name}` is never given an object before the "
                                         "call; migrate the code that builds it")]
        out: list[Candidate] = []
        for ref in defs:
            for cand in self.resolve(ref.value, at, depth + 1):
                if not cand.unresolved:
                    cand.holders.append((variable, ref))
                    self._add_merges(cand, variable, ref, at, depth)
                    cand.origin = "variable"
                out.append(cand)
        return out

    def _add_merges(self, cand: Candidate, variable: Variable, ref: Reference, at: Node, depth: int) -> None:
        """`Object.assign(p, {...})` statements between the definition and the call add parts."""
        start, end = span_of(ref.identifier)[0], span_of(at)[0]
        for use in variable.references:
            if use.write or not start < span_of(use.identifier)[0] < end:
                continue
            call = self.parent.get(id(use.identifier))
            if call is None or call.type != "CallExpression" or dotted(call.callee) not in MERGE_CALLS:
                continue
            args = list(call.arguments or ())
            if args and _is_literal_bool(args[0]):
                args = args[1:]
            if not args or args[0] is not use.identifier or ref not in self.reaching(variable, use.identifier):
                continue
            self.flow.add(id(use.identifier))
            cand.merges.append(call)
            for arg in args[1:]:
                self._merge_part(cand, arg, at, depth, f"the merged part `{self.snippet(arg)}`")

    def _resolve_call(self, expr: Node, at: Node, depth: int) -> list[Candidate]:
        qualified = dotted(expr.callee) or ""
        args = list(expr.arguments or ())
        if qualified in MERGE_CALLS and args:
            if _is_literal_bool(args[0]):
                args = args[1:]  # $.extend(true, ...) deep merge
            if not args:
                return [Candidate(unresolved=f"the payload is computed by `{self.snippet(expr)}`; "
                                             "migrate the code that builds it")]
            out: list[Candidate] = []
            for cand in self.resolve(args[0], at, depth + 1):
                if cand.unresolved:
                    cand = Candidate(opaque=[f"the merged part `{self.snippet(args[0])}`"])
                cand.merges.append(expr)
                for arg in args[1:]:
                    self._merge_part(cand, arg, at, depth, f"the merged part `{self.snippet(arg)}`")
                if not cand.parts:
                    cand = Candidate(unresolved=f"no part of `{self.snippet(expr)}` can be seen here; "
                                                "migrate the code that builds it")
                out.append(cand)
            return out
        if expr.callee is not None and expr.callee.type == "Identifier":
            variable = self.scopes.variable(expr.callee)
            fn = None
            if variable is not None:
                values = [d.value for d in variable.definitions if d.value is not None]
                values += [r.value for r in variable.references if r.write and r.value is not None]
                fn = next((v for v in values if v.type in FUNCTIONS), None)
            rets = self.returns.get(id(fn), []) if fn is not None else []
            if rets:
                self.flow.add(id(expr.callee))
                out = []
                for ret in rets:
                    for cand in self.resolve(ret, ret, depth + 1):
                        cand.origin = "helper"
                        out.append(cand)
                return out
        return [Candidate(unresolved=f"the payload is the result of `{self.snippet(expr)}`; "
                                     "migrate the code that builds it", origin="external")]

    # -- other uses of a payload object ---------------------------------------------------------
    def holders_of(self, cand: Candidate, part: Node) -> list[tuple[Variable, Reference]]:
        """The variables that hold `part`, following aliases (`var q = p`) and merges into it."""
        found: list[tuple[Variable, Reference]] = []
        parent = self.parent.get(id(part))
        origin = self._assigned_to(part, parent)
        if origin is not None:
            found.append(origin)
        for holder in cand.holders:
            ref = holder[1]
            is_part = ref.value is part or (ref.value is not None and self._value_is(ref.value, part))
            if is_part and holder not in found:
                found.append(holder)
        seen = 0
        while seen < len(found) and len(found) < 64:
            variable, ref = found[seen]
            seen += 1
            for use in variable.references:
                if use.write or ref not in self.reaching(variable, use.identifier):
                    continue
                alias = self._alias_target(use.identifier)
                if alias is not None and alias not in found:
                    found.append(alias)
        return found

    def _value_is(self, value: Node, part: Node) -> bool:
        """`value` evaluates to the object `part` itself (a merge into it returns it)."""
        while value is not None:
            if value is part:
                return True
            if value.type == "CallExpression" and dotted(value.callee) in MERGE_CALLS:
                args = list(value.arguments or ())
                if args and _is_literal_bool(args[0]):
                    args = args[1:]
                value = args[0] if args else None
            elif value.type in ("AwaitExpression",):
                value = value.argument
            else:
                return False
        return False

    def _assigned_to(self, node: Node, parent: Node | None) -> tuple[Variable, Reference] | None:
        """The (variable, write) that stores `node` when it is the value of `x = node` / `let x = node`."""
        target = None
        if parent is not None and parent.type == "VariableDeclarator" and parent.init is node:
            target = parent.id
        elif parent is not None and parent.type == "AssignmentExpression" and parent.right is node \
                and parent.operator == "=":
            target = parent.left
        if target is None or target.type != "Identifier":
            return None
        ref = self.scopes.reference_of.get(id(target))
        if ref is None or ref.variable is None:
            return None
        return ref.variable, ref

    def _alias_target(self, ident: Node) -> tuple[Variable, Reference] | None:
        """`var q = p` / `q = p` / `p = $.extend(p, …)`: the write that makes another holder."""
        node = ident
        parent = self.parent.get(id(node))
        if parent is not None and parent.type == "CallExpression" and dotted(parent.callee) in MERGE_CALLS:
            args = list(parent.arguments or ())
            if args and _is_literal_bool(args[0]):
                args = args[1:]
            if not args or args[0] is not node:
                return None
            node, parent = parent, self.parent.get(id(parent))
        return self._assigned_to(node, parent)

    def uses(self, cand: Candidate, part: Node, call: Node) -> list[Use]:
        """Everything else code does with the object `part`, through any variable holding it."""
        out: list[Use] = []
        parent = self.parent.get(id(part))
        if parent is not None and (parent.type == "ReturnStatement" or (
                parent.type == "ArrowFunctionExpression" and parent.body is part)):
            out.extend(self._helper_escape(part))
        call_at = span_of(call)[0]
        for variable, ref in self.holders_of(cand, part):
            for use in variable.references:
                ident = use.identifier
                if use.write or ref not in self.reaching(variable, ident):
                    continue
                out.extend(self._classify(ident, call_at))
        return out

    def _helper_escape(self, node: Node) -> list[Use]:
        """A helper's result reaches the payload: its other callers get the same object."""
        fn = self.scopes.function_of(node)
        callers = self._callers(fn) if fn.type in FUNCTIONS else None
        if callers is None:
            return [Use("escape", (), fn)]
        return [Use("escape", (), c) for c in callers if id(c.callee) not in self.flow]

    def _classify(self, ident: Node, call_at: int) -> list[Use]:
        """What the code at `ident` (a reference to a payload holder) does with the object."""
        parent = self.parent.get(id(ident))
        if id(ident) in self.flow:
            if parent is not None and parent.type == "ReturnStatement":
                return self._helper_escape(ident)
            return []
        if parent is None:
            return []
        ptype = parent.type
        if ptype == "MemberExpression" and parent.object is ident:
            found = self._member_use(parent, call_at)
            return [found] if found is not None else []
        if self._alias_target(ident) is not None:
            return []  # followed as another holder
        if ptype == "CallExpression" and dotted(parent.callee) in DEFINE_CALLS \
                and (parent.arguments or [None])[0] is ident and span_of(parent)[0] < call_at:
            return [Use("define", (), parent)]  # `Object.defineProperty(p, 'amount', {...})`: a write
        if ptype == "VariableDeclarator" and parent.init is ident and parent.id.type == "ObjectPattern":
            return [self._destructured(parent.id, parent)]
        if ptype == "AssignmentExpression" and parent.right is ident and parent.left.type == "ObjectPattern":
            return [self._destructured(parent.left, parent)]
        harmless = (
            ptype in ("IfStatement", "WhileStatement", "DoWhileStatement", "ExpressionStatement")
            or (ptype == "ConditionalExpression" and parent.test is ident)
            or (ptype == "UnaryExpression" and parent.operator in ("typeof", "!", "void"))
            or (ptype == "BinaryExpression" and parent.operator in ("===", "!==", "==", "!=", "instanceof"))
            or (ptype == "LogicalExpression" and self._only_tested(parent))
            or (ptype == "CallExpression" and parent.callee is not ident
                and HARMLESS_CALLEES.match(dotted(parent.callee) or "") is not None)
        )
        return [] if harmless else [Use("escape", (), parent)]

    def _only_tested(self, node: Node) -> bool:
        parent = self.parent.get(id(node))
        return parent is not None and (
            parent.type in ("IfStatement", "WhileStatement", "DoWhileStatement")
            or (parent.type == "ConditionalExpression" and parent.test is node)
            or (parent.type == "UnaryExpression" and parent.operator == "!"))

    def _destructured(self, pattern: Node, owner: Node) -> Use:
        keys: list[str] = []
        for prop in pattern.properties or ():
            if prop.type != "Property":
                return Use("read", (), owner)  # `...rest` reads every key
            key = prop_key(prop, self)
            if key is None:
                return Use("read", (), owner)
            keys.append(key)
        return Use("read", ("|".join(keys),), owner)  # split by the engine's reader below

    def _member_use(self, member: Node, call_at: int) -> Use | None:
        path: list[str] = []
        node = member
        dynamic = False
        while node is not None and node.type == "MemberExpression":
            name = member_name(node)
            if name is None and node.computed:
                name = self.string_const(node.property)
            if name is None:
                dynamic = True
                break
            path.append(name)
            parent = self.parent.get(id(node))
            if parent is None or parent.type != "MemberExpression" or parent.object is not node:
                break
            node = parent
        outer = node
        ctx = self.parent.get(id(outer))
        tup = tuple(path)
        if ctx is not None and ctx.type == "AssignmentExpression" and ctx.left is outer:
            if dynamic:  # `p[key] = v`: may add any key (or those of a constant list it walks)
                if ctx.operator != "=" or span_of(ctx)[0] > call_at or node is not member:
                    return None
                return Use("dynamic", (), ctx, ctx.right)
            if ctx.operator != "=":
                return Use("compound", tup, ctx, ctx.right)
            if span_of(ctx)[0] > call_at:
                return None  # written after the call: not part of what the call sends
            return Use("write", tup, ctx, ctx.right)
        if dynamic:
            return Use("read", (), outer)
        if ctx is not None and ctx.type == "UpdateExpression":
            return Use("compound", tup, ctx)
        if ctx is not None and ctx.type == "UnaryExpression" and ctx.operator == "delete":
            return None
        if ctx is not None and ctx.type == "CallExpression" and ctx.callee is outer:
            if len(tup) == 1:
                return Use("read", (), ctx)  # `p.hasOwnProperty(...)`, `p.toString()`: the whole object
            if span_of(ctx)[0] > call_at:
                return Use("read", tup[:-1], ctx)
            return Use("use", tup[:-1], ctx)
        return Use("read", tup, outer)

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

    def line(self, node: Node) -> int:
        return self.text.count("\n", 0, span_of(node)[0]) + 1

    def string_const(self, node: Node, depth: int = 0) -> str | None:
        """The string a node always evaluates to, when it is a literal or a constant binding."""
        if node is None or depth > MAX_DEPTH:
            return None
        if node.type in ("Literal", "StringLiteral") and isinstance(node.value, str):
            return str(node.value)
        if node.type == "TemplateLiteral" and not node.expressions and len(node.quasis) == 1:
            cooked = node.quasis[0].value
            return getattr(cooked, "cooked", None) if cooked is not None else None
        if node.type == "Identifier":
            variable = self.scopes.variable(node)
            if variable is not None:
                values = [r.value for r in variable.references if r.write]
                if len(values) == 1 and values[0] is not None:
                    return self.string_const(values[0], depth + 1)
            return None
        if node.type == "MemberExpression" and node.object is not None and node.object.type == "Identifier":
            # CONSTANTS.PAYPAL where CONSTANTS = {PAYPAL: 'payPal'}
            name = member_name(node)
            variable = self.scopes.variable(node.object)
            if name is None or variable is None:
                return None
            values = [r.value for r in variable.references if r.write]
            if len(values) != 1 or values[0] is None or values[0].type != "ObjectExpression":
                return None
            for ref in variable.references:
                parent = self.parent.get(id(ref.identifier))
                if parent is not None and parent.type == "MemberExpression" and parent.object is ref.identifier:
                    grand = self.parent.get(id(parent))
                    if grand is not None and grand.type == "AssignmentExpression" and grand.left is parent:
                        return None  # the constants object is written to: not constant
            for prop in values[0].properties or ():
                if prop.type == "Property" and prop_key(prop, self) == name:
                    return self.string_const(prop.value, depth + 1)
        return None


def prop_key(prop: Node, analysis: Analysis | None = None) -> str | None:
    key = prop.key
    if key is None:
        return None
    if not prop.computed:
        if key.type == "Identifier":
            return str(key.name)
        if key.type in ("Literal", "StringLiteral", "NumericLiteral"):
            return str(key.value)
        return None
    if analysis is not None:
        return analysis.string_const(key)
    return None


def effects(node: Node | None, analysis: Analysis | None = None) -> Node | None:
    """The first sub-expression of `node` that may have a side effect, or None when it is proven
    to have none (`jseffects`: literals, reads, known-pure builtins, functions of this file whose
    body is proven pure). With `analysis`, the file's own functions are looked into."""
    if analysis is None:
        return Effects(None).first(node)
    finder = analysis.__dict__.get("_effects")
    if finder is None:
        finder = analysis.__dict__["_effects"] = Effects(analysis.scopes)
    found: Node | None = finder.first(node)
    return found


# -- conversion to the neutral model ----------------------------------------------------------------

def to_object(obj: Node, analysis: Analysis) -> ObjectLit:
    text = analysis.text
    props: list[Prop] = []
    opaque: list[str] = []
    others: list[Span] = []
    for prop in obj.properties or ():
        if prop.type != "Property":
            others.append(span_of(prop))  # spreads: resolved into separate parts
            continue
        key = prop_key(prop, analysis)
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
        nested = to_object(value, analysis) if value is not None and value.type == "ObjectExpression" else None
        sval = analysis.string_const(value) if value is not None and not prop.shorthand else None
        start = min(kstart, span_of(prop)[0])
        accessor = getattr(prop, "kind", "init") in ("get", "set")  # runs when the payload is read
        effect = effects(prop if accessor else value, analysis) if value is not None and not prop.method else None
        if prop.computed and key.startswith("[") and effect is None:
            effect = effects(prop.key, analysis)
        props.append(Prop(key, (start, max(span_of(prop)[1], vspan[1])), (kstart, kend), quote, vspan,
                          nested, sval, effects=analysis.snippet(effect) if effect is not None else ""))
    return ObjectLit(span_of(obj), tuple(props), tuple(opaque), others=tuple(others))


def _statement_for(analysis: Analysis, node: Node) -> tuple[Node, bool, str]:
    """The statement holding an assignment, whether it can be removed whole, and why not."""
    parent = analysis.parent.get(id(node))
    if parent is None or parent.type != "ExpressionStatement":
        return node, False, "it is part of a larger expression"
    holder = analysis.parent.get(id(parent))
    if holder is None or holder.type not in STATEMENT_LISTS:
        return parent, False, "the write is the body of a statement without braces"
    return parent, True, ""


_CLOSED = frozenset({"BlockStatement", "FunctionDeclaration", "ClassDeclaration", "TryStatement",
                     "SwitchStatement", "EmptyStatement", "BreakStatement", "ContinueStatement"})
_NESTING = {"IfStatement": ("alternate", "consequent"), "ForStatement": ("body",),
            "ForInStatement": ("body",), "ForOfStatement": ("body",), "WhileStatement": ("body",),
            "WithStatement": ("body",), "LabeledStatement": ("body",)}
RISKY_STARTS = "([`+-/"


def ends_open(text: str, stmt: Node) -> bool:
    """`stmt` ends without a `;` of its own: a following `(`, `[`... would continue it (ASI)."""
    node = stmt
    while True:
        if text[slice(*span_of(node))].rstrip().endswith(";"):
            return False
        kind = node.type
        if kind in _CLOSED:
            return False
        if kind in _NESTING:
            inner = next((getattr(node, f) for f in _NESTING[kind] if getattr(node, f) is not None), None)
            if inner is None:
                return False
            node = inner
            continue
        if kind in ("ReturnStatement", "ThrowStatement"):
            return node.argument is not None
        declaration = node.declaration if kind.startswith("Export") else None
        return declaration is None or declaration.type not in ("FunctionDeclaration", "ClassDeclaration")


def _separation(analysis: Analysis, stmt: Node) -> tuple[tuple[int, int] | None, bool, bool]:
    """(statement list slot, the statement before ends open, the one after starts risky)."""
    holder = analysis.parent.get(id(stmt))
    index = analysis._index.get(id(stmt))
    if holder is None or index is None:
        return None, False, False
    body = list(holder.body if holder.type != "SwitchCase" else holder.consequent or ())
    text = analysis.text
    before = index > 0 and ends_open(text, body[index - 1])
    after = index + 1 < len(body) and text[span_of(body[index + 1])[0]:][:1] in RISKY_STARTS
    return (id(holder), index), before, after


# Calls that only a DigitalRiver.js instance has: an unrecognised receiver is still worth a report
# (low confidence). `paymentRequest` and `createElement` are Stripe's too: only on a known instance.
DR_ONLY_CALLS = frozenset({"createDropin", "retrieveAvailablePaymentMethods"})


# What a session id in scope looks like, best first: the checkout's `payment.session.id`, the older
# `paymentSessionId`, a `paymentSession.id`, a plain `sessionId` (which also names other sessions,
# so it ranks last), and variables named so.
_CANDIDATE_CHAINS = (
    re.compile(r"(?:^|\.)payment\.session\.id$"),
    re.compile(r"(?:^|\.)paymentSessionId$"),
    re.compile(r"(?:^|\.)paymentSession\.id$"),
    re.compile(r"(?:^|\.)(?:dr|drjs|checkout)?[sS]essionId$"),
)


def session_candidates(analysis: Analysis, call: Node) -> tuple[str, ...]:
    """Expressions visible at `call` that look like the checkout's payment session id, best first."""
    scope = analysis.scopes.scope_at(call)
    at = span_of(call)[0]
    found: dict[str, tuple[int, int]] = {}  # expression -> (rank, distance)

    def visible(root: Node) -> bool:
        variable = analysis.scopes.variable(root)
        return variable is None or variable.kind == "implicit" or scope.lookup(root.name) is variable

    for ref in analysis.scopes.references:
        ident = ref.identifier
        parent = analysis.parent.get(id(ident))
        node = ident
        while parent is not None and parent.type == "MemberExpression" and parent.object is node \
                and member_name(parent) is not None:
            node, parent = parent, analysis.parent.get(id(parent))
        if parent is not None and parent.type == "AssignmentExpression" and parent.left is node:
            continue  # written here, not a value to read
        if parent is not None and parent.type == "Property" and parent.key is node and not parent.computed:
            continue
        text = dotted(node)
        if text is None or not visible(ident):
            continue
        for rank, pattern in enumerate(_CANDIDATE_CHAINS):
            if pattern.search(text):
                distance = abs(span_of(node)[0] - at)
                best = found.get(text)
                if best is None or (rank, distance) < best:
                    found[text] = (rank, distance)
                break
    placeholder_free = [t for t in found if "DRMIGRATE" not in t]
    return tuple(sorted(placeholder_free, key=lambda t: found[t]))[:3]


def find_sites(program: Node, text: str, settings: Settings) -> tuple[PayloadSite, ...]:
    """Every payload that can reach a DigitalRiver.js call in this program (each call, a verdict)."""
    analysis = Analysis(program, text, settings)
    resolved: list[tuple[CallSite, Confidence, list[Candidate]]] = []
    for call in sorted(analysis.calls, key=lambda c: span_of(c.node)[0]):
        kind = analysis.receiver_kind(call.receiver)
        if kind == "stripe" or (kind == "unknown" and _defined_here(analysis, call)):
            continue  # Stripe, or an object of this file with its own method of that name
        if kind == "unknown" and call.method not in ("createSource", *DR_ONLY_CALLS):
            continue
        confidence = Confidence.HIGH if kind == "dr" else Confidence.LOW
        if call.unresolved or not call.args:
            why = call.unresolved or "the call passes no payload; check it by hand"
            resolved.append((call, confidence, [Candidate(unresolved=why, where=span_of(call.node))]))
            continue
        if call.method == "createSource":
            payload = call.args[1] if len(call.args) > 1 else call.args[0]
        else:
            payload = call.args[0]
        candidates = analysis.resolve(payload, call.node)
        key = dict(settings.elements).get(call.element, "") if call.element else ""
        if key:
            candidates = _inner_payloads(analysis, candidates, key, call.node)
        resolved.append((call, confidence, candidates))
    sites: list[PayloadSite] = []
    for call, confidence, candidates in resolved:
        source = call.method == "createSource" or bool(call.element and dict(settings.elements).get(call.element))
        for cand in candidates:
            site = _site(analysis, call, cand, confidence, settings, source=source)
            if site is None:
                continue
            if not site.unresolved:
                site = replace(site, session_candidates=session_candidates(analysis, call.node))
            if confidence is Confidence.LOW and call.method == "createSource" and not _dr_evidence(site, settings):
                continue  # an unknown receiver is reported only with a Digital River type or hash
            sites.append(site)
    return tuple(sites)


def _has_method(holder: Node, name: str, analysis: Analysis) -> bool:
    """A class body or object literal that defines a method `name` (`createSource(p) {…}`)."""
    for member in holder.body or holder.properties or () if holder is not None else ():
        key = prop_key(member, analysis) if member.type in ("Property", "MethodDefinition", "PropertyDefinition") else None
        value = member.value
        if key == name and value is not None and value.type in FUNCTIONS:
            return True
    return False


def _defined_here(analysis: Analysis, call: CallSite) -> bool:
    """The receiver is an object of this file that has its own method of the called name: `this`
    in a class or object literal that defines it, or an instance of such a class (`new Local()`)."""
    receiver = call.receiver
    if receiver.type == "ThisExpression":
        for ancestor in analysis.scopes.ancestors(call.node):
            if ancestor.type in ("ClassBody", "ObjectExpression"):
                return _has_method(ancestor, call.method, analysis)
        return False
    if receiver.type != "Identifier":
        return False
    variable = analysis.scopes.variable(receiver)
    values = [r.value for r in variable.references if r.write and r.value is not None] if variable else []
    for value in values:
        if value.type == "ObjectExpression" and _has_method(value, call.method, analysis):
            continue
        if value.type != "NewExpression" or value.callee is None or value.callee.type != "Identifier":
            return False
        cls = analysis.scopes.variable(value.callee)
        found = [d.node for d in cls.definitions if d.node is not None and d.node.type in ("ClassDeclaration",)] \
            if cls is not None else []
        found += [r.value for r in cls.references if r.write and r.value is not None
                  and r.value.type == "ClassExpression"] if cls is not None else []
        if not found or not all(_has_method(c.body, call.method, analysis) for c in found):
            return False
    return bool(values)


def _dr_evidence(site: PayloadSite, settings: Settings) -> bool:
    """The payload names a Digital River method: its type, or a method's hash (`payPal: {...}`)."""
    if site.source_type is not None:
        return site.source_type in settings.dr_types
    return any(p.key in settings.dr_types and p.value is not None for part in site.parts for p in part.props)


def _inner_payloads(analysis: Analysis, candidates: list[Candidate], key: str, at: Node) -> list[Candidate]:
    """The payload an element's options hold under `key` (the PayPal element's `sourceData`)."""
    out: list[Candidate] = []
    for cand in candidates:
        if cand.unresolved:
            out.append(cand)
            continue
        found = False
        for part in cand.parts:
            for prop in part.properties or ():
                if prop.type == "Property" and prop_key(prop, analysis) == key and prop.value is not None:
                    out.extend(analysis.resolve(prop.value, at, 1))
                    found = True
        if not found:
            out.append(Candidate(unresolved=f"the element's options have no `{key}` drmigrate can see; "
                                            f"check the `{key}` it is given", where=span_of(cand.parts[0])))
    return out


def _site(analysis: Analysis, callsite: CallSite, cand: Candidate, confidence: Confidence,
          settings: Settings, *, source: bool = True) -> PayloadSite | None:
    call = callsite.node
    call_span = span_of(call)
    method, element = callsite.method, callsite.element
    if cand.unresolved:
        return PayloadSite(call_span, None, unresolved=cand.unresolved, unresolved_span=cand.where,
                           confidence=confidence, origin=cand.origin, call=method, element=element)
    pairs = [(p, to_object(p, analysis)) for p in dict.fromkeys(cand.parts)]
    # the part that holds `type` goes first: sessionId is inserted there
    pairs.sort(key=lambda pair: 0 if pair[1].get("type") is not None else 1)
    writes: list[Write] = []
    blocks: list[Block] = []
    parts: list[ObjectLit] = []
    root = cand.parts[0]
    for ast_part, part in pairs:
        shared = ""
        # what happens to the payload object itself concerns every part that built it
        scope = None if ast_part is root else part.span
        for use in analysis.uses(cand, ast_part, call):
            if use.kind == "escape":
                if not shared:
                    where = use.node
                    shared = (f"the object is also used by `{analysis.snippet(where, 50)}` on line "
                              f"{analysis.line(where)}")
                continue
            if use.kind in ("write", "use"):
                write = _write(analysis, use, call, part.span)
                if write is not None and write not in writes:
                    writes.append(write)
                continue
            if use.kind in ("dynamic", "define"):
                writes.extend(w for w in _dynamic(analysis, use, part.span) if w not in writes)
                continue
            for path in _paths(use.path):
                why = ("it is updated in place" if use.kind == "compound" else "it is read")
                blocks.append(Block(path, f"{why} on line {analysis.line(use.node)} "
                                          f"(`{analysis.snippet(use.node, 50)}`)", span_of(use.node),
                                    part=scope))
        if shared:
            blocks.append(Block((), shared, part.span, part=scope))
        carrier = _carrier(analysis, ast_part) if ast_part is not root else None
        cut = _argument_cut(analysis, ast_part) if ast_part is not root and carrier is None else None
        parts.append(replace(part, carrier=carrier, cut=cut) if carrier is not None or cut is not None else part)
    if not source:  # a configuration that carries the session (Drop-in, paymentRequest, an element)
        return PayloadSite(call_span, None, parts=tuple(parts), writes=tuple(sorted(writes, key=lambda w: w.span)),
                           opaque=tuple(cand.opaque) + tuple(o for p in parts for o in p.opaque),
                           confidence=confidence, origin=cand.origin, blocks=tuple(blocks), call=method,
                           element=element)
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
                         if p.type == "Property" and prop_key(p, analysis) == "type")
            type_options, type_reason = _type_options(analysis, value)
            if len(type_options) == 1:
                type_value, type_options = type_options[0], ()
    for write in writes:
        if write.path == ("type",) and write.kind == "write":
            type_span = write.span
            type_value = write.string_value
            if write.string_value is None:
                type_reason = "the type is computed at run time"
    # a DigitalRiver.js instance: every call gets a verdict; elsewhere, a DR method hash is evidence
    known = confidence is Confidence.HIGH or any(
        p.key in settings.dr_types and p.value is not None for part in parts for p in part.props)
    if type_value is None and not type_options and not type_reason:
        if type_span is None and not cand.opaque and not known:
            return None  # an object without a type is not a source payload
        type_reason = "the payload's type cannot be seen" + (
            f" ({', '.join(cand.opaque)} may set it)" if cand.opaque else
            ": the object has no `type`; check what it is and set the method's type")
    if type_value is None and type_options:
        type_value = type_options[0]
    if type_value is not None and type_value not in settings.dr_types and not type_options:
        if not known:
            return None  # another kind of source (customerCredit on a REST client, a Stripe type, ...)
        type_reason = (f"the type `{type_value}` is not a DigitalRiver.js payment method the rule table "
                       "knows; check the payload by hand")
        type_value = None
    return PayloadSite(
        call_span=call_span,
        source_type=type_value,
        type_span=type_span,
        type_reason=type_reason,
        type_options=type_options,
        parts=tuple(parts),
        writes=tuple(sorted(writes, key=lambda w: w.span)),
        opaque=tuple(cand.opaque) + tuple(o for p in parts for o in p.opaque),
        confidence=confidence,
        origin=cand.origin,
        blocks=tuple(blocks),
        call=method,
        element=element,
    )


def _paths(path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """A destructuring read names several keys at once (`a|b`); others are one path."""
    if len(path) == 1 and "|" in path[0]:
        for key in path[0].split("|"):
            yield (key,)
    else:
        yield path


def _enclosure(analysis: Analysis, stmt: Node, depth: int = 0) -> Enclosure | None:
    """The statement whose braced block holds `stmt`, when removing every statement of that block
    would leave it empty: an `if` without `else`, a `while` / `do` loop, a labelled or bare block
    (a condition that only reads goes with it; an `if` condition that may do something stays as a
    statement) — or, `keeps` set, a statement that must stay (a `for` loop, an `if` with an `else`,
    a `try`, a function), reported as left empty."""
    block = analysis.parent.get(id(stmt))
    holder = analysis.parent.get(id(block)) if block is not None else None
    if block is None or block.type != "BlockStatement" or holder is None or not block.body:
        return None
    count = len(block.body)
    kind = holder.type
    test: Span | None = None
    keeps = ""
    if kind == "IfStatement":
        if holder.alternate is not None:
            keeps = "the `if` with an `else`"
        elif not _plain(holder.test):
            test = span_of(holder.test)
            if _NOT_A_STATEMENT_START.match(analysis.text[test[0]:test[1]]):
                keeps = "the `if`"
    elif kind in ("WhileStatement", "DoWhileStatement"):
        if not _plain(holder.test):
            keeps = f"the `{'while' if kind == 'WhileStatement' else 'do'}` loop"
    elif kind == "LabeledStatement" or kind in STATEMENT_LISTS:
        if kind in STATEMENT_LISTS:  # a bare `{ ... }` inside a statement list
            holder = block
    elif kind in ("ForStatement", "ForInStatement", "ForOfStatement"):
        if not _loop_only_counts(analysis, holder):
            keeps = "the `for` loop"
    elif kind in ("TryStatement", "CatchClause"):
        keeps = "the `try` statement"
    elif kind in FUNCTIONS:
        keeps = "the function body"
    else:
        return None
    inner = span_of(block)
    if keeps:
        return Enclosure(span_of(holder), count, keeps=keeps, block=inner)
    slot, before, after = _separation(analysis, holder)
    if slot is None:  # the body of a label, an `else`, an unbraced `if`: removing it would break that
        return Enclosure(span_of(holder), count, keeps=_HOLDER_NAMES.get(holder.type, "the block"), block=inner)
    outer = _enclosure(analysis, holder, depth + 1) if depth < 32 else None
    return Enclosure(span_of(holder), count, test=test, slot=slot, open_before=before, risky_after=after,
                     outer=outer if test is None else None, block=inner,  # `if (f())` stays as `f();`
                     name=_HOLDER_NAMES.get(holder.type, "the block"))


_HOLDER_NAMES = {"IfStatement": "the `if`", "WhileStatement": "the `while` loop", "DoWhileStatement": "the `do` loop",
                 "LabeledStatement": "the labelled block", "ForStatement": "the `for` loop",
                 "ForInStatement": "the `for` loop", "ForOfStatement": "the `for` loop"}


def _loop_only_counts(analysis: Analysis, loop: Node) -> bool:
    """A `for` loop that does nothing but step its own variables once its body is gone:
    `for (var i = 0; i < n; i++)`, `for (const line of cart.lines)`, `for (k in o)` — a head that
    only reads and steps, a condition (an endless `for (;;)` stays), and loop variables that no
    code outside the loop refers to."""
    names: list[Node] = []

    def declared(head: Node | None) -> bool:
        if head is None:
            return True
        if head.type == "VariableDeclaration":
            for declarator in head.declarations or ():
                if declarator.id.type != "Identifier" or (declarator.init is not None and not _plain(declarator.init)):
                    return False
                names.append(declarator.id)
            return True
        if head.type == "Identifier":
            names.append(head)
            return True
        if head.type == "AssignmentExpression" and head.operator == "=" and head.left.type == "Identifier" \
                and _plain(head.right):
            names.append(head.left)
            return True
        return False

    def steps(update: Node | None) -> bool:
        if update is None:
            return True
        if update.type == "SequenceExpression":
            return all(steps(e) for e in update.expressions or ())
        target = update.argument if update.type == "UpdateExpression" else \
            update.left if update.type == "AssignmentExpression" and _plain(update.right) else None
        return target is not None and target.type == "Identifier" and any(n.name == target.name for n in names)

    if loop.type == "ForStatement":
        if not declared(loop.init) or loop.test is None or not _plain(loop.test) or not steps(loop.update):
            return False
    elif getattr(loop, "await", False) or not declared(loop.left) or not _plain(loop.right):
        return False
    inside = span_of(loop)
    for name in names:
        variable = analysis.scopes.variable(name)
        if variable is None:
            return False
        for ref in variable.references:
            at = span_of(ref.identifier)
            if not (inside[0] <= at[0] and at[1] <= inside[1]):
                return False
    return bool(names) or loop.type == "ForStatement"


def _plain(node: Node) -> bool:
    """An expression that only reads: names, members, literals and operators, no call at all (the
    condition of an `if` that is removed whole must not do anything)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in ("CallExpression", "NewExpression", "AssignmentExpression", "UpdateExpression",
                            "AwaitExpression", "YieldExpression", "TaggedTemplateExpression", "Unknown") \
                or current.type in FUNCTIONS or (current.type == "UnaryExpression" and current.operator == "delete"):
            return False
        stack.extend(children(current))
    return True


def _carrier(analysis: Analysis, part: Node) -> Enclosure | None:
    """`Object.assign(p, {...});` / `p = $.extend(p, {...});`: the statement that only merges `part`."""
    call = analysis.parent.get(id(part))
    if call is None or call.type != "CallExpression" or dotted(call.callee) not in MERGE_CALLS:
        return None
    args = list(call.arguments or ())
    if args and _is_literal_bool(args[0]):
        args = args[1:]
    if len(args) != 2 or args[1] is not part or args[0].type != "Identifier":
        return None
    stmt = analysis.parent.get(id(call))
    if stmt is not None and stmt.type == "AssignmentExpression" and stmt.right is call \
            and stmt.left.type == "Identifier" and stmt.left.name == args[0].name:
        stmt = analysis.parent.get(id(stmt))
    if stmt is None or stmt.type != "ExpressionStatement":
        return None
    holder = analysis.parent.get(id(stmt))
    if holder is None or holder.type not in STATEMENT_LISTS:
        return None
    slot, before, after = _separation(analysis, stmt)
    return Enclosure(span_of(stmt), 1, slot=slot, open_before=before, risky_after=after)


def _argument_cut(analysis: Analysis, part: Node) -> Span | None:
    """`Object.assign({}, base, {amount: t})` used as a value: the text that drops the merged
    literal `part` from the arguments (from the end of the one before it), when it is not the
    target and only a comma and spaces stand between the two."""
    call = analysis.parent.get(id(part))
    if call is None or call.type != "CallExpression" or dotted(call.callee) not in MERGE_CALLS:
        return None
    args = list(call.arguments or ())
    index = next((i for i, a in enumerate(args) if a is part), None)
    target = 1 if args and _is_literal_bool(args[0]) else 0
    if index is None or index <= target:
        return None
    before = span_of(args[index - 1])[1]
    if not re.fullmatch(r"\s*,\s*", analysis.text[before:span_of(part)[0]]):
        return None
    return before, span_of(part)[1]


def _write(analysis: Analysis, use: Use, call: Node, part: Span) -> Write | None:
    """The neutral model of a write (`p.amount = x;`) or use (`p.payPal.items.push(x);`)."""
    node = use.node
    if span_of(node)[0] > span_of(call)[0]:
        return None
    stmt, removable, why = _statement_for(analysis, node)
    if use.kind == "use":
        if not removable:
            why = f"`{analysis.snippet(node)}` needs it"
        elif effects_in_args(node, analysis) is not None:
            removable, why = False, f"`{analysis.snippet(node)}` needs it and its arguments may have effects"
        slot, before, after = _separation(analysis, stmt)
        return Write(use.path, span_of(stmt), removable, why, None, kind="use", slot=slot,
                     open_before=before, risky_after=after, part=part,
                     enclosure=_enclosure(analysis, stmt) if removable else None)
    value = use.value
    sval = analysis.string_const(value) if value is not None else None
    effect_span: Span | None = None
    if removable and value is not None and effects(value, analysis) is not None:
        kept = value  # `quote.totals().shipping` keeps `quote.totals()`: reading a property does nothing
        while kept.type == "MemberExpression" and not kept.computed and effects(kept.object, analysis) is not None:
            kept = kept.object
        effect_span = span_of(kept)
        if _NOT_A_STATEMENT_START.match(analysis.text[effect_span[0]:effect_span[1]]):
            removable, why = False, (f"its value `{analysis.snippet(value, 40)}` may have side effects "
                                     "and cannot stand as a statement of its own")
    elif not removable and why == "it is part of a larger expression" and value is not None:
        why = f"the write is part of the larger expression `{analysis.snippet(stmt, 50)}`"
    slot, before, after = _separation(analysis, stmt)
    return Write(use.path, span_of(stmt), removable, why, sval, kind="write", effect_span=effect_span,
                 slot=slot, open_before=before, risky_after=after, part=part,
                 value_span=span_of(value) if value is not None else None,
                 enclosure=_enclosure(analysis, stmt) if removable else None)


def _dynamic(analysis: Analysis, use: Use, part: Span) -> list[Write]:
    """Writes whose key is not in the code (`jsdynamic`): a constant list's keys, or unknown ones."""
    if use.kind == "dynamic":
        return dynamic_writes(analysis, use.node, part)
    stmt, removable, _ = _statement_for(analysis, use.node)
    found = defined_property(analysis, use.node, part, removable, stmt)
    if removable and found and found[0].removable:
        slot, before, after = _separation(analysis, stmt)
        found = [replace(found[0], slot=slot, open_before=before, risky_after=after,
                         enclosure=_enclosure(analysis, stmt))]
    return found


def effects_in_args(call: Node, analysis: Analysis | None = None) -> Node | None:
    for arg in call.arguments or ():
        found = effects(arg, analysis)
        if found is not None:
            return found
    return None


def _type_options(analysis: Analysis, value: Node) -> tuple[tuple[str, ...], str]:
    """For `cond ? 'a' : 'b'`, the literal choices; otherwise why the type cannot be known."""
    options: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if node.type == "ConditionalExpression":
            stack.extend((node.alternate, node.consequent))
            continue
        const = analysis.string_const(node)
        if const is None:
            return (), f"the type is computed at run time (`{analysis.snippet(value)}`)"
        options.append(const)
    if len(set(options)) == 1:
        return (options[0],), ""
    return tuple(options), f"the type is `{analysis.snippet(value)}`"


def comment_spans(comments: Sequence[Node]) -> tuple[Span, ...]:
    return tuple(span_of(c) for c in comments or ())
