"""WordPress routes: the callback that answers an `admin-ajax.php` action or a REST route.

- Ajax: the page posts `action: 'x'` to `admin-ajax.php`; WordPress runs the callbacks hooked to
  `wp_ajax_x` (logged-in users) and `wp_ajax_nopriv_x` (guests): every one of them answers, so each
  is a link. Hooks are registered as `add_action('wp_ajax_x', <callback>)`, or through the plugin
  boilerplate's loader (`$this->loader->add_action('wp_ajax_x', $object, 'method')`).
- REST: `register_rest_route('ns/v1', '/route', ['methods' => ..., 'callback' => <callback>])`
  answers `/wp-json/ns/v1/route`; its callback's return value is the answer.
A callback is a function name, `'Class::method'`, `array($this | __CLASS__ | Class::class | 'Class'
| new Class() | $object, 'method')` or a closure.
"""

from __future__ import annotations

from tree_sitter import Node

from drmigrate.project.handlers import (
    Handler,
    Resolution,
    RouteEntry,
    linked,
    memo,
    named,
    route_segments,
    unlinked,
)
from drmigrate.project.index import ProjectIndex
from drmigrate.project.phpcode import (
    arguments,
    call_name,
    enclosing_class,
    find_function,
    find_method,
    nodes_in,
    string_of,
    text_of,
    tree,
    walk,
)

_CALLS = ("function_call_expression", "member_call_expression", "nullsafe_member_call_expression")
# WP_REST_Server's method constants
_REST_METHODS = {"READABLE": {"GET"}, "CREATABLE": {"POST"}, "EDITABLE": {"POST", "PUT", "PATCH"},
                 "DELETABLE": {"DELETE"}, "ALLMETHODS": set()}


def _calls_named(index: ProjectIndex, needle: str, name: str) -> list[tuple[str, Node, bytes]]:
    return [(rel, node, data) for rel, node, data in nodes_in(index, needle, _CALLS) if call_name(node, data) == name]


def callback(index: ProjectIndex, rel: str, node: Node, data: bytes, registrar: str, key: str,
             method: Node | None = None) -> Handler | str:
    """The handler a callback expression names (`method`: the loader form's method argument)."""
    line = node.start_point[0] + 1
    shown = " ".join(text_of(node, data).split())[:60]
    if method is not None:
        name = string_of(method)
        owner = _class_of(index, rel, node, data)
        if name is None or owner is None:
            return f"the callback `{shown}` at {index.display(rel)}:{line} cannot be resolved"
        return find_method(index, owner, name, prefer=rel)
    if node.type in ("anonymous_function", "arrow_function"):
        return Handler(rel, line, ("response", "php-closure", registrar, key), f"the closure for `{key}`")
    value = string_of(node)
    if value is not None:
        if "::" in value:
            owner, _, name = value.partition("::")
            return find_method(index, owner, name, prefer=rel)
        return find_function(index, value)
    if node.type == "array_creation_expression":
        elements = [e.named_children[-1] for e in node.named_children
                    if e.type == "array_element_initializer" and e.named_children]
        if len(elements) == 2:
            name = string_of(elements[1])
            owner = _class_of(index, rel, elements[0], data)
            if name is not None and owner is not None:
                return find_method(index, owner, name, prefer=rel)
    return f"the callback `{shown}` at {index.display(rel)}:{line} cannot be resolved"


def _class_of(index: ProjectIndex, rel: str, node: Node, data: bytes) -> str | None:
    """The class an object or class expression of a callback names, when it is certain."""
    text = text_of(node, data).strip()
    if node.type == "variable_name" and text == "$this":
        return enclosing_class(node, data)
    if node.type == "name" and text in ("__CLASS__",):
        return enclosing_class(node, data)
    if node.type == "class_constant_access_expression" and text.lower().endswith("::class"):
        owner = text[: -len("::class")]
        return enclosing_class(node, data) if owner.lower() in ("self", "static") else owner
    value = string_of(node)
    if value is not None:
        return value
    if node.type == "object_creation_expression":
        named_ = next((c for c in node.named_children if c.type in ("name", "qualified_name")), None)
        return text_of(named_, data) if named_ is not None else None
    if node.type == "variable_name":
        # `$plugin = new Plugin_Public(...); ... add_action('x', $plugin, 'm')`: one class, else unknown
        parsed = tree(index, rel)
        if parsed is None:
            return None
        root, _ = parsed
        classes = set()
        for other in walk(root):
            if other.type == "assignment_expression":
                left, right = other.child_by_field_name("left"), other.child_by_field_name("right")
                if left is not None and right is not None and text_of(left, data) == text \
                        and right.type == "object_creation_expression":
                    found = _class_of(index, rel, right, data)
                    classes.add(found)
        if len(classes) == 1:
            return classes.pop()
    return None


