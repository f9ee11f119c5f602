"""The fallback JavaScript / TypeScript front end: tree-sitter, converted to esprima-shaped ESTree.

esprima reads ES5–ES2017 only. What it cannot read (ES2018+ syntax, JSX, TypeScript, TSX) is parsed
here with tree-sitter, and the tree is converted into nodes shaped exactly like esprima 4.0.1's
(`type`, `range` in `str` indices, the ESTree field names, missing attributes read as `None`) so
that the one analysis, `jsanalysis.find_sites`, runs unchanged on either parser's output.

What the conversion decides:
- TypeScript-only syntax is dropped (annotations, interfaces, type aliases, `declare` blocks,
  overload signatures); `x as T`, `x satisfies T`, `x!`, `<T>x` become `x`. Spans stay exact
  because every node keeps the offsets of its own text.
- Optional chaining gives plain `MemberExpression` / `CallExpression` with `optional=True`
  (ESTree would wrap them in a `ChainExpression`; the analysis does not need it).
- A tree-sitter node type without a mapping becomes a generic node (its tree-sitter type in
  `tsType`) whose converted children sit in `children`, so a walker still reaches into it.
- tree-sitter counts UTF-8 bytes; offsets are mapped to `str` indices (only for non-ASCII text).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate
from typing import Any

import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript

from drmigrate.frontends import Extraction, ParseError, Settings

TsNode = tree_sitter.Node

DIALECTS = ("javascript", "typescript", "tsx")


class Obj:
    """Attribute bag like esprima's `Object`: absent attributes read as `None`."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    # esprima's nodes offer these too; walkers written against esprima may use them
    def keys(self) -> Any:
        return self.__dict__.keys()

    def items(self) -> Any:
        return self.__dict__.items()


class Node(Obj):
    """An ESTree node shaped like esprima's: `type`, the ESTree fields, then `range`."""

    def __init__(self, type_: str, range_: list[int], **fields: Any) -> None:
        self.type = type_
        self.__dict__.update(fields)
        self.range = range_

    def __repr__(self) -> str:
        return f"Node({self.type}, {self.range})"


_new_node = object.__new__


@cache
def _language(dialect: str) -> tree_sitter.Language:
    if dialect == "javascript":
        return tree_sitter.Language(tree_sitter_javascript.language())
    if dialect == "typescript":
        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    if dialect == "tsx":
        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


@cache
def _comment_query(dialect: str) -> tree_sitter.Query:
    return tree_sitter.Query(_language(dialect), "(comment) @c")


def parse_tree(text: str, dialect: str) -> tuple[tree_sitter.Tree, bytes]:
    data = text.encode("utf-8", "surrogatepass")
    return tree_sitter.Parser(_language(dialect)).parse(data), data


@cache
def _list_query(dialect: str) -> tree_sitter.Query:
    return tree_sitter.Query(_language(dialect), "[(object) (object_pattern) (arguments)] @n")


def lenient_error(root: TsNode, dialect: str) -> TsNode | None:
    """Syntax tree-sitter's grammar accepts but JavaScript does not: a hole in an object or an
    argument list (`{a: 1,,}`, `f(,a)`). Such a file is a parse error, never fixed."""
    found = tree_sitter.QueryCursor(_list_query(dialect)).captures(root).get("n", [])
    for node in found:
        previous = "("
        for child in node.children:
            kind = child.type
            if kind == "comment":
                continue
            if kind == "," and previous in (",", "{", "("):
                return child
            previous = kind
    return None


def first_error(root: TsNode, dialect: str = "javascript") -> TsNode | None:
    """The first ERROR or MISSING node in document order (or a lenient hole), or None."""
    if not root.has_error:
        return lenient_error(root, dialect)
    node = root
    while True:
        if node.is_error or node.is_missing:
            return node
        for child in node.children:
            if child.has_error or child.is_missing:
                node = child
                break
        else:
            return node


def error_message(text: str, data: bytes, node: TsNode) -> str:
    line, column_bytes = node.start_point
    column = len(data.splitlines(keepends=True)[line][:column_bytes].decode("utf-8", "replace"))
    if node.is_missing:
        what = f"missing {node.type!r}"
    else:
        snippet = data[node.start_byte : node.end_byte].decode("utf-8", "replace")
        snippet = " ".join(snippet.split())[:40]
        what = f"unexpected {snippet!r}" if snippet else "unexpected end of input"
    return f"line {line + 1}, column {column + 1}: {what} (tree-sitter)"


# TypeScript-only syntax that carries no runtime value: dropped from the converted tree.
_DROPPED = frozenset(
    {
        "comment",
        "hash_bang_line",
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "type_predicate_annotation",
        "asserts_annotation",
        "opting_type_annotation",
        "omitting_type_annotation",
        "adding_type_annotation",
        "interface_declaration",
        "type_alias_declaration",
        "ambient_declaration",
        "function_signature",
        "method_signature",
        "abstract_method_signature",
        "index_signature",
        "implements_clause",
        "accessibility_modifier",
        "override_modifier",
        "import_alias",
    }
)

# Expressions that only add a type to the expression inside them.
_TYPE_WRAPPERS = frozenset(
    {"as_expression", "satisfies_expression", "non_null_expression", "instantiation_expression"}
)

_ESCAPE = re.compile(
    r"\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-7]{1,3})|(\r\n|[\s\S]))"
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}
_LINE_BREAKS = frozenset({"\n", "\r", "\r\n", "\u2028", "\u2029"})


