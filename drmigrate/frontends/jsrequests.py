"""Requests a page makes to its server, and where their answers go: the payload that a
`createSource` call receives from a server response.

A page fetches the payload with jQuery (`$.ajax`, `$.post`, `$.get`, `$.getJSON`, their
`.done` / `.then` / `success`), `fetch` (`.then(r => r.json())`, `await response.json()`),
axios (the body under `.data`) or Magento's `mage/storage`. This module recognises those calls,
follows the answer to the callback parameter or awaited value that receives it, and describes the
request so that the project can find the server handler: the URL as written (a literal, Magento's
`url.build('front/path/action')`, a `data-*` attribute of the page, WordPress's `admin-ajax.php`
with its `action`), and the HTTP method. Nothing here knows about Digital River.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from drmigrate.frontends.jsnodes import Node, dotted, member_name, prop_key, string_literal
from drmigrate.frontends.jsscope import FUNCTIONS

if TYPE_CHECKING:
    from drmigrate.frontends.jsanalysis import Analysis

# jQuery's request calls: (url argument position, method); `$.ajax` takes an options object
_JQUERY = {"ajax": (-1, ""), "post": (0, "POST"), "get": (0, "GET"), "getJSON": (0, "GET")}
_JQUERY_NAMES = frozenset({"$", "jQuery", "jquery"})
_AXIOS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "request": ""}
_PROMISE_VALUE = frozenset({"then", "done", "success"})
_WP_AJAX_NAMES = frozenset({"ajaxurl", "ajax_url", "ajaxUrl", "ajaxURL"})


@dataclass(frozen=True)
class Request:
    """One request of the page, as the project needs it to find the handler."""

    method: str  # GET, POST, ... ("" when not known)
    url_kind: str  # literal, magento, magento-rest, data-attribute, wp-ajax, expression
    url: str  # the literal URL (`*` where an expression stands), the route, the attribute or action
    call: str  # the request as written, shortened
    path: tuple[str, ...] = ()  # the part of the answer that the code receives (axios: ("data",))

    def key(self) -> tuple[str, ...]:
        return (self.method, self.url_kind, self.url)

    @property
    def shown(self) -> str:
        return f"the request `{self.call}`"


def request_of(a: Analysis, fn: Node, index: int) -> Request | None:
    """The request whose answer `fn`'s parameter `index` receives (index 0 only: the data)."""
    if index != 0 or fn.type not in FUNCTIONS:
        return None
    holder = a.parent.get(id(fn))
    if holder is None:
        return None
    if holder.type == "Property" and prop_key(holder) in ("success", "done"):
        options = a.parent.get(id(holder))
        call = a.parent.get(id(options)) if options is not None else None
        if call is not None and call.type == "CallExpression":
            found = _request_call(a, call)
            if found is not None and not found[1]:
                return found[0]
        return None
    if holder.type != "CallExpression":
        return None
    callee = holder.callee
    if callee is not None and callee.type == "MemberExpression" and member_name(callee) in _PROMISE_VALUE \
            and (holder.arguments or [None])[0] is fn:
        return answer_of(a, callee.object)
    found = _request_call(a, holder)
    if found is not None and not found[1] and (holder.arguments or [None])[-1] is fn:
        return found[0]
    return None


