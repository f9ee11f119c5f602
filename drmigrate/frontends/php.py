"""The PHP front end: payloads built as arrays on the server (Magento controllers, helpers), via tree-sitter.

It owns reading PHP text into the neutral model: `[...]` and `array(...)` literals whose `'type'`
is a Digital River source type and that look like a source payload, the `$data['amount'] = ...;`
writes that reach them in the same function, and the comment spans (`//`, `#`, `/* */`). HTML
around `<?php ... ?>` is text to tree-sitter and is left alone here; `<script>` blocks belong to the
JavaScript and template front ends. tree-sitter counts UTF-8 bytes; every span is converted to `str`
offsets of the exact input text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import accumulate

import tree_sitter_php
from tree_sitter import Language, Node, Parser

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.naming import acts
from drmigrate.frontends.server_payloads import (
    Binding,
    Literal,
    NameUse,
    PendingWrite,
    Place,
    server_sites,
)
from drmigrate.guard import GuardError, SyntaxView, TNode, check
from drmigrate.model import EmbeddedCall, Enclosure, Intent, ObjectLit, Prop, Span, Write

_LANGUAGE = Language(tree_sitter_php.language_php())

# Statement lists: removing one entry of these leaves valid code with the same meaning elsewhere.
_LISTS = frozenset(
    {"program", "compound_statement", "colon_block", "case_statement", "default_statement"}
)
_SCOPES = frozenset(
    {"program", "function_definition", "method_declaration", "anonymous_function", "arrow_function"}
)
_ASSIGNMENTS = frozenset({"assignment_expression", "augmented_assignment_expression"})
# Calls that hand an array to the page (or answer with it): a payload passed to one is serialized.
SERIALIZERS = frozenset({"json_encode", "wp_json_encode", "wp_localize_script", "wp_send_json",
                         "wp_send_json_success", "wp_add_inline_script", "setData", "setJsonData",
                         "assign", "json", "response", "jsonSerialize"})
def _call_name(node: Node) -> str:
    """The called function or method name of a call node ("" for anything else)."""
    if node.type == "function_call_expression":
        func = node.child_by_field_name("function")
        return _node_text(func).rsplit("\\", 1)[-1] if func is not None else ""
    if node.type in ("member_call_expression", "nullsafe_member_call_expression", "scoped_call_expression"):
        name = node.child_by_field_name("name")
        return _node_text(name) if name is not None else ""
    return ""


# statements that stay when their block is emptied, by tree-sitter-php node type
_PHP_HOLDERS = {"if_statement": "the `if` with an `else`", "else_clause": "the `if` with an `else`",
                "else_if_clause": "the `if` with an `else`", "foreach_statement": "the `foreach` loop",
                "for_statement": "the `for` loop", "while_statement": "the `while` loop",
                "do_statement": "the `do` loop", "try_statement": "the `try` statement",
                "catch_clause": "the `try` statement", "finally_clause": "the `try` statement",
                "function_definition": "the function body", "method_declaration": "the function body",
                "anonymous_function": "the function body", "switch_statement": "the `switch`"}


def _calls(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type.endswith("call_expression") or current.type in _ASSIGNMENTS:
            return True
        stack.extend(current.named_children)
    return False


def effects(value: Node) -> Node | None:
    """The first part of `value` that may have a side effect, or None."""
    stack: list[Node] = [value]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("anonymous_function", "arrow_function"):
            continue
        if kind in _ASSIGNMENTS or kind in ("update_expression", "object_creation_expression",
                                            "include_expression", "require_expression"):
            return node
        if kind.endswith("call_expression") and acts(_call_name(node)):
            return node
        stack.extend(node.named_children)
    return None

_DOUBLE_QUOTED_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "v": "\v", "e": "\x1b", "f": "\f",
    "\\": "\\", "$": "$", '"': '"',
}
_NUMERIC_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]+)\}|([0-7]{1,3}))")


class _Offsets:
    """UTF-8 byte offsets -> `str` offsets of the same text."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        self.char_at: dict[int, int] = {}
        if not self.ascii:
            widths = (1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
                      for o in map(ord, text))
            starts = accumulate(widths, initial=0)
            self.char_at = {byte: index for index, byte in enumerate(starts)}

    def __call__(self, byte: int) -> int:
        return byte if self.ascii else self.char_at[byte]

    def span(self, node: Node) -> Span:
        return self(node.start_byte), self(node.end_byte)


