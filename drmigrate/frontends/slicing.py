"""Parse what matters: a script's top-level statements that cannot touch a DigitalRiver.js call,
blanked before esprima reads it.

esprima is pure Python and reads about 0.4 MB/s; most of a large checkout script is code that has
nothing to do with the payload. tree-sitter (native) finds the top-level statements; a statement
is kept when it holds one of the calls (or `DigitalRiver`, or a session id), and then every
statement that shares a name with a kept one, until nothing new is kept — names as words of the
text, strings and comments included, so the slice errs on keeping. The neighbours of every kept
statement are kept too (`padding`): the statement before and after an edit decide whether a `;`
must guard it, and must be the real ones. Blanked statements become spaces (newlines stay), so
every offset, line and column of the slice is the file's; a blank between two kept statements that
automatic semicolon insertion could join starts with a `;`.

Never sliced: a file with `eval` or `with` (names the slice cannot follow), one tree-sitter reads
with errors, a small one, one where most would be kept anyway, and every file the project hands
seeds to (its exports and callers matter). `DRMIGRATE_SLICE=off` reads every file whole;
`DRMIGRATE_SLICE=verify` reads each file both ways and fails when they disagree (the tests run it
over every fixture).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from drmigrate.calls import CALL_NAMES

MIN_SIZE = 3_000  # characters: below this, esprima's time is not worth a slice
MAX_KEPT = 0.7  # a slice that keeps more than this share of the text is not worth it
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_UNSLICEABLE = re.compile(r"(?<![\w$.])(?:eval|with|arguments)(?![\w$])")
_TRIGGERS = frozenset({*CALL_NAMES, "DigitalRiver", "sessionId", "paymentSessionId"})
# words every statement has: sharing one says nothing about the payload
_COMMON = frozenset({
    "var", "let", "const", "function", "return", "if", "else", "for", "while", "do", "switch", "case",
    "break", "continue", "new", "this", "typeof", "instanceof", "in", "of", "try", "catch", "finally",
    "throw", "delete", "void", "true", "false", "null", "undefined", "class", "extends", "super",
    "async", "await", "yield", "static", "get", "set", "default", "window", "document", "console",
    "log", "error", "warn", "length", "prototype", "call", "apply", "bind", "then", "push",
    "use", "strict", "e", "i", "x", "el",
})
_RISKY = "([`+-/"


def mode() -> str:
    """`DRMIGRATE_SLICE`: on (the default), off, or verify."""
    value = os.environ.get("DRMIGRATE_SLICE", "on").strip().lower()
    return value if value in ("on", "off", "verify") else "on"


@dataclass(frozen=True)
class Slice:
    text: str  # the file's text with the blanked statements as spaces
    blanks: tuple[tuple[int, int], ...]  # the blanked ranges (`str` offsets)
    module: bool  # the file parses as an ES module (its import / export may be blanked)
    kind: str  # the file's module system: module, amd, cjs, script (its markers may be blanked)
    # where each of the file's top-level statements starts: a kept statement's place in the file's
    # statement list (removals side by side form one run only when they are neighbours in the file)
    starts: tuple[int, ...] = ()


def plan(text: str, module: bool) -> Slice | None:
    """The slice of `text` (a script or module esprima reads as `module`), or None: read it whole."""
    smallest = int(os.environ.get("DRMIGRATE_SLICE_MIN", MIN_SIZE))  # the tests slice small files too
    if len(text) < smallest or _UNSLICEABLE.search(text) is not None:
        return None
    found = _statements(text)
    if found is None or len(found) < 3:
        return None
    statements = [(start, end) for start, end, _, _ in found]
    statements_starts = [start for start, _ in statements]
    defined = [names for _, _, names, _ in found]
    words = [_words(text[s:e]) for s, e in statements]
    keep = [bool(w & _TRIGGERS) or _directive(text[s:e]) for w, (s, e) in zip(words, statements, strict=True)]
    if not any(keep):
        return None
    # definition and use: a statement joins when it defines a name the kept ones use (`var p =`,
    # `p.amount = ...`, `function build`), or uses a name they define (a caller, an export)
    uses: set[str] = set()
    defs: set[str] = set()
    for kept, used, made in zip(keep, words, defined, strict=True):
        if kept:
            uses |= used
            defs |= made
    grown = True
    while grown:
        grown = False
        for i, (used, made) in enumerate(zip(words, defined, strict=True)):
            if not keep[i] and (made & uses or used & defs):
                keep[i] = True
                uses |= used
                defs |= made
                grown = True
    padded = _padded(text, found, keep)
    kept_size = sum(e - s for (s, e), k in zip(statements, padded, strict=True) if k)
    if kept_size > MAX_KEPT * len(text):
        return None
    out = list(text)
    blanks: list[tuple[int, int]] = []
    opened = [open_ for _, _, _, open_ in _shapes(text, found)]
    i = 0
    while i < len(statements):
        if padded[i]:
            i += 1
            continue
        first = i
        start = statements[i][0]
        while i < len(statements) and not padded[i]:
            i += 1
        end = statements[i - 1][1]
        for k in range(start, end):
            if out[k] not in "\r\n":
                out[k] = " "
        if first > 0 and i < len(statements) and opened[first - 1] and text[statements[i][0]] in _RISKY:
            out[start] = ";"  # the two kept statements around the blank must not run together
        blanks.append((start, end))
    from drmigrate.project.skeleton import read_skeleton

    return Slice("".join(out), tuple(blanks), module, read_skeleton("x.js", text).kind, tuple(statements_starts))


def _statements(text: str) -> list[tuple[int, int, set[str], bool]] | None:
    """(start, end, names it defines at the top level, ends open) of each top-level statement."""
    from drmigrate.frontends.treesitter_js import first_error, offset_index, parse_tree

    tree, data = parse_tree(text, "javascript")
    root = tree.root_node
    if first_error(root) is not None:
        return None
    index = offset_index(text, data)
    return [(index(n.start_byte), index(n.end_byte), _defines(n), _ends_open(n)) for n in root.named_children
            if n.type != "comment"]


_CLOSED = frozenset({"function_declaration", "generator_function_declaration", "class_declaration",
                     "statement_block", "try_statement", "switch_statement", "empty_statement"})


def _ends_open(node: Any) -> bool:
    """The statement does not end with its own `;` or `}` (what follows may continue it), as the
    analysis judges it (`jsanalysis.ends_open`)."""
    while node.type in ("if_statement", "for_statement", "for_in_statement", "while_statement", "labeled_statement",
                        "export_statement"):
        inner = node.child_by_field_name("alternative") or node.child_by_field_name("body") \
            or node.child_by_field_name("declaration")
        if inner is None:
            break
        node = inner.named_children[-1] if inner.type == "else_clause" and inner.named_children else inner
    if node.type in _CLOSED:
        return False
    text = node.text.decode("utf-8", "replace").rstrip() if node.text is not None else ""
    return not text.endswith(";")


_GLOBAL_OBJECTS = frozenset({"window", "self", "globalThis", "module", "exports"})


def _defines(node: Any) -> set[str]:
    """The names a top-level statement binds or writes: declared functions, classes, variables,
    imports, and the root of an assignment's target (`p.amount = ...` writes `p`; `window.x = ...`
    and `module.exports.x = ...` write `x`)."""
    kind = node.type
    if kind == "export_statement":
        inner = node.child_by_field_name("declaration")
        return _defines(inner) if inner is not None else set()
    if kind in ("function_declaration", "generator_function_declaration", "class_declaration"):
        name = node.child_by_field_name("name")
        return {_text(name)} if name is not None else set()
    if kind in ("lexical_declaration", "variable_declaration"):
        found: set[str] = set()
        for declarator in node.named_children:
            target = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
            if target is not None:
                found |= {_text(n) for n in _identifiers(target)}
        return found
    if kind == "import_statement":
        return {_text(n) for n in _identifiers(node) if n.parent is not None and n.parent.type != "string"}
    if kind == "expression_statement":
        found = set()
        for expression in node.named_children:
            while expression is not None and expression.type in ("assignment_expression",
                                                                 "augmented_assignment_expression"):
                left = expression.child_by_field_name("left")
                chain = [left] if left is not None else []
                while chain and chain[-1].type in ("member_expression", "subscript_expression"):
                    chain.append(chain[-1].child_by_field_name("object"))
                root = chain[-1] if chain else None
                if root is not None and root.type == "identifier":
                    name = _text(root)
                    if name in _GLOBAL_OBJECTS and len(chain) > 1:
                        prop = chain[-2].child_by_field_name("property")
                        found.add(_text(prop) if prop is not None else name)
                    else:
                        found.add(name)
                expression = expression.child_by_field_name("right")
        return found
    return set()


def _identifiers(node: Any) -> list[Any]:
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(current)
        stack.extend(current.named_children)
    return out


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def _shapes(text: str, found: list[tuple[int, int, set[str], Any]]) -> list[tuple[int, int, bool, bool]]:
    """(start, end, starts with a character that continues the statement before, ends open)."""
    return [(s, e, text[s] in _RISKY, open_) for s, e, _, open_ in found]


def _padded(text: str, found: list[tuple[int, int, set[str], Any]], keep: list[bool]) -> list[bool]:
    """`keep` with the neighbours a kept statement's edits depend on: whether the statement before
    it ends open and whether the one after it starts with `(`, `[`, a template... decide how a
    removal guards against automatic semicolon insertion, so the slice must show the same as the
    file (a blanked neighbour is kept unless the next kept statement looks the same); and no `;`
    standing in for a blank may touch a statement that may be edited."""
    shapes = _shapes(text, found)
    padded = list(keep)
    count = len(found)
    changed = True
    while changed:
        changed = False
        for i in range(count):
            if not keep[i]:
                continue
            if i > 0 and not padded[i - 1]:
                k = next((j for j in range(i - 2, -1, -1) if padded[j]), None)
                if shapes[i - 1][3] != (k is not None and shapes[k][3]):
                    padded[i - 1] = changed = True
            if i + 1 < count and not padded[i + 1]:
                k = next((j for j in range(i + 2, count) if padded[j]), None)
                if shapes[i + 1][2] != (k is not None and shapes[k][2]):
                    padded[i + 1] = changed = True
        i = 0
        while i < count:
            if padded[i]:
                i += 1
                continue
            first = i
            while i < count and not padded[i]:
                i += 1
            if first > 0 and i < count and shapes[first - 1][3] and shapes[i][2] and (keep[first - 1] or keep[i]):
                padded[first if keep[first - 1] else i - 1] = changed = True
    return padded


def _words(code: str) -> set[str]:
    return set(_WORD.findall(code)) - _COMMON


def _directive(code: str) -> bool:
    return code.lstrip()[:1] in "'\"" and code.rstrip().rstrip(";").rstrip()[-1:] in "'\""


def remap(plan: Slice, original: str, fixed: str) -> str | None:
    """The fixed text with the original's blanked statements blanked too: the fixes edit only kept
    statements, so each blanked range is found, unchanged and in order, in the fixed text. None
    when one is not (the guard then reads both texts whole)."""
    out = list(fixed)
    at = 0
    for start, end in plan.blanks:
        piece = original[start:end]
        found = fixed.find(piece, at)
        if found < 0:
            return None
        for k in range(found, found + len(piece)):
            if out[k] not in "\r\n":
                out[k] = " "
        if plan.text[start] == ";":
            out[found] = ";"
        at = found + len(piece)
    return "".join(out)