def answer_of(a: Analysis, node: Node, depth: int = 0) -> Request | None:
    """The request whose (parsed) answer `node` evaluates to, when it is one."""
    if node is None or depth > 6:
        return None
    if node.type == "AwaitExpression":
        return answer_of(a, node.argument, depth + 1)
    if node.type == "Identifier":
        variable = a.scopes.variable(node)
        if variable is None:
            return None
        values = [r.value for r in variable.references if r.write and r.value is not None]
        if len(values) == 1:
            return answer_of(a, values[0], depth + 1)
        return None
    if node.type != "CallExpression":
        return None
    direct = _request_call(a, node)
    if direct is not None:
        return None if direct[1] else direct[0]
    callee = node.callee
    if callee is None or callee.type != "MemberExpression":
        return None
    name = member_name(callee)
    if name == "json" and not node.arguments:
        response = _fetch_response(a, callee.object, depth)
        return response
    if name == "then" and node.arguments:
        inner = node.arguments[0]
        if inner.type in FUNCTIONS and inner.params:
            returned = a.returns.get(id(inner), [])
            parsed = answer_of(a, callee.object, depth + 1)
            response = _fetch_response(a, callee.object, depth)
            for value in returned:
                # `.then(r => r.json())` on a fetch: the parsed body
                if response is not None and value.type == "CallExpression" and value.callee is not None \
                        and value.callee.type == "MemberExpression" and member_name(value.callee) == "json" \
                        and value.callee.object.type == "Identifier" \
                        and value.callee.object.name == getattr(inner.params[0], "name", None):
                    return response
                # `.then(res => res.data)` on axios: one step into the answer
                if parsed is not None and value.type == "MemberExpression" and value.object.type == "Identifier" \
                        and value.object.name == getattr(inner.params[0], "name", None) and member_name(value):
                    path = parsed.path[1:] if parsed.path[:1] == (member_name(value),) else \
                        (*parsed.path, f"-{member_name(value)}")
                    return Request(parsed.method, parsed.url_kind, parsed.url, parsed.call, path)
        return None
    return None


def _fetch_response(a: Analysis, node: Node, depth: int) -> Request | None:
    """`fetch(url)` (its Response object, whose `.json()` is the answer)."""
    if node is None or depth > 6:
        return None
    if node.type == "AwaitExpression":
        return _fetch_response(a, node.argument, depth + 1)
    if node.type == "Identifier":
        variable = a.scopes.variable(node)
        if variable is None:
            return None
        if variable.kind == "param" and variable.definitions:
            fn = variable.definitions[0].node
            holder = a.parent.get(id(fn)) if fn is not None else None
            if holder is not None and holder.type == "CallExpression" and holder.callee is not None \
                    and holder.callee.type == "MemberExpression" and member_name(holder.callee) == "then":
                return _fetch_response(a, holder.callee.object, depth + 1)
            return None
        values = [r.value for r in variable.references if r.write and r.value is not None]
        return _fetch_response(a, values[0], depth + 1) if len(values) == 1 else None
    if node.type == "CallExpression":
        found = _request_call(a, node)
        if found is not None and found[1]:
            return found[0]
    return None


def response_of_call(a: Analysis, call: Node) -> Request | None:
    """A call whose value is the server's answer (`await $.post(url)`, `await r.json()`)."""
    found = answer_of(a, call)
    return found


def _request_call(a: Analysis, call: Node) -> tuple[Request, bool] | None:
    """`call` is itself a request: its URL and method, and whether it is a `fetch` (whose value
    is a Response object, not yet the answer)."""
    callee = call.callee
    args = list(call.arguments or ())
    if callee is None or not args:
        return None
    shown = a.snippet(call, 60)
    name = dotted(callee) or ""
    if name in ("fetch", "window.fetch", "self.fetch", "globalThis.fetch"):
        method = _option(a, args[1], "method") if len(args) > 1 else "GET"
        kind, url = url_of(a, args[0], None)
        return Request((method or "GET").upper(), kind, url, shown), True
    if callee.type == "MemberExpression":
        method_name = member_name(callee) or ""
        base = callee.object
        base_name = dotted(base) or ""
        if base_name in _JQUERY_NAMES and method_name in _JQUERY:
            position, method = _JQUERY[method_name]
            if position < 0:
                options = args[0] if args[0].type == "ObjectExpression" else (args[1] if len(args) > 1 else None)
                url_node = _option_node(options, "url") if options is not None else None
                if args[0].type != "ObjectExpression":
                    url_node = args[0]
                method = (_option(a, options, "type") or _option(a, options, "method") or "GET") \
                    if options is not None else "GET"
                data = _option_node(options, "data") if options is not None else None
            else:
                url_node = args[position]
                data = args[1] if len(args) > 1 and args[1].type not in FUNCTIONS else None
            kind, url = url_of(a, url_node, data)
            return Request(method.upper(), kind, url, shown), False
        if base_name == "axios" and method_name in _AXIOS:
            kind, url = url_of(a, args[0], args[1] if len(args) > 1 else None)
            return Request(_AXIOS[method_name], kind, url, shown, ("data",)), False
        if method_name in ("post", "get", "put") and _is_storage(a, base):
            kind, url = url_of(a, args[0], args[1] if len(args) > 1 else None)
            return Request(method_name.upper(), kind, url, shown), False
    if callee.type == "Identifier" and callee.name == "axios" and args[0].type == "ObjectExpression":
        kind, url = url_of(a, _option_node(args[0], "url"), _option_node(args[0], "data"))
        return Request((_option(a, args[0], "method") or "GET").upper(), kind, url, shown, ("data",)), False
    return None