def _parse(text: str) -> tuple[Node, _Offsets]:
    offsets = _Offsets(text)
    root = Parser(_LANGUAGE).parse(offsets.data).root_node
    if root.has_error:
        raise ParseError(_error_line(text, root, offsets))
    return root, offsets


def _error_line(text: str, root: Node, offsets: _Offsets) -> str:
    bad = next((n for n in _walk(root) if n.is_error or n.is_missing), root)
    start = offsets(bad.start_byte)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    if bad.is_missing:
        return f"line {line}, column {column}: syntax error, missing `{bad.type}`"
    near = text[start:offsets(bad.end_byte)].split("\n")[0][:40]
    return f"line {line}, column {column}: syntax error near `{near}`"


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogatepass")


def _decode_double(raw: str) -> str | None:
    if len(raw) == 2 and raw[1] in _DOUBLE_QUOTED_ESCAPES:
        return _DOUBLE_QUOTED_ESCAPES[raw[1]]
    match = _NUMERIC_ESCAPE.fullmatch(raw)
    if match is None:
        return None
    hex_digits, code_point, octal = match.groups()
    number = int(hex_digits, 16) if hex_digits else int(code_point, 16) if code_point else int(octal, 8)
    return chr(number)


def _string(node: Node) -> tuple[str, str] | None:
    """(value, quote) of a string literal without interpolation; None for anything else."""
    if node.type not in ("string", "encapsed_string"):
        return None
    quote = _node_text(node)[0]
    if quote not in "'\"":  # b'...' and friends: leave them alone
        return None
    pieces: list[str] = []
    for child in node.named_children:
        raw = _node_text(child)
        if child.type == "string_content":
            pieces.append(raw)
        elif child.type == "escape_sequence" and quote == "'":
            pieces.append(raw[1:] if raw in ("\\'", "\\\\") else raw)
        elif child.type == "escape_sequence" and (decoded := _decode_double(raw)) is not None:
            pieces.append(decoded)
        else:
            return None  # interpolation: the value is not known here
    return "".join(pieces), quote


def _name(node: Node) -> str | None:
    """`$data` or `$this->data`: the names a payload variable can have."""
    if node.type == "variable_name":
        return _node_text(node)
    if node.type == "member_access_expression":
        owner = node.child_by_field_name("object")
        name = node.child_by_field_name("name")
        base = _name(owner) if owner is not None else None
        if base is not None and name is not None and name.type == "name":
            return f"{base}->{_node_text(name)}"
    return None


def _subscript_path(node: Node) -> tuple[str | None, tuple[str, ...]]:
    """`$d['a']['b'][]` -> ("$d", ("a", "b")). The path stops at the first index that is no string."""
    keys: list[str | None] = []
    while node.type == "subscript_expression" and node.named_child_count:
        first = node.named_children[0]
        index = node.named_children[1] if node.named_child_count > 1 else None
        found = _string(index) if index is not None else None
        keys.append(found[0] if found else None)
        node = first
    keys.reverse()
    path: list[str] = []
    for key in keys:
        if key is None:
            break
        path.append(key)
    return _name(node), tuple(path)


