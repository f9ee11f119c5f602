"""The tree-sitter converter: esprima's AST on what both read, sane ESTree on what only it reads."""

from __future__ import annotations

import re
from typing import Any

import esprima
import pytest

from drmigrate.frontends import ParseError, Settings
from drmigrate.frontends.javascript import front_end_for
from drmigrate.frontends.treesitter_js import Node, TreeSitterFrontEnd, cook, number_value, parse
from drmigrate.runner import make_config

# Fields esprima sets that the converter leaves out on purpose.
IGNORED = {"each"}


def as_dict(value: Any) -> Any:
    """A comparable form of an esprima or converted tree (None-valued fields dropped)."""
    if isinstance(value, list):
        return [as_dict(v) for v in value]
    if isinstance(value, re.Pattern):
        return "<regex>"
    if hasattr(value, "__dict__"):
        return {k: as_dict(v) for k, v in vars(value).items() if v is not None and k not in IGNORED}
    return value


def esprima_tree(text: str) -> Any:
    try:
        return esprima.parseScript(text, {"range": True})
    except esprima.Error:
        return esprima.parseModule(text, {"range": True})


ES2017 = [
    pytest.param('"use strict";\nvar a = 1, b;', id="directive-var"),
    pytest.param(
        "digitalriver.createSource({type: \"payPal\", amount: 10.5, currency: 'USD', "
        "payPal: {items: [{name: 'x', quantity: 1}], shipping: null}});",
        id="payload-inline",
    ),
    pytest.param(
        "var p = {type: 'payPal'};\nif (x) { p.amount = total } else p['currency'] = c\n"
        "dr.createSource(card, p).then(function (r) { return r.source; });",
        id="writes-and-asi",
    ),
    pytest.param(
        "const o = {s, [k]: 1, 'q': 2, 3: 4, m() {}, get g() { return 1 }, set g(v) {}, "
        "async h(a = 1, ...r) {}};",
        id="object-forms",
    ),
    pytest.param("let t = `a${b}c${d}\\n`; tag`x${y}`;", id="templates"),
    pytest.param(
        "class A extends B { constructor() { super(); } static s() {} get [q]() {} }\n"
        "x = class {};",
        id="classes",
    ),
    pytest.param(
        "for (let i = 0; i < 1; i++) {} for (var j = 0;;) ; for (k in o) {} "
        "for (const [a, {b = 2}] of y) {} while (x) y(); do { z() } while (w)",
        id="loops",
    ),
    pytest.param(
        "try { a() } catch (e) { b() } finally { c() }\n"
        "switch (v) { case 1: f(); break; default: g() }\nlabel: for (;;) { continue label }",
        id="control",
    ),
    pytest.param(
        "f(...args, a ? b : c, new N, new N(1), a[0]++, --b, !a, typeof b, delete c.d, "
        "void 0, a && b || c, x = y += 2, (1, 2), 0x1F, 1e3, 017, .5, /re/gi, null, true);",
        id="expressions",
    ),
    pytest.param(
        "async function f() { await g(); }\nfunction* h() { yield 1; yield* k; }\n"
        "const a = async (x) => x, b = y => { return y };",
        id="functions",
    ),
    pytest.param(
        "import a, {b as c, d} from 'm';\nimport * as ns from 'n';\n"
        "export const e = 1;\nexport {a as f};\nexport default function () {}\nexport * from 'o';",
        id="modules",
    ),
    pytest.param(
        "var s = 'caf\\u00e9 \u00e9\U0001f600'; dr.createSource({type: 'x'});", id="non-ascii"
    ),
    pytest.param("var a = 1;\r\n// c\r\nif (a) b()\r\n", id="crlf"),
    pytest.param("x = 1 // trailing comment\n{ y = 2 }\nif (a) z() /* c */\n", id="asi"),
    pytest.param("function f() { if (a) p.amount = 1 }\nx = 2", id="asi-before-brace-and-end"),
    pytest.param("var a = [, 1, , 2,];", id="array-holes"),
]


