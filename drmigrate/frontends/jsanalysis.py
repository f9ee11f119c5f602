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
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from drmigrate.frontends import Settings
from drmigrate.frontends import jsrequests as requests
from drmigrate.frontends.jsdynamic import DEFINE_CALLS, defined_property, dynamic_writes
from drmigrate.frontends.jseffects import Effects
from drmigrate.frontends.jsflow import (
    Callers,
    callers,
    callers_of_component,
    param_position,
    trigger_calls,
)
from drmigrate.frontends.jsnodes import (
    dotted,
    is_literal_bool,
    member_name,
    prop_key,
    span_of,
    string_literal,
)
from drmigrate.frontends.jsscope import (
    FUNCTIONS,
    STATEMENT_LISTS,
    Reference,
    ScopeManager,
    Variable,
    children,
)
from drmigrate.model import (
    Block,
    Confidence,
    Enclosure,
    Hop,
    ObjectLit,
    PayloadSite,
    Prop,
    Seed,
    Span,
    Step,
    Write,
)

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


# -- small AST helpers: `jsnodes` (kept importable from here) -----------------------------------

_is_literal_bool = is_literal_bool


@dataclass
class Candidate:
    """One way the payload can be built: its literal parts, writes, and what cannot be seen."""

    parts: list[Node] = field(default_factory=list)
    # part variables, each with the node where the object it holds flows on (a call it is passed to)
    holders: list[tuple[Variable, Reference, Node | None]] = field(default_factory=list)
    merges: list[Node] = field(default_factory=list)  # merge calls that add to the payload
    opaque: list[str] = field(default_factory=list)
    unresolved: str = ""
    origin: str = "inline"
    where: Span | None = None  # the expression that cannot be seen into, when unresolved
    at: Node | None = None  # where the payload leaves the code that builds it
    via: list[tuple[Node, str]] = field(default_factory=list)  # calls on its way on, builder side first
    hop: Hop | None = None  # unresolved here: what the project can follow
    # parameters that hold the root object in the function it is passed to: (variable, ref, part, at)
    held: list[tuple[Variable, Reference, Node, Node | None]] = field(default_factory=list)
    bindings: dict[int, Node | str] = field(default_factory=dict)  # id(parameter) -> the argument passed


@dataclass
class CallSite:
    """One call of a DigitalRiver.js method: the receiver, the method, its arguments."""

    node: Node
    receiver: Node
    method: str
    args: list[Node]
    element: str = ""  # createElement: the element type
    unresolved: str = ""  # why the arguments cannot be seen (`.apply(dr, args)` with a built list)
    seed: Seed | None = None  # a payload root handed over by the project (no receiver here)
    arglist: Node | None = None  # `.apply(dr, args)`: the variable holding the argument list


@dataclass
class Use:
    """What another piece of code does with a payload object (or a field of it)."""

    kind: str  # write, use (method call on a field), read, compound, escape
    path: tuple[str, ...]
    node: Node  # the expression or statement
    value: Node | None = None  # for writes: the value written
    at: int = -1  # where the object flows on from the code of this use (writes after it do not count)