class _Collector:
    """One walk over the tree: literals, bindings, subscript writes, comments."""

    def __init__(self, text: str, offsets: _Offsets) -> None:
        self.text = text
        self.offsets = offsets
        self.literals: dict[int, ObjectLit] = {}
        self.bindings: list[Binding] = []
        self.writes: list[PendingWrite] = []
        self.comments: list[Span] = []
        self.contexts: list[Literal] = []
        self.uses: list[NameUse] = []
        self.places: dict[int, Place] = {}  # node id -> the place of the statement list it is in

    def walk(self, node: Node, scope: int, place: Place) -> None:
        kind = node.type
        self.places[node.id] = place
        if kind == "comment":
            self.comments.append(self.offsets.span(node))
        elif kind == "array_creation_expression":
            self.contexts.append(self.context(node, self.literal(node)))
        elif kind == "expression_statement":
            self.statement(node, scope, place)
        elif kind == "variable_name":
            self.use(node, scope, place)
        if node.type in _SCOPES:
            scope, place = node.id, ()
        in_list = node.type in _LISTS
        index = 0
        for child in node.children:
            if in_list and child.is_named and child.type != "comment":
                self.walk(child, scope, (*place, (node.id, index)))
                index += 1
            else:
                self.walk(child, scope, place)

    def context(self, node: Node, lit: ObjectLit) -> Literal:
        parent = node.parent
        in_list = (parent is not None and parent.type == "array_element_initializer"
                   and parent.named_child_count == 1)
        return Literal(lit, in_list, self._serializing(node))

    def _serializing(self, node: Node) -> bool:
        """`node` is returned, or an argument of a call that hands it to the page."""
        parent = node.parent
        if parent is not None and parent.type == "return_statement":
            return True
        if parent is None or parent.type != "argument":
            return False
        call = parent.parent.parent if parent.parent is not None else None
        return call is not None and _call_name(call) in SERIALIZERS

    def _shown(self, node: Node) -> str:
        text = " ".join(_node_text(node).split())
        return text if len(text) <= 50 else text[:49] + "…"

    def use(self, node: Node, scope: int, place: Place) -> None:
        """What the code does with a variable that may hold a payload."""
        name = _name(node)
        if name is None:
            return
        start = self.offsets(node.start_byte)
        span = self.offsets.span(node)
        if self._serializing(node):
            self.uses.append(NameUse(scope, name, place, start, "serialized", span=span))
            return
        outer = node
        while outer.parent is not None and outer.parent.type == "subscript_expression" \
                and outer.parent.named_children[:1] == [outer]:
            outer = outer.parent
        parent = outer.parent
        if outer is node:
            if parent is not None and parent.type == "argument":
                call = parent.parent.parent if parent.parent is not None else None
                if call is not None and _call_name(call) == "array_merge":
                    self.merge(call, name, scope, place, start)
            return
        if parent is not None and parent.type == "assignment_expression" \
                and parent.child_by_field_name("left") == outer:
            return  # a write, recorded by statement()
        line = self.text.count("\n", 0, start) + 1
        verb = "deleted" if parent is not None and parent.type == "unset_statement" else "read"
        _, path = _subscript_path(outer)
        why = f"it is {verb} on line {line} (`{self._shown(outer)}`)"
        self.uses.append(NameUse(scope, name, place, start, "read", path=path, reason=why,
                                 span=self.offsets.span(outer)))

    def enclosure(self, stmt: Node) -> Enclosure | None:
        """The `if (...) { ... }` (no else) whose braced block holds `stmt`, to go when it is empty;
        or (`keeps`) a statement that stays, a loop, an `if` with an `else`, a function, reported
        when its block is left empty."""
        block = stmt.parent
        owner = block.parent if block is not None else None
        if block is None or block.type != "compound_statement" or owner is None:
            return None
        statements = [c for c in block.named_children if c.type != "comment"]
        if owner.type != "if_statement" or owner.child_by_field_name("body") != block \
                or any(c.type in ("else_clause", "else_if_clause") for c in owner.children):
            keeps = _PHP_HOLDERS.get(owner.type)
            if keeps is None:
                return None
            return Enclosure(self.offsets.span(owner), len(statements), keeps=keeps, block=self.offsets.span(block))
        condition = owner.child_by_field_name("condition")
        if condition is not None and condition.type == "parenthesized_expression" and condition.named_child_count:
            condition = condition.named_children[0]
        if condition is None:
            return None
        test = None if effects(condition) is None and not _calls(condition) else self.offsets.span(condition)
        span, inner = self.offsets.span(owner), self.offsets.span(block)
        holder = owner.parent
        if holder is None or holder.type not in ("compound_statement", "program"):
            # the body of an unbraced `if`, an `else`, a label: removing it would break that
            return Enclosure(span, len(statements), keeps="the `if`", block=inner)
        # the `if` is its block's only statement: once it goes, that block is emptied in turn
        alone = holder.type == "compound_statement" and len([c for c in holder.named_children
                                                              if c.type != "comment"]) == 1
        outer = self.enclosure(owner) if alone and test is None else None
        return Enclosure(span, len(statements), test=test, outer=outer, block=inner)

    def merge(self, call: Node, name: str, scope: int, place: Place, start: int) -> None:
        """`$data = array_merge($data, [...])`: the literal parts join the payload."""
        holder = call.parent
        if holder is None or holder.type != "assignment_expression":
            return
        left = holder.child_by_field_name("left")
        if left is None or _name(left) != name:
            return
        args = [a.named_children[0] for a in (call.child_by_field_name("arguments") or call).named_children
                if a.type == "argument" and a.named_child_count]
        for arg in args[1:]:
            if arg.type == "array_creation_expression":
                self.uses.append(NameUse(scope, name, place, start, "merge", part=self.literal(arg)))
            else:
                self.uses.append(NameUse(scope, name, place, start, "merge", reason=self._shown(arg)))

    # --- literals ----------------------------------------------------------------------------
    def literal(self, node: Node) -> ObjectLit:
        known = self.literals.get(node.id)
        if known is not None:
            return known
        props: list[Prop] = []
        opaque: list[str] = []
        others: list[Span] = []
        for element in node.named_children:
            if element.type == "comment":
                continue
            parts = [c for c in element.named_children if c.type != "comment"]
            key = _string(parts[0]) if len(parts) == 2 else None
            if key is None:
                opaque.append(_node_text(element))
                others.append(self.offsets.span(element))
                continue
            key_span = self.offsets.span(parts[0])
            value_span = self.offsets.span(parts[1])
            nested = self.literal(parts[1]) if parts[1].type == "array_creation_expression" else None
            value = _string(parts[1])
            effect = effects(parts[1])
            props.append(Prop(
                key=key[0],
                span=(key_span[0], value_span[1]),
                key_span=key_span,
                key_quote=key[1],
                value_span=value_span,
                value=nested,
                string_value=value[0] if value else None,
                effects=self._shown(effect) if effect is not None else "",
            ))
        lit = ObjectLit(self.offsets.span(node), tuple(props), tuple(opaque), others=tuple(others))
        self.literals[node.id] = lit
        return lit

    # --- bindings and writes -----------------------------------------------------------------
    def statement(self, node: Node, scope: int, place: Place) -> None:
        expr = node.named_children[0] if node.named_child_count else None
        if expr is None or expr.type not in _ASSIGNMENTS:
            return
        start = self.offsets(node.start_byte)
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        while left is not None and right is not None:
            name = _name(left)
            if name is not None and expr.type == "assignment_expression":
                literal = None
                if right.type == "array_creation_expression":
                    literal = self.literal(right).span
                self.bindings.append(Binding(scope, name, place, start, literal))
            elif left.type == "subscript_expression":
                self.write(node, left, right, scope, place)
            if right.type != "assignment_expression":
                break
            expr = right
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")

    def write(self, stmt: Node, target: Node, value: Node, scope: int, place: Place) -> None:
        name, path = _subscript_path(target)
        if name is None or not path:
            return
        parent = stmt.parent
        in_list = parent is not None and parent.type in _LISTS
        found = _string(value)
        chained = value.type in _ASSIGNMENTS or stmt.named_children[0].child_by_field_name("left") != target
        effect = self.offsets.span(value) if in_list and not chained and effects(value) is not None else None
        write = Write(
            path,
            self.offsets.span(stmt),
            conditional=conditional(stmt),
            enclosure=self.enclosure(stmt) if in_list and not chained and effect is None else None,
            removable=in_list and not chained,
            why_not=("" if in_list else "the write is the body of a statement without braces")
            if not chained else "the write is part of a chained assignment",
            string_value=found[0] if found else None,
            effect_span=effect,
            value_span=self.offsets.span(value),
        )
        self.writes.append(PendingWrite(scope, name, place, write))


