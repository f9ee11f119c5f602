"""Side effects in JavaScript values, by evidence: what a fix may drop silently, and what it may not.

A value is free of effects only when that is proven (see `naming` for the model and the list of
known-pure builtins): literals, reads, operators, function values, calls of known-pure builtins,
and calls of a function of the same file whose body is proven pure — one that only declares and
assigns its own local variables, branches, loops and returns values that are free of effects
themselves. Everything else is an effect: `effects()` returns the first such sub-expression, which
the payload analysis keeps (a removed write keeps it as a statement; a key holding it is an unsafe
fix).
"""

from __future__ import annotations

from typing import Any

from drmigrate.frontends.jsscope import FUNCTIONS, ScopeManager, children, is_node
from drmigrate.frontends.naming import (
    JS_CALLBACK_METHODS,
    JS_PURE_METHODS,
    JS_VALUE_CONSTRUCTORS,
    js_pure_function,
)

Node = Any

# Nodes that only hold other expressions: free of effects when their parts are.
_TRANSPARENT = frozenset({
    "ArrayExpression", "ObjectExpression", "Property", "SpreadElement", "BinaryExpression",
    "LogicalExpression", "ConditionalExpression", "SequenceExpression", "MemberExpression",
    "TemplateLiteral", "ChainExpression", "ParenthesizedExpression", "AssignmentPattern",
    "ArrayPattern", "ObjectPattern", "RestElement", "JSXElement", "JSXFragment",
})
_LEAVES = frozenset({"Literal", "Identifier", "ThisExpression", "TemplateElement", "Super", "MetaProperty",
                     "PrivateIdentifier", "StringLiteral", "NumericLiteral", "BooleanLiteral", "NullLiteral"})
_EFFECTS = frozenset({"AssignmentExpression", "UpdateExpression", "AwaitExpression", "YieldExpression",
                      "TaggedTemplateExpression", "ImportExpression", "ClassExpression", "Unknown"})
# Statements a pure function body may hold, when their parts are pure.
_PURE_STATEMENTS = frozenset({
    "BlockStatement", "VariableDeclaration", "VariableDeclarator", "ReturnStatement", "IfStatement",
    "ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement",
    "BreakStatement", "ContinueStatement", "EmptyStatement", "SwitchStatement", "SwitchCase",
    "ExpressionStatement", "LabeledStatement", "FunctionDeclaration",
})


def _dotted(node: Node) -> str | None:
    if node is None:
        return None
    if node.type == "Identifier":
        return str(node.name)
    if node.type == "MemberExpression" and not node.computed and node.property is not None \
            and node.property.type == "Identifier":
        base = _dotted(node.object)
        return None if base is None else f"{base}.{node.property.name}"
    return None


