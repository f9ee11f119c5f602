"""Scopes, variables and references of a JavaScript program (ESTree), binding by binding.

ESLint's scope manager is the model: one pass declares every binding in the scope JavaScript gives
it — `var` and sloppy-mode function declarations hoist to their function, `let` / `const` / `class`
live in their block, parameters in their function, a `catch (e)` parameter in its clause, the
`let` of a `for (let x …)` head in the loop — and records every identifier that refers to a value;
a second pass resolves each reference to the variable it names from where it stands (shadowing and
closures included). Nothing here knows about Digital River: the payload analysis reads it.

Works on esprima's nodes and on the tree-sitter converter's look-alikes (attributes that are
absent read as None; unknown nodes keep their children in `children`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Node = Any

FUNCTIONS = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})
STATEMENT_LISTS = frozenset({"Program", "BlockStatement", "SwitchCase", "StaticBlock"})
_SKIPPED_FIELDS = frozenset({"range", "loc", "type"})


def is_node(value: object) -> bool:
    return getattr(value, "range", None) is not None and hasattr(value, "type")


_PLAIN = frozenset({str, int, float, bool, type(None)})  # values that are never a node


def fields(node: Node) -> Iterator[tuple[str, Node]]:
    """(field name, child node) for every child, in source order within each field."""
    plain = _PLAIN  # most values are names, operators and flags: ruled out by their class first
    for key, value in vars(node).items():
        kind = value.__class__
        if kind in plain or key in _SKIPPED_FIELDS:
            continue
        if kind is list:
            for item in value:
                if item.__class__ not in plain and is_node(item):
                    yield key, item
        elif is_node(value):
            yield key, value


def children(node: Node) -> Iterator[Node]:
    for _, child in fields(node):
        yield child


@dataclass(eq=False)
class Definition:
    """Where a variable is declared: the declaring node and, for `x = value` forms, the value."""

    kind: str  # var, let, const, function, class, param, catch, import, implicit
    node: Node  # VariableDeclarator, FunctionDeclaration, the param pattern, ...
    name: Node  # the Identifier
    value: Node | None = None


@dataclass(eq=False)
class Reference:
    """One identifier that refers to a variable (or to a global the file does not declare)."""

    identifier: Node
    scope: Scope  # where the identifier stands
    read: bool
    write: bool
    value: Node | None = None  # the value written by `x = value` / `let x = value`
    variable: Variable | None = None


@dataclass(eq=False)
class Variable:
    name: str
    scope: Scope
    definitions: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.definitions[0].kind if self.definitions else "implicit"

    def writes(self) -> list[Reference]:
        return [r for r in self.references if r.write]


@dataclass(eq=False)
class Scope:
    kind: str  # global, module, function, block, for, catch, switch, class
    node: Node
    parent: Scope | None
    variables: dict[str, Variable] = field(default_factory=dict)
    children: list[Scope] = field(default_factory=list)

    @property
    def function(self) -> Scope:
        """The scope `var` declarations in this scope hoist to."""
        scope = self
        while scope.kind not in ("function", "global", "module") and scope.parent is not None:
            scope = scope.parent
        return scope

    def declare(self, name: str, definition: Definition) -> Variable:
        variable = self.variables.get(name)
        if variable is None:
            variable = Variable(name, self)
            self.variables[name] = variable
        variable.definitions.append(definition)
        return variable

    def lookup(self, name: str) -> Variable | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.variables.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None


def pattern_names(pattern: Node) -> Iterator[Node]:
    """The identifiers a binding pattern declares (`{a, b: [c, ...d] = e}` -> a, c, d)."""
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        kind = node.type
        if kind == "Identifier":
            yield node
        elif kind == "AssignmentPattern":
            stack.append(node.left)
        elif kind == "RestElement":
            stack.append(node.argument)
        elif kind == "ArrayPattern":
            stack.extend(reversed([e for e in node.elements or () if e is not None]))
        elif kind == "ObjectPattern":
            for prop in reversed(node.properties or ()):
                stack.append(prop.value if prop.type == "Property" else prop.argument)


def _pattern_defaults(pattern: Node) -> Iterator[Node]:
    """Expressions inside a pattern that are evaluated: defaults and computed keys."""
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        kind = node.type
        if kind == "AssignmentPattern":
            stack.append(node.left)
            if node.right is not None:
                yield node.right
        elif kind == "RestElement":
            stack.append(node.argument)
        elif kind == "ArrayPattern":
            stack.extend(e for e in node.elements or () if e is not None)
        elif kind == "ObjectPattern":
            for prop in node.properties or ():
                if prop.type == "Property":
                    if prop.computed and prop.key is not None:
                        yield prop.key
                    stack.append(prop.value)
                else:
                    stack.append(prop.argument)
        elif kind not in ("Identifier",):
            yield node  # a member expression target (`[a.b] = x`): evaluated as an expression


class ScopeManager:
    """Every scope, variable and reference of one program."""

    def __init__(self, program: Node) -> None:
        self.parent: dict[int, Node] = {}
        self.scope_of_node: dict[int, Scope] = {}  # id(scope-creating node) -> its scope
        self.reference_of: dict[int, Reference] = {}  # id(Identifier) -> its reference
        self.references: list[Reference] = []
        self.implicit: dict[str, Variable] = {}  # names used but declared nowhere in the file
        self.declared: dict[int, Variable] = {}  # id(declaring Identifier) -> its variable
        module = program.sourceType == "module"
        self.root = Scope("module" if module else "global", program, None)
        self.scope_of_node[id(program)] = self.root
        self._pending: list[tuple[Node, Scope, bool, bool, Node | None]] = []
        self._declare_walk(program)
        self._resolve()

    # -- pass 1: scopes, declarations, reference sites ------------------------------------------
    def _new_scope(self, kind: str, node: Node, parent: Scope) -> Scope:
        scope = Scope(kind, node, parent)
        parent.children.append(scope)
        self.scope_of_node[id(node)] = scope
        return scope

    def _ref(self, ident: Node, scope: Scope, *, read: bool, write: bool,
             value: Node | None = None) -> None:
        self._pending.append((ident, scope, read, write, value))

    def _declare_pattern(self, pattern: Node, scope: Scope, kind: str, owner: Node,
                         value: Node | None, stack: list[tuple[Node, Scope]]) -> None:
        """Declare the names of a binding pattern in `scope` and queue what it evaluates."""
        simple = pattern is not None and pattern.type == "Identifier"
        for name in pattern_names(pattern):
            definition = Definition(kind, owner, name, value if simple else None)
            self.declared[id(name)] = scope.declare(name.name, definition)
            self.parent.setdefault(id(name), owner)
            if value is not None or kind in ("param", "catch"):
                self._ref(name, scope, read=False, write=True, value=value if simple else None)
        if pattern is not None and not simple:
            self._link(pattern)
            for expr in _pattern_defaults(pattern):
                stack.append((expr, scope))

    def _link(self, node: Node) -> None:
        """Record parents below a pattern (the walk does not descend into declared names)."""
        stack = [node]
        while stack:
            current = stack.pop()
            for child in children(current):
                self.parent[id(child)] = current
                stack.append(child)

    def _declare_walk(self, program: Node) -> None:
        stack: list[tuple[Node, Scope]] = [(program, self.root)]
        while stack:
            node, scope = stack.pop()
            kind = node.type
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, node, scope, stack)
                continue
            self._generic(node, scope, stack)

    def _push_children(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]],
                       skip: frozenset[str] = frozenset()) -> None:
        kids = [(name, child) for name, child in fields(node) if name not in skip]
        for _, child in kids:
            self.parent[id(child)] = node
        for _, child in reversed(kids):
            stack.append((child, scope))

    def _generic(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        if node.type == "Identifier":
            self._ref(node, scope, read=True, write=False)
            return
        self._push_children(node, scope, stack)

    # node handlers ------------------------------------------------------------------------
    def _program(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        self._hoist_functions(node.body or (), scope)
        self._push_children(node, scope, stack)

    def _hoist_functions(self, body: Any, scope: Scope) -> None:
        """Function declarations of a statement list are visible from its start."""
        for stmt in body:
            target = stmt
            if stmt.type in ("ExportNamedDeclaration", "ExportDefaultDeclaration"):
                target = stmt.declaration
            if target is not None and target.type == "FunctionDeclaration" and target.id is not None:
                own = Definition("function", target, target.id, target)
                self.declared[id(target.id)] = scope.declare(target.id.name, own)
                self.parent.setdefault(id(target.id), target)
                function = scope.function
                if function is not scope and target.id.name not in function.variables:
                    # sloppy-mode scripts also see a block's function from the enclosing function
                    function.declare(target.id.name, Definition("function", target, target.id, target))

    def _function(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        inner = self._new_scope("function", node, scope)
        if node.type == "FunctionExpression" and node.id is not None:
            own = Definition("function", node, node.id, node)
            self.declared.setdefault(id(node.id), inner.declare(node.id.name, own))
            self.parent[id(node.id)] = node
        for param in node.params or ():
            self.parent[id(param)] = node
            self._declare_pattern(param, inner, "param", node, None, stack)
        body = node.body
        if body is None:
            return
        self.parent[id(body)] = node
        if body.type == "BlockStatement":
            self.scope_of_node[id(body)] = inner
            self._hoist_functions(body.body or (), inner)
            self._push_children(body, inner, stack)
        else:
            stack.append((body, inner))  # an arrow's expression body

    def _block(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        inner = self._new_scope("block", node, scope)
        self._hoist_functions(node.body or (), inner)
        self._push_children(node, inner, stack)

    def _static_block(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        inner = self._new_scope("function", node, scope)
        self._hoist_functions(node.body or (), inner)
        self._push_children(node, inner, stack)

    def _variable_declaration(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        kind = node.kind or "var"
        target = scope.function if kind == "var" else scope
        for decl in node.declarations or ():
            self.parent[id(decl)] = node
            if decl.id is not None:
                self.parent[id(decl.id)] = decl
                self._declare_pattern(decl.id, target, kind, decl, decl.init, stack)
            if decl.init is not None:
                self.parent[id(decl.init)] = decl
                stack.append((decl.init, scope))

    def _class(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        if node.type == "ClassDeclaration" and node.id is not None:
            self.declared[id(node.id)] = scope.declare(node.id.name, Definition("class", node, node.id, node))
            self.parent[id(node.id)] = node
        inner = self._new_scope("class", node, scope)
        if node.type == "ClassExpression" and node.id is not None:
            inner.declare(node.id.name, Definition("class", node, node.id, node))
            self.parent[id(node.id)] = node
        if node.superClass is not None:
            self.parent[id(node.superClass)] = node
            stack.append((node.superClass, scope))
        if node.body is not None:
            self.parent[id(node.body)] = node
            stack.append((node.body, inner))
        for decorator in node.decorators or ():
            self.parent[id(decorator)] = node
            stack.append((decorator, scope))

    def _catch(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        inner = self._new_scope("catch", node, scope)
        if node.param is not None:
            self.parent[id(node.param)] = node
            self._declare_pattern(node.param, inner, "catch", node, None, stack)
        if node.body is not None:
            self.parent[id(node.body)] = node
            stack.append((node.body, inner))

    def _for(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        head = node.init if node.type == "ForStatement" else node.left
        lexical = head is not None and head.type == "VariableDeclaration" and head.kind != "var"
        inner = self._new_scope("for", node, scope) if lexical else scope
        if node.type != "ForStatement" and head is not None:
            self.parent[id(head)] = node
            if head.type == "VariableDeclaration":
                target = inner.function if head.kind == "var" else inner
                for decl in head.declarations or ():
                    self.parent[id(decl)] = head
                    if decl.id is not None:
                        self.parent[id(decl.id)] = decl
                        # each iteration writes the variable with an element of the iterable
                        for name in pattern_names(decl.id):
                            own = Definition(head.kind or "var", decl, name, None)
                            self.declared[id(name)] = target.declare(name.name, own)
                            self.parent.setdefault(id(name), decl)
                            self._ref(name, inner, read=False, write=True)
                        if decl.id.type != "Identifier":
                            self._link(decl.id)
                            for expr in _pattern_defaults(decl.id):
                                stack.append((expr, inner))
            else:
                self._assign_target(head, inner, None, stack, read=False)
            self._push_children(node, inner, stack, skip=frozenset({"left"}))
            return
        self._push_children(node, inner, stack)

    def _assign_target(self, target: Node, scope: Scope, value: Node | None,
                       stack: list[tuple[Node, Scope]], *, read: bool) -> None:
        if target.type == "Identifier":
            self._ref(target, scope, read=read, write=True, value=value)
        elif target.type in ("ObjectPattern", "ArrayPattern", "AssignmentPattern", "RestElement"):
            self._link(target)
            for name in pattern_names(target):
                self._ref(name, scope, read=False, write=True)
            for expr in _pattern_defaults(target):
                stack.append((expr, scope))
        else:
            stack.append((target, scope))

    def _assignment(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        left, right = node.left, node.right
        if left is not None:
            self.parent[id(left)] = node
            compound = node.operator != "="
            self._assign_target(left, scope, None if compound else right, stack, read=compound)
        if right is not None:
            self.parent[id(right)] = node
            stack.append((right, scope))

    def _update(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        arg = node.argument
        if arg is None:
            return
        self.parent[id(arg)] = node
        if arg.type == "Identifier":
            self._ref(arg, scope, read=True, write=True)
        else:
            stack.append((arg, scope))

    def _member(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        skip = frozenset() if node.computed else frozenset({"property"})
        if not node.computed and node.property is not None:
            self.parent[id(node.property)] = node
        self._push_children(node, scope, stack, skip=skip)

    def _property(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        skip = frozenset() if node.computed else frozenset({"key"})
        if not node.computed and node.key is not None:
            self.parent[id(node.key)] = node
        self._push_children(node, scope, stack, skip=skip)

    def _import(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        for spec in node.specifiers or ():
            self.parent[id(spec)] = node
            if spec.local is not None:
                own = Definition("import", spec, spec.local, None)
                self.declared[id(spec.local)] = self.root.declare(spec.local.name, own)
                self.parent[id(spec.local)] = spec
        if node.source is not None:
            self.parent[id(node.source)] = node

    def _export_specifier(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        if node.local is not None:
            self.parent[id(node.local)] = node
            self._ref(node.local, scope, read=True, write=False)
        if node.exported is not None:
            self.parent[id(node.exported)] = node

    def _export_named(self, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        if node.source is not None:  # `export {a} from 'm'`: names of another module
            return
        self._push_children(node, scope, stack)

    # -- pass 2: resolution ---------------------------------------------------------------------
    def _resolve(self) -> None:
        for ident, scope, read, write, value in self._pending:
            ref = Reference(ident, scope, read, write, value)
            name = ident.name
            variable = scope.lookup(name)
            if variable is None:
                variable = self.implicit.get(name)
                if variable is None:
                    variable = Variable(name, self.root)
                    self.implicit[name] = variable
                if write and not read and value is not None:
                    variable.definitions.append(Definition("implicit", ident, ident, value))
            ref.variable = variable
            variable.references.append(ref)
            self.reference_of[id(ident)] = ref
            self.references.append(ref)
        self._pending = []

    # -- queries ------------------------------------------------------------------------------
    def variable(self, identifier: Node) -> Variable | None:
        ref = self.reference_of.get(id(identifier))
        return ref.variable if ref is not None else self.declared.get(id(identifier))

    def scope_at(self, node: Node) -> Scope:
        """The innermost scope holding `node`."""
        current: Node | None = node
        while current is not None:
            scope = self.scope_of_node.get(id(current))
            if scope is not None and current is not node:
                return scope
            if scope is not None and current is node and node.type not in FUNCTIONS:
                return scope
            current = self.parent.get(id(current))
        return self.root

    def function_of(self, node: Node) -> Node:
        """The innermost function (or the program) holding `node`."""
        current = self.parent.get(id(node))
        while current is not None:
            if current.type in FUNCTIONS or current.type == "StaticBlock":
                return current
            current = self.parent.get(id(current))
        return self.root.node

    def ancestors(self, node: Node) -> Iterator[Node]:
        current = self.parent.get(id(node))
        while current is not None:
            yield current
            current = self.parent.get(id(current))


def _skipping(*names: str) -> Any:
    """A handler that walks a node's children except the named fields (labels, plain names)."""
    skipped = frozenset(names)

    def handler(self: ScopeManager, node: Node, scope: Scope, stack: list[tuple[Node, Scope]]) -> None:
        for name in skipped:
            value = getattr(node, name, None)
            if value is not None and is_node(value):
                self.parent[id(value)] = node
        self._push_children(node, scope, stack, skip=skipped)

    return handler