_BRANCHES = frozenset({"else_clause", "else_if_clause", "for_statement", "foreach_statement", "while_statement",
                       "do_statement", "case_statement", "default_statement", "catch_clause", "match_expression"})


def conditional(node: Node) -> bool:
    """`node` runs on some paths of its function only: an `if` branch, a loop, a `case`, a `catch`,
    the right of `&&` / `||` / `and` / `or` / `??`, a branch of `?:`."""
    current = node
    parent = node.parent
    while parent is not None and parent.type not in _SCOPES:
        kind = parent.type
        if kind == "if_statement" and current != parent.child_by_field_name("condition"):
            return True
        if kind in _BRANCHES:
            return True
        if kind == "conditional_expression" and current != parent.child_by_field_name("condition"):
            return True
        if kind == "binary_expression" and current == parent.child_by_field_name("right"):
            operator = parent.child_by_field_name("operator")
            if operator is not None and (operator.text or b"").decode().lower() in ("&&", "||", "and", "or", "??"):
                return True
        current, parent = parent, parent.parent
    return False


def is_expression(text: str) -> bool:
    """True when `text` is one PHP expression that can stand as an array value.

    For validating the configured session-id expression: it must parse as the whole right-hand
    side of one assignment, so `1; exit()` or a half expression is refused.
    """
    prefix = "<?php $drmigrate = "
    source = f"{prefix}{text}\n;"
    offsets = _Offsets(source)
    root = Parser(_LANGUAGE).parse(offsets.data).root_node
    statements = [n for n in root.named_children if n.type != "php_tag"]
    if root.has_error or len(statements) != 1 or statements[0].type != "expression_statement":
        return False
    assignment = statements[0].named_children[0]
    right = assignment.child_by_field_name("right")
    return (
        assignment.type == "assignment_expression"
        and right is not None
        and offsets(right.start_byte) == len(prefix)
        and source[offsets(right.end_byte):].strip() == ";"
    )