def _unescape_one(match: re.Match[str]) -> str:
    braced, four, two, octal, other = match.groups()
    if braced or four or two:
        code = int(braced or four or two, 16)
        return chr(code) if code <= 0x10FFFF else ""
    if octal:
        return chr(int(octal, 8))
    if other in _LINE_BREAKS:
        return ""
    return _SIMPLE_ESCAPES.get(other, other)


def cook(raw: str) -> str:
    """The value of a JS string / template body: escapes resolved."""
    return _ESCAPE.sub(_unescape_one, raw) if "\\" in raw else raw


def number_value(raw: str) -> int | float:
    digits = raw.replace("_", "")
    digits = digits.removesuffix("n")
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        return int(digits, 8) if set(digits) <= set("01234567") else int(digits)
    if any(c in digits for c in ".eE"):
        return float(digits)
    return int(digits)


def _regex_value(pattern: str, flags: str) -> Any:
    # esprima's value is the pattern compiled by Python's `re`, or None when `re` refuses it.
    try:
        return re.compile(pattern)
    except (re.error, ValueError, OverflowError):
        return None


class Converter:
    """Turns one tree-sitter tree into esprima-shaped nodes."""

    def __init__(self, text: str, data: bytes, index: Callable[[int], int] | None = None) -> None:
        self.data = data
        self.text = text
        self.ascii = len(data) == len(text)  # byte offsets are str indices
        self.index: Callable[[int], int] = index or offset_index(text, data)

    # ---------------------------------------------------------------- helpers

    def span(self, n: TsNode) -> list[int]:
        if self.ascii:
            return [n.start_byte, n.end_byte]
        return [self.index(n.start_byte), self.index(n.end_byte)]

    def src(self, n: TsNode) -> str:
        start, end = self.span(n)
        return self.text[start:end]

    def make(self, type_: str, n: TsNode | list[int], **fields: Any) -> Node:
        # Node(...) with the attribute dict built once: the keyword arguments would be packed
        # and unpacked again per node, and a file has tens of thousands of nodes
        node = _new_node(Node)
        node.__dict__ = {"type": type_, **fields, "range": n if isinstance(n, list) else self.span(n)}
        return node

    def stmt(self, type_: str, n: TsNode, **fields: Any) -> Node:
        """A statement ended by `;` or by automatic semicolon insertion, with esprima's range."""
        last = None
        for child in reversed(n.children):
            if child.type != "comment" and child.end_byte > child.start_byte:
                last = child
                break
        start, end = self.span(n)
        if last is not None:
            end = self.index(last.end_byte)
            if last.type != ";":
                end = self.asi_end(end)
        return Node(type_, [start, end], **fields)

    @staticmethod
    def ends_with(node: Node, last: Any) -> Node:
        """A compound statement ends where its last inner statement ends (esprima's range)."""
        if last is not None:
            node.range = [node.range[0], last.range[1]]
        return node

    def asi_end(self, end: int) -> int:
        # esprima: a statement closed by ASI with no line break before `}` or the end of input
        # runs up to that `}` / end (its range swallows the blanks in between)
        text, i = self.text, end
        while i < len(text):
            ch = text[i]
            if ch in " \t\f\v\ufeff\xa0":
                i += 1
            elif text.startswith("/*", i):
                close = text.find("*/", i + 2)
                if close < 0 or any(c in text[i:close] for c in "\n\r\u2028\u2029"):
                    return end
                i = close + 2
            else:
                break
        if i >= len(text) or text[i] == "}":
            return i
        return end

    @staticmethod
    def named(n: TsNode) -> Iterator[TsNode]:
        for child in n.named_children:
            if child.type not in _DROPPED:
                yield child

    def conv(self, n: TsNode | None) -> Any:
        if n is None:
            return None
        kind = n.type
        if kind in _DROPPED:
            return None
        handler = HANDLERS.get(kind)
        if handler is None:
            return self.generic(n)
        return handler(self, n)

    def field(self, n: TsNode, name: str) -> Any:
        return self.conv(n.child_by_field_name(name))

    def convs(self, nodes: Iterator[TsNode] | list[TsNode]) -> list[Any]:
        out = []
        for child in nodes:
            node = self.conv(child)
            if node is not None:
                out.append(node)
        return out

    def has_token(self, n: TsNode, token: str) -> bool:
        return any(child.type == token for child in n.children)

    def generic(self, n: TsNode) -> Node:
        return self.make("Unknown", n, tsType=n.type, children=self.convs(self.named(n)))

    def statements(self, nodes: Iterator[TsNode] | list[TsNode]) -> list[Any]:
        body = self.convs(nodes)
        # The directive prologue: leading string-literal statements, as esprima marks them.
        for stmt in body:
            expr = stmt.expression if stmt.type == "ExpressionStatement" else None
            if expr is None or expr.type != "Literal" or not isinstance(expr.value, str):
                break
            if expr.raw[:1] not in "'\"":
                break
            stmt.directive = expr.raw[1:-1]
        return body

    # ---------------------------------------------------------------- program and statements

    def on_program(self, n: TsNode) -> Node:
        module = any(c.type in ("import_statement", "export_statement") for c in n.named_children)
        body = self.statements(self.named(n))
        # esprima's Program runs from the first statement to the last, not over the whole text
        span = [body[0].range[0], body[-1].range[1]] if body else [0, 0]
        return Node("Program", span, sourceType="module" if module else "script", body=body)

    def on_expression_statement(self, n: TsNode) -> Node | None:
        inner = self.convs(self.named(n))
        if not inner:
            return None
        expr: Node = inner[0]
        if expr.type == "Unknown" and expr.tsType == "internal_module":
            return expr  # `namespace N {}` is a statement in all but tree-sitter's eyes
        return self.stmt("ExpressionStatement", n, expression=expr)

    def variable_declaration(self, n: TsNode) -> Node | None:
        declarations = self.convs(c for c in self.named(n) if c.type == "variable_declarator")
        if not declarations:
            return None
        kind = n.children[0].type if n.children else "var"
        return self.stmt("VariableDeclaration", n, declarations=declarations, kind=kind)

    def on_variable_declarator(self, n: TsNode) -> Node:
        return self.make(
            "VariableDeclarator", n, id=self.field(n, "name"), init=self.field(n, "value")
        )

    def on_statement_block(self, n: TsNode) -> Node:
        return self.make("BlockStatement", n, body=self.statements(self.named(n)))

    def on_class_static_block(self, n: TsNode) -> Node:
        block = self.field(n, "body")
        return self.make("StaticBlock", n, body=block.body if block is not None else [])

    def on_if_statement(self, n: TsNode) -> Node:
        alternative = n.child_by_field_name("alternative")
        alternate = None
        if alternative is not None:
            alternate = next(iter(self.convs(self.named(alternative))), None)
        consequent = self.field(n, "consequence")
        node = self.make(
            "IfStatement",
            n,
            test=self.field(n, "condition"),
            consequent=consequent,
            alternate=alternate,
        )
        return self.ends_with(node, alternate or consequent)

    def on_return_statement(self, n: TsNode) -> Node:
        return self.stmt("ReturnStatement", n, argument=next(iter(self.convs(self.named(n))), None))

    def on_throw_statement(self, n: TsNode) -> Node:
        return self.stmt("ThrowStatement", n, argument=next(iter(self.convs(self.named(n))), None))

    def for_part(self, n: TsNode | None) -> Any:
        if n is None or n.type == "empty_statement":
            return None
        if n.type == "expression_statement":
            return next(iter(self.convs(self.named(n))), None)
        node = self.conv(n)
        # esprima ends a `var` initializer before its `;` but a `let` / `const` one after it
        if node is not None and node.kind == "var" and self.src(n).endswith(";"):
            node.range = [node.range[0], node.range[1] - 1]
        return node

    def on_for_statement(self, n: TsNode) -> Node:
        node = self.make(
            "ForStatement",
            n,
            init=self.for_part(n.child_by_field_name("initializer")),
            test=self.for_part(n.child_by_field_name("condition")),
            update=self.for_part(n.child_by_field_name("increment")),
            body=self.field(n, "body"),
        )
        return self.ends_with(node, node.body)

    def on_for_in_statement(self, n: TsNode) -> Node:
        operator = n.child_by_field_name("operator")
        left_ts = n.child_by_field_name("left")
        left = self.conv(left_ts)
        kind = n.child_by_field_name("kind")
        if kind is not None and left_ts is not None and left is not None:
            init = self.field(n, "value")
            end = init.range[1] if init is not None else left.range[1]
            declarator = Node("VariableDeclarator", [left.range[0], end], id=left, init=init)
            left = Node(
                "VariableDeclaration",
                [self.index(kind.start_byte), end],
                declarations=[declarator],
                kind=kind.type,
            )
        is_of = operator is not None and operator.type == "of"
        fields: dict[str, Any] = {"left": left, "right": self.field(n, "right")}
        fields["body"] = self.field(n, "body")
        if is_of:
            if self.has_token(n, "await"):
                fields["await"] = True
            return self.ends_with(self.make("ForOfStatement", n, **fields), fields["body"])
        fields["each"] = False
        return self.ends_with(self.make("ForInStatement", n, **fields), fields["body"])

    def on_while_statement(self, n: TsNode) -> Node:
        body = self.field(n, "body")
        node = self.make("WhileStatement", n, test=self.field(n, "condition"), body=body)
        return self.ends_with(node, body)

    def on_do_statement(self, n: TsNode) -> Node:
        return self.make(
            "DoWhileStatement", n, body=self.field(n, "body"), test=self.field(n, "condition")
        )

    def on_try_statement(self, n: TsNode) -> Node:
        finalizer = n.child_by_field_name("finalizer")
        return self.make(
            "TryStatement",
            n,
            block=self.field(n, "body"),
            handler=self.field(n, "handler"),
            finalizer=self.field(finalizer, "body") if finalizer is not None else None,
        )

    def on_catch_clause(self, n: TsNode) -> Node:
        return self.make(
            "CatchClause", n, param=self.field(n, "parameter"), body=self.field(n, "body")
        )

    def on_switch_statement(self, n: TsNode) -> Node:
        body = n.child_by_field_name("body")
        cases = self.convs(self.named(body)) if body is not None else []
        return self.make("SwitchStatement", n, discriminant=self.field(n, "value"), cases=cases)

    def on_switch_case(self, n: TsNode) -> Node:
        test_ts = n.child_by_field_name("value")
        rest = [c for c in self.named(n) if test_ts is None or c.id != test_ts.id]
        consequent = self.convs(rest)
        node = self.make("SwitchCase", n, test=self.conv(test_ts), consequent=consequent)
        return self.ends_with(node, consequent[-1] if consequent else None)

    on_switch_default = on_switch_case

    def jump(self, n: TsNode) -> Node:
        kind = "BreakStatement" if n.type == "break_statement" else "ContinueStatement"
        return self.stmt(kind, n, label=self.field(n, "label"))

    def on_labeled_statement(self, n: TsNode) -> Node:
        body = self.field(n, "body")
        node = self.make("LabeledStatement", n, label=self.field(n, "label"), body=body)
        return self.ends_with(node, body)

    def on_empty_statement(self, n: TsNode) -> Node:
        return self.make("EmptyStatement", n)

    def on_debugger_statement(self, n: TsNode) -> Node:
        return self.stmt("DebuggerStatement", n)

    def on_with_statement(self, n: TsNode) -> Node:
        body = self.field(n, "body")
        node = self.make("WithStatement", n, object=self.field(n, "object"), body=body)
        return self.ends_with(node, body)

    # ---------------------------------------------------------------- modules

    def on_import_statement(self, n: TsNode) -> Node:
        specifiers: list[Node] = []
        for clause in self.named(n):
            if clause.type != "import_clause":
                continue
            for part in self.named(clause):
                if part.type == "identifier":
                    local = self.conv(part)
                    specifiers.append(self.make("ImportDefaultSpecifier", part, local=local))
                elif part.type == "namespace_import":
                    local = next(iter(self.convs(self.named(part))), None)
                    specifiers.append(self.make("ImportNamespaceSpecifier", part, local=local))
                elif part.type == "named_imports":
                    for spec in self.named(part):
                        imported = self.name_of(spec.child_by_field_name("name"))
                        local = self.name_of(spec.child_by_field_name("alias")) or imported
                        specifiers.append(
                            self.make("ImportSpecifier", spec, local=local, imported=imported)
                        )
        return self.stmt(
            "ImportDeclaration", n, specifiers=specifiers, source=self.field(n, "source")
        )

    def on_export_statement(self, n: TsNode) -> Node | None:
        declaration_ts = n.child_by_field_name("declaration")
        value_ts = n.child_by_field_name("value")
        if declaration_ts is not None and declaration_ts.type in _DROPPED:
            return None
        source = self.field(n, "source")
        if self.has_token(n, "default"):
            if declaration_ts is not None:
                return self.make(
                    "ExportDefaultDeclaration", n, declaration=self.conv(declaration_ts)
                )
            value = self.conv(value_ts)
            if value is not None and value.type in ("FunctionExpression", "ClassExpression"):
                # `export default function () {}` declares, in ESTree's eyes
                value.type = value.type.replace("Expression", "Declaration")
                return self.make("ExportDefaultDeclaration", n, declaration=value)
            return self.stmt("ExportDefaultDeclaration", n, declaration=value)
        if declaration_ts is not None:
            return self.make(
                "ExportNamedDeclaration",
                n,
                declaration=self.conv(declaration_ts),
                specifiers=[],
                source=source,
            )
        clause = next((c for c in self.named(n) if c.type == "export_clause"), None)
        if clause is None:
            if self.has_token(n, "*"):
                return self.stmt("ExportAllDeclaration", n, source=source)
            return self.generic(n)
        specifiers = []
        for spec in self.named(clause):
            local = self.name_of(spec.child_by_field_name("name"))
            exported = self.name_of(spec.child_by_field_name("alias")) or local
            specifiers.append(self.make("ExportSpecifier", spec, exported=exported, local=local))
        return self.stmt(
            "ExportNamedDeclaration", n, declaration=None, specifiers=specifiers, source=source
        )

    # ---------------------------------------------------------------- functions and classes

    def params(self, n: TsNode) -> list[Any]:
        single = n.child_by_field_name("parameter")
        if single is not None:
            return self.convs([single])
        params = n.child_by_field_name("parameters")
        if params is None:
            return []
        return [p for p in self.convs(self.named(params)) if p.type != "ThisExpression"]

    def function_fields(self, n: TsNode) -> dict[str, Any]:
        body_ts = n.child_by_field_name("body")
        return {
            "id": self.field(n, "name"),
            "params": self.params(n),
            "body": self.conv(body_ts),
            "generator": self.has_token(n, "*"),
            "expression": body_ts is not None and body_ts.type != "statement_block",
            "isAsync": self.has_token(n, "async"),
        }

    def function_declaration(self, n: TsNode) -> Node:
        return self.make("FunctionDeclaration", n, **self.function_fields(n))

    def function_expression(self, n: TsNode) -> Node:
        return self.make("FunctionExpression", n, **self.function_fields(n))

    def on_arrow_function(self, n: TsNode) -> Node:
        return self.make("ArrowFunctionExpression", n, **self.function_fields(n))

    def parameter(self, n: TsNode) -> Any:
        pattern = self.field(n, "pattern")
        value = self.field(n, "value")
        if pattern is None or value is None:
            return pattern
        return Node(
            "AssignmentPattern", [pattern.range[0], value.range[1]], left=pattern, right=value
        )

    def class_(self, n: TsNode) -> Node:
        superclass = None
        for heritage in self.named(n):
            if heritage.type != "class_heritage":
                continue
            for part in heritage.named_children:
                if part.type == "extends_clause":
                    superclass = self.field(part, "value")
                elif part.type not in _DROPPED and superclass is None:
                    superclass = self.conv(part)
        kind = "ClassExpression" if n.type == "class" else "ClassDeclaration"
        fields: dict[str, Any] = {
            "id": self.field(n, "name"),
            "superClass": superclass,
            "body": self.field(n, "body"),
        }
        decorators = self.convs(c for c in n.named_children if c.type == "decorator")
        if decorators:
            fields["decorators"] = decorators
        return self.make(kind, n, **fields)

    def on_class_body(self, n: TsNode) -> Node:
        return self.make("ClassBody", n, body=self.convs(self.named(n)))

    def on_decorator(self, n: TsNode) -> Node:
        return self.make("Decorator", n, expression=next(iter(self.convs(self.named(n))), None))

    def key(self, n: TsNode) -> tuple[Any, bool]:
        """The key of a property / method / field and whether it is computed."""
        name = n.child_by_field_name("name") or n.child_by_field_name("key")
        if name is not None and name.type == "computed_property_name":
            return next(iter(self.convs(self.named(name))), None), True
        return self.conv(name), False

    def method_parts(self, n: TsNode) -> tuple[Any, bool, Node, str]:
        key, computed = self.key(n)
        params_ts = n.child_by_field_name("parameters")
        body_ts = n.child_by_field_name("body")
        start_ts = n.child_by_field_name("type_parameters") or params_ts
        start = self.index(start_ts.start_byte) if start_ts is not None else key.range[1]
        end = self.index(body_ts.end_byte) if body_ts is not None else self.span(n)[1]
        value = Node(
            "FunctionExpression",
            [start, end],
            id=None,
            params=self.params(n),
            body=self.conv(body_ts),
            generator=self.has_token(n, "*"),
            expression=False,
            isAsync=self.has_token(n, "async"),
        )
        name_ts = n.child_by_field_name("name")
        name_start = name_ts.start_byte if name_ts is not None else n.end_byte
        kind = "init"
        for child in n.children:
            if child.start_byte >= name_start:
                break
            if child.type in ("get", "set"):
                kind = child.type
        return key, computed, value, kind

    def on_method_definition(self, n: TsNode) -> Node:
        key, computed, value, kind = self.method_parts(n)
        parent = n.parent
        if parent is not None and parent.type == "object":
            return self.make(
                "Property",
                n,
                key=key,
                computed=computed,
                value=value,
                kind=kind,
                method=kind == "init",
                shorthand=False,
            )
        static = self.has_token(n, "static")
        if kind == "init":
            is_constructor = (
                not computed
                and not static
                and key is not None
                and (key.name == "constructor" or key.value == "constructor")
            )
            kind = "constructor" if is_constructor else "method"
        return self.make(
            "MethodDefinition", n, key=key, computed=computed, value=value, kind=kind, static=static
        )

    def field_definition(self, n: TsNode) -> Node:
        key, computed = self.key(n)
        if key is None:
            key = self.field(n, "property")
        return self.make(
            "PropertyDefinition",
            n,
            key=key,
            computed=computed,
            value=self.field(n, "value"),
            static=self.has_token(n, "static"),
        )

    # ---------------------------------------------------------------- literals and names

    def name_of(self, n: TsNode | None) -> Node | None:
        """A module export / import name: an identifier, whatever tree-sitter calls it."""
        if n is None:
            return None
        if n.type == "string":
            converted: Node = self.conv(n)
            return converted
        return self.identifier(n)

    def identifier(self, n: TsNode) -> Node:
        # `make("Identifier", n, name=self.src(n))`, spelled out: four nodes in ten are names
        start, end = self.span(n)
        node = _new_node(Node)
        node.__dict__ = {"type": "Identifier", "name": self.text[start:end], "range": [start, end]}
        return node

    def on_private_property_identifier(self, n: TsNode) -> Node:
        return self.make("PrivateIdentifier", n, name=self.src(n)[1:])

    def on_this(self, n: TsNode) -> Node:
        return self.make("ThisExpression", n)

    def on_super(self, n: TsNode) -> Node:
        return self.make("Super", n)

    def on_import(self, n: TsNode) -> Node:
        return self.make("Import", n)

    def on_number(self, n: TsNode) -> Node:
        raw = self.src(n)
        fields: dict[str, Any] = {"value": number_value(raw), "raw": raw}
        if raw.endswith("n"):
            fields["bigint"] = raw[:-1].replace("_", "")
        return self.make("Literal", n, **fields)

    def on_string(self, n: TsNode) -> Node:
        raw = self.src(n)
        return self.make("Literal", n, value=cook(raw[1:-1]), raw=raw)

    def keyword_literal(self, n: TsNode) -> Node:
        value = {"true": True, "false": False, "null": None}[n.type]
        return self.make("Literal", n, value=value, raw=self.src(n))

    def on_regex(self, n: TsNode) -> Node:
        pattern_ts = n.child_by_field_name("pattern")
        flags_ts = n.child_by_field_name("flags")
        pattern = self.src(pattern_ts) if pattern_ts is not None else ""
        flags = self.src(flags_ts) if flags_ts is not None else ""
        return self.make(
            "Literal",
            n,
            value=_regex_value(pattern, flags),
            raw=self.src(n),
            regex=Obj(pattern=pattern, flags=flags),
        )

    def on_template_string(self, n: TsNode) -> Node:
        start, end = self.span(n)
        quasis: list[Node] = []
        expressions: list[Any] = []
        piece_start = start
        for child in n.named_children:
            if child.type != "template_substitution":
                continue
            sub_start, sub_end = self.span(child)
            quasis.append(self.template_element(piece_start, sub_start + 2, 1, 2, tail=False))
            expressions.extend(self.convs(self.named(child))[:1])
            piece_start = sub_end - 1
        quasis.append(self.template_element(piece_start, end, 1, 1, tail=True))
        return self.make("TemplateLiteral", n, quasis=quasis, expressions=expressions)

    def template_element(self, start: int, end: int, lead: int, trail: int, tail: bool) -> Node:
        raw = self.text[start + lead : end - trail]
        return Node(
            "TemplateElement", [start, end], value=Obj(raw=raw, cooked=cook(raw)), tail=tail
        )

    # ---------------------------------------------------------------- expressions

    def on_parenthesized_expression(self, n: TsNode) -> Any:
        inner = self.convs(self.named(n))
        return inner[0] if inner else None

    def type_wrapper(self, n: TsNode) -> Any:
        inner = self.convs(self.named(n))
        return inner[0] if inner else None

    def on_type_assertion(self, n: TsNode) -> Any:
        inner = self.convs(self.named(n))
        return inner[-1] if inner else None

    def object_(self, n: TsNode) -> Node:
        kind = "ObjectPattern" if n.type == "object_pattern" else "ObjectExpression"
        props = []
        for child in self.named(n):
            if child.type in (
                "shorthand_property_identifier",
                "shorthand_property_identifier_pattern",
            ):
                ident = self.conv(child)
                props.append(
                    Node(
                        "Property",
                        list(ident.range),
                        key=ident,
                        computed=False,
                        value=self.identifier(child),
                        kind="init",
                        method=False,
                        shorthand=True,
                    )
                )
            elif child.type == "object_assignment_pattern":
                left = self.field(child, "left")
                right = self.field(child, "right")
                value = self.make("AssignmentPattern", child, left=left, right=right)
                key = self.identifier(child.child_by_field_name("left") or child)
                props.append(
                    self.make(
                        "Property",
                        child,
                        key=key,
                        computed=False,
                        value=value,
                        kind="init",
                        method=False,
                        shorthand=True,
                    )
                )
            else:
                converted = self.conv(child)
                if converted is not None:
                    props.append(converted)
        return self.make(kind, n, properties=props)

    def pair(self, n: TsNode) -> Node:
        key, computed = self.key(n)
        return self.make(
            "Property",
            n,
            key=key,
            computed=computed,
            value=self.field(n, "value"),
            kind="init",
            method=False,
            shorthand=False,
        )

    # -- JSX: elements as ESTree has them, so that a component's name is a reference to it and an
    # attribute's name is not (`<Pay payload={p}/>` reads `Pay` and `p`, never a `payload`)
    def on_jsx_element(self, n: TsNode) -> Node:
        opening = self.field(n, "open_tag")
        kids = [self.conv(c) for c in n.named_children if c.type not in ("jsx_opening_element", "jsx_closing_element")]
        return self.make("JSXElement", n, openingElement=opening, children=[k for k in kids if k is not None])

    def on_jsx_self_closing_element(self, n: TsNode) -> Node:
        return self._jsx_opening(n, True)

    def on_jsx_opening_element(self, n: TsNode) -> Node:
        return self._jsx_opening(n, False)

    def _jsx_opening(self, n: TsNode, closing: bool) -> Node:
        name = n.child_by_field_name("name")
        attributes = [self.conv(a) for a in n.children_by_field_name("attribute")]
        return self.make("JSXOpeningElement", n, name=self._jsx_name(name) if name is not None else None,
                         attributes=[a for a in attributes if a is not None], selfClosing=closing)

    def _jsx_name(self, n: TsNode) -> Any:
        if n.type == "identifier":
            text = self.src(n)
            if text[:1].isupper() or "$" in text or "_" in text[:1]:
                return self.conv(n)  # a component: a reference to the variable that holds it
            return self.make("JSXIdentifier", n, name=text)  # an intrinsic element (`div`)
        if n.type == "member_expression":
            return self.conv(n)
        return self.make("JSXIdentifier", n, name=self.src(n))

    def on_jsx_closing_element(self, n: TsNode) -> None:
        return None  # its name repeats the opening element's

    def on_jsx_text(self, n: TsNode) -> None:
        return None

    def on_jsx_attribute(self, n: TsNode) -> Node:
        named = list(self.named(n))
        name = named[0] if named else None
        value = named[1] if len(named) > 1 else None
        return self.make("JSXAttribute", n,
                         name=self.make("JSXIdentifier", name, name=self.src(name)) if name is not None else None,
                         value=self.conv(value) if value is not None else None)

    def on_jsx_expression(self, n: TsNode) -> Any:
        inner = next(iter(self.named(n)), None)
        if inner is None:
            return None
        if inner.type == "spread_element":
            parent = n.parent
            argument = next(iter(self.convs(self.named(inner))), None)
            if parent is not None and parent.type in ("jsx_self_closing_element", "jsx_opening_element"):
                return self.make("JSXSpreadAttribute", n, argument=argument)
            return self.make("JSXSpreadChild", n, expression=argument)
        return self.conv(inner)

    def on_spread_element(self, n: TsNode) -> Node:
        return self.make("SpreadElement", n, argument=next(iter(self.convs(self.named(n))), None))

    def on_rest_pattern(self, n: TsNode) -> Node:
        return self.make("RestElement", n, argument=next(iter(self.convs(self.named(n))), None))

    def on_assignment_pattern(self, n: TsNode) -> Node:
        return self.make(
            "AssignmentPattern", n, left=self.field(n, "left"), right=self.field(n, "right")
        )

    def array(self, n: TsNode) -> Node:
        kind = "ArrayPattern" if n.type == "array_pattern" else "ArrayExpression"
        elements: list[Any] = []
        pending = False  # an element was seen since the last comma
        for child in n.children:
            if child.type == ",":
                if not pending:
                    elements.append(None)  # a hole
                pending = False
            elif child.is_named and child.type not in _DROPPED:
                converted = self.conv(child)
                if converted is not None:
                    elements.append(converted)
                    pending = True
        return self.make(kind, n, elements=elements)

    def on_member_expression(self, n: TsNode) -> Node:
        fields: dict[str, Any] = {
            "computed": False,
            "object": self.field(n, "object"),
            "property": self.field(n, "property"),
        }
        if n.child_by_field_name("optional_chain") is not None:
            fields["optional"] = True
        return self.make("MemberExpression", n, **fields)

    def on_subscript_expression(self, n: TsNode) -> Node:
        fields: dict[str, Any] = {
            "computed": True,
            "object": self.field(n, "object"),
            "property": self.field(n, "index"),
        }
        if n.child_by_field_name("optional_chain") is not None:
            fields["optional"] = True
        return self.make("MemberExpression", n, **fields)

    def arguments(self, n: TsNode | None) -> list[Any]:
        return self.convs(self.named(n)) if n is not None else []

    def on_call_expression(self, n: TsNode) -> Node:
        args_ts = n.child_by_field_name("arguments")
        callee = self.field(n, "function")
        if args_ts is not None and args_ts.type == "template_string":
            return self.make("TaggedTemplateExpression", n, tag=callee, quasi=self.conv(args_ts))
        fields: dict[str, Any] = {"callee": callee, "arguments": self.arguments(args_ts)}
        if n.child_by_field_name("optional_chain") is not None:
            fields["optional"] = True
        function_ts = n.child_by_field_name("function")
        if (
            function_ts is not None
            and function_ts.type == "await_expression"
            and callee is not None
        ):
            # tree-sitter-typescript reads `await f<T>(x)` as `(await f)<T>(x)`; an unparenthesised
            # await is never a callee in the language, so put the await back outside the call
            inner = callee.argument
            call = Node(
                "CallExpression", [inner.range[0], self.span(n)[1]], **{**fields, "callee": inner}
            )
            return self.make("AwaitExpression", n, argument=call)
        return self.make("CallExpression", n, **fields)

    def on_new_expression(self, n: TsNode) -> Node:
        return self.make(
            "NewExpression",
            n,
            callee=self.field(n, "constructor"),
            arguments=self.arguments(n.child_by_field_name("arguments")),
        )

    def operator(self, n: TsNode) -> str:
        op = n.child_by_field_name("operator")
        return op.type if op is not None else ""

    def on_unary_expression(self, n: TsNode) -> Node:
        return self.make(
            "UnaryExpression",
            n,
            prefix=True,
            operator=self.operator(n),
            argument=self.field(n, "argument"),
        )

    def on_update_expression(self, n: TsNode) -> Node:
        op = self.operator(n)
        first = n.children[0] if n.children else None
        return self.make(
            "UpdateExpression",
            n,
            operator=op,
            argument=self.field(n, "argument"),
            prefix=first is not None and first.type == op,
        )

    def on_binary_expression(self, n: TsNode) -> Node:
        op = self.operator(n)
        kind = "LogicalExpression" if op in ("&&", "||", "??") else "BinaryExpression"
        return self.make(
            kind, n, operator=op, left=self.field(n, "left"), right=self.field(n, "right")
        )

    def on_assignment_expression(self, n: TsNode) -> Node:
        return self.make(
            "AssignmentExpression",
            n,
            operator="=",
            left=self.field(n, "left"),
            right=self.field(n, "right"),
        )

    def on_augmented_assignment_expression(self, n: TsNode) -> Node:
        return self.make(
            "AssignmentExpression",
            n,
            operator=self.operator(n),
            left=self.field(n, "left"),
            right=self.field(n, "right"),
        )

    def on_ternary_expression(self, n: TsNode) -> Node:
        return self.make(
            "ConditionalExpression",
            n,
            test=self.field(n, "condition"),
            consequent=self.field(n, "consequence"),
            alternate=self.field(n, "alternative"),
        )

    def on_sequence_expression(self, n: TsNode) -> Node:
        expressions: list[Any] = []
        for child in self.convs(self.named(n)):
            # older grammars nest `a, b, c` as `a, (b, c)`
            if child.type == "SequenceExpression" and child.range[1] == self.span(n)[1]:
                expressions.extend(child.expressions)
            else:
                expressions.append(child)
        return self.make("SequenceExpression", n, expressions=expressions)

    def on_yield_expression(self, n: TsNode) -> Node:
        return self.make(
            "YieldExpression",
            n,
            argument=next(iter(self.convs(self.named(n))), None),
            delegate=self.has_token(n, "*"),
        )

    def on_await_expression(self, n: TsNode) -> Node:
        return self.make("AwaitExpression", n, argument=next(iter(self.convs(self.named(n))), None))

    def on_meta_property(self, n: TsNode) -> Node:
        meta, _, prop = self.src(n).partition(".")
        start, end = self.span(n)
        return self.make(
            "MetaProperty",
            n,
            meta=Node("Identifier", [start, start + len(meta)], name=meta),
            property=Node("Identifier", [end - len(prop), end], name=prop),
        )


