"""One file's module skeleton, read with tree-sitter's native parser: what it imports from where,
what it exports, the globals a script defines, and where an imported name is used.

It answers the project index's questions about files that the payload analysis has not read (it
never runs esprima): which files import a module, under which local names, and whether a use of an
imported name is a call. Templates give the text of their `<script>` blocks, tags masked.
Offsets are `str` indices of the file's text, as the analysis reports them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # tree-sitter loads when a skeleton is read, not when a kept one is used
    import tree_sitter

_ES_QUERY = """
(import_statement source: (string (string_fragment) @source)) @import
(export_statement) @export
(call_expression function: (identifier) @callee arguments: (arguments)) @call
(assignment_expression left: (member_expression) @left) @assign
"""


@dataclass(frozen=True)
class Import:
    """One binding a file gets from a module: `local` is the name in this file ("" for a side
    effect import), `imported` is `default`, `*` (the module's value) or the exported name."""

    local: str
    specifier: str
    imported: str
    kind: str  # esm, cjs, amd
    offset: int  # where the binding is declared


@dataclass(frozen=True)
class Skeleton:
    path: str
    kind: str  # module (import/export), amd (define), cjs (require / module.exports), script
    imports: tuple[Import, ...] = ()
    exports: tuple[str, ...] = ()  # exported names (`default` for a default, `*` for module.exports =)
    globals: tuple[str, ...] = ()  # what a script defines for the page: top-level functions, vars, window.x
    # `export {a as b} from './x'`: ("b", "./x", "a"); `export * from './x'`: ("*", "./x", "*")
    reexports: tuple[tuple[str, str, str], ...] = ()

    def specifiers(self) -> set[str]:
        return {i.specifier for i in self.imports}


def skeleton_to(skeleton: Skeleton) -> dict[str, Any]:
    """A skeleton as JSON (the project index keeps them between runs)."""
    return {"path": skeleton.path, "kind": skeleton.kind,
            "imports": [[i.local, i.specifier, i.imported, i.kind, i.offset] for i in skeleton.imports],
            "exports": list(skeleton.exports), "globals": list(skeleton.globals),
            "reexports": [list(r) for r in skeleton.reexports]}


def skeleton_from(data: dict[str, Any]) -> Skeleton:
    """The skeleton `skeleton_to` wrote; TypeError / ValueError on anything malformed."""
    def strings(values: object, size: int) -> tuple[str, ...]:
        if not isinstance(values, list) or len(values) != size or not all(isinstance(v, str) for v in values):
            raise ValueError("malformed")
        return tuple(values)

    imports = []
    for item in data["imports"]:
        if not isinstance(item, list) or len(item) != 5 or not isinstance(item[4], int):
            raise ValueError("malformed import")
        local, specifier, imported, kind = strings(item[:4], 4)
        imports.append(Import(local, specifier, imported, kind, item[4]))
    exports, globals_ = data["exports"], data["globals"]
    return Skeleton(str(data["path"]), str(data["kind"]), tuple(imports), strings(exports, len(exports)),
                    strings(globals_, len(globals_)),
                    tuple(strings(r, 3) for r in data["reexports"]))  # type: ignore[misc]


def dialect_of(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".ts", ".mts", ".cts"):
        return "typescript"
    if suffix == ".tsx":
        return "tsx"
    return "javascript"


@cache
def _query(dialect: str) -> tree_sitter.Query:
    import tree_sitter

    from drmigrate.frontends.treesitter_js import _language

    return tree_sitter.Query(_language(dialect), _ES_QUERY)


def read_skeleton(path: str, text: str, dialect: str | None = None) -> Skeleton:
    """The skeleton of `text` (JavaScript or TypeScript; a template's masked scripts)."""
    dialect = dialect or dialect_of(path)
    import tree_sitter

    from drmigrate.frontends.treesitter_js import offset_index, parse_tree

    tree, data = parse_tree(text, dialect)
    index = offset_index(text, data)

    def src(node: tree_sitter.Node) -> str:
        return data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    imports: list[Import] = []
    exports: list[str] = []
    globals_: list[str] = []
    reexports: list[tuple[str, str, str]] = []
    kind = "script"
    captures = tree_sitter.QueryCursor(_query(dialect)).captures(tree.root_node)
    for node in captures.get("import", []):
        source = node.child_by_field_name("source")
        specifier = _string(src, source)
        if specifier is None:
            continue
        kind = "module"
        imports.extend(_es_imports(src, node, specifier, index))
    for node in captures.get("export", []):
        kind = "module"
        exports.extend(_es_exports(src, node))
        source = node.child_by_field_name("source")
        specifier = _string(src, source)
        if specifier is not None:  # `export {a} from './x'`, `export * from './x'`
            imports.append(Import("", specifier, "*", "esm", index(node.start_byte)))
            reexports.extend(_reexports(node, specifier))
    for node in captures.get("call", []):
        callee = node.child_by_field_name("function")
        name = src(callee) if callee is not None else ""
        if name == "require":
            found = _require(src, node, index)
            if found is not None:
                imports.extend(found)
                if kind == "script":
                    kind = "cjs"
            else:
                amd = _amd(src, node, index, "require")
                imports.extend(amd)
        elif name == "define":
            amd = _amd(src, node, index, "define")
            if amd or _amd_object(node):
                kind = "amd" if kind in ("script", "cjs") else kind
                imports.extend(amd)
    for node in captures.get("left", []):
        chain = src(node)
        if chain == "module.exports" or chain.startswith(("module.exports.", "exports.")):
            if kind == "script":
                kind = "cjs"
            exports.append("*" if chain == "module.exports" else chain.split(".")[-1])
        elif chain.startswith("window.") and chain.count(".") == 1:
            globals_.append(chain.split(".", 1)[1])
    if kind == "script":
        globals_.extend(_top_level_names(src, tree.root_node))
    return Skeleton(path, kind, tuple(imports), tuple(dict.fromkeys(exports)), tuple(dict.fromkeys(globals_)),
                    tuple(reexports))


def _reexports(node: tree_sitter.Node, specifier: str) -> Iterator[tuple[str, str, str]]:
    clause = next((c for c in node.named_children if c.type == "export_clause"), None)
    if clause is None:
        namespace = next((c for c in node.named_children if c.type == "namespace_export"), None)
        if namespace is not None:  # `export * as api from './x'`
            name = next((c for c in namespace.named_children if c.type in ("identifier", "string")), None)
            if name is not None:
                yield _text(name).strip("'\""), specifier, "*"
            return
        yield "*", specifier, "*"
        return
    for spec in clause.named_children:
        if spec.type == "export_specifier":
            name = spec.child_by_field_name("name")
            alias = spec.child_by_field_name("alias") or name
            if name is not None and alias is not None:
                yield _text(alias), specifier, _text(name)


def _string(src: object, node: tree_sitter.Node | None) -> str | None:
    if node is None:
        return None
    if node.type == "string_fragment":
        return node.text.decode("utf-8", "replace") if node.text is not None else None
    if node.type == "string":
        inner = [c for c in node.named_children if c.type == "string_fragment"]
        if len(inner) == 1 and inner[0].text is not None:
            return inner[0].text.decode("utf-8", "replace")
        if not node.named_children:
            return ""
    return None


def _es_imports(src: object, node: tree_sitter.Node, specifier: str, index: object) -> Iterator[Import]:
    at = index(node.start_byte)  # type: ignore[operator]
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is None:
        yield Import("", specifier, "*", "esm", at)
        return
    for part in clause.named_children:
        if part.type == "identifier":
            yield Import(_text(part), specifier, "default", "esm", at)
        elif part.type == "namespace_import":
            name = next((c for c in part.named_children if c.type == "identifier"), None)
            if name is not None:
                yield Import(_text(name), specifier, "*", "esm", at)
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias")
                if name is not None:
                    yield Import(_text(alias or name), specifier, _text(name), "esm", at)


def _es_exports(src: object, node: tree_sitter.Node) -> Iterator[str]:
    if any(c.type == "default" for c in node.children):
        yield "default"
        return
    declaration = node.child_by_field_name("declaration")
    if declaration is not None:
        if declaration.type in ("function_declaration", "generator_function_declaration", "class_declaration",
                                "abstract_class_declaration"):
            name = declaration.child_by_field_name("name")
            if name is not None:
                yield _text(name)
        elif declaration.type in ("lexical_declaration", "variable_declaration"):
            for declarator in declaration.named_children:
                name = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if name is not None and name.type == "identifier":
                    yield _text(name)
        return
    for clause in node.named_children:
        if clause.type == "export_clause":
            for spec in clause.named_children:
                if spec.type == "export_specifier":
                    alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if alias is not None:
                        yield _text(alias)


def _require(src: object, call: tree_sitter.Node, index: object) -> list[Import] | None:
    """`var x = require('m')`, `var {a, b: c} = require('m')`, `require('m').a`, `require('m')`."""
    args = call.child_by_field_name("arguments")
    strings = [c for c in args.named_children] if args is not None else []
    if len(strings) != 1 or strings[0].type != "string":
        return None
    specifier = _string(src, strings[0])
    if specifier is None:
        return None
    at = index(call.start_byte)  # type: ignore[operator]
    parent = call.parent
    member = ""
    holder = parent
    if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == call:
        prop = parent.child_by_field_name("property")
        member = _text(prop) if prop is not None else ""
        holder = parent.parent
    if holder is not None and holder.type == "variable_declarator":
        name = holder.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return [Import(_text(name), specifier, member or "*", "cjs", at)]
        if name is not None and name.type == "object_pattern" and not member:
            found = []
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    found.append(Import(_text(prop), specifier, _text(prop), "cjs", at))
                elif prop.type == "pair_pattern":
                    key = prop.child_by_field_name("key")
                    value = prop.child_by_field_name("value")
                    if key is not None and value is not None and value.type == "identifier":
                        found.append(Import(_text(value), specifier, _text(key), "cjs", at))
            return found
    return [Import("", specifier, member or "*", "cjs", at)]


def _amd(src: object, call: tree_sitter.Node, index: object, verb: str) -> list[Import]:
    """`define(['a', 'b'], function (a, b) {...})`: each dependency bound to a parameter."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    named = list(args.named_children)
    deps = next((a for a in named if a.type == "array"), None)
    if deps is None:
        return []
    factory = named[-1] if named and named[-1].type in ("function_expression", "function", "arrow_function") else None
    params: list[str] = []
    if factory is not None:
        formal = factory.child_by_field_name("parameters")
        for param in formal.named_children if formal is not None else ():
            params.append(_text(param) if param.type == "identifier" else "")
    at = index(call.start_byte)  # type: ignore[operator]
    found = []
    for position, element in enumerate(deps.named_children):
        specifier = _string(src, element) if element.type == "string" else None
        if specifier is None:
            continue
        local = params[position] if position < len(params) else ""
        found.append(Import(local, specifier, "*", "amd", at))
    return found


def _amd_object(call: tree_sitter.Node) -> bool:
    args = call.child_by_field_name("arguments")
    return args is not None and any(c.type in ("object", "function_expression", "function") for c in args.named_children)


def _top_level_names(src: object, root: tree_sitter.Node) -> Iterator[str]:
    for stmt in root.named_children:
        if stmt.type == "function_declaration":
            name = stmt.child_by_field_name("name")
            if name is not None:
                yield _text(name)
        elif stmt.type == "variable_declaration":
            for declarator in stmt.named_children:
                name = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if name is not None and name.type == "identifier":
                    yield _text(name)


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def uses(text: str, name: str, dialect: str) -> list[tuple[int, str, bool, bool]]:
    """Where the identifier `name` is used in `text`: (offset, the member read right after it
    or "", whether that is called, whether it is constructed with `new`). Found by text,
    confirmed as identifiers by tree-sitter."""
    if not name or name not in text:
        return []
    from drmigrate.frontends.treesitter_js import offset_index, parse_tree

    tree, data = parse_tree(text, dialect)
    index = offset_index(text, data)
    needle = name.encode("utf-8")
    found: list[tuple[int, str, bool, bool]] = []
    start = data.find(needle)
    while start >= 0:
        end = start + len(needle)
        node = tree.root_node.descendant_for_byte_range(start, end)
        if node is not None and node.type in ("identifier", "shorthand_property_identifier") \
                and node.start_byte == start and node.end_byte == end:
            parent = node.parent
            member = ""
            called = False
            current = node
            if parent is not None and parent.type == "member_expression" \
                    and parent.child_by_field_name("object") == node:
                prop = parent.child_by_field_name("property")
                member = _text(prop) if prop is not None else ""
                current = parent
            grand = current.parent
            called = grand is not None and grand.type == "call_expression" \
                and grand.child_by_field_name("function") == current
            newed = parent is not None and parent.type == "new_expression" \
                and parent.child_by_field_name("constructor") == node
            declared = parent is not None and (
                parent.type in ("import_specifier", "namespace_import", "import_clause", "formal_parameters",
                                "object_pattern", "pair_pattern")
                or (parent.type == "variable_declarator" and parent.child_by_field_name("name") == node))
            if not declared:  # the binding itself is not a use of it
                found.append((index(start), member, called, newed))
        start = data.find(needle, end)
    return found