def _is_storage(a: Analysis, base: Node) -> bool:
    """Magento's `mage/storage` module (an AMD dependency), under any name."""
    if base.type != "Identifier":
        return False
    variable = a.scopes.variable(base)
    if variable is None:
        return False
    specifier, _ = a.import_source(variable)
    return specifier in ("mage/storage", "Magento_Checkout/js/model/storage") or \
        (not specifier and base.name == "storage")


def _option_node(options: Node | None, key: str) -> Node | None:
    if options is None or options.type != "ObjectExpression":
        return None
    for prop in options.properties or ():
        if prop.type == "Property" and prop_key(prop) == key:
            return prop.value
    return None


def _option(a: Analysis, options: Node | None, key: str) -> str:
    node = _option_node(options, key)
    value = a.string_const(node) if node is not None else None
    return value or ""


def url_of(a: Analysis, node: Node | None, data: Node | None) -> tuple[str, str]:
    """(kind, value) of a request's URL: what the project needs to find the handler."""
    if node is None:
        return "expression", ""
    action = _option(a, data, "action") if data is not None else ""
    if action and _wp_ajax(a, node):
        return "wp-ajax", action
    const = a.string_const(node)
    if const is not None:
        if "admin-ajax.php" in const and action:
            return "wp-ajax", action
        return "literal", const
    if node.type == "CallExpression" and node.callee is not None and node.callee.type == "MemberExpression":
        method = member_name(node.callee)
        first = node.arguments[0] if node.arguments else None
        route = a.string_const(first) if first is not None else None
        if method == "build" and route is not None:
            return "magento", route
        if method == "createUrl" and route is not None:
            return "magento-rest", route
        if method in ("data", "attr") and route is not None:
            attribute = route if method == "attr" else "data-" + _kebab(route)
            return "data-attribute", attribute
    if node.type == "BinaryExpression" and node.operator == "+":
        parts = _concatenation(a, node)
        if any(p != "*" for p in parts):
            return "literal", "".join(parts)
    if node.type == "MemberExpression" and member_name(node) is not None:
        # `config.createSourceUrl`, `drData.urls.source`: named, to be found among the page's settings
        return "expression", dotted(node) or a.snippet(node, 60)
    return "expression", a.snippet(node, 60)


def _wp_ajax(a: Analysis, node: Node) -> bool:
    name = member_name(node) if node.type == "MemberExpression" else getattr(node, "name", None)
    if name in _WP_AJAX_NAMES:
        return True
    const = a.string_const(node)
    return const is not None and "admin-ajax.php" in const


def _concatenation(a: Analysis, node: Node) -> list[str]:
    if node.type == "BinaryExpression" and node.operator == "+":
        return _concatenation(a, node.left) + _concatenation(a, node.right)
    const = a.string_const(node)
    return [const] if const is not None else ["*"]


def _kebab(name: str) -> str:
    """jQuery's `.data('createSourceUrl')` reads `data-create-source-url`."""
    out = []
    for char in name:
        if char.isupper():
            out.append("-" + char.lower())
        else:
            out.append(char)
    return "".join(out)


__all__ = ["Request", "answer_of", "request_of", "response_of_call", "string_literal", "url_of"]
