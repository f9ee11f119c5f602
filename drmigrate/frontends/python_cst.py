"""The Python front end: payloads built as dicts on the server (Django / Flask views), read with libcst.

It owns reading Python text into the neutral model: dict literals and `dict(type=..., ...)` calls
whose `type` is a Digital River source type and that look like a source payload, the subscript
writes (`payload["amount"] = ...`) that reach them in the same function, and the comment spans.
libcst reports lines and code-point columns; they are turned into `str` offsets of the exact input
text (line endings as they are, a BOM libcst drops counted back in), so every span slices the
original text.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.naming import PYTHON_PURE_FUNCTIONS, PYTHON_PURE_METHODS
from drmigrate.frontends.server_payloads import (
    Binding,
    Literal,
    NameUse,
    PendingWrite,
    Place,
    mentions_dr_type,
    server_sites,
)
from drmigrate.guard import GuardError, SyntaxView, TNode, check
from drmigrate.model import Enclosure, Intent, ObjectLit, Prop, Span, Write

# Calls that hand a value to the page: a payload passed to one of them (or returned) is serialized.
SERIALIZERS = frozenset({"dumps", "JsonResponse", "jsonify", "render", "render_to_string", "Response",
                         "make_response", "TemplateResponse", "json_script", "to_json"})
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


# libcst's parser is native code that recurses: 2,000 nested brackets on a 4 kB line, or 20,000
# links of one chain (`a.b.b…`, `---1`, `'a' 'a' …`), overflow its stack and kill the process
# (SIGSEGV, no report), and its time grows with the square of a chain's length. CPython itself
# refuses brackets nested deeper than 200 and blocks deeper than 100. So a file is measured
# first (Python's own tokenizer, one pass) and refused with one line when it is nested deeper
# than MAX_NESTING, or has more than MAX_CHAIN tokens at one bracket level of one expression
# (no comma or semicolon between them): real code stays far below both.
MAX_NESTING = 100
MAX_CHAIN = 500
_SEPARATORS = frozenset({",", ";"})


def shape_problem(text: str) -> str | None:
    """Why libcst must not be given `text` (None: it may): see MAX_NESTING and MAX_CHAIN."""
    depth = indent = 0
    chains = [0]
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, value = tok.type, tok.string
            if kind == tokenize.INDENT:
                indent += 1
                if indent > MAX_NESTING:
                    return f"blocks nested more than {MAX_NESTING} deep at line {tok.start[0]}"
            elif kind == tokenize.DEDENT:
                indent -= 1
            elif kind == tokenize.NEWLINE:
                chains = [0] * (depth + 1)
            elif kind == tokenize.OP and value in "([{":
                chains[depth] += 1
                depth += 1
                if depth > MAX_NESTING:
                    return f"brackets nested more than {MAX_NESTING} deep at line {tok.start[0]}"
                chains.append(0)
            elif kind == tokenize.OP and value in ")]}":
                if depth:
                    depth -= 1
                    chains.pop()
            elif kind == tokenize.OP and value in _SEPARATORS:
                chains[depth] = 0
            elif kind in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING, tokenize.OP):
                chains[depth] += 1
                if chains[depth] > MAX_CHAIN:
                    return (f"an expression of more than {MAX_CHAIN} parts without a comma at line "
                            f"{tok.start[0]}")
    except (tokenize.TokenError, SyntaxError):  # libcst says what is wrong, as for any syntax error
        return None
    return None


def _parse(text: str) -> cst.Module:
    # Python reads every line ending as "\n" (universal newlines), libcst trips on mixed ones
    # ("\r\n" inside a string of an LF file). One ending becomes one "\n": line numbers and
    # columns stay those of the original text, which is where spans are computed.
    problem = shape_problem(text.removeprefix(_BOM))
    if problem is not None:
        raise ParseError(f"{problem}, more than the Python parser (libcst) reads safely; "
                         "simplify it or exclude the file")
    try:
        return cst.parse_module(_NEWLINE.sub("\n", text.removeprefix(_BOM)))
    except cst.ParserSyntaxError as exc:
        message = exc.message.splitlines()[0] if exc.message else "syntax error"
        raise ParseError(
            f"line {exc.raw_line}, column {exc.raw_column + 1}: {message}"
        ) from None
    except (RecursionError, ValueError, TypeError) as exc:  # libcst's own limits, not the file's
        raise ParseError(f"libcst cannot read this file: {type(exc).__name__}: {exc}") from None


def _string(node: cst.BaseExpression) -> tuple[str, str] | None:
    """(value, quote) of a plain string literal; None for f-strings, bytes, concatenations."""
    if not isinstance(node, cst.SimpleString) or "b" in node.prefix.lower():
        return None
    value = node.evaluated_value
    if not isinstance(value, str):
        return None
    return value, node.quote[0]


def _name(node: cst.BaseExpression) -> str | None:
    """`payload` or `self.payload`: the names a payload variable can have; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        owner = _name(node.value)
        return None if owner is None else f"{owner}.{node.attr.value}"
    return None