class Analysis:
    """Calls, receivers and payload flow of one program, on top of its scope manager."""

    def __init__(self, program: Node, text: str, settings: Settings, *, kind: str = "",
                 order: tuple[int, ...] = ()) -> None:
        self.text = text
        # the file's module system when the program is a slice of it (`slicing`): its markers
        # (`define`, `require`, `module.exports`, import / export) may be blanked
        self.kind = kind
        # and where the file's top-level statements start: a kept one's place among them
        self.order = order
        self.settings = settings
        self.program = program
        self.scopes = ScopeManager(program)
        self.parent = self.scopes.parent
        self.calls: list[CallSite] = []
        self.returns: dict[int, list[Node]] = {}  # id(function) -> returned expressions
        self.member_assigns: dict[str, list[Node]] = {}  # `x.name = value` by property name
        self.member_calls: dict[str, list[Node]] = {}  # `x.name(...)` calls by property name
        self.classes: list[Node] = []
        self.defines: list[Node] = []  # AMD `define([...], function (...) {...})` / `require([...], ...)`
        self.plain_calls: list[Node] = []  # `name(...)` calls
        self.flow: set[int] = set()  # ids of nodes through which a payload reaches a DR call
        self._index: dict[int, int] = {}  # id(statement) -> index in its statement list
        self._visiting: set[tuple[int, int]] = set()  # (function, parameter) being followed
        # the arguments of the calls the payload being read came through, by parameter variable
        self.bindings: dict[int, Node | str] = {}
        self._by_span: dict[Span, Node] | None = None
        self._collect(program)

    # -- collection ---------------------------------------------------------------------------
    def _collect(self, program: Node) -> None:
        stack = [program]
        while stack:
            node = stack.pop()
            ntype = node.type
            if ntype == "CallExpression":
                self._call(node)
                callee = node.callee
                if callee is not None and callee.type == "MemberExpression":
                    self.member_calls.setdefault(self.member_key(callee), []).append(node)
                elif callee is not None and callee.type == "Identifier":
                    self.plain_calls.append(node)
                    if callee.name in ("define", "require"):
                        variable = self.scopes.variable(callee)
                        if variable is not None and variable.kind == "implicit":
                            self.defines.append(node)
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
            elif ntype in ("ClassDeclaration", "ClassExpression"):
                self.classes.append(node)
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
                if why and arr is not None and arr.type == "Identifier":
                    self.calls[-1].arglist = arr  # `args.push(...)` above the call: read once scopes are done
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
        """The ways `expr` (evaluated at `at`: the call it is passed to) can be built."""
        self.flow.add(id(expr))
        found = self._resolve(expr, at, depth)
        if any(c.origin == "nothing" for c in found) and any(c.origin != "nothing" for c in found):
            # `var p = null` before the real value: no call sends null, the others are the payload
            found = [c for c in found if c.origin != "nothing"]
        for cand in found:
            if cand.unresolved and cand.where is None:
                cand.where = span_of(expr)
            if cand.at is None:
                cand.at = at
        return found

    def _resolve(self, expr: Node, at: Node, depth: int) -> list[Candidate]:
        if depth > MAX_DEPTH:
            return [Candidate(unresolved=f"the payload `{self.snippet(expr)}` is built too indirectly "
                                         "to follow; migrate it by hand")]
        etype = expr.type
        if etype == "ObjectExpression":
            return [self._object_candidate(expr, at, depth)]
        if (etype == "Literal" and expr.value is None and getattr(expr, "regex", None) is None) \
                or (etype == "Identifier" and expr.name == "undefined") \
                or (etype == "UnaryExpression" and expr.operator == "void"):
            return [Candidate(unresolved=f"the payload is `{self.snippet(expr)}` here; check the call by hand",
                              origin="nothing")]
        if etype == "Identifier":
            return self._resolve_identifier(expr, at, depth)
        if etype == "ConditionalExpression":
            return self.resolve(expr.consequent, at, depth + 1) + self.resolve(expr.alternate, at, depth + 1)
        if etype == "LogicalExpression":
            return self.resolve(expr.left, at, depth + 1) + self.resolve(expr.right, at, depth + 1)
        if etype == "CallExpression":
            return self._resolve_call(expr, at, depth)
        if etype == "MemberExpression":
            return self._resolve_member(expr, at, depth)
        if etype == "AwaitExpression" and expr.argument is not None:
            return self.resolve(expr.argument, at, depth + 1)
        if etype in ("JSXOpeningElement", "JSXSelfClosingElement"):
            return [Candidate(unresolved=f"the props of `{self.snippet(expr, 40)}` are not one object "
                                         "literal; migrate the code that builds them", origin="props")]
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
            cand.held.extend(subs[0].held)
            cand.bindings.update(subs[0].bindings)
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
            why = f"the payload `{name}` is not defined in this file; migrate the code that builds it"
            return [Candidate(unresolved=why, origin="external",
                              hop=Hop("global", span_of(expr), why, name=str(name)))]
        if variable.kind == "param":
            return self._resolve_param(expr, variable, at, depth)
        if variable.kind == "import" or (variable.kind in ("var", "let", "const") and self.import_source(variable)[0]):
            return [self._import_candidate(expr, variable, (), ())]
        defs = [r for r in self.reaching(variable, expr) if r.value is not None]
        hooked = self._react_hook(variable, at, depth)
        if hooked is not None:
            return hooked
        if not defs:
            return [Candidate(unresolved=f"the payload `{name}` is never given an object before the "
                                         "call; migrate the code that builds it")]
        out: list[Candidate] = []
        for ref in defs:
            for cand in self.resolve(ref.value, at, depth + 1):
                if not cand.unresolved:
                    cand.holders.append((variable, ref, at))
                    self._add_merges(cand, variable, ref, at, depth)
                    cand.origin = "variable" if cand.origin == "inline" else cand.origin
                out.append(cand)
        return out

    def argument_list(self, ident: Node, at: Node) -> list[Node] | None:
        """The elements of an argument list built before the call: `var args = [];` then
        `args.push(a)` statements (some of them conditional: the payload is the last one pushed),
        in the same function. None when the list is built any other way."""
        variable = self.scopes.variable(ident)
        if variable is None:
            return None
        defs = [r for r in self.reaching(variable, ident) if r.value is not None]
        first = defs[0].value if len(defs) == 1 else None
        if first is None or first.type != "ArrayExpression":
            return None
        start = span_of(defs[0].identifier)[0]
        elements: list[Node] = [e for e in first.elements or () if e is not None]
        if any(e.type == "SpreadElement" for e in elements):
            return None
        for ref in variable.references:
            if ref.write or ref.identifier is ident:
                continue
            pos = span_of(ref.identifier)[0]
            if not start < pos < span_of(at)[0]:
                continue
            member = self.parent.get(id(ref.identifier))
            call = self.parent.get(id(member)) if member is not None else None
            if member is None or member.type != "MemberExpression" or member.object is not ref.identifier \
                    or call is None or call.type != "CallExpression" or call.callee is not member:
                if member is not None and member.type == "MemberExpression" and member_name(member) == "length":
                    continue
                return None
            if member_name(member) != "push" or any(a.type == "SpreadElement" for a in call.arguments or ()):
                return None
            elements.extend(call.arguments or ())
        return elements or None

    def node_at(self, span: Span) -> Node | None:
        """The expression whose span is exactly `span` (the value of a write)."""
        found = self._by_span.get(span) if self._by_span is not None else None
        if self._by_span is None:
            self._by_span = {}
            stack = [self.program]
            while stack:
                node = stack.pop()
                self._by_span.setdefault(span_of(node), node)
                stack.extend(children(node))
            found = self._by_span.get(span)
        return found

    def _react_hook(self, variable: Variable, at: Node, depth: int) -> list[Candidate] | None:
        """React state and context: `const [p, setP] = useState(init)` is `init` and whatever
        `setP(v)` is given; `const {p} = useContext(Ctx)` / `const v = useContext(Ctx)` is the
        `value` of this file's `<Ctx.Provider value={...}>` elements. None: not a hook's value."""
        if not variable.definitions:
            return None
        definition = variable.definitions[0]
        declarator = definition.node
        if declarator is None or declarator.type != "VariableDeclarator" or declarator.init is None:
            return None
        init = declarator.init
        hook = (dotted(init.callee) or "").rsplit(".", 1)[-1] if init.type == "CallExpression" else ""
        pattern = declarator.id
        if hook == "useState" and pattern is not None and pattern.type == "ArrayPattern" \
                and (pattern.elements or [None])[0] is definition.name:
            out: list[Candidate] = []
            values = list(init.arguments or ())[:1]
            setter = (pattern.elements or [None, None])[1] if len(pattern.elements or ()) > 1 else None
            setter_var = self.scopes.variable(setter) if setter is not None and setter.type == "Identifier" else None
            for ref in setter_var.references if setter_var is not None else ():
                call = self.parent.get(id(ref.identifier))
                if call is not None and call.type == "CallExpression" and call.callee is ref.identifier \
                        and call.arguments:
                    values.append(call.arguments[0])
            for value in values:
                if value.type in FUNCTIONS:  # `setP(prev => ...)` / a lazy initial state
                    out.append(Candidate(unresolved=f"the state is computed by `{self.snippet(value, 40)}`; "
                                                    "migrate the code that builds it", origin="state"))
                    continue
                for cand in self.resolve(value, value, depth + 1):
                    cand.via.append((value, "kept in React state here"))
                    out.append(cand)
            return out or None
        if hook == "useContext" and init.arguments:
            context = init.arguments[0]
            path: tuple[str, ...] = ()
            if pattern is not None and pattern.type == "ObjectPattern":
                for prop in pattern.properties or ():
                    if prop.type == "Property" and prop.value is definition.name:
                        key = prop_key(prop, self)
                        if key is None:
                            return None
                        path = (key,)
            elif pattern is not definition.name:
                return None
            providers = []
            context_var = self.scopes.variable(context) if context.type == "Identifier" else None
            for ref in context_var.references if context_var is not None else ():
                member = self.parent.get(id(ref.identifier))
                element = self.parent.get(id(member)) if member is not None else None
                if member is not None and member.type == "MemberExpression" and member_name(member) == "Provider" \
                        and element is not None and element.type == "JSXOpeningElement" and element.name is member:
                    providers.append(element)
            if not providers:
                why = (f"the payload is the value of the React context `{self.snippet(context, 40)}`, provided "
                       "by a component this file does not hold; migrate the code that builds it")
                return [Candidate(unresolved=why, origin="context")]
            out = []
            for element in providers:
                for cand in self._resolve_path(element, ("value", *path), element, depth + 1):
                    cand.via.append((element, "provided by this React context here"))
                    out.append(cand)
            return out
        return None

    def _import_candidate(self, expr: Node, variable: Variable, member: tuple[str, ...],
                          path: tuple[str, ...], *, call: Node | None = None) -> Candidate:
        """An imported value (`import {p} from './x'`, `require('./x').p`, an AMD dependency), or
        what calling it returns: the project follows it into the module that builds it."""
        specifier, imported = self.import_source(variable)
        name = str(variable.name)
        shown = name + "".join(f".{m}" for m in member)
        if call is not None:
            why = (f"the payload is the result of `{self.snippet(call, 50)}`, imported from "
                   f"`{specifier}`; migrate it in the module that builds it")
            kind = "import-call"
        else:
            why = f"the payload `{shown}` is imported; migrate it in the module that builds it"
            kind = "import"
        constants = self._constants(call) if call is not None else ()
        hop = Hop(kind, span_of(call if call is not None else expr), why, specifier=specifier, name=imported,
                  member=member, path=path, constants=constants) if specifier else None
        return Candidate(unresolved=why, origin="import", hop=hop)

    def import_source(self, variable: Variable) -> tuple[str, str]:
        """(module specifier, imported name) of an import binding; ("", "") when not an import.
        The name is `default`, `*` (the whole module: a namespace, `require`, an AMD dependency) or
        the exported name."""
        definition = variable.definitions[0] if variable.definitions else None
        if definition is None:
            return "", ""
        node = definition.node
        if definition.kind == "import" and node is not None:
            declaration = self.parent.get(id(node))
            source = declaration.source if declaration is not None else None
            specifier = str(source.value) if source is not None and isinstance(source.value, str) else ""
            if node.type == "ImportDefaultSpecifier":
                return specifier, "default"
            if node.type == "ImportNamespaceSpecifier":
                return specifier, "*"
            imported = node.imported
            return specifier, str(imported.name if imported is not None and imported.type == "Identifier"
                                  else getattr(imported, "value", "") or definition.name.name)
        if definition.kind == "param" and node is not None and node.type in FUNCTIONS:
            position = param_position(node, definition.name)
            dependency = self.amd_dependency(node, position[0]) if position is not None and not position[1] \
                else None
            if dependency is not None:
                return dependency, "*"
        if definition.kind in ("var", "let", "const") and node is not None and node.type == "VariableDeclarator":
            required = self.required(node.init)
            if required is not None:
                if node.id is definition.name:
                    return required
                if node.id is not None and node.id.type == "ObjectPattern":
                    for prop in node.id.properties or ():
                        if prop.type == "Property" and prop.value is definition.name:
                            key = prop_key(prop, self)
                            if key is not None:
                                return required[0], key
        return "", ""

    def required(self, init: Node | None) -> tuple[str, str] | None:
        """`require('./x')` -> ('./x', '*'); `require('./x').build` -> ('./x', 'build')."""
        member: list[str] = []
        node = init
        while node is not None and node.type == "MemberExpression":
            name = member_name(node)
            if name is None:
                return None
            member.insert(0, name)
            node = node.object
        if node is None or node.type != "CallExpression" or node.callee is None \
                or node.callee.type != "Identifier" or node.callee.name != "require" \
                or len(node.arguments or ()) != 1:
            return None
        specifier = string_literal(node.arguments[0])
        if specifier is None:
            return None
        return specifier, (member[0] if member else "*") if len(member) <= 1 else member[0]

    def amd_dependency(self, fn: Node, index: int) -> str | None:
        """The module an AMD factory's parameter receives: `define(['jquery', './x'], function ($, x))`."""
        for call in self.defines:
            args = list(call.arguments or ())
            deps = next((arg for arg in args if arg.type == "ArrayExpression"), None)
            if deps is None or not args or args[-1] is not fn:
                continue
            elements = list(deps.elements or ())
            if index < len(elements):
                return string_literal(elements[index])
        return None

    def amd_factory(self, node: Node) -> Node | None:
        """The AMD `define` call whose factory `node` (a statement) returns from."""
        fn = self.scopes.function_of(node)
        holder = self.parent.get(id(fn))
        if holder is not None and holder in self.defines and (holder.arguments or [None])[-1] is fn:
            return holder
        return None

    def _constants(self, call: Node) -> tuple[tuple[int, str], ...]:
        """The string arguments of a call, by position (a payment type passed to a builder)."""
        found = []
        for index, arg in enumerate(call.arguments or ()):
            value = self.string_const(arg)
            if value is not None:
                found.append((index, value))
        return tuple(found)

    def _resolve_param(self, expr: Node, variable: Variable, at: Node, depth: int,
                       suffix: tuple[str, ...] = ()) -> list[Candidate]:
        """A parameter: what the function's callers in this file pass (binding by binding), and
        a hop for the callers the project must find (exports, globals, a request's response).
        `suffix` is a member path read from it (`props.payload`): followed into each argument."""
        definition = variable.definitions[0]
        fn = definition.node
        name = str(expr.name)
        fname = self._function_name(fn)
        plain = Candidate(unresolved=f"the payload comes from the parameter `{name}` of {fname}; "
                                     "migrate the callers that build it", origin="parameter")
        if fn is None or fn.type not in FUNCTIONS:
            return [plain]
        reach = self.reaching(variable, expr)
        own = next((r for r in reach if r.identifier is definition.name), None)
        out: list[Candidate] = []
        for ref in reach:
            if ref is own or ref.value is None:
                continue
            for cand in self._resolve_path(ref.value, suffix, at, depth + 1):
                if not cand.unresolved and not suffix:
                    cand.holders.append((variable, ref, at))
                    self._add_merges(cand, variable, ref, at, depth)
                    cand.origin = "variable" if cand.origin == "inline" else cand.origin
                out.append(cand)
        if own is None and reach:
            return out
        position = param_position(fn, definition.name)
        if position is None:
            return [*out, plain]
        index, inner = position
        path = (*inner, *suffix)
        specifier, _ = self.import_source(variable)
        if specifier:  # an AMD dependency: the module's value
            return [*out, self._import_candidate(expr, variable, (), path)]
        request = requests.request_of(self, fn, index)
        if request is not None:
            return [*out, self._response_candidate(expr, request, path)]
        key = (id(fn), index)
        if key in self._visiting:
            return out  # a recursive call passes on what the outer call received
        self._visiting.add(key)
        try:
            found = callers(self, fn)
            for call, args in found.calls:
                arg = args[index] if index < len(args) else None
                if arg is None:
                    out.append(Candidate(unresolved=f"`{self.snippet(call, 50)}` on line {self.line(call)} "
                                                    f"passes no `{name}` to {fname}; check it by hand",
                                         origin="parameter", where=span_of(call)))
                    continue
                for cand in self._resolve_path(arg, path, call, depth + 1):
                    if not cand.unresolved and cand.parts and not path and own is not None:
                        cand.held.append((variable, own, cand.parts[0], at))
                    cand.via.append((call, f"passed to `{found.name or fname}` here"))
                    out.append(cand)
            if found.exits:
                out.append(self._exit_candidate(expr, variable, own, fname, name, index, path, found, at))
            elif not found.calls:
                out.append(Candidate(unresolved=f"the payload comes from the parameter `{name}` of {fname}, "
                                                "which nothing in this file calls; migrate the code that "
                                                "calls it", origin="parameter"))
        finally:
            self._visiting.discard(key)
        return out

    def _exit_candidate(self, expr: Node, variable: Variable, own: Reference | None, fname: str, name: str,
                        index: int, path: tuple[str, ...], found: Callers, at: Node) -> Candidate:
        """The callers of a function this file does not hold: other modules (an export), other
        scripts of the page (a global), a library or framework that calls it back."""
        exports = tuple((e.kind, *e.names) for e in found.exits if e.kind in ("export", "global", "event"))
        others = [e for e in found.exits if e.kind not in ("export", "global", "event")]
        if others:
            shown = others[0].shown
            why = (f"the payload comes from the parameter `{name}` of {fname}, which is also called from "
                   f"code this file does not hold ({shown}); migrate the code that builds it")
            return Candidate(unresolved=why, origin="parameter")
        first = found.exits[0]
        why = (f"the payload comes from the parameter `{name}` of {fname} ({first.shown}); migrate the "
               "callers that build it")
        cand = Candidate(unresolved=why, origin="parameter",
                         hop=Hop("param", span_of(expr), why, index=index, path=path, exports=exports))
        if own is not None:
            cand.held.append((variable, own, expr, at))
        return cand

    def _function_name(self, fn: Node | None) -> str:
        if fn is None:
            return "an anonymous function"
        if fn.id is not None:
            return str(fn.id.name)
        holder = self.parent.get(id(fn))
        if holder is not None and holder.type == "VariableDeclarator" and holder.id is not None \
                and holder.id.type == "Identifier":
            return str(holder.id.name)
        if holder is not None and holder.type in ("Property", "MethodDefinition"):
            key = prop_key(holder, self)
            if key is not None:
                return key
        if holder is not None and holder.type == "AssignmentExpression":
            return dotted(holder.left) or "an anonymous function"
        return "an anonymous function"

    def _response_candidate(self, expr: Node, request: requests.Request, path: tuple[str, ...]) -> Candidate:
        why = (f"the payload is the server's answer to {request.shown}; migrate the server code "
               "that builds it")
        hop = Hop("response", span_of(expr), why, path=(*request.path, *path), request=request.key())
        return Candidate(unresolved=why, origin="response", hop=hop)

    def _resolve_path(self, expr: Node, path: tuple[str, ...], at: Node, depth: int) -> list[Candidate]:
        """What `expr.a.b` evaluates to, for `path` ("a", "b"): the value of that key in each way
        `expr` can be built (a JSX element's props: its attribute)."""
        if not path:
            return self.resolve(expr, at, depth)
        if expr.type in ("JSXOpeningElement", "JSXSelfClosingElement"):
            for attribute in expr.attributes or ():
                if attribute.type == "JSXAttribute" and attribute.name is not None \
                        and getattr(attribute.name, "name", None) == path[0] and attribute.value is not None:
                    return self._resolve_path(attribute.value, path[1:], at, depth + 1)
            if any(a.type == "JSXSpreadAttribute" for a in expr.attributes or ()):
                return [Candidate(unresolved=f"the prop `{path[0]}` of `{self.snippet(expr, 40)}` may come "
                                             "from its spread props; migrate the code that builds them",
                                  origin="props")]
            return [Candidate(unresolved=f"`{self.snippet(expr, 40)}` passes no `{path[0]}` prop; "
                                         "check it by hand", origin="props")]
        self.flow.add(id(expr))
        if expr.type == "Identifier":
            variable = self.scopes.variable(expr)
            if variable is not None and variable.kind == "param" and variable.definitions:
                return self._resolve_param(expr, variable, at, depth + 1, suffix=path)
        out: list[Candidate] = []
        for cand in self.resolve(expr, at, depth + 1):
            out.extend(self._member_of(cand, path, at, depth, expr))
        return out

    def _member_of(self, cand: Candidate, path: tuple[str, ...], at: Node, depth: int,
                   expr: Node) -> list[Candidate]:
        """The value under `path` in an object built as `cand`."""
        shown = self.snippet(expr, 40) + "".join(f".{p}" for p in path)
        if cand.unresolved:
            if cand.hop is not None:
                cand.hop = replace(cand.hop, path=(*cand.hop.path, *path))
            return [cand]
        for part in reversed(cand.parts):
            for prop in reversed(part.properties or ()):
                if prop.type == "Property" and prop_key(prop, self) == path[0] and prop.value is not None:
                    found = self._resolve_path(prop.value, path[1:], at, depth + 1)
                    for sub in found:
                        sub.via.extend(cand.via)
                        for key, value in cand.bindings.items():
                            sub.bindings.setdefault(key, value)
                    return found
        why = (f"the payload `{shown}` is not set where the object is built"
               + (f" ({', '.join(cand.opaque)} may set it)" if cand.opaque else "")
               + "; migrate the code that sets it")
        return [Candidate(unresolved=why)]

    def _resolve_member(self, expr: Node, at: Node, depth: int) -> list[Candidate]:
        """`opts.sourceData`, `this.payload`, `this.props.sourceData`, `window.drPayload`."""
        path: list[str] = []
        node = expr
        while node.type == "MemberExpression":
            name = member_name(node)
            if name is None and node.computed:
                name = self.string_const(node.property)
            if name is None:
                break
            path.insert(0, name)
            node = node.object
        external = Candidate(unresolved=f"the payload arrives from `{self.snippet(expr)}` (a server "
                                        "response or another object): migrate the code that builds "
                                        "it, on the server if it comes from there", origin="external")
        if node.type == "MemberExpression" or not path:
            return [external]
        if node.type == "Identifier":
            variable = self.scopes.variable(node)
            if variable is not None and variable.kind == "import":
                return [self._import_candidate(node, variable, (), tuple(path))]
            if variable is not None and variable.kind == "implicit" and not variable.definitions \
                    and node.name in ("window", "self", "globalThis") and len(path) >= 1:
                why = (f"the payload `{self.snippet(expr)}` is set by another script of the page; "
                       "migrate the code that sets it")
                return [Candidate(unresolved=why, origin="external",
                                  hop=Hop("global", span_of(expr), why, name=path[0], path=tuple(path[1:])))]
            if variable is None or (variable.kind == "implicit" and not variable.definitions):
                why = f"the payload `{self.snippet(expr)}` is not defined in this file; migrate the code that builds it"
                return [Candidate(unresolved=why, origin="external",
                                  hop=Hop("global", span_of(expr), why, name=str(node.name), path=tuple(path)))]
            if variable.kind in ("param", "var", "let", "const", "implicit", "catch"):
                return self._resolve_path(node, tuple(path), at, depth)
            return [external]
        if node.type == "ThisExpression":
            return self._resolve_this_member(expr, node, tuple(path), at, depth) or [external]
        return [external]

    def _resolve_this_member(self, expr: Node, this: Node, path: tuple[str, ...], at: Node,
                             depth: int) -> list[Candidate]:
        """`this.x`: what the same object's methods store under `x` (`this.x = {...}`), a React
        class component's props (`this.props.x`: what its JSX elements pass)."""
        owner = self.this_owner(this)
        if owner is None:
            return []
        if path[0] == "props" and owner.type in ("ClassDeclaration", "ClassExpression") and len(path) > 1:
            found = callers_of_component(self, owner)
            out: list[Candidate] = []
            for element, _args in found.calls:
                for cand in self._resolve_path(element, path[1:], element, depth + 1):
                    cand.via.append((element, f"passed as a prop of {found.name} here"))
                    out.append(cand)
            if found.exits:
                names = tuple((e.kind, *e.names) for e in found.exits if e.kind in ("export", "global"))
                why = (f"the payload is the prop `{path[1]}` of {found.name}, which other modules render; "
                       "migrate the code that builds it")
                out.append(Candidate(unresolved=why, origin="props",
                                     hop=Hop("param", span_of(expr), why, index=0, path=path[1:],
                                             exports=names) if names else None))
            return out
        stores = []
        for value in self.member_assigns.get("." + path[0], ()):
            assign = self.parent.get(id(value))
            if assign is not None and assign.type == "AssignmentExpression" and assign.left.type == "MemberExpression" \
                    and assign.left.object.type == "ThisExpression" and self.this_owner(assign.left.object) is owner:
                stores.append((assign, value))
        if not stores:
            return []
        out = []
        for assign, value in stores:
            if span_of(assign)[0] > span_of(at)[0] and self.scopes.function_of(assign) is self.scopes.function_of(at):
                continue  # stored after the call, in the same method
            for cand in self._resolve_path(value, path[1:], at, depth + 1) if len(path) > 1 \
                    else self.resolve(value, at, depth + 1):
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
        request = requests.response_of_call(self, expr)
        if request is not None:
            return [self._response_candidate(expr, request, ())]
        callee = expr.callee
        targets, hops = self.call_targets(expr)
        if targets:
            out = []
            for fn in targets:
                rets = self.returns.get(id(fn), [])
                if not rets:
                    out.append(Candidate(unresolved=f"`{self.snippet(expr, 50)}` returns nothing drmigrate "
                                                    "can see; migrate the code that builds the payload"))
                    continue
                self.flow.add(id(callee))
                bindings = self._bind(fn, expr)
                for ret in rets:
                    for cand in self.resolve(ret, ret, depth + 1):
                        cand.origin = "helper" if cand.origin in ("inline", "variable") else cand.origin
                        for key, value in bindings.items():
                            cand.bindings.setdefault(key, value)
                        cand.via.append((expr, f"returned by `{self.snippet(callee, 40)}` here"))
                        out.append(cand)
            return out + hops
        if hops:
            return hops
        return [Candidate(unresolved=f"the payload is the result of `{self.snippet(expr)}`; "
                                     "migrate the code that builds it", origin="external")]

    def _bind(self, fn: Node, call: Node) -> dict[int, Node | str]:
        """The arguments a call passes to `fn`'s plain parameters, by parameter variable."""
        bound: dict[int, Node | str] = {}
        args = list(call.arguments or ())
        for index, param in enumerate(fn.params or ()):
            if param.type == "Identifier" and index < len(args):
                variable = self.scopes.variable(param)
                if variable is not None:
                    bound[id(variable)] = args[index]
        return bound

    def call_targets(self, call: Node) -> tuple[list[Node], list[Candidate]]:
        """The functions of this file a call may run (several for a method its subclasses
        override, or for instances of several classes), and candidates the project follows when
        the function is imported or a global of the page."""
        callee = call.callee
        if callee is None:
            return [], []
        if callee.type == "Identifier":
            variable = self.scopes.variable(callee)
            if variable is None:
                return [], []
            if variable.kind == "import" or (variable.kind in ("var", "let", "const", "param")
                                             and self.import_source(variable)[0]):
                return [], [self._import_candidate(callee, variable, (), (), call=call)]
            values = [d.value for d in variable.definitions if d.value is not None]
            values += [r.value for r in variable.references if r.write and r.value is not None]
            functions = [v for v in values if v.type in FUNCTIONS]
            if functions:
                return functions[:1], []
            if variable.kind == "implicit" and not variable.definitions:
                why = (f"the payload is the result of `{self.snippet(call, 50)}`, a function another script "
                       "of the page defines; migrate it where it is built")
                return [], [Candidate(unresolved=why, origin="external",
                                      hop=Hop("global-call", span_of(call), why, name=str(callee.name),
                                              constants=self._constants(call)))]
            return [], []
        if callee.type != "MemberExpression":
            return [], []
        method = member_name(callee)
        if method is None:
            return [], []
        base = callee.object
        if base.type == "Identifier":
            variable = self.scopes.variable(base)
            if variable is not None and self.import_source(variable)[0]:
                # a method of a module's value (`api.build()`, `payloads.paypal()`, a static method)
                return [], [self._import_candidate(base, variable, (method,), (), call=call)]
            if variable is not None and variable.kind == "implicit" and not variable.definitions \
                    and base.name not in ("window", "self", "globalThis", "$", "jQuery", "document", "console"):
                # `CheckoutModule.build(cart)`: a page global that another script defines
                why = (f"the payload is the result of `{self.snippet(call, 50)}`, a function another script "
                       "of the page defines; migrate it where it is built")
                return [], [Candidate(unresolved=why, origin="external",
                                      hop=Hop("global-call", span_of(call), why, name=str(base.name),
                                              member=(method,), constants=self._constants(call)))]
        found: list[Node] = []
        for owner in self.method_owners(base):
            found.extend(self._methods(owner, method))
        hops: list[Candidate] = []
        for ctor in self.constructors_of(base):
            variable = self.scopes.variable(ctor) if ctor.type == "Identifier" else None
            if variable is not None and self.import_source(variable)[0]:
                # an instance of an imported class: its method, in the module that defines it
                hops.append(self._import_candidate(ctor, variable, (f"#{method}",), (), call=call))
        return list(dict.fromkeys(found)), hops

    def method_owners(self, base: Node) -> list[Node]:
        """The object literals and classes whose method a call on `base` runs."""
        if base.type in ("ThisExpression", "Super"):
            owner = self.this_owner(base)
            if owner is None:
                return []
            if owner.type in ("ClassDeclaration", "ClassExpression"):
                family = self.class_family(owner)
                if base.type == "Super":
                    parent = self.superclass(owner)
                    return [parent] if parent is not None else []
                return list(family)
            return [owner]
        owners: list[Node] = list(self.instance_classes(base))
        for value in self._values_of(base):
            for inner in self.module_values(value):
                if inner.type == "ObjectExpression":
                    owners.append(inner)
        return owners

    def is_script(self) -> bool:
        """The program is a plain script of the page (its top-level names are the page's globals):
        not an ES module, not CommonJS (`require`, `module.exports`), not AMD (`define`)."""
        if self.kind:
            return self.kind == "script"
        if self.program.sourceType == "module" or self.defines:
            return False
        for key in (".exports",):
            for value in self.member_assigns.get(key, ()):
                assign = self.parent.get(id(value))
                if assign is not None and (dotted(assign.left) or "").startswith(("module.exports", "exports")):
                    return False
        for values in self.member_assigns.values():
            for value in values:
                assign = self.parent.get(id(value))
                if assign is not None and (dotted(assign.left) or "").startswith(("module.exports.", "exports.")):
                    return False
        return not any(c.callee.name == "require" and len(c.arguments or ()) == 1
                       and string_literal(c.arguments[0]) is not None for c in self.plain_calls)

    def module_values(self, value: Node, depth: int = 0) -> list[Node]:
        """What a value is once computed, for the module pattern: `(function ($) { ...; return
        {build: build}; })(jQuery)` is the object its function returns; an identifier, the values
        it is given. Anything else is itself."""
        if depth > 3:
            return [value]
        if value.type == "CallExpression" and value.callee is not None and value.callee.type in FUNCTIONS:
            out: list[Node] = []
            for returned in self.returns.get(id(value.callee), []):
                out.extend(self.module_values(returned, depth + 1))
            return out or [value]
        if value.type == "Identifier":
            variable = self.scopes.variable(value)
            if variable is not None:
                found = [d.value for d in variable.definitions if d.value is not None]
                found += [r.value for r in variable.references if r.write and r.value is not None]
                if found and all(f is not value for f in found):
                    return [v for f in dict.fromkeys(found) for v in self.module_values(f, depth + 1)]
        return [value]

    def _values_of(self, node: Node) -> list[Node]:
        if node.type == "Identifier":
            variable = self.scopes.variable(node)
            if variable is None:
                return []
            return [r.value for r in variable.references if r.write and r.value is not None] + \
                [d.value for d in variable.definitions if d.value is not None and d.kind == "implicit"]
        if node.type == "MemberExpression":
            return list(self.member_assigns.get(self.member_key(node), ()))
        if node.type in ("NewExpression", "ObjectExpression"):
            return [node]
        return []

    def _methods(self, owner: Node, name: str) -> list[Node]:
        """The functions `owner` (an object literal, a class and its superclasses) has as `name`."""
        if owner.type == "ObjectExpression":
            for prop in owner.properties or ():
                if prop.type == "Property" and prop_key(prop, self) == name and prop.value is not None \
                        and prop.value.type in FUNCTIONS:
                    return [prop.value]
            return []
        seen: set[int] = set()
        current: Node | None = owner
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            for member in (current.body.body if current.body is not None else ()) or ():
                if member.type == "MethodDefinition" and prop_key(member, self) == name and member.value is not None \
                        and member.kind in (None, "method"):
                    return [member.value]
            current = self.superclass(current)
        return []

    # -- objects, classes and `this` -------------------------------------------------------------
    def this_owner(self, this: Node) -> Node | None:
        """What `this` is at `this` (a ThisExpression or Super): the class whose method it is in,
        the object literal whose method it is in, or the function it is in."""
        current = self.parent.get(id(this))
        while current is not None:
            if current.type in ("FunctionDeclaration", "FunctionExpression"):
                holder = self.parent.get(id(current))
                if holder is not None and holder.type == "MethodDefinition":
                    body = self.parent.get(id(holder))
                    return self.parent.get(id(body)) if body is not None else None
                if holder is not None and holder.type == "Property":
                    return self.parent.get(id(holder))
                return current
            if current.type in ("PropertyDefinition", "StaticBlock"):
                body = self.parent.get(id(current))
                return self.parent.get(id(body)) if body is not None else None
            if current.type == "Program":
                return None
            current = self.parent.get(id(current))
        return None

    def this_class(self, this: Node) -> Node | None:
        owner = self.this_owner(this)
        return owner if owner is not None and owner.type in ("ClassDeclaration", "ClassExpression") else None

    def superclass(self, cls: Node) -> Node | None:
        """The class `cls` extends, when this file defines it."""
        sup = cls.superClass
        if sup is None or sup.type != "Identifier":
            return None
        variable = self.scopes.variable(sup)
        if variable is None:
            return None
        for definition in variable.definitions:
            if definition.value is not None and definition.value.type in ("ClassDeclaration", "ClassExpression"):
                return definition.value
        return None

    def class_family(self, cls: Node) -> list[Node]:
        """`cls` and the classes of this file that extend it, at any depth."""
        family = [cls]
        grew = True
        while grew:
            grew = False
            for other in self.classes:
                if other not in family and self.superclass(other) in family:
                    family.append(other)
                    grew = True
        return family

    def class_variable(self, cls: Node) -> Variable | None:
        if cls.type == "ClassDeclaration" and cls.id is not None:
            return self.scopes.variable(cls.id)
        holder = self.parent.get(id(cls))
        if holder is not None and holder.type == "VariableDeclarator" and holder.id is not None \
                and holder.id.type == "Identifier":
            return self.scopes.variable(holder.id)
        return None

    def class_of_constructor(self, node: Node) -> Node | None:
        """The class of this file a constructor expression names (`new Checkout()`)."""
        if node.type != "Identifier":
            return None
        variable = self.scopes.variable(node)
        if variable is None:
            return None
        for definition in variable.definitions:
            value = definition.value
            if value is not None and value.type in ("ClassDeclaration", "ClassExpression"):
                return value
        return None

    def constructors_of(self, node: Node, depth: int = 0) -> list[Node]:
        """The constructor expressions `node` may be an instance of (`x = new C()`, `this.c = new C()`,
        `this[KEY] = new C()`)."""
        if depth > 4:
            return []
        if node.type == "NewExpression" and node.callee is not None:
            return [node.callee]
        if node.type == "ConditionalExpression":  # `flag ? new A() : new B()`: either
            return self.constructors_of(node.consequent, depth + 1) + self.constructors_of(node.alternate, depth + 1)
        if node.type == "LogicalExpression":
            return self.constructors_of(node.left, depth + 1) + self.constructors_of(node.right, depth + 1)
        out: list[Node] = []
        for value in self._values_of(node) if node.type in ("Identifier", "MemberExpression") else ():
            if value is not node:
                out.extend(self.constructors_of(value, depth + 1))
        return out

    def instance_classes(self, node: Node) -> list[Node]:
        found = [self.class_of_constructor(c) for c in self.constructors_of(node)]
        return [c for c in found if c is not None]

    # -- other uses of a payload object ---------------------------------------------------------
    def holders_of(self, cand: Candidate, part: Node) -> list[tuple[Variable, Reference, Node | None]]:
        """The variables that hold `part`, following aliases (`var q = p`), merges into it and the
        parameters it is passed to; each with where the object flows on from there."""
        found: list[tuple[Variable, Reference, Node | None]] = []
        keys: set[tuple[int, int]] = set()

        def add(variable: Variable, ref: Reference, at: Node | None) -> None:
            if (id(variable), id(ref)) not in keys:
                keys.add((id(variable), id(ref)))
                found.append((variable, ref, at))

        parent = self.parent.get(id(part))
        origin = self._assigned_to(part, parent)
        if origin is not None:
            at = next((h[2] for h in cand.holders if h[0] is origin[0] and h[1] is origin[1]), cand.at)
            add(origin[0], origin[1], at)
        for variable, ref, at in cand.holders:
            is_part = ref.value is part or (ref.value is not None and self._value_is(ref.value, part))
            if is_part:
                add(variable, ref, at)
        for variable, ref, held, at in cand.held:
            if held is part:
                add(variable, ref, at)
        seen = 0
        while seen < len(found) and len(found) < 64:
            variable, ref, at = found[seen]
            seen += 1
            for use in variable.references:
                if use.write or ref not in self.reaching(variable, use.identifier):
                    continue
                alias = self._alias_target(use.identifier)
                if alias is not None:
                    add(alias[0], alias[1], at)
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
        default_at = span_of(cand.at if cand.at is not None else call)[0]
        for variable, ref, at in self.holders_of(cand, part):
            call_at = span_of(at)[0] if at is not None else default_at
            for use in variable.references:
                ident = use.identifier
                if use.write or ref not in self.reaching(variable, ident):
                    continue
                for found in self._classify(ident, call_at):
                    found.at = call_at
                    out.append(found)
        return out

    def _helper_escape(self, node: Node) -> list[Use]:
        """A helper's result reaches the payload: its other callers get the same object."""
        fn = self.scopes.function_of(node)
        if fn.type not in FUNCTIONS:
            return [Use("escape", (), fn)]
        found = callers(self, fn)
        out = [Use("escape", (), c) for c, _ in found.calls if id(c.callee) not in self.flow]
        # an export or a global of the page: the project checks its other users (`drmigrate.project`)
        out += [Use("escape", (), e.node) for e in found.exits if e.kind not in ("export", "global")]
        return out

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
                bound = self.bindings.get(id(variable))
                if bound is not None:  # a parameter, for the call the payload came through
                    return bound if isinstance(bound, str) else self.string_const(bound, depth + 1)
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
    if holder.type == "Program" and analysis.order:  # a slice: the statement's place in the file
        return (id(holder), bisect_right(analysis.order, span_of(stmt)[0]) - 1), before, after
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


