"""Property-based tests (hypothesis): generated `createSource` payloads for every method, fixed.

Each example is a whole JavaScript file: random surrounding code (functions, other statements,
unrelated objects, Stripe calls) around one Digital River payload, inline or through
`var payload = {...}; digitalriver.createSource(payload);`, in a random style (key order, quoting,
comments, trailing commas, nested values, LF/CRLF, tabs/spaces, non-ASCII and astral text,
single- or multi-line). The fixed file is read back with the real esprima parser and checked against
what the rule table prescribes; the generator keeps its own model of the payload, so the expected
keys never come from drmigrate itself.

Profiles (`HYPOTHESIS_PROFILE`): `ci` (the default: derandomized, so every run and CI see the same
examples), `dev` (random, with the example database), `thorough` (random, ten times the examples).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import esprima
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drmigrate.engine import Options
from drmigrate.rules import MethodRule, bundled_table
from drmigrate.runner import Config, make_config, process_text

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", **_COMMON)  # type: ignore[arg-type]
settings.register_profile("thorough", max_examples=10_000, **_COMMON)  # type: ignore[arg-type]
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(_PROFILE)


def _examples(n: int) -> int:
    """Per-test example counts scale up under the `thorough` profile."""
    return n * 10 if _PROFILE == "thorough" else n


TABLE = bundled_table()
SID = "sid"
PLACEHOLDER = TABLE.placeholder

# --------------------------------------------------------------------------------------------------
# The generated model: values, properties, objects


@dataclass(frozen=True)
class Raw:
    """A value written on one line (literal, identifier, call, template literal...)."""

    text: str
    has_comment: bool = False


@dataclass(frozen=True)
class Arr:
    items: tuple[Value, ...]
    multiline: bool


@dataclass(frozen=True)
class Func:
    """`function (x) { return ...; }` spread over lines in a multi-line context."""

    body: str


@dataclass(frozen=True)
class Prop:
    key: str
    quote: str  # "" for an identifier key
    value: Value
    lead: str | None = None  # a comment before the property
    trail: str | None = None  # a comment after the property (after its comma)
    mid: str | None = None  # a block comment between the value and its comma


@dataclass(frozen=True)
class Obj:
    props: tuple[Prop, ...]
    multiline: bool
    trailing_comma: bool
    pad: bool = False  # single-line: `{ a: 1 }` rather than `{a: 1}`

    def get(self, key: str) -> Prop | None:
        return next((p for p in self.props if p.key == key), None)


Value: TypeAlias = Raw | Arr | Func | Obj


def has_comment(value: Value) -> bool:
    if isinstance(value, Raw):
        return value.has_comment
    if isinstance(value, Arr):
        return any(has_comment(v) for v in value.items)
    if isinstance(value, Func):
        return "/*" in value.body or "//" in value.body
    return any(p.lead or p.trail or p.mid or has_comment(p.value) for p in value.props)


@dataclass(frozen=True)
class Style:
    eol: str
    indent: str
    sep: str


class Renderer:
    """Writes the model as JavaScript text in one style."""

    def __init__(self, style: Style) -> None:
        self.s = style

    def value(self, v: Value, depth: int) -> str:
        s = self.s
        if isinstance(v, Raw):
            return v.text
        if isinstance(v, Func):
            inner = s.indent * (depth + 1)
            return f"function (x) {{{s.eol}{inner}{v.body}{s.eol}{s.indent * depth}}}"
        if isinstance(v, Arr):
            if not v.items:
                return "[]"
            if v.multiline:
                inner = s.indent * (depth + 1)
                body = f",{s.eol}".join(inner + self.value(i, depth + 1) for i in v.items)
                return f"[{s.eol}{body}{s.eol}{s.indent * depth}]"
            return "[" + ", ".join(self.value(i, depth) for i in v.items) + "]"
        return self.obj(v, depth)

    def key(self, p: Prop) -> str:
        return f"{p.quote}{p.key}{p.quote}"

    def obj(self, o: Obj, depth: int) -> str:
        s = self.s
        if not o.props:
            return "{}"
        n = len(o.props)
        if not o.multiline:
            parts = []
            for i, p in enumerate(o.props):
                lead = f"/*{p.lead}*/ " if p.lead else ""
                comma = "," if i < n - 1 or o.trailing_comma else ""
                trail = f" /*{p.trail}*/" if p.trail else ""
                mid = f" /*{p.mid}*/" if p.mid else ""
                parts.append(f"{lead}{self.key(p)}{s.sep}{self.value(p.value, depth)}{mid}{comma}{trail}")
            pad = " " if o.pad else ""
            return "{" + pad + " ".join(parts) + pad + "}"
        inner = s.indent * (depth + 1)
        out = ["{", s.eol]
        for i, p in enumerate(o.props):
            if p.lead:
                out += [inner, p.lead if p.lead.startswith("//") else f"/*{p.lead}*/", s.eol]
            comma = "," if i < n - 1 or o.trailing_comma else ""
            mid = f" /*{p.mid}*/" if p.mid else ""
            out += [inner, self.key(p), s.sep, self.value(p.value, depth + 1), mid, comma]
            if p.trail:
                out += [" ", p.trail if p.trail.startswith("//") else f"/*{p.trail}*/"]
            out.append(s.eol)
        out += [s.indent * depth, "}"]
        return "".join(out)


# --------------------------------------------------------------------------------------------------
# Strategies

# pieces of text: non-ASCII, astral (two UTF-16 units, one code point), punctuation that looks like
# structure; two pieces per string keep the draws few (generation dominates the run time otherwise)
TEXT = ["", "a", "Total 😀", "𝔘nicode", "é,ß ü", "{x}", "[1, 2]", "日本語", "a, b: c", "http://x.y/z?q=1",
        "\u00a0nbsp", "Ω};", "(", "#@!?", "  "]
COMMENT_TEXT = TEXT + ["'", '"', "`", "sessionId", "amount: 1,", "type: 'payPal'", "}", "/", "*"]


@st.composite
def free_text(draw: st.DrawFn, pieces: list[str]) -> str:
    return draw(st.sampled_from(pieces)) + draw(st.sampled_from(pieces))


@st.composite
def js_string(draw: st.DrawFn) -> str:
    q = draw(st.sampled_from(["'", '"']))
    body = draw(free_text(TEXT + ["\\n", "\\" + q, "\\u00e9", "\\ud835\\udd18"]))
    return f"{q}{body}{q}"


@st.composite
def comment_body(draw: st.DrawFn) -> str:
    # no `*/` (it would end a block comment) and no line break (it would end a line comment)
    return " " + draw(free_text(COMMENT_TEXT)).replace("*/", "* /") + " "


@st.composite
def leaf(draw: st.DrawFn, *, comment_ok: bool) -> Raw:
    kind = draw(st.sampled_from(["num", "str", "ident", "member", "call", "template", "bool", "neg"]))
    text = {
        "num": lambda: str(draw(st.integers(0, 10**6))) + draw(st.sampled_from(["", ".99", "e2"])),
        "str": lambda: draw(js_string()),
        "ident": lambda: draw(st.sampled_from(["total", "cart", "$price", "_x", "userLocale"])),
        "member": lambda: draw(st.sampled_from(["cart.total", "cart['currency']", "this.order.items",
                                                "window.checkout.amount"])),
        "call": lambda: "format(" + ", ".join(draw(st.lists(js_string(), max_size=2))) + ")",
        "template": lambda: "`" + draw(st.sampled_from(TEXT)) + "${cart.total}"
        + draw(st.sampled_from(TEXT)) + "`",
        "bool": lambda: draw(st.sampled_from(["true", "false", "null"])),
        "neg": lambda: "-" + str(draw(st.integers(1, 99))),
    }[kind]()
    if comment_ok and draw(st.integers(0, 9)) == 0:
        # a comment strictly inside the value
        return Raw(f"[/*{draw(comment_body())}*/ {text}]", has_comment=True)
    return Raw(text)


@st.composite
def value(draw: st.DrawFn, *, multiline: bool, depth: int = 0, comment_ok: bool = True) -> Value:
    choices = ["leaf"] * 5 + (["arr", "obj"] if depth < 2 else []) + (["func"] if multiline else [])
    kind = draw(st.sampled_from(choices))
    if kind == "leaf":
        return draw(leaf(comment_ok=comment_ok))
    if kind == "func":
        return Func(draw(st.sampled_from(["return x;", "return x * 2; // doubled", "return {a: x};"])))
    if kind == "arr":
        ml = multiline and draw(st.booleans())
        items = draw(st.lists(value(multiline=ml, depth=depth + 1, comment_ok=comment_ok), max_size=3))
        return Arr(tuple(items), ml)
    keys = draw(st.lists(st.sampled_from(["name", "quantity", "unitAmount", "sku", "a"]),
                         unique=True, max_size=3))
    return draw(obj_of([(k, values(depth + 1, comment_ok)) for k in keys],
                       multiline=multiline, comment_ok=comment_ok))


ValueFor = Callable[[bool], st.SearchStrategy[Value]]  # multi-line allowed -> values


def values(depth: int = 0, comment_ok: bool = True) -> ValueFor:
    return lambda ml: value(multiline=ml, depth=depth, comment_ok=comment_ok)


def objects(entries: list[tuple[str, ValueFor]]) -> ValueFor:
    return lambda ml: obj_of(entries, multiline=ml)


@st.composite
def obj_of(draw: st.DrawFn, entries: list[tuple[str, ValueFor]], *,
           multiline: bool, comment_ok: bool = True) -> Obj:
    """An object with the given keys in a random order and a random style."""
    ml = multiline and draw(st.booleans() if len(entries) < 4 else st.just(True))
    order = draw(st.permutations(entries))
    props = []
    for key, values_for in order:
        strat = values_for(ml)
        quote = draw(st.sampled_from(["", "", "'", '"']))
        lead = trail = None
        if comment_ok and draw(st.integers(0, 5)) == 0:
            lead = draw(comment_body())
            if ml and draw(st.booleans()):
                lead = "//" + lead
        if comment_ok and draw(st.integers(0, 5)) == 0:
            trail = draw(comment_body())
            if ml and draw(st.booleans()):
                trail = "//" + trail
        mid = draw(comment_body()) if comment_ok and draw(st.integers(0, 9)) == 0 else None
        props.append(Prop(key, quote, draw(strat), lead, trail, mid))
    return Obj(tuple(props), ml, draw(st.booleans()), draw(st.booleans()))


# keys the doc lists nowhere; they must survive every fix
UNRELATED_TOP = ["owner", "returnUrl", "futureUse", "usage", "mandate", "metadata", "amountLabel",
                 "currencyNote", "email"]
NESTED_REMOVABLE = sorted({p[1] for m in TABLE.methods.values() for p in m.remove if len(p) == 2})
NESTED_KEPT = ["returnUrl", "cancelUrl", "storeId", "bankCode", "requestShipping", "setPaidBefore",
               "recurring", "itemsCount"]
DECOY_HASHES = ["payPal", "klarnaCredit", "directDebit"]  # accepted by some methods, not all
METHOD_TYPES = sorted(TABLE.methods)
NATIVE_TYPES = sorted(TABLE.native_types)


@dataclass(frozen=True)
class WriteSpec:
    """`payload.amount = ...;` after the object: plain, in a braced `if`, or as an unbraced if body."""

    path: tuple[str, ...]
    target: str  # how the statement writes the path: `payload.a.b`, `payload['a']`...
    value: str
    wrapper: str  # "plain", "braced", "unbraced"

    def lines(self, base: str, ind: str, eol: str, *, removed: bool) -> str:
        stmt = f"{self.target} = {self.value};"
        if self.wrapper == "plain":
            return "" if removed else f"{base}{stmt}{eol}"
        if self.wrapper == "braced":  # emptied, the `if` goes too (no debris)
            return "" if removed else f"{base}if (cart.ready) {{{eol}{base}{ind}{stmt}{eol}{base}}}{eol}"
        return f"{base}if (cart.ready) {stmt}{eol}"  # never removed: not a statement of its own


WRITE_PATHS = [("amount",), ("currency",), ("sessionId",), ("owner",), ("shipping",), ("payPal", "items"),
               ("payPal", "returnUrl"), ("payPalBilling", "shipping"), ("payPalCredit", "taxAmount"),
               ("klarnaCredit", "locale"), ("klarnaCreditRecurring", "items"), ("klarnaCredit", "requestShipping")]


@st.composite
def write(draw: st.DrawFn) -> WriteSpec:
    path = draw(st.sampled_from(WRITE_PATHS))
    target = "payload" + "".join(draw(st.sampled_from([f".{k}", f"['{k}']", f'["{k}"]'])) for k in path)
    return WriteSpec(path, target, draw(leaf(comment_ok=False)).text,
                     draw(st.sampled_from(["plain", "plain", "braced", "unbraced"])))


@dataclass(frozen=True)
class Case:
    source_type: str
    payload: Obj
    text: str
    obj_start: int  # the payload object's span in `text`
    obj_end: int
    options: Options
    style: Style
    depth: int  # the payload object's indentation level
    writes: tuple[WriteSpec, ...] = ()  # statements after the object, text[mid_start:mid_end]
    mid_start: int = 0
    mid_end: int = 0


@st.composite
def payload(draw: st.DrawFn, source_type: str) -> Obj:
    rule = TABLE.methods.get(source_type)
    ml = draw(st.booleans())
    tq = draw(st.sampled_from(["'", '"']))
    type_value = Raw(f"{tq}{source_type}{tq}")
    entries: list[tuple[str, ValueFor]] = [("type", lambda _: st.just(type_value))]
    for key in ("amount", "currency"):
        if draw(st.booleans()):
            entries.append((key, values()))
    if draw(st.integers(0, 4)) == 0:
        session = st.sampled_from([Raw("checkout.payment.session.id"), Raw("'cs_😀'"),
                                   Raw(f"'{PLACEHOLDER}'")])
        entries.append(("sessionId", lambda _: session))
    if source_type.startswith("payPal") and draw(st.booleans()):
        entries.append(("shipping", values()))
    for key in draw(st.lists(st.sampled_from(UNRELATED_TOP), unique=True, max_size=3)):
        entries.append((key, values()))
    accepted = list(rule.hashes) if rule else [source_type]
    hashes = draw(st.lists(st.sampled_from(sorted(set(accepted + DECOY_HASHES))), unique=True, max_size=2))
    for name in hashes:
        if draw(st.integers(0, 14)) == 0:
            entries.append((name, lambda _: st.just(Raw("hashFromElsewhere"))))
            continue
        keys = draw(st.lists(st.sampled_from(NESTED_REMOVABLE + NESTED_KEPT), unique=True, max_size=6))
        nested_entries = [(k, values(1)) for k in keys]
        entries.append((name, objects(nested_entries)))
    return draw(obj_of(entries, multiline=ml))


STATEMENTS = [
    "var unrelated{n} = {{type: 'payPal', amount: 1, currency: 'USD'}};",
    "stripe.createSource({{type: 'ideal', amount: 1099, currency: 'eur', owner: {{name: 'Jenny 😀'}}}});",
    "stripe.createSource(card{n}, {{type: 'card', owner: {{email: 'a@b.c'}}}});",
    "function helper{n}(a, b) {{{eol}{i}return a + b; // sum{eol}}}",
    "/* banner {n}: 𝔘 é */",
    "// amount: 1, currency: 'USD'",
    "console.log(\"total 日本\", cart.total);",
    "if (cart.total > 0) {{{eol}{i}render{n}({{amount: cart.total}});{eol}}}",
    "var tpl{n} = `line ${{cart.total}} 😀`;",
]


@st.composite
def case(draw: st.DrawFn, types: list[str]) -> Case:
    source_type = draw(st.sampled_from(types))
    style = Style(draw(st.sampled_from(["\n", "\r\n"])),
                  draw(st.sampled_from(["\t", "  ", "    "])),
                  draw(st.sampled_from([": ", ":", " : "])))
    r = Renderer(style)
    p = draw(payload(source_type))
    eol, ind = style.eol, style.indent
    wrap = draw(st.booleans())  # inside a function
    base = ind if wrap else ""
    depth = 1 if wrap else 0
    receiver = draw(st.sampled_from(["digitalriver", "digitalRiver", "drjs", "shopDr"]))
    head: list[str] = []
    if receiver == "shopDr":
        head.append("var shopDr = new DigitalRiver('pk_test_123', {locale: 'ja-JP'});")
    element = "cardNumber, " if source_type in ("creditCard", "konbini") and draw(st.booleans()) else ""
    obj_text = r.obj(p, depth)
    form = draw(st.sampled_from(["inline", "var", "let"]))
    writes: tuple[WriteSpec, ...] = ()
    mid = ""
    if form == "inline":
        before = f"{base}{receiver}.createSource({element}"
        after = ").then(function (result) {" + eol + base + ind + "handle(result);" + eol + base + "});"
    else:
        kw = "var" if form == "var" else "let"
        before = f"{base}{kw} payload = "
        writes = tuple(draw(st.lists(write(), max_size=3)))
        mid = "".join(w.lines(base, ind, eol, removed=False) for w in writes)
        after = f";{eol}{mid}{base}{receiver}.createSource({element}payload);"
    stmts = [s.format(n=k, eol=eol, i=ind) for k, s in enumerate(
        draw(st.lists(st.sampled_from(STATEMENTS), max_size=4)))]
    split = draw(st.integers(0, len(stmts)))
    pre_lines = head + stmts[:split]
    post_lines = stmts[split:]
    prefix = "".join(line + eol for line in pre_lines)
    suffix = "".join(eol + line for line in post_lines) + eol
    if wrap:
        prefix += "function pay() {" + eol
        suffix = eol + "}" + suffix
    prefix += before
    suffix = after + suffix
    text = prefix + obj_text + suffix
    unsafe = draw(st.integers(0, 4)) == 0
    session = {"js": SID} if draw(st.integers(0, 5)) else {}
    mid_start = len(prefix) + len(obj_text) + (len(";" + eol) if writes else 0)
    return Case(source_type, p, text, len(prefix), len(prefix) + len(obj_text),
                Options(session_id=session, unsafe_fixes=unsafe), style, depth,
                writes, mid_start, mid_start + len(mid))


# --------------------------------------------------------------------------------------------------
# The expectation, from the generator's own model and the rule table


@dataclass(frozen=True)
class Expected:
    keys: list[str]  # top-level keys after the fix, in order
    nested: dict[str, list[str]]  # hash name -> keys after the fix
    inserted: bool
    refused: int  # DR202 findings: a comment inside, an unbraced write
    left: list[str]  # codes still reported after the fix (fields that had to stay)
    mid: str  # the write statements after the fix


Removal: TypeAlias = tuple[str, tuple[str, ...]]  # (code, the rule's path)


def _removals(rule: MethodRule | None, source_type: str, unsafe: bool) -> dict[tuple[str, ...], Removal]:
    """Every (top-level) or (hash, key) path the fix removes, for every accepted hash name."""
    paths: list[tuple[tuple[str, ...], str]] = []
    if rule is not None:
        paths += [(p, "DR101" if len(p) == 1 else "DR102") for p in rule.remove]
        if unsafe:
            paths += [(r.path, r.code) for r in rule.report]
    elif unsafe and source_type in TABLE.native_types:
        paths += [(r.path, r.code) for r in TABLE.native_report]
    out: dict[tuple[str, ...], Removal] = {}
    for path, code in paths:
        names = rule.hash_names(path) if rule is not None and len(path) > 1 else path[:1]
        out.update({(name, *path[1:]): (code, path) for name in names})
    return out


def expected(c: Case) -> Expected:
    """What the fix must leave, from the generator's model and the README's rules.

    A comment inside a field to remove keeps it (DR202). A write of a field that is not a statement
    of its own (unbraced `if` body) keeps that field everywhere: removing the key while the write
    stays would change what the page sends (DR202 on the write and on each kept key).
    """
    rule = TABLE.methods.get(c.source_type)
    if rule is not None and _dual_mode(c, rule):  # DR205: a person decides, nothing is edited
        mid = "".join(w.lines(c.depth * c.style.indent, c.style.indent, c.style.eol, removed=False)
                      for w in c.writes)
        return Expected([p.key for p in c.payload.props],
                        {p.key: [q.key for q in p.value.props] for p in c.payload.props if isinstance(p.value, Obj)},
                        False, 0, [], mid)
    removals = _removals(rule, c.source_type, c.options.unsafe_fixes)
    blocked = {removals[w.path][1] for w in c.writes if w.path in removals and w.wrapper == "unbraced"}
    refused = 0
    left: list[str] = []

    def kept(props: tuple[Prop, ...], prefix: tuple[str, ...]) -> list[str]:
        nonlocal refused
        out = []
        for p in props:
            path = prefix + (p.key,)
            if path in removals:
                if removals[path][1] in blocked or has_comment(p.value):
                    refused += 1
                    left.append(removals[path][0])
                    out.append(p.key)
            else:
                out.append(p.key)
        return out

    keys = kept(c.payload.props, ())
    nested = {
        p.key: kept(p.value.props, (p.key,)) for p in c.payload.props if isinstance(p.value, Obj)
    }
    mid = []
    for w in c.writes:
        removal = removals.get(w.path)
        stays = removal is not None and removal[1] in blocked
        if removal is not None and stays:
            left.append(removal[0])
            refused += w.wrapper == "unbraced"
        mid.append(w.lines(c.depth * c.style.indent, c.style.indent, c.style.eol,
                           removed=removal is not None and not stays))
    written = any(w.path == ("sessionId",) for w in c.writes)
    inserted = rule is not None and "sessionId" not in keys and not written
    if inserted:
        keys.insert(keys.index("type") + 1, "sessionId")
    return Expected(keys, nested, inserted, refused, left, "".join(mid))


def _dual_mode(c: Case, rule: MethodRule) -> bool:
    """The payload sets `sessionId` only inside an `if` (no key in the literal) and sends one of
    the method's legacy fields: README's "dual-mode" case, left for a person (DR205)."""
    session_writes = [w for w in c.writes if w.path == ("sessionId",)]
    if c.payload.get("sessionId") is not None or not session_writes \
            or any(w.wrapper == "plain" for w in session_writes):
        return False
    paths = [*rule.remove, *(r.path for r in rule.report)]
    for path in paths:
        if len(path) == 1 and c.payload.get(path[0]) is not None:
            return True
        if len(path) == 2:
            for name in rule.hash_names(path):
                holder = c.payload.get(name)
                if holder is not None and isinstance(holder.value, Obj) and holder.value.get(path[1]) is not None:
                    return True
        names = rule.hash_names(path) if len(path) == 2 else (path[0],)
        if any(w.path[0] in names and w.path[1:len(path)] == path[1:] and len(w.path) >= len(path)
               for w in c.writes):
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Reading the fixed text back with esprima


def parse(text: str) -> dict[str, Any]:
    tree: dict[str, Any] = esprima.parseScript(text, {"range": True, "comment": True}).toDict()
    return tree


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def find_object(tree: dict[str, Any], start: int) -> dict[str, Any]:
    for node in walk(tree["body"]):
        if node["type"] == "ObjectExpression" and node["range"][0] == start:
            return node
    raise AssertionError(f"no object literal starts at offset {start}")


def key_name(prop: dict[str, Any]) -> str:
    key = prop["key"]
    return str(key["name"] if key["type"] == "Identifier" else key["value"])


def comments(tree: dict[str, Any]) -> Counter[tuple[str, str]]:
    return Counter((c["type"], c["value"]) for c in tree["comments"])


def norm(line: str) -> str:
    """A line compared modulo commas and trailing blanks (a fix may move a comma)."""
    return line.rstrip("\r\n").replace(",", "").rstrip(" \t")


def untouched_lines(text: str, obj: dict[str, Any], hashes: set[str]) -> list[str]:
    """Lines of `text` that hold no property of the payload object or of its hashes."""
    spans = []
    for prop in obj["properties"]:
        if key_name(prop) in hashes and prop["value"]["type"] == "ObjectExpression":
            spans += [p["range"] for p in prop["value"]["properties"]]
        else:
            spans.append(prop["range"])
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        if not any(s0 < end and pos < s1 for s0, s1 in spans):
            out.append(line)
        pos = end
    return out


def assert_subsequence(needles: list[str], haystack: list[str]) -> None:
    it = iter(norm(h) for h in haystack)
    for needle in needles:
        want = norm(needle)
        assert any(h == want for h in it), f"line lost or reordered: {needle!r}"


# --------------------------------------------------------------------------------------------------
# The properties


def config_for(c: Case) -> Config:
    return make_config(options=c.options)


def run_fix(c: Case) -> tuple[str, Any]:
    outcome = process_text(c.text, "checkout.js", config_for(c), fix=True)
    assert not outcome.error, outcome.error
    return (outcome.fixed if outcome.fixed is not None else c.text), outcome


def check_case(c: Case) -> None:
    config = config_for(c)
    want = expected(c)
    original = parse(c.text)  # the generator writes valid JavaScript
    fixed, outcome = run_fix(c)

    # 1. the fixed file parses, and fixing it again changes nothing
    tree = parse(fixed)
    again = process_text(fixed, "checkout.js", config, fix=True)
    assert not again.error, again.error
    assert again.fixed is None, "fix is not idempotent"

    # 2. every byte outside the payload object is unchanged
    want_tail = c.text[c.obj_end:c.mid_start] + want.mid + c.text[c.mid_end:] if c.writes \
        else c.text[c.obj_end:]
    tail = len(want_tail)
    assert fixed[:c.obj_start] == c.text[:c.obj_start]
    assert fixed[len(fixed) - tail:] == want_tail
    obj = find_object(tree, c.obj_start)
    assert obj["range"][1] == len(fixed) - tail, "the payload object does not end where the suffix starts"
    rule = TABLE.methods.get(c.source_type)
    hashes = set(want.nested) & set((rule.hashes if rule else ()) + tuple(DECOY_HASHES))
    outside = c.text[:c.mid_start] if c.writes else c.text  # the writes are compared above
    assert_subsequence(untouched_lines(outside, find_object(original, c.obj_start), hashes),
                       fixed.splitlines(keepends=True))
    # nothing else changed line endings, and no comment was dropped or added
    assert ("\r\n" in c.text) == ("\r\n" in fixed)
    if "\r\n" in c.text:
        assert fixed.count("\n") == fixed.count("\r\n")
    else:
        assert "\r" not in fixed
    assert comments(tree) == comments(original)
    obj_text = fixed[obj["range"][0]:obj["range"][1]]
    if not c.payload.multiline:
        assert "\n" not in obj_text, "a single-line object became multi-line"

    # 3. the keys are what the rule prescribes; kept keys and values are byte-identical
    got = [key_name(p) for p in obj["properties"]]
    assert got == want.keys
    assert got.count("sessionId") == (1 if "sessionId" in want.keys else 0)
    r = Renderer(c.style)
    inner_depth = c.depth + 1 if c.payload.multiline else c.depth
    for prop in obj["properties"]:
        name = key_name(prop)
        spec = c.payload.get(name)
        k0, k1 = prop["key"]["range"]
        v0, v1 = prop["value"]["range"]
        if spec is None:  # the inserted sessionId
            assert want.inserted and name == "sessionId"
            type_prop = c.payload.get("type")
            assert type_prop is not None
            assert fixed[k0:k1] == f"{type_prop.quote}sessionId{type_prop.quote}"
            assert fixed[k1:v0] == c.style.sep, "the separator is not the payload's own"
            expr = c.options.session_id.get("js")
            if expr is None:
                assert isinstance(type_prop.value, Raw)
                quote = type_prop.value.text[0]
                assert fixed[v0:v1] == f"{quote}{PLACEHOLDER}{quote}"
            else:
                assert fixed[v0:v1] == expr
            continue
        assert fixed[k0:k1] == r.key(spec)
        if isinstance(spec.value, Obj) and name in want.nested:
            inner = [key_name(p) for p in prop["value"]["properties"]]
            assert inner == want.nested[name], f"under `{name}`"
            sub_depth = inner_depth + 1 if spec.value.multiline else inner_depth
            for sub in prop["value"]["properties"]:
                sub_spec = spec.value.get(key_name(sub))
                assert sub_spec is not None
                _same_value(fixed, sub, sub_spec, r, sub_depth)
        elif name == "sessionId" and PLACEHOLDER in r.value(spec.value, inner_depth) and c.options.session_id:
            v0, v1 = prop["value"]["range"]  # `fix --session-id` wires drmigrate's own placeholder
            assert fixed[v0:v1] == c.options.session_id["js"]
        else:
            _same_value(fixed, prop, spec, r, inner_depth)

    # 4. findings: a refused removal is DR202; check after fix has nothing left to fix
    assert len([f for f in outcome.initial if f.code == "DR202"]) == want.refused
    after = again.findings  # what `check` reports on the fixed text (asserted unchanged above)
    left = Counter(f.code for f in after if f.code in ("DR100", "DR101", "DR102"))
    assert left == Counter(code for code in want.left if code in ("DR101", "DR102"))
    placeholders = [f for f in after if f.code == "DR110"]
    if want.inserted:
        assert bool(placeholders) == (not c.options.session_id)


def _same_value(fixed: str, prop: dict[str, Any], spec: Prop, r: Renderer, depth: int) -> None:
    """The value of a kept property is the generated text, byte for byte."""
    v0, v1 = prop["value"]["range"]
    assert fixed[v0:v1] == r.value(spec.value, depth), f"value of `{spec.key}` changed"


@given(case(METHOD_TYPES))
@settings(max_examples=_examples(1500))
def test_fix_follows_the_rule_table(c: Case) -> None:
    check_case(c)


@given(case(NATIVE_TYPES))
@settings(max_examples=_examples(250))
def test_session_native_types_get_no_session_id(c: Case) -> None:
    check_case(c)


# Minimal inputs the properties found, kept as explicit regressions (fixed in drmigrate/edits.py)
REGRESSIONS = [
    pytest.param(
        "digitalriver.createSource({type: 'bPay', /*b*/ amount: 1});\n",
        "digitalriver.createSource({type: 'bPay', sessionId: sid /*b*/});\n",
        id="comment-before-removed-last-property-after-inserted-session-id",
    ),
    pytest.param(
        "digitalriver.createSource({type: 'bPay', owner: 1, /*b*/ amount: 1, /*c*/ currency: 2});\n",
        "digitalriver.createSource({type: 'bPay', sessionId: sid, owner: 1 /*b*/ /*c*/});\n",
        id="comments-between-removed-last-properties",
    ),
    pytest.param(
        "digitalriver.createSource({type: 'bPay', /*b*/ amount: 1, /*c*/ currency: 2, owner: o});\n",
        "digitalriver.createSource({type: 'bPay', sessionId: sid, /*b*/ /*c*/ owner: o});\n",
        id="comments-between-removed-middle-properties",
    ),
    pytest.param(
        "digitalriver.createSource({\n  type: 'bPay',\n  owner: o, /*b*/ amount: 1\n});\n",
        "digitalriver.createSource({\n  type: 'bPay',\n  sessionId: sid,\n  owner: o /*b*/\n});\n",
        id="comment-before-removed-last-property-multi-line",
    ),
    pytest.param(
        "digitalriver.createSource({type: 'bPay', sessionId: s, owner: o /*b*/});\n",
        None,
        id="no-change-comment-at-end",
    ),
]


@pytest.mark.parametrize(("before", "after"), REGRESSIONS)
def test_regressions(before: str, after: str | None) -> None:
    config = make_config(options=Options(session_id={"js": SID}))
    outcome = process_text(before, "checkout.js", config, fix=True)
    assert not outcome.error, outcome.error
    assert outcome.fixed == after
    result = after if after is not None else before
    parse(result)
    assert comments(parse(result)) == comments(parse(before))
    assert process_text(result, "checkout.js", config, fix=True).fixed is None