# The builder of each tree-sitter node type, by name: `on_<type>` methods, and the types that
# share one. A type not listed becomes a generic node (`Converter.generic`).
Builder = Callable[[Converter, TsNode], Any]
HANDLERS: dict[str, Builder] = {
    name[3:]: builder for name, builder in vars(Converter).items() if name.startswith("on_")
}
for _names, _builder in (
    (("function_expression", "function", "generator_function"), Converter.function_expression),
    (("function_declaration", "generator_function_declaration"), Converter.function_declaration),
    (("variable_declaration", "lexical_declaration"), Converter.variable_declaration),
    (("class_declaration", "abstract_class_declaration", "class"), Converter.class_),
    (("identifier", "property_identifier", "shorthand_property_identifier",
      "shorthand_property_identifier_pattern", "statement_identifier", "type_identifier", "undefined"),
     Converter.identifier),
    (("field_definition", "public_field_definition"), Converter.field_definition),
    (("required_parameter", "optional_parameter"), Converter.parameter),
    (("true", "false", "null"), Converter.keyword_literal),
    (("object", "object_pattern"), Converter.object_),
    (("array", "array_pattern"), Converter.array),
    (("pair", "pair_pattern"), Converter.pair),
    (("break_statement", "continue_statement"), Converter.jump),
    (tuple(_TYPE_WRAPPERS), Converter.type_wrapper),
):
    HANDLERS.update(dict.fromkeys(_names, _builder))