_HANDLERS: dict[str, Any] = {
    "Program": ScopeManager._program,
    "FunctionDeclaration": ScopeManager._function,
    "FunctionExpression": ScopeManager._function,
    "ArrowFunctionExpression": ScopeManager._function,
    "BlockStatement": ScopeManager._block,
    "StaticBlock": ScopeManager._static_block,
    "VariableDeclaration": ScopeManager._variable_declaration,
    "ClassDeclaration": ScopeManager._class,
    "ClassExpression": ScopeManager._class,
    "CatchClause": ScopeManager._catch,
    "ForStatement": ScopeManager._for,
    "ForInStatement": ScopeManager._for,
    "ForOfStatement": ScopeManager._for,
    "SwitchStatement": lambda self, node, scope, stack: self._push_children(
        node, self._new_scope("switch", node, scope), stack),
    "AssignmentExpression": ScopeManager._assignment,
    "UpdateExpression": ScopeManager._update,
    "MemberExpression": ScopeManager._member,
    "Property": ScopeManager._property,
    "MethodDefinition": ScopeManager._property,
    "PropertyDefinition": ScopeManager._property,
    "LabeledStatement": _skipping("label"),
    "BreakStatement": _skipping("label"),
    "ContinueStatement": _skipping("label"),
    "MetaProperty": _skipping("meta", "property"),
    "ImportDeclaration": ScopeManager._import,
    "ExportSpecifier": ScopeManager._export_specifier,
    "ExportNamedDeclaration": ScopeManager._export_named,
    "JSXIdentifier": lambda self, node, scope, stack: None,
    "JSXAttribute": _skipping("name"),
}