@pytest.mark.parametrize("text", ES2017)
def test_converter_matches_esprima(text: str) -> None:
    program, _ = parse(text, "javascript")
    assert as_dict(program) == as_dict(esprima_tree(text))


def test_comments_match_esprima() -> None:
    text = "// one\nvar a = /* two */ 1; /** three\n */\n"
    _, comments = parse(text, "javascript")
    expected = esprima.parseScript(text, {"range": True, "comment": True}).comments
    assert [(c.type, c.value, c.range) for c in comments] == [
        (c.type, c.value, c.range) for c in expected
    ]


def find(node: Any, type_: str) -> list[Node]:
    """Every node of a type, in document order."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, Node):
            if current.type == type_:
                out.append(current)
            stack.extend(reversed([v for k, v in vars(current).items() if k != "range"]))
    return sorted(out, key=lambda n: n.range)


def text_of(text: str, node: Node) -> str:
    return text[node.range[0] : node.range[1]]


@pytest.mark.parametrize(
    ("dialect", "text", "type_", "expected"),
    [
        pytest.param(
            "typescript",
            "const p = {type: 'payPal'} as const;",
            "VariableDeclarator",
            "p = {type: 'payPal'} as const",
            id="as-const-declarator",
        ),
        pytest.param(
            "typescript",
            "f(x! , <any>y, z satisfies T);",
            "Identifier",
            "f x y z",
            id="type-wrappers-dropped",
        ),
        pytest.param(
            "typescript",
            "dr.createSource<Src>({type: 'x'});",
            "CallExpression",
            "dr.createSource<Src>({type: 'x'})",
            id="call-type-arguments",
        ),
        pytest.param(
            "typescript",
            "interface A { amount: number }\ndeclare const d: A;\nlet q;",
            "VariableDeclaration",
            "let q;",
            id="interfaces-declare-dropped",
        ),
        pytest.param(
            "typescript",
            "function f(this: W, a: string, b?: number, c = 1) {}",
            "Identifier",
            "f a b c",
            id="parameters",
        ),
        pytest.param(
            "javascript",
            "a?.b?.[c]?.(d);",
            "MemberExpression",
            "a?.b a?.b?.[c]",
            id="optional-chain",
        ),
        pytest.param(
            "javascript",
            "class K { #p = 1; static f = {type: 'x'}; static { g() } }",
            "PropertyDefinition",
            "#p = 1 static f = {type: 'x'}",
            id="class-fields",
        ),
        pytest.param(
            "tsx",
            "const e = <Pay onClick={() => dr.createSource(p)} />;",
            "CallExpression",
            "dr.createSource(p)",
            id="jsx-walked",
        ),
    ],
)
def test_es2018_and_typescript_shapes(dialect: str, text: str, type_: str, expected: str) -> None:
    program, _ = parse(text, dialect)
    assert " ".join(text_of(text, n) for n in find(program, type_)) == expected


def test_optional_and_nullish_flags() -> None:
    program, _ = parse("x = a?.b ?? c?.(d); y ||= 1;", "javascript")
    member = find(program, "MemberExpression")[0]
    call = find(program, "CallExpression")[0]
    logical = find(program, "LogicalExpression")[0]
    assigns = find(program, "AssignmentExpression")
    assert member.optional and call.optional and logical.operator == "??"
    assert [a.operator for a in assigns] == ["=", "||="]


def test_unknown_nodes_keep_their_children() -> None:
    text = "enum E { A = 1 }\nnamespace N { dr.createSource({type: 'payPal'}) }"
    program, _ = parse(text, "typescript")
    assert {"enum_declaration", "internal_module"} <= {n.tsType for n in find(program, "Unknown")}
    assert len(find(program, "CallExpression")) == 1


def test_non_ascii_offsets_are_str_indices() -> None:
    text = "// caf\u00e9 \U0001f600\nconst p = {type: 'payPal', note: '\u00e9'} as const;"
    program, comments = parse(text, "typescript")
    obj = find(program, "ObjectExpression")[0]
    assert text_of(text, obj) == "{type: 'payPal', note: '\u00e9'}"
    assert text_of(text, comments[0]) == "// caf\u00e9 \U0001f600"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1_000", 1000),
        ("0x1F", 31),
        ("0b101", 5),
        ("0o17", 15),
        ("017", 15),
        ("019", 19),
        ("1.5e2", 150.0),
        ("10n", 10),
    ],
)
def test_number_values(raw: str, value: float) -> None:
    assert number_value(raw) == value


def test_cook() -> None:
    assert (
        cook(
            r"a\n\x41\u0042\u{1F600}\'\
b"
        )
        == "a\nAB\U0001f600'b"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("let x = ;", id="missing-expression"),
        pytest.param("dr.createSource({type: 'payPal'", id="unclosed"),
    ],
)
def test_parse_errors_are_one_line(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text, "typescript")
    assert "\n" not in str(info.value) and str(info.value).startswith("line 1, column ")
    assert not TreeSitterFrontEnd("typescript").parses(text)


PAYLOAD = "digitalriver.createSource({type: 'payPal', amount: 1, currency: 'USD'});\n"
SETTINGS = make_config().settings


@pytest.mark.parametrize(
    ("path", "text", "parser"),
    [
        pytest.param("a.js", PAYLOAD, "esprima", id="js-esprima"),
        pytest.param("a.js", "const o = x ?? {};\n" + PAYLOAD, "tree-sitter", id="js-fallback"),
        pytest.param("a.mjs", "import a from 'b';\n" + PAYLOAD, "esprima", id="module"),
        pytest.param("a.ts", PAYLOAD, "tree-sitter", id="ts"),
        pytest.param("a.tsx", PAYLOAD, "tree-sitter", id="tsx"),
        pytest.param("a.jsx", "x = <a/>;\n" + PAYLOAD, "tree-sitter", id="jsx"),
    ],
)
def test_selection_records_the_parser(path: str, text: str, parser: str) -> None:
    front = front_end_for(path)
    assert front is not None
    extraction = front.extract(text, SETTINGS)
    assert extraction.parser == parser
    assert len(extraction.sites) == 1 and extraction.sites[0].source_type == "payPal"
    assert front.parses(text)


def test_declaration_files_have_no_sites() -> None:
    front = front_end_for("types/dr.d.ts")
    assert front is not None
    extraction = front.extract(
        "declare function f(x: {type: 'payPal'}): void;\n" + PAYLOAD, SETTINGS
    )
    assert extraction.sites == () and extraction.notes


def test_unreadable_by_both_names_both_parsers() -> None:
    front = front_end_for("a.js")
    assert front is not None
    with pytest.raises(ParseError, match="esprima.*tree-sitter"):
        front.extract("var = 1;", Settings())
    assert front_end_for("a.css") is None


def test_await_on_a_generic_call_is_outside_the_call() -> None:
    text = "async function f() { const r = await dr.createSource<Req>(p); }"
    program, _ = parse(text, "typescript")
    (awaited,) = find(program, "AwaitExpression")
    assert awaited.argument.type == "CallExpression"
    assert text_of(text, awaited.argument) == "dr.createSource<Req>(p)"


@pytest.mark.parametrize("text", ["", "a", "é", "aé€😀b", "\ud800x", "x\r\n€\n😀😀", "€" * 50 + "a"])
def test_byte_offsets_map_to_code_points(text: str) -> None:
    from drmigrate.frontends.treesitter_js import offset_index

    data = text.encode("utf-8", "surrogatepass")
    index = offset_index(text, data)
    starts = [len(text[:i].encode("utf-8", "surrogatepass")) for i in range(len(text) + 1)]
    for i, b in enumerate(starts):
        assert index(b) == i  # every character boundary
    for b in range(len(data) + 1):  # inside a character: that character's start
        assert index(b) == max(i for i, s in enumerate(starts) if s <= b)