# 1 for a byte that is not a UTF-8 continuation byte (10xxxxxx), else 0: `bytes.translate` table
_NOT_CONTINUATION = bytes(0 if 0x80 <= b <= 0xBF else 1 for b in range(256))


def offset_index(text: str, data: bytes) -> Callable[[int], int]:
    """Byte offset (tree-sitter's) to `str` index (esprima's): the number of characters that end
    at or before the byte. Byte j ends a character when byte j + 1 does not continue it; counted
    in C (`translate`, `accumulate`), not character by character. A position inside a character
    maps to that character's start."""
    if len(data) == len(text):
        return int
    ends = (data[1:] + b"\0").translate(_NOT_CONTINUATION)
    return [0, *accumulate(ends)].__getitem__


def convert(text: str, tree: tree_sitter.Tree, data: bytes,
            index: Callable[[int], int] | None = None) -> Node:
    """The esprima-shaped Program of a tree-sitter tree of `text`."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        program: Node = Converter(text, data, index).conv(tree.root_node)
    except RecursionError as exc:
        raise ParseError("nesting too deep for the tree-sitter converter") from exc
    finally:
        sys.setrecursionlimit(limit)
    return program


def comments(text: str, tree: tree_sitter.Tree, data: bytes, dialect: str,
             index: Callable[[int], int] | None = None) -> list[Node]:
    """Every comment as an esprima comment node (`Line` / `Block`, `value`, `range`)."""
    index = index or offset_index(text, data)
    found = tree_sitter.QueryCursor(_comment_query(dialect)).captures(tree.root_node).get("c", [])
    out = []
    for node in sorted(found, key=lambda c: c.start_byte):
        start, end = index(node.start_byte), index(node.end_byte)
        body = text[start:end]
        if body.startswith("/*"):
            out.append(Node("Block", [start, end], value=body[2:-2]))
        else:
            out.append(Node("Line", [start, end], value=body[2:]))
    return out


def parse(text: str, dialect: str) -> tuple[Node, list[Node]]:
    """Parse `text` and return (Program, comments); raise ParseError when the tree has errors."""
    tree, data = parse_tree(text, dialect)
    bad = first_error(tree.root_node, dialect)
    if bad is not None:
        raise ParseError(error_message(text, data, bad))
    index = offset_index(text, data)
    return convert(text, tree, data, index), comments(text, tree, data, dialect, index)


class TreeSitterFrontEnd:
    """JavaScript, TypeScript or TSX read by tree-sitter; sites found by `jsanalysis`."""

    name = "tree-sitter"

    def __init__(self, dialect: str = "javascript", declarations: bool = False) -> None:
        _language(dialect)  # fail early on an unknown dialect
        self.dialect = dialect
        self.declarations = declarations  # a `.d.ts` file: types only, never a payload

    def extract(self, text: str, settings: Settings) -> Extraction:
        # the analysis loads with the first file read (the project index reads skeletons without it)
        from drmigrate.frontends.jsanalysis import comment_spans, find_sites

        program, found_comments = parse(text, self.dialect)
        spans = comment_spans(found_comments)
        if self.declarations:
            note = "TypeScript declaration file: declarations only, no payloads"
            return Extraction(sites=(), parser=self.name, comments=spans, notes=(note,))
        return Extraction(
            sites=find_sites(program, text, settings), parser=self.name, comments=spans
        )

    def parses(self, text: str) -> bool:
        tree, _ = parse_tree(text, self.dialect)
        return first_error(tree.root_node, self.dialect) is None
