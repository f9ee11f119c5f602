"""What the server adapters share: a handler found for a request, a resolution (handlers, or why
none is certain), the URL's path as segments, and cheap reads of project files.

The adapters (`magento`, `sfcc`, `wordpress`, `webroutes`) answer one question each — which server
code answers this URL? — from text and tree-sitter reads of a few files through the project index,
never esprima. An answer is certain or it is not an answer: several candidates, a computed URL or
a missing declaration give a reason naming what was found, and no link.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from drmigrate.project.index import ProjectIndex

if TYPE_CHECKING:
    import tree_sitter

T = TypeVar("T")
MAX_NAMED = 4  # candidates named in a reason; more are counted


@dataclass(frozen=True)
class Handler:
    """Server code that answers a request: where it is and how a front end finds it there
    (`target`, a `Seed` target such as ("response", "php-method", "Savedrquote", "execute"))."""

    rel: str
    line: int
    target: tuple[str, ...]
    shown: str  # as a person reads it: "`Savedrquote::execute`", "`server.get('DropInConfig')`"


@dataclass(frozen=True)
class Resolution:
    """The handlers of one request; or, when there is no certain answer, why (naming candidates)."""

    handlers: tuple[Handler, ...] = ()
    reason: str = ""

    @property
    def certain(self) -> bool:
        return bool(self.handlers) and not self.reason


def linked(*handlers: Handler) -> Resolution:
    return Resolution(tuple(dict.fromkeys(handlers)))


def unlinked(reason: str) -> Resolution:
    return Resolution((), reason)


def named(index: ProjectIndex, handlers: Iterable[Handler]) -> str:
    """`a.php:12 (`X::execute`), b.php:3 (...)`: the candidates a reason names."""
    found = list(dict.fromkeys(handlers))
    shown = [f"{index.display(h.rel)}:{h.line} ({h.shown})" for h in found[:MAX_NAMED]]
    more = len(found) - MAX_NAMED
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def scan(index: ProjectIndex, rel: str, wanted: Callable[[str], bool]) -> str | None:
    """A file's text when `wanted(text)`, else None. Scans read many files for the few that may
    hold a route: the text of one that does not is not kept in the index's cache."""
    cached = rel in index.read.cache
    text = index.read(rel)
    if text is None or wanted(text):
        return text
    if not cached:
        del index.read.cache[rel]
    return None


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# -- URLs ---------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)


def url_segments(url: str) -> list[str]:
    """The path of a URL as the page writes it, in segments; an expression stands as "*".

    `BASE_URL + 'drpay/paypal/savedrquote'` arrives as "*drpay/paypal/savedrquote": an expression
    before the first literal part is the base URL (it ends with `/`), so it is dropped; one
    elsewhere makes its segment unknown ("*"). The query and the fragment are not part of the path.
    """
    url = _SCHEME.sub("", url.strip())
    url = re.split(r"[?#]", url, maxsplit=1)[0]
    if url.startswith("*"):
        url = url.lstrip("*")
        # `base + '/x'` and `base + 'x'` both read `x` first
    parts = [p for p in url.split("/") if p and p != "."]
    return ["*" if "*" in p else p for p in parts]


def has_wildcard(segments: Iterable[str]) -> bool:
    return any(s == "*" for s in segments)


# -- reads ----------------------------------------------------------------------------------------

_MEMO: dict[int, tuple[weakref.ref[ProjectIndex], dict[str, object]]] = {}


def memo(index: ProjectIndex, key: str, build: Callable[[], T]) -> T:
    """A value computed once per project index (route tables: read once per run)."""
    held = _MEMO.get(id(index))
    if held is None or held[0]() is not index:
        for stale in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
            del _MEMO[stale]
        held = (weakref.ref(index), {})
        _MEMO[id(index)] = held
    store = held[1]
    if key not in store:
        store[key] = build()
    return store[key]  # type: ignore[return-value]


@dataclass(frozen=True)
class RouteEntry:
    """One route a server registers (`app.post('/x', fn)`, `@app.route('/x')`, `path('x/', view)`,
    `register_rest_route('ns/v1', '/x', ...)`), for the generic rule: a URL's path found once."""

    segments: tuple[str, ...]  # "*" for a parameter (`:id`, `<int:id>`, `(?P<id>\d+)`)
    methods: frozenset[str]  # upper case; empty: any method
    rel: str
    line: int
    handler: Handler | None  # None when the handler cannot be named (`problem` says why)
    problem: str = ""
    shown: str = ""  # the registration as written, shortened
    open_start: bool = False  # a part before `segments` is not known (a namespace in a variable)


def route_segments(route: str) -> tuple[str, ...]:
    """A registered route's path in segments, parameters as "*"."""
    out = []
    for part in route.strip().strip("^$").split("/"):
        if not part:
            continue
        if part.startswith((":", "<", "{", "(", "[")) or re.search(r"[()\\*+?\[\]{}<>]", part):
            out.append("*")
        else:
            out.append(part)
    return tuple(out)


@dataclass(frozen=True)
class MemberCall:
    """`owner.name(args...)` in a script, read with tree-sitter (`owner` an identifier)."""

    owner: str
    name: str
    args: tuple[tree_sitter.Node, ...]
    data: bytes
    line: int

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def string(self, position: int) -> str | None:
        """The argument at `position` when it is a plain string literal."""
        if position >= len(self.args) or self.args[position].type != "string":
            return None
        return self.text(self.args[position])[1:-1]


def member_calls(index: ProjectIndex, rel: str) -> list[MemberCall]:
    """Every `identifier.name(...)` call of a JavaScript / TypeScript file, read once per run."""
    def build() -> list[MemberCall]:
        from drmigrate.frontends.treesitter_js import parse_tree

        text = index.read(rel) or ""
        dialect = "typescript" if rel.endswith((".ts", ".mts", ".cts")) else "javascript"
        tree, data = parse_tree(text, dialect)
        found: list[MemberCall] = []
        stack = [tree.root_node]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if node.type != "call_expression":
                continue
            callee, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if callee is None or args is None or callee.type != "member_expression":
                continue
            owner, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
            if owner is None or prop is None or owner.type != "identifier":
                continue
            found.append(MemberCall(data[owner.start_byte:owner.end_byte].decode("utf-8", "replace"),
                                    data[prop.start_byte:prop.end_byte].decode("utf-8", "replace"),
                                    tuple(a for a in args.named_children if a.type != "comment"), data,
                                    node.start_point[0] + 1))
        return sorted(found, key=lambda c: c.line)

    return memo(index, f"member-calls:{rel}", build)
