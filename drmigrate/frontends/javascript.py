"""Which parser reads a JavaScript / TypeScript file: esprima first, tree-sitter where it cannot.

esprima (ES5–ES2017) is the reference parser; tree-sitter, converted to the same ESTree shape,
reads what esprima refuses (ES2018+, JSX) and everything TypeScript. Both feed the one analysis,
`jsanalysis.find_sites`, so a file gets the same findings whichever parser read it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from drmigrate.frontends import Extraction, FrontEnd, ParseError, Settings
from drmigrate.guard import GuardError, SyntaxView, TNode, check
from drmigrate.model import Intent

ESPRIMA_FIRST = frozenset({".js", ".mjs", ".cjs"})
TREE_SITTER_ONLY = {
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}


class JavaScriptFrontEnd:
    """esprima (script, then module), falling back to tree-sitter; `Extraction.parser` says which."""

    name = "javascript"

    def __init__(
        self, dialect: str = "javascript", *, esprima_first: bool = True, declarations: bool = False,
        slicing_ok: bool = True,
    ) -> None:
        # imported here: tree-sitter and the analysis load only when a file is read
        from drmigrate.frontends.treesitter_js import TreeSitterFrontEnd

        self.esprima_first = esprima_first
        self.fallback = TreeSitterFrontEnd(dialect, declarations=declarations)
        # The parser that read the last extracted text: the re-parse guard asks the same one,
        # so a fix cannot turn an esprima-readable file into one only tree-sitter accepts.
        self.reader: str = ""
        self.slicing_ok = slicing_ok  # a file of its own (a template's scripts are read whole)
        self.sliced: tuple[str, Any] | None = None  # (text, slicing.Slice) of the last extraction

    def extract(self, text: str, settings: Settings) -> Extraction:
        esprima_error = ""
        self.sliced = None
        if self.esprima_first:
            from drmigrate.frontends.esprima_js import EsprimaFrontEnd

            try:
                extraction = EsprimaFrontEnd(slicing_ok=self.slicing_ok).extract(text, settings)
            except ParseError as exc:
                esprima_error = str(exc)
            else:
                self.reader = extraction.parser
                if extraction.sliced is not None:
                    self.sliced = (text, extraction.sliced)
                return extraction
        try:
            extraction = self.fallback.extract(text, settings)
        except ParseError as exc:
            if esprima_error:
                raise ParseError(f"{esprima_error}; tree-sitter: {exc}") from None
            raise
        self.reader = extraction.parser
        if esprima_error:
            note = f"read by tree-sitter: esprima could not ({esprima_error})"
            extraction = Extraction(
                sites=extraction.sites,
                parser=extraction.parser,
                comments=extraction.comments,
                protected=extraction.protected,
                notes=(*extraction.notes, note),
                embedded=extraction.embedded,
            )
        return extraction

    def verify(self, original: str, fixed: str, intents: Sequence[Intent]) -> None:
        """The fix guard: raise GuardError unless `fixed` is `original` with `intents` applied."""
        check(self.grammar(), original, fixed, intents)

    def grammar(self, *, template: bool = False) -> JavaScriptGrammar:
        esprima = self.esprima_first and self.reader != self.fallback.name
        return JavaScriptGrammar(self.fallback.dialect, esprima=esprima, template=template,
                                 sliced=self.sliced if not template else None)

    def parses(self, text: str) -> bool:
        if self.esprima_first and self.reader != self.fallback.name:
            from drmigrate.frontends.esprima_js import EsprimaFrontEnd

            if EsprimaFrontEnd().parses(text):
                return True
            if self.reader:  # esprima read the original: it must read the fixed text too
                return False
        return self.fallback.parses(text)


class JavaScriptGrammar:
    """Syntax views for the fix guard, by the parser that read the original (esprima or tree-sitter).

    When esprima read the original but cannot read the fixed text (an inserted `import.meta...`
    expression, say) both texts are compared through tree-sitter instead: still one parser for both.
    """

    def __init__(self, dialect: str, *, esprima: bool, template: bool = False,
                 sliced: tuple[str, Any] | None = None) -> None:
        self.dialect = dialect
        self.esprima = esprima
        self.template = template
        self.sliced = sliced  # (text, slicing.Slice): the analysis read that text through a slice

    def views(self, original: str, fixed: str) -> tuple[SyntaxView, SyntaxView]:
        if self.esprima:
            from drmigrate.frontends.esprima_js import parse

            if self.sliced is not None and self.sliced[0] == original:
                # compare the slices: the blanked statements are the same bytes in both texts
                from drmigrate.frontends.slicing import remap

                plan = self.sliced[1]
                fixed_slice = remap(plan, original, fixed)
                if fixed_slice is not None:
                    try:
                        return (self._esprima_view(parse(plan.text, module=plan.module), plan.text),
                                self._esprima_view(parse(fixed_slice, module=plan.module), fixed_slice))
                    except ParseError:
                        pass  # read both whole
            try:
                return self._esprima_view(parse(original), original), self._esprima_view(parse(fixed), fixed)
            except ParseError:
                self.esprima = False  # one parser for both texts: tree-sitter reads what esprima cannot
        return self._tree_sitter_view(original), self._tree_sitter_view(fixed)

    def _esprima_view(self, program: Any, text: str) -> SyntaxView:
        from drmigrate.frontends.syntax import from_estree

        comments = [((int(c.range[0]), int(c.range[1])), text[c.range[0]:c.range[1]])
                    for c in program.comments or ()]
        return SyntaxView(from_estree(program, template=self.template), comments)

    def _tree_sitter_view(self, text: str) -> SyntaxView:
        from drmigrate.frontends.syntax import from_tree_sitter
        from drmigrate.frontends.treesitter_js import (
            comments,
            error_message,
            first_error,
            parse_tree,
        )

        tree, data = parse_tree(text, self.dialect)
        bad = first_error(tree.root_node, self.dialect)
        if bad is not None:
            raise GuardError(f"the fixed text would not parse ({error_message(text, data, bad)})")
        found = [((int(c.range[0]), int(c.range[1])), text[c.range[0]:c.range[1]])
                 for c in comments(text, tree, data, self.dialect)]
        return SyntaxView(from_tree_sitter(tree.root_node, text, data, template=self.template), found)

    def _fragment(self, source: str) -> TNode:
        """The tree of `(...)`-wrapped source text, down to what the parentheses hold."""
        view = (self._esprima_view(_esprima_parse(source), source) if self.esprima
                else self._tree_sitter_view(source))
        node = view.tree
        while True:  # Program > ExpressionStatement > (parenthesized) > the expression
            if node.kind in ("Program", "program", "ExpressionStatement", "expression_statement",
                             "parenthesized_expression") and node.children:
                node = node.children[0] if node.kind != "parenthesized_expression" else \
                    next(c for c in node.children if c.kind not in ("(", ")"))
                continue
            return node

    def entry(self, container: TNode, text: str) -> TNode:
        obj = self._fragment(f"({{{text}}})")
        entry = next(c for c in obj.children if c.kind not in ("{", "}"))
        first = next((c for c in container.children if c.kind not in ("{", "}")), None)
        entry.role = first.role if first is not None else entry.role
        return entry

    def first_entry(self, container: TNode) -> int:
        return 0 if self.esprima else 1  # tree-sitter keeps the `{` as a child

    def statement(self, expression: TNode) -> TNode:
        expression.role = "expression" if self.esprima else ""
        if self.esprima:
            return TNode("ExpressionStatement", (), expression.span, [expression])
        return TNode("expression_statement", (), expression.span, [expression])

    def expression(self, text: str) -> TNode:
        return self._fragment(f"({text})")


def _esprima_parse(source: str) -> Any:
    from drmigrate.frontends.esprima_js import parse

    try:
        return parse(source)
    except ParseError as exc:
        raise GuardError(f"the inserted text does not parse ({exc})") from None


def is_expression(text: str) -> bool:
    """True when `text` is exactly one JavaScript expression that can stand as a property value.

    For validating the configured session-id expression: it must be the whole right-hand side of
    one assignment — no top-level comma (`x, y` would add a second, shorthand property), no comment
    (it would swallow the rest of the line), nothing after it. esprima decides; what it cannot read
    (`import.meta.env.X`, `a?.b`) is read by tree-sitter with the same checks.
    """
    if not text.strip():
        return False
    prefix = "_ = "
    source = f"{prefix}{text}\n;"
    end = len(prefix) + len(text.rstrip())
    from drmigrate.frontends.esprima_js import parse

    try:
        program = parse(source)
    except ParseError:
        program = None
    if program is not None:
        body = program.body
        if len(body) != 1 or body[0].type != "ExpressionStatement" or program.comments:
            return False
        expr = body[0].expression
        return (expr.type == "AssignmentExpression" and expr.right.type != "SequenceExpression"
                and list(expr.right.range) in ([len(prefix), end],) or _parenthesized(source, expr, end))
    from drmigrate.frontends.treesitter_js import first_error, parse_tree

    tree, data = parse_tree(source.replace("\n;", "\n;"), "javascript")
    root = tree.root_node
    if first_error(root) is not None:
        return False
    statements = [n for n in root.named_children]
    if len(statements) != 1 or statements[0].type != "expression_statement":
        return False
    if any(n.type == "comment" for n in _walk(root)):
        return False
    assign = statements[0].named_children[0] if statements[0].named_child_count else None
    if assign is None or assign.type != "assignment_expression":
        return False
    right = assign.child_by_field_name("right")
    if right is None or right.type == "sequence_expression":
        return False
    chars = data[:right.start_byte].decode("utf-8"), data[:right.end_byte].decode("utf-8")
    return len(chars[0]) == len(prefix) and len(chars[1]) == end


def _parenthesized(source: str, expr: Any, end: int) -> bool:
    """`(a, b)` as a whole: esprima's range of the inner expression excludes the parentheses."""
    if expr.type != "AssignmentExpression":
        return False
    start, stop = expr.right.range
    outer = source[4:end]
    return outer.startswith("(") and outer.endswith(")") and 4 < start and stop < end and \
        source[4:start].strip("( \t\r\n") == "" and source[stop:end].strip(") \t\r\n") == "" and \
        source[4:start].count("(") == source[stop:end].count(")")


def _walk(node: Any) -> Any:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def dialect_for(path: str) -> tuple[str, bool, bool] | None:
    """(tree-sitter dialect, try esprima first, declarations only) for a path, or None."""
    name = os.path.basename(path).lower()
    suffix = os.path.splitext(name)[1]
    if path == "-" or suffix in ESPRIMA_FIRST:
        return "javascript", True, False
    if suffix in TREE_SITTER_ONLY:
        declarations = name.endswith((".d.ts", ".d.mts", ".d.cts"))
        return TREE_SITTER_ONLY[suffix], False, declarations
    return None


def front_end_for(path: str) -> FrontEnd | None:
    """The JavaScript / TypeScript front end for `path`, or None when it is neither."""
    chosen = dialect_for(path)
    if chosen is None:
        return None
    dialect, esprima_first, declarations = chosen
    return JavaScriptFrontEnd(dialect, esprima_first=esprima_first, declarations=declarations)