def _subscript_path(node: cst.BaseExpression) -> tuple[str | None, tuple[str, ...]]:
    """`p["a"]["b"]` -> ("p", ("a", "b")). The path stops at the first index that is no string."""
    keys: list[str | None] = []
    while isinstance(node, cst.Subscript):
        index: str | None = None
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            found = _string(node.slice[0].slice.value)
            index = found[0] if found else None
        keys.append(index)
        node = node.value
    keys.reverse()
    path: list[str] = []
    for key in keys:
        if key is None:
            break
        path.append(key)
    return _name(node), tuple(path)


def _mutated(node: cst.BaseSmallStatement) -> list[cst.BaseExpression]:
    """The subscript expressions a statement assigns to or mutates in place (`p["k"].append(x)`)."""
    if isinstance(node, cst.Assign):
        return [t.target for t in node.targets]
    if isinstance(node, (cst.AugAssign, cst.AnnAssign)):
        return [node.target]
    if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
        func = node.value.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Subscript):
            return [func.value]
    return []


def _assigned_value(node: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    if isinstance(node, cst.Assign):
        return node.value
    if isinstance(node, cst.AnnAssign):
        return node.value
    return None



def _plain(node: cst.CSTNode) -> bool:
    """An expression that only reads (no call, await, walrus, lambda...)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda)):
            return False
        stack.extend(current.children)
    return True


def _callee_name(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def effects(value: cst.CSTNode) -> cst.CSTNode | None:
    """The first part of `value` that may have a side effect, or None when it is proven to have
    none (`naming`): `await`, `yield`, `:=` and every call but the known-pure builtins
    (`round(...)`, `Decimal(...)`, `str.format`, `d.get(...)`) are effects."""
    stack: list[cst.CSTNode] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Await, cst.Yield, cst.NamedExpr)):
            return node
        if isinstance(node, cst.Lambda):
            continue  # a function as a value is not run; as an argument, checked below
        if isinstance(node, cst.Call):
            name = _name(node.func)
            method = isinstance(node.func, cst.Attribute) and node.func.attr.value in PYTHON_PURE_METHODS
            if (name is None or name not in PYTHON_PURE_FUNCTIONS) and not method:
                return node
            for arg in node.args:
                if isinstance(arg.value, cst.Lambda) and effects(arg.value.body) is not None:
                    return node
            if method:
                stack.append(node.func)
            stack.extend(arg.value for arg in node.args)
            continue
        stack.extend(node.children)
    return None


class _Collector(cst.CSTVisitor):
    """One walk over the module: literals, bindings, subscript writes, comments."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, text: str, base: int, line_starts: list[int]) -> None:
        super().__init__()
        self.text = text
        self.base = base
        self.line_starts = line_starts
        self.literals: dict[int, ObjectLit] = {}
        self.bindings: list[Binding] = []
        self.writes: list[PendingWrite] = []
        self.comments: list[Span] = []
        self.scopes: list[int] = []
        self.module_scope: int | None = None
        self.place: list[tuple[int, int]] = []
        self.whys: list[str] = []  # for each enclosing list: why removing from it breaks code
        # statement id -> (list id, index, why removing it from there would break the code)
        self.slots: dict[int, tuple[int, int, str]] = {}
        self.in_line: set[int] = set()  # small statements of a statement line
        self.stack: list[cst.CSTNode] = []
        self.contexts: list[Literal] = []
        self.uses: list[NameUse] = []
        self.targets: set[int] = set()  # subscripts that are written, not read
        self.enclosures: dict[int, Enclosure] = {}  # statement line id -> the `if` it alone fills

    # --- positions ---------------------------------------------------------------------------
    def _offset(self, line: int, column: int) -> int:
        return self.base + self.line_starts[line - 1] + column

    def span(self, node: cst.CSTNode) -> Span:
        where: CodeRange = self.get_metadata(PositionProvider, node)
        return (
            self._offset(where.start.line, where.start.column),
            self._offset(where.end.line, where.end.column),
        )

    # --- statement lists and scopes ----------------------------------------------------------
    def _slots(self, body: Any, why: str) -> None:
        for index, stmt in enumerate(body):
            self.slots[id(stmt)] = (id(body), index, why)

    def on_visit(self, node: cst.CSTNode) -> bool:
        slot = self.slots.get(id(node))
        if slot is not None:
            self.whys.append(slot[2])
            # the statements of one line run together: the line is their place, not a level below
            if id(node) not in self.in_line:
                self.place.append(slot[:2])
        if isinstance(node, (cst.Module, cst.FunctionDef, cst.ClassDef)):
            self.scopes.append(id(node))
            if isinstance(node, cst.Module):
                self.module_scope = id(node)
        self.stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.stack.pop()
        if isinstance(original_node, (cst.Module, cst.FunctionDef, cst.ClassDef)):
            self.scopes.pop()
        if id(original_node) in self.slots:
            self.whys.pop()
            if id(original_node) not in self.in_line:
                self.place.pop()

    def visit_Module(self, node: cst.Module) -> None:
        self._slots(node.body, "")

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._slots(
            node.body, "the write is the only statement of its block" if len(node.body) == 1 else ""
        )
        owner = self.stack[-2] if len(self.stack) > 1 else None
        if owner is None or getattr(owner, "body", None) is not node:
            return
        # the statement whose block this is: a block cannot be left empty, so when its writes all
        # go, the statement goes too (an `if` without `else`, a loop that only reads or walks a
        # list) — or, when it cannot, the last of them stays (`fills`, DR202)
        test: Span | None = None
        removable = getattr(owner, "orelse", None) is None
        if isinstance(owner, cst.If):
            test = None if _plain(owner.test) else self.span(owner.test)
        elif isinstance(owner, cst.While):
            removable = removable and _plain(owner.test)
        elif isinstance(owner, cst.For):
            removable = removable and owner.asynchronous is None and _plain(owner.iter) \
                and isinstance(owner.target, cst.Name) and not self._named_outside(owner.target.value, self.span(owner))
        else:
            removable = False
        outer = None
        holder = self.stack[-3] if len(self.stack) > 2 else None
        if removable and test is None and isinstance(holder, cst.IndentedBlock) and len(holder.body) == 1:
            # the statement is its block's only one: it can go only with the statement around it
            outer = self.enclosures.get(id(owner))
            removable = outer is not None and not outer.keeps
        enclosure = Enclosure(self.span(owner), len(node.body), test=test if removable else None,
                              outer=outer if removable else None, keeps="" if removable else "its block",
                              fills=True)
        for stmt in node.body:
            self.enclosures[id(stmt)] = enclosure

    def _named_outside(self, name: str, span: Span) -> bool:
        """Whether `name` appears in the source outside `span` (a conservative reading)."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
        return any(not (span[0] <= m.start() < span[1]) for m in pattern.finditer(self.text))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.in_line.update(id(stmt) for stmt in node.body)
        self._slots(
            node.body, "" if len(node.body) == 1 else "the write shares its line with another statement"
        )

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._slots(node.body, "the write is the body of a one-line block")

    # --- literals ----------------------------------------------------------------------------
    def visit_Dict(self, node: cst.Dict) -> None:
        self.contexts.append(self.context(self.literal(node)))

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "dict":
            self.contexts.append(self.context(self.literal(node)))
        elif _callee_name(node.func) == "jsonify" and node.args and all(a.keyword is not None or a.star == "**"
                                                                        for a in node.args):
            # Flask's `jsonify(type="payPal", amount=…)`: the keywords are the JSON object sent
            self.contexts.append(Literal(self.literal(node), serialized=True))
        self.call_use(node)

    def context(self, lit: ObjectLit) -> Literal:
        """Where the literal being visited stands: in a list, serialized, returned."""
        parents = self.stack[-2::-1]
        parent = parents[0] if parents else None
        grand = parents[1] if len(parents) > 1 else None
        in_list = isinstance(parent, cst.Element) and isinstance(grand, (cst.List, cst.Tuple, cst.Set))
        serialized = isinstance(parent, cst.Return) or (
            isinstance(parent, cst.Arg) and isinstance(grand, cst.Call)
            and _callee_name(grand.func) in SERIALIZERS)
        return Literal(lit, in_list, serialized)

    def _use(self, name: str, node: cst.CSTNode, kind: str, **fields: Any) -> None:
        self.uses.append(NameUse(self.scopes[-1], name, tuple(self.place), self.span(node)[0], kind,
                                 span=self.span(node), **fields))

    def _line(self, node: cst.CSTNode) -> int:
        return self.text.count("\n", 0, self.span(node)[0]) + 1

    def _shown(self, node: cst.CSTNode) -> str:
        text = " ".join(self.text[slice(*self.span(node))].split())
        return text if len(text) <= 50 else text[:49] + "…"

    def call_use(self, node: cst.Call) -> None:
        """`p.pop("amount")`, `p.get(...)`, `p.update({...})`, `json.dumps(p)`."""
        func = node.func
        if isinstance(func, cst.Attribute) and (owner := _name(func.value)) is not None:
            method = func.attr.value
            first = node.args[0].value if node.args else None
            key = _string(first) if first is not None else None
            statement = len(self.stack) > 1 and isinstance(self.stack[-2], cst.Expr)
            if method == "setdefault" and key is not None and statement:
                pass  # `p.setdefault("amount", t)` as a statement: a write (on_small_statement)
            elif method in ("pop", "get", "setdefault") and key is not None:
                why = f"it is read on line {self._line(node)} (`{self._shown(node)}`)"
                self._use(owner, node, "read", path=(key[0],), reason=why)
            elif method in ("pop", "popitem", "items", "keys", "values", "copy") and not node.args:
                why = f"the whole dict is read on line {self._line(node)} (`{self._shown(node)}`)"
                self._use(owner, node, "read", path=(), reason=why)
            elif method == "update" and node.args and all(a.keyword is not None or a.star == "**" for a in node.args):
                line = self.stack[-2] if statement else None
                self._use(owner, node, "merge",  # update(amount=t)
                          part=self._merged(self.literal(node), owner, line if isinstance(line, cst.Expr) else None))
            elif method == "update":
                for arg in node.args:
                    if isinstance(arg.value, cst.Dict) and not arg.keyword:
                        self._use(owner, node, "merge", part=self.literal(arg.value))
                    else:
                        self._use(owner, node, "merge", reason=self._shown(arg))
        if _callee_name(func) in SERIALIZERS:
            for arg in node.args:
                if (name := _name(arg.value)) is not None:
                    self._use(name, arg, "serialized")

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and (name := _name(node.value)) is not None:
            self._use(name, node, "serialized")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._mark(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark(node.target)

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Attribute):
            self._mark(node.value.func.value)  # `p["items"].append(x)`: a use that goes with the key

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        for sub in (target.elements if isinstance(target, cst.Tuple) else ()):
            self._read(sub.value, "deleted")
        self._read(target, "deleted")
        self._mark(target)

    def _mark(self, target: cst.BaseExpression) -> None:
        while isinstance(target, cst.Subscript):
            self.targets.add(id(target))
            target = target.value

    def visit_Subscript(self, node: cst.Subscript) -> None:
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if id(node) in self.targets or (isinstance(parent, cst.Subscript) and parent.value is node):
            return
        self._read(node, "read")

    def _read(self, node: cst.BaseExpression, verb: str) -> None:
        if not isinstance(node, cst.Subscript):
            return
        name, path = _subscript_path(node)
        if name is None:
            return
        why = f"it is {verb} on line {self._line(node)} (`{self._shown(node)}`)"
        self._use(name, node, "read", path=path, reason=why)

    def literal(self, node: cst.Dict | cst.Call) -> ObjectLit:
        known = self.literals.get(id(node))
        if known is not None:
            return known
        props: list[Prop] = []
        opaque: list[str] = []
        others: list[Span] = []
        if isinstance(node, cst.Dict):
            span = (self.span(node.lbrace)[0], self.span(node.rbrace)[1])
            for element in node.elements:
                if isinstance(element, cst.DictElement) and (key := _string(element.key)):
                    props.append(self.prop(key[0], key[1], element.key, element.value))
                else:
                    others.append(self.element_span(element))
                    opaque.append(self.text[slice(*others[-1])])
        else:
            span = self.span(node)
            for arg in node.args:
                if arg.keyword is not None and not arg.star:
                    props.append(self.prop(arg.keyword.value, "", arg.keyword, arg.value))
                else:
                    others.append(self.element_span(arg))
                    opaque.append(self.text[slice(*others[-1])])
        lit = ObjectLit(span, tuple(props), tuple(opaque), others=tuple(others))
        self.literals[id(node)] = lit
        return lit

    def element_span(self, element: cst.CSTNode) -> Span:
        """An entry without its comma (libcst counts the comma as part of the element)."""
        start, end = self.span(element)
        comma = getattr(element, "comma", None)
        if isinstance(comma, cst.Comma):
            end = self.span(comma)[0]
            while end > start and self.text[end - 1] in " \t\r\n":
                end -= 1
        return start, end

    def prop(
        self, key: str, quote: str, key_node: cst.CSTNode, value: cst.BaseExpression
    ) -> Prop:
        key_span = self.span(key_node)
        value_span = self.span(value)
        nested = None
        if isinstance(value, cst.Dict) or (
            isinstance(value, cst.Call) and isinstance(value.func, cst.Name)
            and value.func.value == "dict"
        ):
            nested = self.literal(value)
        found = _string(value)
        effect = effects(value)
        return Prop(
            key=key,
            span=(key_span[0], value_span[1]),
            key_span=key_span,
            key_quote=quote,
            value_span=value_span,
            value=nested,
            string_value=found[0] if found else None,
            effects=self._shown(effect) if effect is not None else "",
        )

    # --- bindings and writes -----------------------------------------------------------------
    def statement_span(self, node: cst.BaseSmallStatement) -> Span:
        """The statement with a redundant `;` after it: a `;` left alone on a line does not parse."""
        start, end = self.span(node)
        after = end
        while after < len(self.text) and self.text[after] in " \t":
            after += 1
        return (start, after + 1) if self.text.startswith(";", after) else (start, end)

    def _merged(self, lit: ObjectLit, owner: str, statement: cst.BaseSmallStatement | None = None) -> ObjectLit:
        """A literal merged into `owner`, less the `**owner` it repeats (`p = {**p, "amount": t}`);
        the statement that only merges it goes when every key of it does (no `p |= {}` left)."""
        carrier = None
        if statement is not None and not next((w for w in reversed(self.whys[-2:]) if w), ""):
            carrier = Enclosure(self.statement_span(statement), 1)
        return replace(lit, opaque=tuple(o for o in lit.opaque if o.replace(" ", "") != f"**{owner}"),
                       carrier=carrier)

    def _self_merge(self, node: cst.BaseSmallStatement) -> bool:
        """`p |= {...}`, `p = {**p, ...}`, `p = p | {...}`: keys merged into the payload `p`
        (not a new binding); True when `node` is one."""
        if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.BitOrAssign):
            target, value = node.target, node.value
        elif isinstance(node, cst.Assign) and len(node.targets) == 1:
            target, value = node.targets[0].target, node.value
            if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr) \
                    and _name(value.left) is not None and _name(value.left) == _name(target):
                value = value.right
            elif not (isinstance(value, cst.Dict) and any(
                    isinstance(e, cst.StarredDictElement) and _name(e.value) == _name(target) for e in value.elements)):
                return False
        else:
            return False
        owner = _name(target)
        if owner is None:
            return False
        if isinstance(value, cst.Dict):
            self._use(owner, node, "merge", part=self._merged(self.literal(value), owner, node))
        else:
            self._use(owner, node, "merge", reason=self._shown(value))
        return True

    def on_small_statement(self, node: cst.BaseSmallStatement) -> None:
        place: Place = tuple(self.place)
        scope = self.scopes[-1]
        if self._self_merge(node):
            return
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call) and _callee_name(node.value.func) == "setdefault" \
                and isinstance(node.value.func, cst.Attribute) and node.value.args \
                and (owner := _name(node.value.func.value)) is not None and (key := _string(node.value.args[0].value)):
            self._setdefault(node, owner, key[0], scope, place)
            return
        value = _assigned_value(node)
        if value is not None:
            self.bind(node, value, scope, place)
        for target in _mutated(node):
            name, path = _subscript_path(target)
            if name is None or not path:
                continue
            # a small statement's own list (its line) and the block that holds the line
            why = next((w for w in reversed(self.whys[-2:]) if w), "")
            line = self.stack[-2] if len(self.stack) > 1 else None
            enclosure = self.enclosures.get(id(line)) if line is not None else None
            alone = why == "the write is the only statement of its block" and enclosure is not None \
                and not enclosure.keeps
            if alone:
                why = ""
            found = _string(value) if value is not None else None
            effect = None
            if not why and value is not None and isinstance(node, cst.Assign) and effects(value) is not None:
                effect = self.span(value)
            write = Write(
                path,
                self.statement_span(node) if not why else self.span(node),
                removable=not why,
                why_not=why,
                string_value=found[0] if found else None,
                effect_span=effect,
                value_span=self.span(value) if value is not None else None,
                enclosure=enclosure if not why and effect is None else None,
                needs_enclosure=alone,
            )
            self.writes.append(PendingWrite(scope, name, place, write))

    def _setdefault(self, node: cst.Expr, owner: str, key: str, scope: int, place: Place) -> None:
        """`p.setdefault("amount", t)`: a write of `amount` when the payload has none."""
        call = node.value
        assert isinstance(call, cst.Call)
        why = next((w for w in reversed(self.whys[-2:]) if w), "")
        value = call.args[1].value if len(call.args) > 1 else None
        effect = value is not None and effects(value) is not None
        found = _string(value) if value is not None else None
        write = Write((key,), self.statement_span(node) if not why else self.span(node), removable=not why,
                      why_not=why, string_value=found[0] if found else None,
                      effect_span=self.span(value) if effect and value is not None and not why else None,
                      value_span=self.span(value) if value is not None else None)
        self.writes.append(PendingWrite(scope, owner, place, write))

    def bind(
        self, node: cst.BaseSmallStatement, value: cst.BaseExpression, scope: int, place: Place
    ) -> None:
        if isinstance(node, cst.Assign):
            exprs = [t.target for t in node.targets]
        elif isinstance(node, cst.AnnAssign):
            exprs = [node.target]
        else:
            return
        literal: Span | None = None
        if isinstance(value, (cst.Dict, cst.Call)) and id(value) in self.literals:
            literal = self.literals[id(value)].span
        start = self.span(node)[0]
        for expr in exprs:
            elements = expr.elements if isinstance(expr, (cst.Tuple, cst.List)) else ()
            names = [_name(e.value) for e in elements] if elements else [_name(expr)]
            for name in names:
                if name is not None:
                    own = literal if not elements else None
                    self.bindings.append(Binding(scope, name, place, start, own))

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self.on_small_statement(original_node)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self.on_small_statement(original_node)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self.on_small_statement(original_node)

    def leave_Expr(self, original_node: cst.Expr) -> None:
        self.on_small_statement(original_node)

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(self.span(node))


def is_expression(text: str) -> bool:
    """True when `text` is one Python expression that can stand as a dict value or keyword value.

    For validating the configured session-id expression: a bare tuple (`a, b`) parses as an
    expression but would split into two entries once inserted, and a comment would swallow the
    rest of the line it is inserted into, so both are refused.
    """
    try:
        expr = cst.parse_expression(text)
        kinds = {tok.type for tok in tokenize.generate_tokens(io.StringIO(text).readline)}
    except (cst.ParserSyntaxError, tokenize.TokenError, SyntaxError, RecursionError, ValueError,
            TypeError):
        return False
    return tokenize.COMMENT not in kinds and not (isinstance(expr, cst.Tuple) and not expr.lpar)


class PythonFrontEnd:
    """Python source (views, serializers) -> payload sites built as dicts."""

    name = "libcst"

    def extract(self, text: str, settings: Settings) -> Extraction:
        if not settings.seeds and not mentions_dr_type(text, settings.dr_types):
            return Extraction(sites=(), parser=self.name)  # nothing to find: skip the slow parse
        module = _parse(text)
        base = 1 if text.startswith(_BOM) else 0
        body = text[base:]
        line_starts = [0] + [m.end() for m in _NEWLINE.finditer(body)]
        collector = _Collector(text, base, line_starts)
        MetadataWrapper(module, unsafe_skip_copy=True).visit(collector)
        sites = server_sites(collector.contexts, collector.bindings, collector.writes, collector.uses,
                             settings.dr_types, language="python", origin="python-dict",
                             names=settings.payload_names, global_scope=collector.module_scope)
        if settings.seeds:
            from drmigrate.frontends.python_seeds import seeded_sites

            seeded = seeded_sites(module, text, base, line_starts, collector, settings)
            taken = {site.parts[0].span for site in seeded if site.parts}
            sites = tuple(seeded) + tuple(s for s in sites if not (s.parts and s.parts[0].span in taken))
        return Extraction(sites=sites, parser=self.name, comments=tuple(sorted(collector.comments)))

    def parses(self, text: str) -> bool:
        try:
            _parse(text)
        except ParseError:
            return False
        return True

    def verify(self, original: str, fixed: str, intents: Sequence[Intent]) -> None:
        check(PythonGrammar(), original, fixed, intents)


class PythonGrammar:
    """Syntax views for the fix guard from Python's own `ast` (a second parser beside libcst)."""

    def _view(self, text: str) -> SyntaxView:
        from drmigrate.frontends.syntax import from_python_ast

        base = 1 if text.startswith(_BOM) else 0
        try:
            tree = ast.parse(text[base:])
        except (SyntaxError, ValueError) as exc:
            raise GuardError(f"the fixed text would not parse ({exc})") from None
        except (RecursionError, MemoryError):
            raise GuardError("the code is nested too deeply to compare before and after") from None
        comments: list[tuple[Span, str]] = []
        starts = [0] + [m.end() for m in _NEWLINE.finditer(text[base:])]
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text[base:]).readline):
                if tok.type == tokenize.COMMENT:
                    start = base + starts[tok.start[0] - 1] + tok.start[1]
                    comments.append(((start, start + len(tok.string)), tok.string))
        except (tokenize.TokenError, SyntaxError):
            pass
        return SyntaxView(from_python_ast(tree, text, base), comments)

    def views(self, original: str, fixed: str) -> tuple[SyntaxView, SyntaxView]:
        return self._view(original), self._view(fixed)

    def _fragment(self, source: str) -> TNode:
        tree = self._view(source).tree  # Module > Expr > the expression
        return tree.children[0].children[0]

    def entry(self, container: TNode, text: str) -> TNode:
        if container.kind == "Dict":
            node = self._fragment("{" + text + "}").children[0]
        else:
            node = next(c for c in self._fragment(f"dict({text})").children if c.role == "keywords")
        return node

    def first_entry(self, container: TNode) -> int:
        if container.kind == "Dict":
            return 0
        return next((i for i, c in enumerate(container.children) if c.role == "keywords"),
                    len(container.children))

    def statement(self, expression: TNode) -> TNode:
        expression.role = "value"
        return TNode("Expr", (), expression.span, [expression])

    def expression(self, text: str) -> TNode:
        return self._fragment(f"({text})")