def ajax(index: ProjectIndex, action: str) -> Resolution:
    """The callbacks hooked to `wp_ajax_<action>` and `wp_ajax_nopriv_<action>`."""
    hooks = (f"wp_ajax_{action}", f"wp_ajax_nopriv_{action}")
    handlers: list[Handler] = []
    problems: list[str] = []
    for rel, call, data in _calls_named(index, "wp_ajax_", "add_action"):
        args = arguments(call)
        hook = string_of(args[0]) if args else None
        if hook not in hooks or len(args) < 2:
            continue
        loader = call.type != "function_call_expression" and len(args) >= 3 and string_of(args[2]) is not None
        found = callback(index, rel, args[1], data, "add_action", hook or "",
                         method=args[2] if loader else None)
        if isinstance(found, Handler):
            handlers.append(found)
        else:
            problems.append(found)
    if problems:
        return unlinked(f"the action `{action}` has a callback drmigrate cannot follow: {problems[0]}"
                        + (f" (and it also reaches {named(index, handlers)})" if handlers else ""))
    if not handlers:
        return unlinked(f"no `add_action('wp_ajax_{action}', ...)` of this project hooks the action `{action}` "
                        "(the plugin that answers it may be outside this tree)")
    return linked(*handlers)


def rest_routes(index: ProjectIndex) -> list[RouteEntry]:
    """Every `register_rest_route(...)` of the project, one entry per method group."""
    def build() -> list[RouteEntry]:
        out: list[RouteEntry] = []
        for rel, call, data in _calls_named(index, "register_rest_route", "register_rest_route"):
            args = arguments(call)
            if len(args) < 3:
                continue
            namespace, route = string_of(args[0]), string_of(args[1])
            line = call.start_point[0] + 1
            shown = " ".join(text_of(call, data).split())[:70]
            if route is None:
                out.append(RouteEntry((), frozenset(), rel, line, None,
                                      f"the route of `{shown}` is computed", shown))
                continue
            segments = (*(route_segments(namespace) if namespace else ()), *route_segments(route))
            key = f"{namespace or '*'}{route}"
            for group in _rest_groups(args[2]):
                methods, cb = _rest_group(group, data)
                if cb is None:
                    out.append(RouteEntry(segments, methods, rel, line, None,
                                          f"`{shown}` has no callback drmigrate can see", shown,
                                          open_start=namespace is None))
                    continue
                found = callback(index, rel, cb, data, "register_rest_route", key)
                out.append(RouteEntry(segments, methods, rel, line, found if isinstance(found, Handler) else None,
                                      "" if isinstance(found, Handler) else found, shown,
                                      open_start=namespace is None))
        return out

    return memo(index, "wp-rest-routes", build)


def _rest_groups(node: Node) -> list[Node]:
    """`['callback' => ...]` or a list of such arrays (one per method)."""
    if node.type != "array_creation_expression":
        return [node]
    elements = [e for e in node.named_children if e.type == "array_element_initializer"]
    keyed = any(len(e.named_children) == 2 for e in elements)
    if keyed:
        return [node]
    return [e.named_children[-1] for e in elements if e.named_children]


def _rest_group(node: Node, data: bytes) -> tuple[frozenset[str], Node | None]:
    methods: set[str] = set()
    cb: Node | None = None
    declared = False
    if node.type != "array_creation_expression":
        return frozenset(), None
    for element in node.named_children:
        if element.type != "array_element_initializer" or len(element.named_children) != 2:
            continue
        key, value = element.named_children
        name = string_of(key)
        if name == "callback":
            cb = value
        elif name == "methods":
            declared = True
            text = text_of(value, data)
            literal = string_of(value)
            if literal is not None:
                methods |= {m.strip().upper() for m in literal.split(",") if m.strip()}
            else:
                for constant, meant in _REST_METHODS.items():
                    if text.endswith(constant):
                        methods |= meant
    return frozenset(methods if declared else {"GET"}), cb  # WordPress's default is GET
