"""The PHP side of a payload that another file's DigitalRiver.js call receives (`Settings.seeds`).

A seed names code of this file (`drmigrate.project.routes`):
- ("response", "php-method" | "php-function" | "php-closure", ...): a handler that answers the
  page's request. What it answers with is the value of `$result->setData($x)` (Magento's JSON
  result), `wp_send_json($x)`, `wp_send_json_success($x)` / `_error($x)` (WordPress wraps them as
  `{success, data: $x}`), `json_encode($x)` (echoed, or passed to a response), `new
  JsonResponse($x)`, `new WP_REST_Response($x)`, `rest_ensure_response($x)`, `response()->json($x)`,
  and, in a handler that uses none of them (a REST callback, a Laravel action), the arrays it
  returns;
- ("response-php", "method" | "function", ...): what a helper returns.
From each answer the seed's key path (`response.content.payload` -> ("content", "payload")) is
followed into the value, inside the function: array literals, `$v = [...]` and the `$v['k'] = ...`
writes before the answer, the arrays a method of the same class or a function of this file returns
(string arguments bound to its parameters: `$this->buildSource('payPal', $quote)`). The array
found there becomes a payload site for the seed — no heuristic evidence is needed, the page's call
is the evidence — with the writes, reads and guard of any PHP payload. Its `type` may be a literal,
a class constant or a bound parameter. A builder in another file (a helper class injected into the
constructor, a static call, a function of an include) leaves a "server-php-method" /
"server-php-function" hop on the site for the project to follow. Everything is depth-limited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from tree_sitter import Node

from drmigrate.frontends import Settings
from drmigrate.frontends.server_payloads import Binding, Place, _dominates, held_fields
from drmigrate.model import Block, Confidence, Hop, PayloadSite, Seed, Span, Step, Write

MAX_DEPTH = 5
_FUNCTIONS = ("function_definition", "method_declaration", "anonymous_function", "arrow_function")
_CLASSES = ("class_declaration", "trait_declaration", "interface_declaration", "enum_declaration")
# answer calls: name -> the envelope key their argument sits under ("" for none)
_ANSWER_FUNCTIONS = {"wp_send_json": "", "wp_send_json_success": "data", "wp_send_json_error": "data",
                     "json_encode": "", "wp_json_encode": "", "rest_ensure_response": ""}
_ANSWER_METHODS = frozenset({"setData", "setJsonData", "json"})
# an answer written as a JSON string (`representJson(json_encode($x))`, `setBody($serializer->serialize($x))`)
_BODY_METHODS = frozenset({"representJson", "setBody", "setContent", "appendBody"})
_ENCODERS = frozenset({"json_encode", "wp_json_encode", "jsonEncode", "serialize", "encode"})
_RESULT_TEXT = re.compile(r"Factory|\bresponse\s*\(|Response|\$(?:json)?result|\$response|\$json", re.IGNORECASE)
_ANSWER_CLASSES = frozenset({"JsonResponse", "WP_REST_Response"})
# PHP functions that compute arrays: not a builder of this project to follow
_BUILTINS = frozenset({"array_merge", "array_merge_recursive", "array_replace", "array_replace_recursive",
                       "array_filter", "array_map", "array_combine", "array_fill_keys", "compact", "json_decode",
                       "unserialize", "iterator_to_array", "get_object_vars", "array_slice", "array_values",
                       "apply_filters", "wp_parse_args", "array_diff_key", "array_intersect_key"})


@dataclass(frozen=True)
class _Assign:
    """`$v = x;` (path empty) or `$v['a']['b'] = x;` inside one function."""

    name: str
    path: tuple[str, ...]
    value: Node
    start: int  # the statement's start
    place: Place


@dataclass
class _Context:
    """A function being read: its node, and what its parameters are bound to."""

    fn: Node
    params: dict[str, str | tuple[Node, _Context]] = field(default_factory=dict)
    depth: int = 0


@dataclass
class _Found:
    """Where a key path into an answer leads: an array literal (with the variable that holds it),
    or why not (with a hop when the array is built in another file)."""

    node: Node | None = None
    ctx: _Context | None = None
    # the variables that hold it on its way: (variable, path in it, bound at, their function's id)
    holders: list[tuple[str, tuple[str, ...], int, int]] = field(default_factory=list)
    via: list[tuple[Span, str]] = field(default_factory=list)
    unresolved: str = ""
    span: Span = (0, 0)
    hop: Hop | None = None


class SeededPhp:
    """Reads the seeds of one PHP file, on top of the PHP front end's collected facts."""

    def __init__(self, root: Node, text: str, collector: object, settings: Settings) -> None:
        from drmigrate.frontends.php import _Collector

        assert isinstance(collector, _Collector)
        self.root = root
        self.text = text
        self.c = collector
        self.offsets = collector.offsets
        self.settings = settings
        self._assigns: dict[int, list[_Assign]] = {}
        self._statements: dict[Span, Node] | None = None

    # -- helpers over the tree ------------------------------------------------------------------
    def span(self, node: Node) -> Span:
        return self.offsets.span(node)

    def src(self, node: Node) -> str:
        return (node.text or b"").decode("utf-8", "surrogatepass")

    def shown(self, node: Node, size: int = 50) -> str:
        text = " ".join(self.src(node).split())
        return text if len(text) <= size else text[: size - 1] + "…"

    def line(self, node: Node) -> int:
        return node.start_point[0] + 1

    def walk(self, node: Node, *, into_functions: bool = False) -> Iterator[Node]:
        stack = list(reversed(node.children))
        while stack:
            current = stack.pop()
            yield current
            if not into_functions and current.type in _FUNCTIONS:
                continue
            stack.extend(reversed(current.children))

    def name_of(self, node: Node | None) -> str:
        if node is None:
            return ""
        found = node.child_by_field_name("name")
        return self.src(found) if found is not None else ""

    def call_name(self, node: Node) -> str:
        from drmigrate.frontends.php import _call_name

        return _call_name(node)

    def args(self, call: Node) -> list[Node]:
        holder = call.child_by_field_name("arguments")
        if holder is None:
            holder = next((c for c in call.named_children if c.type == "arguments"), None)
        if holder is None:
            return []
        return [a.named_children[-1] for a in holder.named_children if a.type == "argument" and a.named_children]

    def string(self, node: Node | None) -> str | None:
        from drmigrate.frontends.php import _string

        if node is None:
            return None
        found = _string(node)
        return found[0] if found is not None else None

    def place(self, node: Node) -> Place:
        current: Node | None = node
        while current is not None:
            if current.id in self.c.places:
                return self.c.places[current.id]
            current = current.parent
        return ()

    def statement(self, node: Node) -> Node:
        current = node
        while current.parent is not None and current.type not in ("expression_statement", "return_statement",
                                                                     "echo_statement"):
            if current.parent.type in _FUNCTIONS:
                break
            current = current.parent
        return current

    def function_of(self, node: Node) -> Node | None:
        current = node.parent
        while current is not None and current.type not in _FUNCTIONS:
            current = current.parent
        return current

    def class_of(self, node: Node) -> Node | None:
        current = node.parent
        while current is not None and current.type not in _CLASSES:
            current = current.parent
        return current

    # -- the seed's code ------------------------------------------------------------------------
    def targets(self, seed: Seed) -> list[tuple[Node, str]]:
        """The functions a seed names: (node, how a message names it)."""
        target = seed.target
        kind = target[1] if len(target) > 1 else ""
        out: list[tuple[Node, str]] = []
        if kind in ("php-method", "method") and len(target) >= 4:
            for node in self.walk(self.root, into_functions=True):
                if node.type in _CLASSES and self.name_of(node).lower() == target[2].lower():
                    method = self.method(node, target[3])
                    if method is not None:
                        out.append((method, f"`{self.name_of(node)}::{self.name_of(method)}`"))
        elif kind in ("php-function", "function") and len(target) >= 3:
            for node in self.walk(self.root, into_functions=True):
                if node.type == "function_definition" and self.name_of(node).lower() == target[2].lower():
                    out.append((node, f"`{self.name_of(node)}()`"))
        elif kind == "php-closure" and len(target) >= 4:
            for closure in self.closures(target[2], target[3]):
                out.append((closure, f"the closure for `{target[3]}`"))
        return out

    def method(self, cls: Node, name: str) -> Node | None:
        body = cls.child_by_field_name("body")
        for member in (body.named_children if body is not None else ()):
            if member.type == "method_declaration" and self.name_of(member).lower() == name.lower():
                return member
        return None

    def closures(self, registrar: str, key: str) -> list[Node]:
        scope, _, verb = registrar.rpartition("::")
        out = []
        for node in self.walk(self.root, into_functions=True):
            if scope and node.type == "scoped_call_expression":
                owner = node.child_by_field_name("scope")
                if owner is None or self.src(owner).rsplit("\\", 1)[-1] != scope or self.call_name(node).lower() != verb:
                    continue
            elif scope or node.type not in ("function_call_expression", "member_call_expression") \
                    or self.call_name(node) != registrar:
                continue
            args = self.args(node)
            strings = [self.string(a) for a in args]
            if registrar == "register_rest_route":
                matched = len(strings) >= 2 and strings[1] is not None and f"{strings[0] or '*'}{strings[1]}" == key
            else:
                matched = bool(strings) and strings[0] == key
            if not matched:
                continue
            for arg in args:
                if arg.type in ("anonymous_function", "arrow_function"):
                    out.append(arg)
                elif arg.type == "array_creation_expression":
                    for sub in self.walk(arg):
                        if sub.type in ("anonymous_function", "arrow_function"):
                            out.append(sub)
        return out

    # -- answers --------------------------------------------------------------------------------
    def answers(self, fn: Node, path: tuple[str, ...], returns_only: bool) -> tuple[list[tuple[Node, Node, tuple[str, ...]]], bool]:
        """(answer node, value, path into the value) of each way `fn` answers; and whether they
        are its returns (a handler without an answer call answers with what it returns)."""
        calls: list[tuple[Node, Node, tuple[str, ...]]] = []
        returns: list[tuple[Node, Node, tuple[str, ...]]] = []
        body = fn.child_by_field_name("body")
        if body is None:
            return [], True
        if fn.type == "arrow_function" and body.type != "compound_statement":
            return [(body, body, path)], True
        for node in self.walk(body):
            if node.type == "return_statement" and node.named_children:
                returns.append((node, node.named_children[0], path))
            if returns_only:
                continue
            name = self.call_name(node) if node.type.endswith("call_expression") else ""
            args = self.args(node) if name else []
            if node.type == "function_call_expression" and name in _ANSWER_FUNCTIONS and args:
                envelope = _ANSWER_FUNCTIONS[name]
                if not envelope:
                    calls.append((node, args[0], path))
                elif path[:1] == (envelope,):
                    calls.append((node, args[0], path[1:]))
                else:
                    calls.append((node, node, ("\0",)))  # an answer that cannot carry the path
            elif node.type in ("member_call_expression", "nullsafe_member_call_expression") \
                    and name in _BODY_METHODS and args:
                body_value = args[0]
                if body_value.type.endswith("call_expression") and self.call_name(body_value) in _ENCODERS \
                        and self.args(body_value):
                    calls.append((node, self.args(body_value)[0], path))
            elif node.type in ("member_call_expression", "nullsafe_member_call_expression") \
                    and name in _ANSWER_METHODS and args and self.result_like(node, fn):
                key = self.string(args[0]) if len(args) == 2 and name != "json" else None
                if key is not None:
                    calls.append((node, args[1], path[1:]) if path[:1] == (key,) else (node, node, ("\0",)))
                else:
                    calls.append((node, args[0], path))
            elif node.type == "object_creation_expression":
                cls = next((c for c in node.named_children if c.type in ("name", "qualified_name")), None)
                created = self.args(node)
                if cls is not None and self.src(cls).rsplit("\\", 1)[-1] in _ANSWER_CLASSES and created:
                    calls.append((node, created[0], path))
        if calls:
            return calls, False
        return returns, True

    def result_like(self, call: Node, fn: Node) -> bool:
        """The receiver of `setData` / `json` is a response: a result a factory created
        (`$this->resultJsonFactory->create()`, `$result = $this->resultFactory->create(...)`),
        `response()`, or a variable named like one — not a block or a model (`$block->setData`)."""
        owner = call.child_by_field_name("object")
        if owner is None:
            return False
        text = self.src(owner)
        if _RESULT_TEXT.search(text):
            return True
        if owner.type == "variable_name":
            values = [self.src(a.value) for a in self.assigns(fn) if a.name == text and not a.path]
            return any(_RESULT_TEXT.search(v) for v in values)
        return False

    # -- following a key path -------------------------------------------------------------------
    def resolve(self, node: Node, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        if path[:1] == ("\0",):
            return []
        if ctx.depth > MAX_DEPTH:
            return [self.unresolved(node, "the array is built too many calls away for drmigrate to follow")]
        kind = node.type
        if kind == "parenthesized_expression" and node.named_children:
            return self.resolve(node.named_children[0], path, ctx, at)
        if kind == "array_creation_expression":
            return self.array(node, path, ctx, at)
        if kind == "variable_name" or (kind == "member_access_expression" and self.src(node).startswith("$this->")):
            return self.variable(node, path, ctx, at)
        if kind == "conditional_expression":
            parts = [c for c in (node.child_by_field_name("body"), node.child_by_field_name("alternative")) if c is not None]
            return [f for part in parts for f in self.resolve(part, path, ctx, at)]
        if kind == "binary_expression" and self.src(node.child_by_field_name("operator") or node)[:2] in ("??", "?:"):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            return [f for part in (left, right) if part is not None for f in self.resolve(part, path, ctx, at)]
        if kind in ("member_call_expression", "scoped_call_expression", "function_call_expression",
                    "nullsafe_member_call_expression"):
            return self.call(node, path, ctx, at)
        if kind in ("string", "encapsed_string", "integer", "float", "boolean", "null"):
            return []  # a scalar: this way holds no payload
        return [self.unresolved(node, f"the payload is computed by `{self.shown(node)}`; migrate the code "
                                      "that builds it")]

    def unresolved(self, node: Node, why: str, hop: Hop | None = None) -> _Found:
        return _Found(unresolved=why, span=self.span(node), hop=hop)

    def array(self, node: Node, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        if not path:
            return [_Found(node=node, ctx=ctx)]
        value: Node | None = None
        unknown: list[Node] = []
        for element in node.named_children:
            if element.type != "array_element_initializer":
                continue
            parts = [c for c in element.named_children if c.type != "comment"]
            if len(parts) == 2 and self.string(parts[0]) == path[0]:
                value = parts[1]  # a repeated key: the last one wins
            elif len(parts) != 2 or self.string(parts[0]) is None:
                if len(parts) == 1 and parts[0].type != "variadic_unpacking":
                    continue  # a list entry: no key
                unknown.append(element)
        if value is not None:
            return self.resolve(value, path[1:], ctx, at)
        if unknown:
            return [self.unresolved(unknown[0], f"the key `{path[0]}` may come from `{self.shown(unknown[0])}`; "
                                                "migrate the code that builds the payload")]
        return []

    def assigns(self, fn: Node) -> list[_Assign]:
        known = self._assigns.get(fn.id)
        if known is not None:
            return known
        from drmigrate.frontends.php import _name, _subscript_path

        found: list[_Assign] = []
        body = fn.child_by_field_name("body")
        for node in self.walk(body) if body is not None else ():
            if node.type != "assignment_expression":
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            stmt = self.statement(node)
            start = self.offsets(stmt.start_byte)
            name = _name(left)
            if name is not None:
                found.append(_Assign(name, (), right, start, self.place(stmt)))
            elif left.type == "subscript_expression":
                owner, keys = _subscript_path(left)
                if owner is not None and keys:
                    found.append(_Assign(owner, keys, right, start, self.place(stmt)))
        self._assigns[fn.id] = found
        return found

    def variable(self, node: Node, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        from drmigrate.frontends.php import _name

        name = _name(node) or self.src(node)
        bound = ctx.params.get(name)
        if bound is not None:
            if isinstance(bound, str):
                return []
            arg, caller = bound
            return self.resolve(arg, path, caller, self.offsets(arg.start_byte))
        here = self.place(node)
        assigns = [a for a in self.assigns(ctx.fn) if a.name == name and a.start < at]
        bindings = [a for a in assigns if not a.path]
        writes = [a for a in assigns if a.path and a.path == path[:len(a.path)]]

        def dominates(a: _Assign) -> bool:
            return _dominates(Binding(ctx.fn.id, name, a.place, a.start, None), here)

        reaching = [b for b in bindings
                    if not any(o is not b and b.start < o.start and dominates(o) for o in bindings)]
        out: list[_Found] = []
        for binding in reaching:
            if any(binding.start < w.start and dominates(w) for w in writes):
                continue  # a write to the key replaces what the binding put there
            for found in self.resolve(binding.value, path, ctx, binding.start):
                if found.hop is not None:
                    found = self.completed_here(found, ctx, name, path, binding.start, at)
                out.append(self.held(found, name, path, binding.start, ctx))
        for write in writes:
            if reaching and write.start < min(b.start for b in reaching):
                continue
            for found in self.resolve(write.value, path[len(write.path):], ctx, write.start):
                if found.hop is not None:
                    found = self.completed_here(found, ctx, name, path, write.start, at)
                out.append(self.held(found, name, path, write.start, ctx))
        if out or assigns:
            return out
        params = ctx.fn.child_by_field_name("parameters")
        if params is not None and any(self.src(p.child_by_field_name("name") or p) == name for p in params.named_children):
            return [self.unresolved(node, f"the payload comes from the parameter `{name}` of "
                                          f"`{self.name_of(ctx.fn) or 'a closure'}`; migrate the code that "
                                          "builds it")]
        return [self.unresolved(node, f"`{name}` is not set in this function before it is sent; migrate the "
                                      "code that builds the payload")]

    def completed_here(self, found: _Found, ctx: _Context, name: str, path: tuple[str, ...], start: int,
                       at: int) -> _Found:
        """An array built in another file that this function then writes into (`$data['amount'] =
        ...`): the builder there does not decide alone what is sent, so it is not followed."""
        written = [p.write for p in self.c.writes
                   if p.scope == ctx.fn.id and p.name == name and start < p.write.span[0] < at
                   and len(p.write.path) > len(path) and p.write.path[:len(path)] == path]
        if not written:
            return found
        shown = ", ".join(f"`{'.'.join(w.path[len(path):])}` (line {self.text.count(chr(10), 0, w.span[0]) + 1})"
                          for w in written[:3])
        return _Found(unresolved=f"{found.unresolved}; this file also sets {shown} on the array it gets, so "
                                 "migrate the two together by hand", span=found.span, via=found.via)

    def held(self, found: _Found, name: str, path: tuple[str, ...], start: int, ctx: _Context) -> _Found:
        if found.node is not None:
            found.holders.append((name, path, start, ctx.fn.id))
        return found

    def call(self, node: Node, path: tuple[str, ...], ctx: _Context, at: int) -> list[_Found]:
        name = self.call_name(node)
        args = self.args(node)
        shown = self.shown(node)
        constants = tuple((i, s) for i, a in enumerate(args) if (s := self.string(a)) is not None)
        callee: Node | None = None
        other: str = ""  # `Class::method` or `function` in another file
        if node.type in ("member_call_expression", "nullsafe_member_call_expression"):
            owner = node.child_by_field_name("object")
            owner_text = self.src(owner) if owner is not None else ""
            if owner_text == "$this":
                callee, other = self.own_method(node, name)
            elif owner is not None:
                cls = self.type_of(owner, ctx)
                if cls:
                    other = f"{cls}::{name}"
        elif node.type == "scoped_call_expression":
            scope = node.child_by_field_name("scope")
            scope_text = self.src(scope) if scope is not None else ""
            if scope_text.lower() in ("self", "static"):
                callee, other = self.own_method(node, name)
            elif scope_text.lower() == "parent":
                cls_node = self.class_of(node)
                parent = self.parent_class(cls_node) if cls_node is not None else ""
                other = f"{parent}::{name}" if parent else ""
            else:
                local = self.local_class(scope_text)
                callee = self.method(local, name) if local is not None else None
                other = "" if callee is not None else f"{self.qualify(scope_text)}::{name}"
        elif node.type == "function_call_expression":
            local_fn = next((n for n in self.walk(self.root, into_functions=True)
                             if n.type == "function_definition" and self.name_of(n).lower() == name.lower()), None)
            if local_fn is not None:
                callee = local_fn
            elif name.lower() in _BUILTINS or not name:
                return [self.unresolved(node, f"the payload is computed by `{shown}`; migrate the code that builds it")]
            else:
                other = name
        if callee is not None:
            inner = _Context(callee, self.bind(callee, args, ctx), ctx.depth + 1)
            out: list[_Found] = []
            answers, _ = self.answers(callee, path, returns_only=True)
            for _, value, sub in answers:
                for found in self.resolve(value, sub, inner, self.offsets(value.start_byte)):
                    found.via.append((self.span(node), f"returned by `{self.shown(node, 40)}` here"))
                    out.append(found)
            if not answers:
                out.append(self.unresolved(node, f"`{shown}` returns nothing drmigrate can see; migrate the code "
                                                 "that builds the payload"))
            return out
        if other:
            kind = "server-php-method" if "::" in other else "server-php-function"
            why = (f"the payload is built by `{shown}` in another file; migrate it where "
                   f"`{other.rsplit(chr(92), 1)[-1]}` builds it")
            hop = Hop(kind, self.span(node), why, name=other, path=path, constants=constants)
            return [self.unresolved(node, why, hop)]
        return [self.unresolved(node, f"the payload is the result of `{shown}`; migrate the code that builds it")]

    def bind(self, fn: Node, args: list[Node], ctx: _Context) -> dict[str, str | tuple[Node, _Context]]:
        bound: dict[str, str | tuple[Node, _Context]] = {}
        params = fn.child_by_field_name("parameters")
        for index, param in enumerate(params.named_children if params is not None else ()):
            variable = param.child_by_field_name("name")
            if variable is None or index >= len(args):
                continue
            value = self.string(args[index])
            bound[self.src(variable)] = value if value is not None else (args[index], ctx)
        return bound

    def own_method(self, node: Node, name: str) -> tuple[Node | None, str]:
        """A method of the calling code's own class, or (inherited) its parent's, in another file."""
        cls = self.class_of(node)
        if cls is None:
            return None, ""
        method = self.method(cls, name)
        if method is not None:
            return method, ""
        parent = self.parent_class(cls)
        return None, (f"{parent}::{name}" if parent else "")

    def parent_class(self, cls: Node) -> str:
        for child in cls.named_children:
            if child.type == "base_clause":
                named = next((c for c in child.named_children if c.type in ("name", "qualified_name")), None)
                if named is not None:
                    local = self.local_class(self.src(named))
                    return "" if local is not None else self.qualify(self.src(named))
        return ""

    def local_class(self, name: str) -> Node | None:
        short = name.rsplit("\\", 1)[-1].lower()
        return next((n for n in self.walk(self.root, into_functions=True)
                     if n.type in _CLASSES and self.name_of(n).lower() == short), None)

    def qualify(self, name: str) -> str:
        """A class name as written, fully qualified with the file's `use` imports and namespace."""
        if name.startswith("\\"):
            return name[1:]
        first, _, rest = name.partition("\\")
        for node in self.root.named_children:
            if node.type != "namespace_use_declaration":
                continue
            for clause in node.named_children:
                if clause.type != "namespace_use_clause":
                    continue
                target = next((c for c in clause.named_children if c.type in ("qualified_name", "name")), None)
                alias = clause.child_by_field_name("alias")
                if target is None:
                    continue
                full = self.src(target).lstrip("\\")
                local = self.src(alias) if alias is not None else full.rsplit("\\", 1)[-1]
                if local.lower() == first.lower():
                    return full + ("\\" + rest if rest else "")
        namespace = next((n for n in self.root.named_children if n.type == "namespace_definition"), None)
        prefix = self.name_of(namespace) if namespace is not None else ""
        return f"{prefix}\\{name}" if prefix else name

    def type_of(self, owner: Node, ctx: _Context) -> str:
        """The class of `$this->helper` (constructor-injected, promoted or typed property) or of a
        local `$x = new Foo()`, fully qualified; "" when not known."""
        text = self.src(owner)
        cls = self.class_of(ctx.fn)
        if text.startswith("$this->") and cls is not None:
            prop = text[len("$this->"):]
            return self.property_type(cls, prop)
        if owner.type == "variable_name":
            news = [a.value for a in self.assigns(ctx.fn) if a.name == text and not a.path]
            classes = {self.src(c) for v in news if v.type == "object_creation_expression"
                       for c in v.named_children if c.type in ("name", "qualified_name")}
            if len(classes) == 1 and len(news) == 1:
                return self.qualify(classes.pop())
        return ""

    def property_type(self, cls: Node, prop: str) -> str:
        body = cls.child_by_field_name("body")
        members = body.named_children if body is not None else []
        for member in members:
            if member.type == "property_declaration":
                typed = next((c for c in member.named_children if c.type in ("named_type", "optional_type")), None)
                names = [self.src(c).lstrip("$") for e in member.named_children if e.type == "property_element"
                         for c in e.named_children if c.type == "variable_name"]
                if typed is not None and prop in names:
                    return self.qualify(self.src(typed).lstrip("?"))
        constructor = self.method(cls, "__construct")
        if constructor is None:
            return ""
        params = constructor.child_by_field_name("parameters")
        types: dict[str, str] = {}
        for param in params.named_children if params is not None else ():
            typed = next((c for c in param.named_children if c.type in ("named_type", "optional_type")), None)
            variable = param.child_by_field_name("name")
            if typed is None or variable is None:
                continue
            types[self.src(variable)] = self.qualify(self.src(typed).lstrip("?"))
            if param.type == "property_promotion_parameter" and self.src(variable) == f"${prop}":
                return types[self.src(variable)]
        for assign in self.assigns(constructor):
            if assign.name == f"$this->{prop}" and assign.value.type == "variable_name":
                return types.get(self.src(assign.value), "")
        return ""

    def constant(self, node: Node, ctx: _Context) -> str | None:
        """The string a `type` value stands for: a literal, a bound parameter, a class constant."""
        value = self.string(node)
        if value is not None:
            return value
        if node.type == "variable_name":
            bound = ctx.params.get(self.src(node))
            if isinstance(bound, str):
                return bound
            if bound is not None:
                return self.constant(bound[0], bound[1])
            values = [a.value for a in self.assigns(ctx.fn) if a.name == self.src(node) and not a.path]
            strings = {self.string(v) for v in values}
            return strings.pop() if len(strings) == 1 and None not in strings else None
        if node.type == "class_constant_access_expression" and len(node.named_children) == 2:
            scope, name = node.named_children
            scope_text = self.src(scope)
            cls = self.class_of(node) if scope_text.lower() in ("self", "static") else self.local_class(scope_text)
            if cls is None:
                return None
            for member in self.walk(cls):
                if member.type == "const_element":
                    parts = member.named_children
                    if parts and self.src(parts[0]) == self.src(name):
                        return self.string(parts[-1])
        return None

    # -- sites ----------------------------------------------------------------------------------
    def sites(self, seed: Seed) -> list[PayloadSite]:
        target = seed.target
        returns_only = target[0] == "response-php"
        path = seed.path
        element_key = dict(self.settings.elements).get(seed.element, "") if seed.element else ""
        if element_key:
            path = (*path, element_key)
        out: list[PayloadSite] = []
        for fn, shown in self.targets(seed):
            ctx = _Context(fn)
            if returns_only:
                for index, value in seed.constants:
                    params = fn.child_by_field_name("parameters")
                    plist = params.named_children if params is not None else []
                    variable = plist[index].child_by_field_name("name") if index < len(plist) else None
                    if variable is not None:
                        ctx.params[self.src(variable)] = value
            answers, are_returns = self.answers(fn, path, returns_only)
            found: list[_Found] = []
            for answer, answered, sub in answers:
                for item in self.resolve(answered, sub, ctx, self.offsets(answer.start_byte)):
                    what = "returned here" if are_returns else "sent to the page here"
                    item.via.append((self.span(answer), what))
                    found.append(item)
            if are_returns and not returns_only:
                # a handler answering with what it returns: a response object is no payload
                useful = [f for f in found if f.node is not None or f.hop is not None]
                found = useful or found
            if not answers:
                name = self.name_of(fn)
                found = [_Found(unresolved=f"drmigrate cannot see what {shown} answers with (no `setData`, "
                                          "`wp_send_json`, `json_encode` or returned array); migrate the code "
                                          "that builds the payload", span=self.span(fn.child_by_field_name("name") or fn)
                                if name else self.span(fn))]
            for item in found:
                site = self.site(item, seed)
                if site is not None:
                    out.append(site)
        return out

    def site(self, found: _Found, seed: Seed) -> PayloadSite | None:
        via = tuple(Step(span, what) for span, what in found.via) + seed.via
        confidence = Confidence.LOW if seed.low else Confidence.HIGH
        if found.node is None or found.ctx is None:
            return PayloadSite(found.span, None, unresolved=found.unresolved, unresolved_span=found.span,
                               confidence=confidence, language="php", origin="php-array", call=seed.call,
                               element=seed.element, via=via, hop=found.hop, seed=seed.key)
        lit = self.c.literal(found.node)
        writes, blocks = self.completed(found)
        source = seed.call == "createSource" or bool(seed.element and dict(self.settings.elements).get(seed.element))
        source_type: str | None = None
        type_span: Span | None = None
        type_reason = ""
        tprop = lit.get("type")
        if tprop is not None:
            value = self.value_node(found.node, "type")
            type_span = tprop.span
            source_type = self.constant(value, found.ctx) if value is not None else None
            if source_type is None:
                type_reason = f"the payload's `type` is `{self.text[slice(*tprop.value_span)]}`, which drmigrate " \
                              "cannot resolve here"
        else:
            typed = [w for w in writes if w.path == ("type",)]
            if typed and typed[0].string_value is not None:
                source_type, type_span = typed[0].string_value, typed[0].span
            else:
                type_reason = "the payload has no `type` drmigrate can see"
        site = PayloadSite(lit.span, source_type if source else None, type_span=type_span,
                           type_reason=type_reason if source else "", parts=(lit,), writes=writes,
                           opaque=lit.opaque, confidence=confidence, language="php", origin="php-array",
                           blocks=blocks, call=seed.call, element=seed.element, via=via, seed=seed.key)
        return site

    def value_node(self, array: Node, key: str) -> Node | None:
        value = None
        for element in array.named_children:
            parts = [c for c in element.named_children if c.type != "comment"]
            if element.type == "array_element_initializer" and len(parts) == 2 and self.string(parts[0]) == key:
                value = parts[1]
        return value

    def completed(self, found: _Found) -> tuple[tuple[Write, ...], tuple[Block, ...]]:
        return held_fields(found.holders, self.c.bindings, self.c.writes, self.c.uses)


_EMPTY = frozenset({"null", "''", '""', "false"})


def session_when(site: PayloadSite, root: Node, offsets: object) -> PayloadSite:
    """Where `sessionId` is set on some paths only (`if ($sessionId) { $data['sessionId'] = ...; }`,
    `'sessionId' => $id ?: null`), for the engine's dual-mode verdict (DR205); the site as it is
    when `sessionId` is always set, or never."""
    to_span = offsets.span  # type: ignore[attr-defined]
    props = [p for part in site.parts for p in part.props if p.key == "sessionId"]
    if props:
        for prop in props:
            node = _node_at(root, to_span, prop.value_span)
            if node is not None and _maybe_empty(node):
                return replace(site, session_when=prop.span)
        return site
    writes = [w for w in site.writes if w.path == ("sessionId",) and w.kind == "write"]
    if writes and all(w.conditional for w in writes):
        return replace(site, session_when=writes[0].span)
    return site


def _maybe_empty(node: Node) -> bool:
    """`$id ? $id : null`, `$id ?: null`, `$id ?? null`: a value that may be no session id."""
    def empty(child: Node | None) -> bool:
        return child is not None and (child.text or b"").decode("utf-8", "replace").strip().lower() in _EMPTY

    if node.type == "conditional_expression":
        return empty(node.child_by_field_name("body")) or empty(node.child_by_field_name("alternative"))
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        text = (operator.text or b"").decode() if operator is not None else ""
        return text in ("??", "?:") and empty(node.child_by_field_name("right"))
    return False


def _node_at(root: Node, to_span: object, span: Span) -> Node | None:
    stack = [root]
    while stack:
        node = stack.pop()
        found = to_span(node)  # type: ignore[operator]
        if found == span and node.is_named:
            return node
        if found[0] <= span[0] and span[1] <= found[1]:
            stack.extend(node.children)
    return None


def seeded_sites(root: Node, text: str, collector: object, settings: Settings) -> list[PayloadSite]:
    """The payload sites of this file's seeds (those the PHP side answers)."""
    seeds = [s for s in settings.seeds or () if s.target[:1] in (("response",), ("response-php",))]
    if not seeds:
        return []
    reader = SeededPhp(root, text, collector, settings)
    out: list[PayloadSite] = []
    for seed in seeds:
        out.extend(reader.sites(seed))
    return out