def find_sites(program: Node, text: str, settings: Settings, *, kind: str = "",
               order: tuple[int, ...] = ()) -> tuple[PayloadSite, ...]:
    """Every payload that can reach a DigitalRiver.js call in this program (each call, a verdict),
    and every payload root another file's call hands to this one (`Settings.seeds`). `kind` and
    `order`: the file's module system and top-level statement starts, when the program is a slice."""
    analysis = Analysis(program, text, settings, kind=kind, order=order)
    resolved: list[tuple[CallSite, Confidence, list[Candidate]]] = []
    for call in sorted(analysis.calls, key=lambda c: span_of(c.node)[0]):
        kind = analysis.receiver_kind(call.receiver)
        if kind == "stripe" or (kind == "unknown" and _defined_here(analysis, call)):
            continue  # Stripe, or an object of this file with its own method of that name
        if kind == "unknown" and call.method not in ("createSource", *DR_ONLY_CALLS):
            continue
        confidence = Confidence.HIGH if kind == "dr" else Confidence.LOW
        if call.arglist is not None:
            built = analysis.argument_list(call.arglist, call.node)
            if built is not None:
                call.args, call.unresolved = built, ""
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
    for call in wrapper_calls(analysis):
        candidates = analysis.resolve(call.args[0], call.node) if call.args else \
            [Candidate(unresolved="the wrapper is called without its payload argument; check it by hand",
                       where=span_of(call.node))]
        resolved.append((call, Confidence.HIGH, candidates))
    for seed in settings.seeds or ():
        resolved.extend(seeded(analysis, seed))
    sites: list[PayloadSite] = []
    for call, confidence, candidates in resolved:
        source = call.method == "createSource" or bool(call.element and dict(settings.elements).get(call.element))
        first = len(sites)
        for cand in candidates:
            site = _site(analysis, call, cand, confidence, settings, source=source)
            if site is None:
                continue
            if not site.unresolved:
                site = replace(site, session_candidates=session_candidates(analysis, call.node))
            if confidence is Confidence.LOW and call.method == "createSource" and not _dr_evidence(site, settings):
                continue  # an unknown receiver is reported only with a Digital River type or hash
            sites.append(site)
        sites[first:] = _switched(analysis, sites[first:])
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