# String literals, and how a message names them: JavaScript printed by PHP sits in one of these.
_STRINGS = {"string": "string", "encapsed_string": "string", "heredoc": "heredoc", "nowdoc": "nowdoc"}


def embedded_calls(text: str) -> tuple[EmbeddedCall, ...]:
    """DigitalRiver.js calls in PHP strings, heredocs and nowdocs (`echo "<script>...";`,
    `$js = <<<JS ... JS;`, `wp_add_inline_script('x', '...')`): JavaScript that is text to PHP and
    no `<script>` block of the page, so it cannot be read, only pointed out.

    Read leniently: a string stays a string in a tree that has errors elsewhere, and a page that
    the PHP reader cannot read must still have its strings looked at (its scripts are read anyway).
    """
    from drmigrate.calls import calls_in

    offsets = _Offsets(text)
    root = Parser(_LANGUAGE).parse(offsets.data).root_node
    found: list[EmbeddedCall] = []
    stack = [root]
    while stack:
        node = stack.pop()
        holder = _STRINGS.get(node.type)
        if holder is None:
            stack.extend(node.children)
            continue
        start = offsets(node.start_byte)
        for at, name in calls_in(text[start:offsets(node.end_byte)]):
            found.append(EmbeddedCall((start + at, start + at + len(name)), name, holder))
    return tuple(sorted(found, key=lambda c: c.span))


