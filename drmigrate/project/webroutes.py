"""The generic rule: a URL's path found once among the routes the project's servers register.

Registrations read (each from the files whose text can hold one):
- Express-style routers (Express, Fastify, Koa router): `app.post('/x', ..., handler)` on a name
  bound to `express()`, `express.Router()`, `Router()`, `new Router()`, `fastify()` (or `app` /
  `router` in a file that requires one of them), read with tree-sitter;
- Flask / FastAPI decorators (`@app.route('/x', methods=[...])`, `@bp.post('/x')`) and Django
  `path('x/', view)` / `re_path` / `url` entries, read with Python's `ast`;
- Laravel `Route::post('/x', [Controller::class, 'method'])` and WordPress REST routes.
A URL matches a route whose segments equal its path, or (mount prefixes, `include()`d URL
configurations) the path's last segments. Exactly one match is a link; several, or a match whose
handler cannot be named, is a reason.
"""

from __future__ import annotations

import ast
import posixpath
import re

from drmigrate.project import wordpress
from drmigrate.project.handlers import (
    Handler,
    Resolution,
    RouteEntry,
    has_wildcard,
    linked,
    member_calls,
    memo,
    route_segments,
    scan,
    unlinked,
)
from drmigrate.project.index import ProjectIndex
from drmigrate.project.phpcode import arguments, find_method, nodes_in, string_of, text_of

_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
_JS_SERVER_WORDS = ("express", "outer", "fastify")  # `outer`: Router, koa-router, @koa/router
_JS_SERVER = re.compile(r"""\b(?:express|fastify|koa-router|@koa/router|Router)\b""")
_JS_ROUTERS = re.compile(
    r"""\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:new\s+)?"""
    r"""(?:express\s*\(\s*\)|express\.Router\s*\(|Router\s*\(|fastify\s*\(|require\(\s*['"]express['"]\s*\)\s*\(\s*\))""")
_JS_VERBS = frozenset({"get", "post", "put", "patch", "delete", "all"})
_PY_VERBS = frozenset({"get", "post", "put", "patch", "delete"})
_LARAVEL_VERBS = frozenset({"get", "post", "put", "patch", "delete", "any", "match"})


def entries(index: ProjectIndex) -> list[RouteEntry]:
    """Every route the project's servers register, read once per run."""
    def build() -> list[RouteEntry]:
        found: list[RouteEntry] = []
        for rel in sorted(index.files.files):
            low = rel.lower()
            if low.endswith(_JS_SUFFIXES) and not low.endswith(".d.ts"):
                found.extend(_express(index, rel))
            elif low.endswith(".py"):
                found.extend(_python(index, rel))
        found.extend(_laravel(index))
        found.extend(wordpress.rest_routes(index))
        return found

    return memo(index, "web-routes", build)


def resolve(index: ProjectIndex, segments: list[str], method: str, *,
            only: list[RouteEntry] | None = None) -> Resolution | None:
    """The one route that answers `segments`; None when no route of the project matches."""
    table = entries(index) if only is None else only
    if not segments:
        return None
    exact: list[RouteEntry] = []
    suffix: list[RouteEntry] = []
    for entry in table:
        if method and entry.methods and method.upper() not in entry.methods:
            continue
        size = len(entry.segments)
        if not size or not any(s != "*" for s in entry.segments) or size > len(segments):
            continue
        tail = segments[-size:]
        if not all(e == "*" or e == s for e, s in zip(entry.segments, tail, strict=True)):
            continue
        if size == len(segments) and not entry.open_start:
            exact.append(entry)
        else:
            suffix.append(entry)
    matches = exact or suffix
    if not matches:
        return None
    shown = "/" + "/".join(segments)
    if has_wildcard(segments[-max(len(m.segments) for m in matches):]):
        return unlinked(f"the URL `{shown}` has a computed part, and it may be {_named(index, matches)}")
    if len(matches) > 1:
        return unlinked(f"several server routes match `{shown}` ({_named(index, matches)})")
    entry = matches[0]
    if entry.handler is None:
        return unlinked(f"the route `{entry.shown}` ({index.display(entry.rel)}:{entry.line}) matches, but "
                        f"{entry.problem or 'its handler cannot be named'}")
    return linked(entry.handler)


def _named(index: ProjectIndex, found: list[RouteEntry]) -> str:
    shown = [f"{index.display(e.rel)}:{e.line} (`{e.shown}`)" for e in found[:4]]
    return ", ".join(shown) + (f" and {len(found) - 4} more" if len(found) > 4 else "")


# -- Express-style routers ------------------------------------------------------------------------

def _express(index: ProjectIndex, rel: str) -> list[RouteEntry]:
    # substring tests run at memory speed; the pattern only confirms the few files that pass
    text = scan(index, rel, lambda t: any(w in t for w in _JS_SERVER_WORDS) and _JS_SERVER.search(t) is not None)
    if text is None:
        return []
    routers = set(_JS_ROUTERS.findall(text)) | {"app", "router"}
    out: list[RouteEntry] = []
    for call in member_calls(index, rel):
        route = call.string(0)
        if call.owner not in routers or call.name not in _JS_VERBS or len(call.args) < 2 or route is None:
            continue
        shown = f"{call.owner}.{call.name}('{route}')"
        last = call.args[-1]
        methods = frozenset() if call.name == "all" else frozenset({call.name.upper()})
        if last.type in ("function_expression", "arrow_function", "function", "identifier"):
            handler = Handler(rel, call.line, ("response", "express", call.name, route), f"`{shown}`")
            out.append(RouteEntry(route_segments(route), methods, rel, call.line, handler, shown=shown))
        else:
            out.append(RouteEntry(route_segments(route), methods, rel, call.line, None,
                                  f"its handler `{call.text(last)[:50]}` is defined elsewhere", shown))
    return out