def _switched(analysis: Analysis, sites: list[PayloadSite]) -> list[PayloadSite]:
    """One call, one payment method, two payloads: one with `sessionId`, one without. The call
    is switched at run time (a configuration flag, a cart that has a session or not): the one
    without a session is left for a person (`PayloadSite.switched`: where the other one is)."""
    with_session: dict[str, PayloadSite] = {}
    for site in sites:
        if site.source_type and site.session_when is None and _has_session(site):
            with_session.setdefault(site.source_type, site)
    if not with_session:
        return sites
    out = []
    for site in sites:
        other = with_session.get(site.source_type or "")
        if other is not None and other is not site and not _has_session(site) and site.parts:
            where = other.parts[0].span[0] if other.parts else other.call_span[0]
            site = replace(site, switched=f"line {analysis.text.count(chr(10), 0, where) + 1}")
        out.append(site)
    return out


def _has_session(site: PayloadSite) -> bool:
    return any(p.key == "sessionId" for part in site.parts for p in part.props) or \
        any(w.path == ("sessionId",) and w.kind == "write" for w in site.writes)


def wrapper_calls(analysis: Analysis) -> list[CallSite]:
    """Calls of the library functions the `wrappers` setting declares, as `createSource` calls
    of their payload argument: `import {createPaymentSource} from '@acme/dr-sdk'` then
    `createPaymentSource(element, payload)` with `@acme/dr-sdk:createPaymentSource@1`."""
    wrappers = analysis.settings.wrappers
    if not wrappers:
        return []
    found: list[CallSite] = []
    calls = analysis.plain_calls + [c for group in analysis.member_calls.values() for c in group]
    for call in sorted(calls, key=lambda c: span_of(c)[0]):
        chain = dotted(call.callee) or ""
        for module, name, index in wrappers:
            if _names_wrapper(analysis, call.callee, chain, module, name):
                args = list(call.arguments or ())
                payload = [args[index]] if index < len(args) else []
                found.append(CallSite(call, call.callee, "createSource", payload))
                break
    return found