class PhpFrontEnd:
    """PHP source (controllers, helpers, templates' PHP code) -> payload sites built as arrays."""

    name = "tree-sitter-php"

    def extract(self, text: str, settings: Settings) -> Extraction:
        root, offsets = _parse(text)
        collector = _Collector(text, offsets)
        collector.walk(root, root.id, ())
        sites = server_sites(collector.contexts, collector.bindings, collector.writes, collector.uses,
                             settings.dr_types, language="php", origin="php-array",
                             names=settings.payload_names)
        if settings.seeds:
            from drmigrate.frontends.php_seeds import seeded_sites

            seeded = seeded_sites(root, text, collector, settings)
            # a literal another file's call reaches is that call's payload (first: it wins the dedup)
            taken = {site.parts[0].span for site in seeded if site.parts}
            sites = tuple(seeded) + tuple(s for s in sites if not (s.parts and s.parts[0].span in taken))
        if any(p.key == "sessionId" for site in sites for part in site.parts for p in part.props) or \
                any(w.path == ("sessionId",) for site in sites for w in site.writes):
            from drmigrate.frontends.php_seeds import session_when

            sites = tuple(session_when(site, root, offsets) for site in sites)
        return Extraction(sites=sites, parser=self.name, comments=tuple(sorted(collector.comments)))

    def parses(self, text: str) -> bool:
        try:
            _parse(text)
        except ParseError:
            return False
        return True

    def verify(self, original: str, fixed: str, intents: Sequence[Intent],
               dropped: Sequence[Span] = ()) -> None:
        """`dropped`: page code removed by edits the page's guard checks (with the PHP tags inside
        it); the original is compared with those blanked out."""
        for start, end in dropped:
            original = original[:start] + re.sub(r"[^\r\n]", " ", original[start:end]) + original[end:]
        check(PhpGrammar(), original, fixed, intents)


class PhpGrammar:
    """Syntax views for the fix guard from tree-sitter-php. A page's HTML (`text` nodes, where
    its scripts are) is opaque here: the template guard checks it."""

    def _view(self, text: str) -> SyntaxView:
        from drmigrate.frontends.syntax import from_tree_sitter

        offsets = _Offsets(text)
        root = Parser(_LANGUAGE).parse(offsets.data).root_node
        if root.has_error:
            raise GuardError(f"the fixed text would not parse ({_error_line(text, root, offsets)})")
        comments = []
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "comment":
                span = offsets.span(node)
                comments.append((span, text[span[0]:span[1]]))
            stack.extend(node.children)
        tree = from_tree_sitter(root, text, offsets.data, opaque=frozenset({"text"}))
        for tnode, _ in tree.walk():  # `?> html <?php` pieces: flat, so removed tags leave no trace
            if any(c.kind == "text_interpolation" for c in tnode.children):
                tnode.children = [g for c in tnode.children
                                  for g in (c.children if c.kind == "text_interpolation" else [c])]
        return SyntaxView(tree, comments, merged=frozenset({"text"}))

    def views(self, original: str, fixed: str) -> tuple[SyntaxView, SyntaxView]:
        return self._view(original), self._view(fixed)

    def _array(self, source: str) -> TNode:
        tree = self._view(f"<?php {source};").tree
        return next(n for n, _ in tree.walk() if n.kind == "array_creation_expression")

    def entry(self, container: TNode, text: str) -> TNode:
        return next(c for c in self._array(f"[{text}]").children if c.kind == "array_element_initializer")

    def first_entry(self, container: TNode) -> int:
        return next((i for i, c in enumerate(container.children) if c.kind not in ("array", "(", "[")),
                    len(container.children))

    def statement(self, expression: TNode) -> TNode:
        expression.role = ""
        return TNode("expression_statement", (), expression.span, [expression])

    def expression(self, text: str) -> TNode:
        tree = self._view(f"<?php $drmigrate = ({text});").tree
        node = next(n for n, _ in tree.walk() if n.kind == "parenthesized_expression")
        return next(c for c in node.children if c.kind not in ("(", ")"))
