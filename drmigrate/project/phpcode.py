"""PHP declarations across the project: which file declares a class, a method, a function; read
with tree-sitter-php, only in the files whose text names them.

Server links end in PHP code: a controller's `execute()`, a WordPress hook's callback, a helper
class injected into a controller. PHP names are case-insensitive; a class is found by its short
name and, when several files declare one, by its namespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node, Parser

from drmigrate.project.handlers import Handler, memo, scan
from drmigrate.project.index import ProjectIndex

PHP_SUFFIXES = (".php", ".phtml", ".inc")


def tree(index: ProjectIndex, rel: str) -> tuple[Node, bytes] | None:
    """The file's tree-sitter-php tree (read leniently: an error elsewhere keeps the rest)."""
    def build() -> tuple[Node, bytes] | None:
        from drmigrate.frontends.php import _LANGUAGE

        text = index.read(rel)
        if text is None:
            return None
        data = text.encode("utf-8", "surrogatepass")
        return Parser(_LANGUAGE).parse(data).root_node, data

    return memo(index, f"php-tree:{rel}", build)


def text_of(node: Node, data: bytes) -> str:
    return data[node.start_byte:node.end_byte].decode("utf-8", "replace")


def string_of(node: Node | None) -> str | None:
    """The value of a plain PHP string literal (no interpolation), else None."""
    if node is None:
        return None
    from drmigrate.frontends.php import _string

    found = _string(node)
    return found[0] if found is not None else None


def walk(node: Node, *, into_functions: bool = True) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not into_functions and current is not node and current.type in (
                "function_definition", "method_declaration", "anonymous_function", "arrow_function"):
            continue
        stack.extend(reversed(current.children))


def arguments(call: Node) -> list[Node]:
    """The argument expressions of a call (spread and named arguments included as written)."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a.named_children[-1] for a in args.named_children if a.type == "argument" and a.named_children]


def call_name(call: Node, data: bytes) -> str:
    if call.type == "function_call_expression":
        func = call.child_by_field_name("function")
        return text_of(func, data).rsplit("\\", 1)[-1] if func is not None else ""
    if call.type in ("member_call_expression", "nullsafe_member_call_expression", "scoped_call_expression"):
        name = call.child_by_field_name("name")
        return text_of(name, data) if name is not None else ""
    return ""


def enclosing_class(node: Node, data: bytes) -> str | None:
    current = node.parent
    while current is not None:
        if current.type in ("class_declaration", "trait_declaration"):
            name = current.child_by_field_name("name")
            return text_of(name, data) if name is not None else None
        current = current.parent
    return None


def namespace_of(root: Node, data: bytes) -> str:
    for node in root.named_children:
        if node.type == "namespace_definition":
            name = node.child_by_field_name("name")
            return text_of(name, data) if name is not None else ""
    return ""


def nodes_in(index: ProjectIndex, needle: str, kinds: tuple[str, ...]) -> Iterator[tuple[str, Node, bytes]]:
    """(file, node, file bytes) for the nodes of `kinds` in the PHP files whose text holds `needle`."""
    for rel in sorted(index.files.files):
        if not rel.lower().endswith(PHP_SUFFIXES) or scan(index, rel, lambda t: needle in t) is None:
            continue
        parsed = tree(index, rel)
        if parsed is None:
            continue
        root, data = parsed
        for node in walk(root):
            if node.type in kinds:
                yield rel, node, data


def _files_naming(index: ProjectIndex, pattern: str) -> list[str]:
    compiled = re.compile(pattern, re.IGNORECASE)
    out = []
    for rel in sorted(index.files.files):
        if rel.lower().endswith(PHP_SUFFIXES) and scan(index, rel, lambda t: compiled.search(t) is not None):
            out.append(rel)
    return out


def find_method(index: ProjectIndex, qualified: str, method: str,
                kind: tuple[str, str] = ("response", "php-method"), prefer: str = "") -> Handler | str:
    """The method `method` of the class `qualified` (`Foo`, `Vendor\\Module\\Helper\\Data`), as a
    handler with target (*kind, class, method); else why not (a sentence naming candidates)."""
    qualified = qualified.lstrip("\\")
    namespace, _, short = qualified.rpartition("\\")
    found: list[tuple[str, Node, Node, bytes]] = []
    for rel in _files_naming(index, rf"\b(?:class|trait)\s+{re.escape(short)}\b"):
        parsed = tree(index, rel)
        if parsed is None:
            continue
        root, data = parsed
        if namespace and namespace_of(root, data).lower() != namespace.lower():
            continue
        for node in walk(root):
            if node.type in ("class_declaration", "trait_declaration"):
                name = node.child_by_field_name("name")
                if name is not None and text_of(name, data).lower() == short.lower():
                    found.append((rel, node, name, data))
    if not found:
        return f"the class `{qualified}` is not declared in this project"
    if len(found) > 1:
        preferred = [f for f in found if f[0] == prefer]
        if len(preferred) != 1:
            where = ", ".join(f"{index.display(rel)}:{name.start_point[0] + 1}" for rel, _, name, _ in found[:4])
            return f"the class `{qualified}` is declared in several files ({where})"
        found = preferred
    rel, cls, name, data = found[0]
    declared = text_of(name, data)
    for node in walk(cls):
        if node.type == "method_declaration":
            mname = node.child_by_field_name("name")
            if mname is not None and text_of(mname, data).lower() == method.lower():
                return Handler(rel, node.start_point[0] + 1, (*kind, declared, text_of(mname, data)),
                               f"`{declared}::{text_of(mname, data)}`")
    return (f"the class `{declared}` ({index.display(rel)}:{name.start_point[0] + 1}) has no method "
            f"`{method}` of its own (it may inherit it)")


def find_function(index: ProjectIndex, name: str,
                  kind: tuple[str, str] = ("response", "php-function")) -> Handler | str:
    """The function `name` (not a method) declared in the project, as a handler; else why not."""
    found: list[Handler] = []
    for rel in _files_naming(index, rf"\bfunction\s+&?\s*{re.escape(name)}\s*\("):
        parsed = tree(index, rel)
        if parsed is None:
            continue
        root, data = parsed
        for node in walk(root):
            if node.type == "function_definition":
                fname = node.child_by_field_name("name")
                if fname is not None and text_of(fname, data).lower() == name.lower():
                    found.append(Handler(rel, node.start_point[0] + 1, (*kind, text_of(fname, data)),
                                         f"`{text_of(fname, data)}()`"))
    if not found:
        return f"the function `{name}` is not declared in this project"
    if len(found) > 1:
        where = ", ".join(f"{index.display(h.rel)}:{h.line}" for h in found[:4])
        return f"the function `{name}` is declared in several places ({where})"
    return found[0]