# -- Python: Flask, FastAPI, Django ---------------------------------------------------------------

def _python(index: ProjectIndex, rel: str) -> list[RouteEntry]:
    text = scan(index, rel, _python_routes)
    if text is None:
        return []
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    out: list[RouteEntry] = []
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                found = _decorator_route(decorator)
                if found is None:
                    continue
                route, methods = found
                shown = ast.get_source_segment(text, decorator) or route
                handler = Handler(rel, node.lineno, ("response", "py-function", node.name), f"`{node.name}()`")
                out.append(RouteEntry(route_segments(route), methods, rel, decorator.lineno, handler,
                                      shown=f"@{shown[:60]}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("path", "re_path", "url") and len(node.args) >= 2 \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            route = node.args[0].value
            shown = (ast.get_source_segment(text, node) or route)[:60]
            view = node.args[1]
            view_handler, problem = _django_view(index, rel, view, text)
            out.append(RouteEntry(route_segments(route), frozenset(), rel, node.lineno, view_handler, problem, shown))
    return out


def _python_routes(text: str) -> bool:
    return "route(" in text or "urlpatterns" in text or (
        "@" in text and any(f".{verb}(" in text for verb in _PY_VERBS)
        and re.search(r"@\w+\.(?:get|post|put|patch|delete)\(", text) is not None)


def _decorator_route(decorator: ast.expr) -> tuple[str, frozenset[str]] | None:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return None
    verb = decorator.func.attr
    if verb not in ("route", "api_route") and verb not in _PY_VERBS:
        return None
    if not decorator.args or not isinstance(decorator.args[0], ast.Constant) \
            or not isinstance(decorator.args[0].value, str) or not decorator.args[0].value.startswith("/"):
        return None
    route = decorator.args[0].value
    if verb in _PY_VERBS:
        return route, frozenset({verb.upper()})
    methods: set[str] = set()
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple, ast.Set)):
            methods |= {e.value.upper() for e in keyword.value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return route, frozenset(methods or {"GET"})  # Flask's default is GET (HEAD, OPTIONS)


def _django_view(index: ProjectIndex, rel: str, view: ast.expr, text: str) -> tuple[Handler | None, str]:
    if isinstance(view, ast.Name):
        name = view.id
    elif isinstance(view, ast.Attribute) and isinstance(view.value, ast.Name):
        name = view.attr
    else:
        shown = ast.get_source_segment(text, view) or "the view"
        return None, f"its view `{shown[:50]}` is a class-based view or computed, which drmigrate does not follow"
    definers = _python_definers(index, name)
    if not definers:
        return None, f"the view `{name}` is not defined in this project"
    if len(definers) > 1:
        near = [d for d in definers if posixpath.dirname(d[0]) == posixpath.dirname(rel)]
        if len(near) != 1:
            where = ", ".join(f"{index.display(r)}:{line}" for r, line in definers[:4])
            return None, f"the view `{name}` is defined in several modules ({where})"
        definers = near
    where_rel, line = definers[0]
    return Handler(where_rel, line, ("response", "py-function", name), f"`{name}()`"), ""


def _python_definers(index: ProjectIndex, name: str) -> list[tuple[str, int]]:
    pattern = re.compile(rf"^(?:async\s+)?def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    out = []
    for rel in sorted(index.files.files):
        if rel.endswith(".py"):
            text = scan(index, rel, lambda t: pattern.search(t) is not None)
            found = pattern.search(text) if text is not None else None
            if text is not None and found is not None:
                out.append((rel, text.count("\n", 0, found.start()) + 1))
    return out


# -- Laravel --------------------------------------------------------------------------------------

def _laravel(index: ProjectIndex) -> list[RouteEntry]:
    out: list[RouteEntry] = []
    for rel, node, data in nodes_in(index, "Route::", ("scoped_call_expression",)):
        scope, name = node.child_by_field_name("scope"), node.child_by_field_name("name")
        if scope is None or name is None or text_of(scope, data).rsplit("\\", 1)[-1] != "Route":
            continue
        verb = text_of(name, data).lower()
        args = arguments(node)
        if verb not in _LARAVEL_VERBS or len(args) < 2:
            continue
        if verb == "match":
            args = args[1:]
        route = string_of(args[0])
        if route is None or len(args) < 2:
            continue
        line = node.start_point[0] + 1
        shown = " ".join(text_of(node, data).split())[:60]
        methods = frozenset() if verb in ("any", "match") else frozenset({verb.upper()})
        target = args[1]
        handler: Handler | str = f"its action `{text_of(target, data)[:50]}` cannot be resolved"
        value = string_of(target)
        if value is not None and "@" in value:
            cls, _, method = value.partition("@")
            handler = find_method(index, cls, method)
        elif target.type == "array_creation_expression":
            elements = [e.named_children[-1] for e in target.named_children
                        if e.type == "array_element_initializer" and e.named_children]
            if len(elements) == 2 and string_of(elements[1]) is not None:
                owner = text_of(elements[0], data)
                owner = owner[: -len("::class")] if owner.endswith("::class") else (string_of(elements[0]) or "")
                if owner:
                    handler = find_method(index, owner, string_of(elements[1]) or "")
        elif target.type in ("anonymous_function", "arrow_function"):
            handler = Handler(rel, line, ("response", "php-closure", "Route::" + verb, route),
                              f"the closure for `{route}`")
        out.append(RouteEntry(route_segments(route), methods, rel, line,
                              handler if isinstance(handler, Handler) else None,
                              "" if isinstance(handler, Handler) else handler, shown))
    return out