def _names_wrapper(analysis: Analysis, callee: Node, chain: str, module: str, name: str) -> bool:
    """Whether `callee` is the wrapper `name` of `module` (a page global when `module` is "")."""
    parts = name.split(".")
    root = callee
    while root is not None and root.type == "MemberExpression":
        root = root.object
    if root is None or root.type != "Identifier":
        return False
    variable = analysis.scopes.variable(root)
    if not module:
        declared = variable is not None and variable.kind != "implicit"
        return not declared and chain in (name, f"window.{name}")
    if variable is None:
        return False
    specifier, imported = analysis.import_source(variable)
    if specifier != module:
        return False
    members = chain.split(".")[1:]
    if imported in ("*", "default"):
        return members == parts or (imported == "default" and not members and parts == ["default"])
    return [imported, *members] == parts


class _End:
    """A stand-in node at the end of the program: a module's exported value is what it holds once
    the module has run, so every write before the end counts."""

    type = "End"

    def __init__(self, end: int) -> None:
        self.range = (end, end)


def seeded(analysis: Analysis, seed: Seed) -> list[tuple[CallSite, Confidence, list[Candidate]]]:
    """The payload roots `seed` names in this program, resolved as if a DigitalRiver.js call in
    this file received them (each with the seed's own call, element and confidence)."""
    confidence = Confidence.LOW if seed.low else Confidence.HIGH
    kind = seed.target[0] if seed.target else ""
    out: list[tuple[CallSite, Confidence, list[Candidate]]] = []

    inner = dict(analysis.settings.elements).get(seed.element, "") if seed.element else ""

    def site(node: Node, candidates: list[Candidate]) -> None:
        if inner:  # the element's options reached here: its payload is under their `sourceData`
            candidates = _inner_payloads(analysis, candidates, inner, node)
        out.append((CallSite(node, None, seed.call, [], seed.element, seed=seed), confidence, candidates))

    if kind in ("returns", "global-returns"):
        functions = (exported(analysis, seed.target[1:]) if kind == "returns"
                     else global_values(analysis, seed.target[1:]))
        for fn in (f for f in functions if f.type in FUNCTIONS):
            rets = analysis.returns.get(id(fn), [])
            bindings = _seed_bindings(analysis, fn, seed)
            for ret in rets:
                cands = analysis._resolve_path(ret, seed.path, ret, 1)
                for cand in cands:
                    for key, value in bindings.items():
                        cand.bindings.setdefault(key, value)
                    cand.via.append((ret, "returned here"))
                site(ret, cands)
    elif kind in ("value", "global-value"):
        end = _End(len(analysis.text))
        values = (exported(analysis, seed.target[1:], values=True) if kind == "value"
                  else global_values(analysis, seed.target[1:], values=True))
        for value in values:
            site(value, analysis._resolve_path(value, seed.path, end, 1))
    elif kind in ("args", "global-args", "event-args"):
        if kind == "event-args":
            calls = trigger_calls(analysis, seed.target[1]) if len(seed.target) > 1 else []
        elif kind == "args":
            calls = import_calls(analysis, seed.target[1:])
        else:
            calls = global_calls(analysis, seed.target[1:])
        for call, args in calls:
            arg = args[seed.index] if 0 <= seed.index < len(args) else None
            if arg is None:
                site(call, [Candidate(unresolved=f"`{analysis.snippet(call, 50)}` passes no payload in the "
                                                 "place the function sends on; check it by hand",
                                      where=span_of(call))])
                continue
            cands = analysis._resolve_path(arg, seed.path, call, 1)
            callee = call.callee if call.type == "CallExpression" else call.name
            for cand in cands:
                cand.via.append((call, f"passed to `{analysis.snippet(callee, 40)}` here"))
            site(call, cands)
    elif kind == "response":  # a server handler answering the page's request (SFCC, Express)
        from drmigrate.frontends import jsserver

        out.extend(jsserver.seeded(analysis, seed, confidence))
    return out