class Effects:
    """The effects finder of one program: in-file functions are proven pure once, and remembered."""

    def __init__(self, scopes: ScopeManager | None) -> None:
        self.scopes = scopes
        self.pure: dict[int, bool] = {}  # id(function) -> proven pure

    def first(self, node: Node | None, fn: Node | None = None) -> Node | None:
        """The first sub-expression of `node` that may have a side effect, or None when none has.

        `fn`: the function whose body `node` is in; assigning its own local variables is no effect."""
        stack: list[Node] = [node]
        while stack:
            current = stack.pop()
            if current is None or not is_node(current):
                continue
            kind = current.type
            if kind in _LEAVES or kind in FUNCTIONS:
                continue  # a function as a value is not run
            if kind in _EFFECTS:
                if fn is not None and kind in ("AssignmentExpression", "UpdateExpression") \
                        and self._local(current.left if kind == "AssignmentExpression" else current.argument, fn):
                    stack.extend(children(current))
                    continue
                return current
            if kind == "UnaryExpression":
                if current.operator == "delete":
                    return current
                stack.append(current.argument)
                continue
            if kind == "Property" and getattr(current, "kind", "init") in ("get", "set"):
                # a getter runs when the payload is read: dropping it drops what it does
                if not self.function_pure(current.value):
                    return current
                continue
            if kind == "NewExpression":
                if _dotted(current.callee) not in JS_VALUE_CONSTRUCTORS:
                    return current
                stack.extend(current.arguments or ())
                continue
            if kind == "CallExpression":
                if not self._pure_call(current):
                    return current
                continue
            if kind in _TRANSPARENT:
                stack.extend(children(current))
                continue
            if fn is not None and kind in _PURE_STATEMENTS:
                stack.extend(children(current))
                continue
            return current  # anything not known here: assume it does something
        return None

    def _local(self, target: Node | None, fn: Node) -> bool:
        """`target` is a variable declared inside `fn` (or one of its parameters)."""
        if target is None or target.type != "Identifier" or self.scopes is None:
            return False
        variable = self.scopes.variable(target)
        if variable is None or not variable.definitions:
            return False
        holder = variable.scope.node
        s0, s1 = (int(x) for x in holder.range)
        f0, f1 = (int(x) for x in fn.range)
        return f0 <= s0 and s1 <= f1

    def _pure_call(self, call: Node) -> bool:
        callee = call.callee
        args = list(call.arguments or ())
        if callee is None:
            return False
        name = _dotted(callee)
        callbacks = False
        if callee.type in FUNCTIONS:  # an immediately-invoked function: what its body does
            if not self.function_pure(callee):
                return False
        elif name is not None and js_pure_function(name):
            callbacks = name in JS_CALLBACK_METHODS
        elif callee.type == "MemberExpression" and not callee.computed and callee.property is not None \
                and callee.property.type == "Identifier" and callee.property.name in JS_PURE_METHODS:
            if self.first(callee.object) is not None:
                return False
            callbacks = callee.property.name in JS_CALLBACK_METHODS
        elif callee.type == "Identifier":
            fn = self._function_of(callee)
            if fn is None or not self.function_pure(fn):
                return False
        else:
            return False
        for arg in args:
            if callbacks and arg is not None and (arg.type in FUNCTIONS or arg.type == "Identifier"):
                fn = arg if arg.type in FUNCTIONS else self._function_of(arg)
                if fn is None:
                    if arg.type == "Identifier" and callee.type == "MemberExpression" \
                            and callee.property.name in ("replace", "replaceAll"):
                        continue  # `s.replace(a, b)`: a string replacement
                    return False
                if not self.function_pure(fn):
                    return False
                continue
            if self.first(arg) is not None:
                return False
        return True

    def _function_of(self, ident: Node) -> Node | None:
        """The function an identifier always names in this file, or None."""
        if self.scopes is None:
            return None
        variable = self.scopes.variable(ident)
        if variable is None or not variable.definitions:
            return None
        values: list[Node] = []
        for definition in variable.definitions:
            if definition.node is not None and definition.node.type == "FunctionDeclaration":
                values.append(definition.node)
            elif definition.value is not None:
                values.append(definition.value)
        values += [r.value for r in variable.references if r.write and r.value is not None
                   and r.value not in values]
        writes = [r for r in variable.references if r.write]
        if len(values) != 1 or len(writes) > 1 or values[0].type not in FUNCTIONS:
            return None
        return values[0]

    def function_pure(self, fn: Node | None) -> bool:
        """The function's body (and its parameters' defaults) is proven free of effects."""
        if fn is None or fn.type not in FUNCTIONS:
            return False
        key = id(fn)
        known = self.pure.get(key)
        if known is not None:
            return known
        if getattr(fn, "async", False) or getattr(fn, "generator", False):
            self.pure[key] = False
            return False
        self.pure[key] = True  # a recursive call proves nothing new: assumed pure while proving
        body = fn.body
        parts = [*(fn.params or ()), body]
        result = all(self.first(part, fn) is None for part in parts)
        self.pure[key] = result
        return result


def effects(node: Node | None, scopes: ScopeManager | None = None) -> Node | None:
    """The first sub-expression of `node` that may have a side effect (None: proven free of them).

    Without `scopes` no function of the file can be proven pure: only builtins count."""
    return Effects(scopes).first(node)