def _seed_bindings(analysis: Analysis, fn: Node, seed: Seed) -> dict[int, Node | str]:
    """String arguments the caller in the other file passes (a payment type), by parameter."""
    bound: dict[int, Node | str] = {}
    params = list(fn.params or ())
    for index, value in seed.constants:
        if index < len(params) and params[index].type == "Identifier":
            variable = analysis.scopes.variable(params[index])
            if variable is not None:
                bound[id(variable)] = value
    return bound


def exported(analysis: Analysis, names: Sequence[str], *, values: bool = False) -> list[Node]:
    """The nodes this module exports under `names` (("buildPayload",), ("default",), ("*",) for
    the module's value, then members: ("default", "build"), ("Checkout", "#build"))."""
    if not names:
        return []
    first, rest = names[0], tuple(names[1:])
    found: list[Node] = []
    program = analysis.program
    for stmt in program.body or ():
        if stmt.type == "ExportNamedDeclaration" and stmt.source is None:
            declaration = stmt.declaration
            if declaration is not None and declaration.type in ("FunctionDeclaration", "ClassDeclaration") \
                    and declaration.id is not None and declaration.id.name == first:
                found.append(declaration)
            elif declaration is not None and declaration.type == "VariableDeclaration":
                for declarator in declaration.declarations or ():
                    if declarator.id is not None and declarator.id.type == "Identifier" \
                            and declarator.id.name == first:
                        found.extend(_binding_values(analysis, declarator.id, values))
            for spec in stmt.specifiers or ():
                exported_name = getattr(spec.exported, "name", None) or getattr(spec.exported, "value", None)
                if exported_name == first and spec.local is not None:
                    found.extend(_binding_values(analysis, spec.local, values))
        elif stmt.type == "ExportDefaultDeclaration" and first == "default" and stmt.declaration is not None:
            declaration = stmt.declaration
            if declaration.type == "Identifier":
                found.extend(_binding_values(analysis, declaration, values))
            else:
                found.append(declaration)
    for assigned in analysis.member_assigns.values():
        for value in assigned:
            assign = analysis.parent.get(id(value))
            if assign is None or assign.type != "AssignmentExpression":
                continue
            chain = dotted(assign.left) or ""
            if chain == "module.exports":
                if first in ("default", "*"):
                    found.extend(_value_nodes(analysis, value, values))
                elif value.type == "ObjectExpression":
                    found.extend(_members(analysis, _value_nodes(analysis, value, values), (first,), values))
            elif chain in (f"module.exports.{first}", f"exports.{first}"):
                found.extend(_value_nodes(analysis, value, values))
    for call in analysis.defines:
        args = list(call.arguments or ())
        factory = args[-1] if args else None
        if factory is None:
            continue
        module_values = list(analysis.returns.get(id(factory), [])) if factory.type in FUNCTIONS else [factory]
        for value in module_values:
            if first in ("default", "*"):
                found.extend(_value_nodes(analysis, value, values))
            elif value.type in ("ObjectExpression", "Identifier"):
                found.extend(_members(analysis, _value_nodes(analysis, value, values), (first,), values))
    unique = list(dict.fromkeys(found))
    return _members(analysis, unique, rest, values) if rest else unique


def global_values(analysis: Analysis, names: Sequence[str], *, values: bool = False) -> list[Node]:
    """What this script defines as the page's global `names[0]` (a top-level function or `var`,
    `window.name = ...`), then its members."""
    if not names:
        return []
    first, rest = names[0], tuple(names[1:])
    found: list[Node] = []
    root = analysis.scopes.root
    variable = root.variables.get(first)
    if variable is not None and analysis.program.sourceType != "module":
        for definition in variable.definitions:
            if definition.kind in ("function", "var") and definition.value is not None:
                found.extend(_value_nodes(analysis, definition.value, values))
    for value in analysis.member_assigns.get("." + first, ()):
        assign = analysis.parent.get(id(value))
        if assign is not None and assign.type == "AssignmentExpression" \
                and dotted(assign.left) in (f"window.{first}", f"self.{first}", f"globalThis.{first}"):
            found.extend(_value_nodes(analysis, value, values))
    implicit = analysis.scopes.implicit.get(first)
    if implicit is not None:
        for definition in implicit.definitions:
            if definition.value is not None:
                found.extend(_value_nodes(analysis, definition.value, values))
    unique = list(dict.fromkeys(found))
    return _members(analysis, unique, rest, values) if rest else unique


def _binding_values(analysis: Analysis, ident: Node, values: bool) -> list[Node]:
    if values:
        return [ident]
    variable = analysis.scopes.variable(ident)
    if variable is None:
        return []
    found = [d.value for d in variable.definitions if d.value is not None]
    found += [r.value for r in variable.references if r.write and r.value is not None]
    return list(dict.fromkeys(found))


def _value_nodes(analysis: Analysis, value: Node, values: bool) -> list[Node]:
    if value.type == "Identifier" and not values:
        return _binding_values(analysis, value, False) or [value]
    return [value]


def _members(analysis: Analysis, owners: list[Node], path: tuple[str, ...], values: bool) -> list[Node]:
    """`owners[...].path`: object literal properties, class methods (`#name` for an instance's)."""
    current = owners
    for name in path:
        nxt: list[Node] = []
        for owner in current:
            if owner.type == "Identifier":
                owner_values = _binding_values(analysis, owner, False)
            else:
                owner_values = [owner]
            owner_values = [v for value in owner_values for v in analysis.module_values(value)]
            for value in owner_values:
                if value.type == "ObjectExpression":
                    for prop in value.properties or ():
                        if prop.type == "Property" and prop_key(prop, analysis) == name and prop.value is not None:
                            nxt.extend(_value_nodes(analysis, prop.value, values and name == path[-1]))
                elif value.type in ("ClassDeclaration", "ClassExpression"):
                    wanted = name.removeprefix("#")
                    for member in (value.body.body if value.body is not None else ()) or ():
                        if member.type == "MethodDefinition" and prop_key(member, analysis) == wanted \
                                and bool(member.static) != name.startswith("#") and member.value is not None:
                            nxt.append(member.value)
                    if name.startswith("#"):
                        nxt.extend(f for f in analysis._methods(value, wanted) if f not in nxt)
        current = list(dict.fromkeys(nxt))
    return current


def import_calls(analysis: Analysis, target: Sequence[str]) -> list[tuple[Node, list[Node | None]]]:
    """The calls in this file of what (specifier, imported name, members...) names: `f(...)`,
    `api.f(...)`, `new C().f(...)` / calls on instances of an imported class (member `#f`), JSX
    elements of an imported component (member `<>`)."""
    if len(target) < 2:
        return []
    specifier, imported, members = target[0], target[1], tuple(target[2:])
    out: list[tuple[Node, list[Node | None]]] = []
    for variable in list(analysis.scopes.root.variables.values()) + _scoped_imports(analysis):
        if analysis.import_source(variable) != (specifier, imported):
            continue
        out.extend(_calls_through(analysis, variable, members))
    return list({id(c): (c, a) for c, a in out}.values())


def _scoped_imports(analysis: Analysis) -> list[Variable]:
    """Variables below the top scope that hold a module (AMD factory parameters, `require` inside
    a function)."""
    found: list[Variable] = []
    stack = list(analysis.scopes.root.children)
    while stack:
        scope = stack.pop()
        found.extend(scope.variables.values())
        stack.extend(scope.children)
    return found


def global_calls(analysis: Analysis, target: Sequence[str]) -> list[tuple[Node, list[Node | None]]]:
    """Calls of the page's global `target[0]` (undeclared here), then of its members."""
    if not target:
        return []
    name, members = target[0], tuple(target[1:])
    out: list[tuple[Node, list[Node | None]]] = []
    implicit = analysis.scopes.implicit.get(name)
    if implicit is not None:
        out.extend(_calls_through(analysis, implicit, members))
    for call in analysis.member_calls.get("." + (members[0] if members else name), ()):
        chain = dotted(call.callee) or ""
        wanted = ".".join((name, *members))
        if chain in (f"window.{wanted}", f"self.{wanted}", f"globalThis.{wanted}"):
            out.append((call, list(call.arguments or ())))
    return list({id(c): (c, a) for c, a in out}.values())


def _calls_through(analysis: Analysis, variable: Variable, members: tuple[str, ...]) -> list[tuple[Node, list[Node | None]]]:
    out: list[tuple[Node, list[Node | None]]] = []
    for ref in variable.references:
        if ref.write:
            continue
        node = ref.identifier
        parent = analysis.parent.get(id(node))
        if not members:
            if parent is not None and parent.type == "CallExpression" and parent.callee is node:
                out.append((parent, list(parent.arguments or ())))
            elif parent is not None and parent.type in ("JSXOpeningElement", "JSXSelfClosingElement") \
                    and parent.name is node:
                out.append((parent, [parent]))
            continue
        first = members[0]
        if first.startswith("#"):  # a method of the class's instances
            for call in analysis.member_calls.get("." + first[1:], ()):
                base = call.callee.object
                if any(c is node or (c.type == "Identifier" and analysis.scopes.variable(c) is variable)
                       for c in analysis.constructors_of(base)):
                    out.append((call, list(call.arguments or ())))
            continue
        if parent is not None and parent.type == "MemberExpression" and parent.object is node \
                and member_name(parent) == first:
            call = analysis.parent.get(id(parent))
            if len(members) == 1 and call is not None and call.type == "CallExpression" and call.callee is parent:
                out.append((call, list(call.arguments or ())))
    return out


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
    seed = callsite.seed
    via = tuple(Step(span_of(node), what) for node, what in cand.via) + (seed.via if seed is not None else ())
    if cand.unresolved:
        hop = cand.hop
        if hop is not None:
            hop = _with_needs(analysis, cand, hop, seed)
            written = _written_at_call(analysis, callsite) if seed is None else ""
            if written:
                hop = replace(hop, written=written)
        return PayloadSite(call_span, None, unresolved=cand.unresolved, unresolved_span=cand.where,
                           confidence=confidence, origin=cand.origin, call=method, element=element,
                           via=via, hop=hop, seed=seed.key if seed is not None else "")
    analysis.bindings = cand.bindings
    try:
        return _resolved_site(analysis, callsite, cand, confidence, settings, via, source=source)
    finally:
        analysis.bindings = {}


def _written_at_call(analysis: Analysis, callsite: CallSite) -> str:
    """The data fields this file writes on a payload variable before the call sends it
    (`config.options = {...}`, `p.amount = x`; a callback such as `config.onSuccess = fn` is no
    data), as a message names them; "" when none."""
    args = callsite.args
    payload = (args[1] if len(args) > 1 else args[0]) if callsite.method == "createSource" and args else \
        (args[0] if args else None)
    return written_before(analysis, payload, callsite.node)


def written_before(analysis: Analysis, payload: Node | None, at_node: Node) -> str:
    """`_written_at_call` for the variable `payload` and the code `at_node` that sends it."""
    if payload is None or payload.type != "Identifier":
        return ""
    variable = analysis.scopes.variable(payload)
    if variable is None:
        return ""
    at = span_of(at_node)[0]
    found: list[str] = []
    for ref in variable.references:
        if ref.write or span_of(ref.identifier)[0] >= at:
            continue
        for use in analysis._classify(ref.identifier, at):
            if use.kind in ("write", "compound") and use.path and \
                    (use.value is None or use.value.type not in FUNCTIONS):
                found.append(f"`{'.'.join(use.path)}` (line {analysis.line(use.node)})")
    unique = list(dict.fromkeys(found))
    return ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")


def _with_needs(analysis: Analysis, cand: Candidate, hop: Hop, seed: Seed | None) -> Hop:
    """A hop to the callers of a function: what this side still does with the object it passes on
    (fields it reads, code it hands the object to), for the builder on the other side."""
    needs: list[tuple[tuple[str, ...], str]] = list(seed.needs) if seed is not None else []
    shared = next(iter(seed.shared), "") if seed is not None else ""
    line, column = _position(analysis.text, hop.span[0])
    for variable, ref, _held, at in cand.held:
        call_at = span_of(at)[0] if at is not None else hop.span[0]
        for use in variable.references:
            if use.write or ref not in analysis.reaching(variable, use.identifier):
                continue
            for found in analysis._classify(use.identifier, call_at):
                where = f"line {analysis.line(found.node)} (`{analysis.snippet(found.node, 50)}`)"
                if found.kind == "escape":
                    shared = shared or f"the object is also used by `{analysis.snippet(found.node, 50)}` on " \
                                       f"line {analysis.line(found.node)}"
                elif found.kind in ("read", "compound"):
                    why = "it is updated in place" if found.kind == "compound" else "it is read"
                    for path in _paths(found.path):
                        needs.append((path, f"{why} on {where}"))
    return replace(hop, needs=tuple(dict.fromkeys(needs)), shared=shared, line=line, column=column)


def _elsewhere(seed: Seed) -> str:
    """Where the code of a seed's `needs` is: the file the payload was passed on in."""
    first = next((step for step in seed.via if step.path), None)
    return f" in {first.path}" if first is not None else ""


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _resolved_site(analysis: Analysis, callsite: CallSite, cand: Candidate, confidence: Confidence,
                   settings: Settings, via: tuple[Step, ...], *, source: bool = True) -> PayloadSite | None:
    call = callsite.node
    call_span = span_of(call)
    method, element = callsite.method, callsite.element
    seed = callsite.seed
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
        if seed is not None and ast_part is root:
            where = _elsewhere(seed)
            for path, why in seed.needs:
                blocks.append(Block(path, f"{why}{where}", part.span))
            for why in seed.shared:
                blocks.append(Block((), why, part.span))
        carrier = _carrier(analysis, ast_part) if ast_part is not root else None
        cut = _argument_cut(analysis, ast_part) if ast_part is not root and carrier is None else None
        parts.append(replace(part, carrier=carrier, cut=cut) if carrier is not None or cut is not None else part)
    parts.extend(_written_hashes(analysis, writes, {prop.key for part in parts for prop in part.props}))
    session_when = _session_when(analysis, parts, writes)
    if not source:  # a configuration that carries the session (Drop-in, paymentRequest, an element)
        return PayloadSite(call_span, None, parts=tuple(parts), writes=tuple(sorted(writes, key=lambda w: w.span)),
                           opaque=tuple(cand.opaque) + tuple(o for p in parts for o in p.opaque),
                           confidence=confidence, origin=cand.origin, blocks=tuple(blocks), call=method,
                           element=element, via=via, seed=seed.key if seed is not None else "")
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
        via=via,
        seed=seed.key if seed is not None else "",
        session_when=session_when,
    )


def _written_hashes(analysis: Analysis, writes: Sequence[Write], keys: set[str]) -> list[ObjectLit]:
    """`p.klarnaCredit = {...}` after the object was made: the written literal, held under its key
    by a stand-in part, so that the hash's own legacy keys (`locale`, `items`) are seen and removed
    inside it. A hash also set in the literal is left to that one."""
    found: list[ObjectLit] = []
    for write in writes:
        if write.kind != "write" or len(write.path) != 1 or write.value_span is None or write.path[0] in keys:
            continue
        node = analysis.node_at(write.value_span)
        if node is None or node.type != "ObjectExpression":
            continue
        inner = to_object(node, analysis)
        holder = Prop(write.path[0], write.span, write.span, "", inner.span, inner)
        found.append(ObjectLit(inner.span, (holder,), virtual=True))
    return found


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
    if span_of(node)[0] > (use.at if use.at >= 0 else span_of(call)[0]):
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
                 enclosure=_enclosure(analysis, stmt) if removable else None,
                 conditional=_conditional(analysis, node))


def _conditional(analysis: Analysis, node: Node) -> bool:
    """`node` runs on some paths of its function only: inside an `if` branch, a loop, a `case`, a
    `catch`, the right of `&&` / `||`, a branch of `?:`."""
    current = node
    parent = analysis.parent.get(id(current))
    while parent is not None and parent.type not in FUNCTIONS and parent.type != "Program":
        kind = parent.type
        if kind in ("IfStatement", "ConditionalExpression") and parent.test is not current:
            return True
        if kind == "LogicalExpression" and parent.right is current:
            return True
        if kind in ("ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement",
                    "SwitchCase", "CatchClause"):
            return True
        current, parent = parent, analysis.parent.get(id(parent))
    return False


_EMPTY_VALUES = frozenset({"undefined", "null", "''", '""', "void 0"})


def _session_when(analysis: Analysis, parts: Sequence[ObjectLit], writes: Sequence[Write]) -> Span | None:
    """Where `sessionId` is set on some paths only (`if (session) p.sessionId = ...`,
    `sessionId: session ? session.id : undefined`); None when it is always set, or never."""
    props = [p for part in parts if not part.virtual for p in part.props if p.key == "sessionId"]
    session_writes = [w for w in writes if w.path == ("sessionId",) and w.kind == "write"]
    if props:
        for prop in props:
            node = analysis.node_at(prop.value_span)
            if node is None:
                continue
            if node.type == "ConditionalExpression" and any(
                    " ".join(analysis.snippet(b, 20).split()) in _EMPTY_VALUES for b in (node.consequent, node.alternate)):
                return prop.span
            if node.type == "LogicalExpression" and node.operator in ("||", "??") \
                    and analysis.snippet(node.right, 20) in _EMPTY_VALUES:
                return prop.span
        return None
    if session_writes and all(w.conditional for w in session_writes):
        return session_writes[0].span
    return None


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
            passed = _passed_types(analysis, node)
            if passed is None:
                return (), f"the type is computed at run time (`{analysis.snippet(value)}`)"
            if isinstance(passed, str):
                return (), passed
            options.extend(passed)
            continue
        options.append(const)
    if not options:
        return (), f"the type is computed at run time (`{analysis.snippet(value)}`)"
    if len(set(options)) == 1:
        return (options[0],), ""
    return tuple(options), f"the type is `{analysis.snippet(value)}`"


def _passed_types(analysis: Analysis, node: Node) -> list[str] | str | None:
    """A type that is a parameter of the function building the payload: the strings its callers
    in this file pass (a list), why it cannot be known (a reason), or None (not a parameter)."""
    if node.type != "Identifier":
        return None
    variable = analysis.scopes.variable(node)
    if variable is None or variable.kind != "param" or not variable.definitions:
        return None
    fn = variable.definitions[0].node
    position = param_position(fn, variable.definitions[0].name) if fn is not None else None
    if fn is None or position is None or position[1]:
        return None
    found = callers(analysis, fn)
    types: list[str] = []
    for call, args in found.calls:
        arg = args[position[0]] if position[0] < len(args) else None
        value = analysis.string_const(arg) if arg is not None else None
        if value is None:
            return (f"the type is the parameter `{node.name}` of {found.name or 'the function'}, and "
                    f"`{analysis.snippet(call, 40)}` on line {analysis.line(call)} passes one drmigrate cannot see")
        types.append(value)
    if found.exits:
        return (f"the type is the parameter `{node.name}` of {found.name or 'the function'}, "
                f"which is also called from code this file does not hold ({found.exits[0].shown})")
    if not types:
        return None
    return types


def comment_spans(comments: Sequence[Node]) -> tuple[Span, ...]:
    return tuple(span_of(c) for c in comments or ())
