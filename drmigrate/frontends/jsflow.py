"""How a value crosses a function boundary inside one JavaScript program, binding-accurately.

The payload analysis (`jsanalysis`) asks two questions here:
- who calls this function, and with which arguments? (`callers`): plain calls, `.call` / `.apply`,
  immediately-invoked functions, methods of object literals (`api.pay(x)`, `this.pay(x)`), class
  methods (on `this`, `super`, and instances made with `new` and kept in a variable, a field or a
  computed key), prototype methods, React components used as JSX elements (their props);
- which functions does this call run? (`call_targets`): a function bound to a name, a method of an
  object literal or of a class (with the overriding methods of its subclasses: polymorphic dispatch
  gives several targets).
Each also says how the function can be reached from outside the file (`Exit`: an export, a global
of the page, a framework that calls it back): the project follows those (`drmigrate.project`).
Nothing here knows about Digital River.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drmigrate.frontends.jsnodes import Node, dotted, member_name, prop_key, span_of
from drmigrate.frontends.jsscope import FUNCTIONS, Variable, children, pattern_names

if TYPE_CHECKING:
    from drmigrate.frontends.jsanalysis import Analysis

# Calls that register a callback: the function is called by the library, not by this file.
_CALLBACK_VERBS = frozenset({"then", "done", "always", "fail", "catch", "finally", "on", "one", "bind",
                             "addEventListener", "subscribe", "forEach", "map", "each", "ready",
                             "setTimeout", "setInterval", "click", "submit", "change"})


@dataclass(frozen=True)
class Exit:
    """A way a function (or the object holding it) is reachable from outside this file.

    kinds: "export" (`names` is the export path: ("buildPayload",), ("default", "pay"),
    ("module",) for `module.exports = f`), "global" (a name other scripts of the page see),
    "event" (a jQuery event's handler: `names` is the event, which any script may trigger),
    "callback" (handed to a library call: `node` is that call), "value" (stored or passed on in a
    way this file does not follow), "framework" (an object's methods called by the framework it is
    given to: `Component.extend({...})`)."""

    kind: str
    node: Node
    names: tuple[str, ...] = ()
    shown: str = ""


@dataclass
class Callers:
    """The calls of one function in this file, and how else it can be reached."""

    calls: list[tuple[Node, list[Node | None]]] = field(default_factory=list)  # (call, arguments)
    exits: list[Exit] = field(default_factory=list)
    name: str = ""  # how a person calls it: `pay`, `api.pay`, `Checkout#pay`


def param_position(fn: Node, name: Node) -> tuple[int, tuple[str, ...]] | None:
    """Where the parameter `name` sits: its index, and the path inside a destructuring pattern
    (`function f({sourceData})` -> (0, ("sourceData",))); None for a rest element or a default
    that changes it."""
    for index, param in enumerate(fn.params or ()):
        found = _pattern_path(param, name)
        if found is not None:
            return index, found
    return None


def _pattern_path(pattern: Node, name: Node) -> tuple[str, ...] | None:
    if pattern is None:
        return None
    if pattern is name:
        return ()
    kind = pattern.type
    if kind == "AssignmentPattern":  # `p = {}`: the default only applies when nothing is passed
        return _pattern_path(pattern.left, name)
    if kind == "ObjectPattern":
        for prop in pattern.properties or ():
            if prop.type != "Property":
                continue  # `...rest`: every other key
            key = prop_key(prop)
            inner = _pattern_path(prop.value, name)
            if inner is not None:
                return None if key is None else (key, *inner)
    return None


def callers(a: Analysis, fn: Node) -> Callers:
    """Every call of `fn` in this file (with the arguments as `fn` receives them) and its exits."""
    out = Callers()
    holder = a.parent.get(id(fn))
    if holder is not None and holder.type == "CallExpression" and holder.callee is fn:
        out.calls.append((holder, list(holder.arguments or ())))  # `(function (p) {...})(x)`
        out.name = "the immediately-invoked function"
        return out
    if fn.type == "FunctionDeclaration" and fn.id is not None:
        out.name = str(fn.id.name)
        _exported_declaration(fn, holder, out)
        variable = a.scopes.variable(fn.id)
        if variable is not None:
            _variable_calls(a, variable, out)
        if holder is not None and holder.type == "Program" and a.is_script():
            out.exits.append(Exit("global", fn, (str(fn.id.name),), f"the page's global `{fn.id.name}`"))
        return out
    if holder is None:
        return out
    if holder.type == "VariableDeclarator" and holder.init is fn and holder.id is not None \
            and holder.id.type == "Identifier":
        out.name = str(holder.id.name)
        declaration = a.parent.get(id(holder))
        _exported_declaration(declaration, a.parent.get(id(declaration)) if declaration is not None else None,
                              out, str(holder.id.name))
        variable = a.scopes.variable(holder.id)
        if variable is not None:
            _variable_calls(a, variable, out)
            if _top_level_script(a, holder):
                out.exits.append(Exit("global", fn, (out.name,), f"the page's global `{out.name}`"))
        return out
    if holder.type == "AssignmentExpression" and holder.right is fn and holder.operator == "=":
        _assigned_function(a, fn, holder.left, out)
        return out
    if holder.type == "Property" and holder.value is fn:
        key = prop_key(holder, a)
        obj = a.parent.get(id(holder))
        if key is not None and obj is not None and obj.type == "ObjectExpression":
            _object_method(a, obj, key, out)
        else:
            out.exits.append(Exit("value", holder, shown="a computed key"))
        return out
    if holder.type in ("MethodDefinition",) and holder.value is fn:
        key = prop_key(holder, a)
        body = a.parent.get(id(holder))
        cls = a.parent.get(id(body)) if body is not None else None
        if key is not None and cls is not None and cls.type in ("ClassDeclaration", "ClassExpression"):
            _class_method(a, cls, key, bool(holder.static), out)
        else:
            out.exits.append(Exit("value", holder, shown="a computed method name"))
        return out
    if holder.type in ("CallExpression", "NewExpression"):
        shown = a.snippet(holder.callee, 40) if holder.callee is not None else "a call"
        out.name = f"the callback given to `{shown}`"
        event = _event_name(a, holder, fn)
        if event is not None:
            # `$(x).on('name', function (e, data) {...})`: `$(y).trigger('name', data)` calls it
            out.name = f"the `{event}` event handler"
            out.calls.extend(trigger_calls(a, event))
            out.exits.append(Exit("event", holder, (event,), f"the `{event}` event, which other files may trigger"))
            return out
        out.exits.append(Exit("callback", holder, shown=f"`{shown}` calls it back"))
        return out
    out.exits.append(Exit("value", holder, shown=f"`{a.snippet(holder, 40)}`"))
    return out


def trigger_calls(a: Analysis, event: str) -> list[tuple[Node, list[Node | None]]]:
    """`$(x).trigger('name', data)` calls of this file, with the arguments as a handler gets them
    (the event object first: `[null, data]`; an array of extra arguments is spread)."""
    found: list[tuple[Node, list[Node | None]]] = []
    for trigger in [*a.member_calls.get(".trigger", ()), *a.member_calls.get(".triggerHandler", ())]:
        args = list(trigger.arguments or ())
        if args and a.string_const(args[0]) == event:
            extra = args[1] if len(args) > 1 else None
            if extra is not None and extra.type == "ArrayExpression":
                found.append((trigger, [None, *(extra.elements or ())]))
            else:
                found.append((trigger, [None, extra]))
    return found


def _event_name(a: Analysis, call: Node, fn: Node) -> str | None:
    """`x.on('digitalRiver:dropIn', fn)` / `.one(...)`: the event's name, when `fn` is its handler."""
    callee = call.callee
    args = list(call.arguments or ())
    if callee is None or callee.type != "MemberExpression" or member_name(callee) not in ("on", "one") \
            or len(args) < 2 or args[-1] is not fn:
        return None
    return a.string_const(args[0])


def _top_level_script(a: Analysis, declarator: Node) -> bool:
    declaration = a.parent.get(id(declarator))
    program = a.parent.get(id(declaration)) if declaration is not None else None
    return program is not None and program.type == "Program" and a.is_script() \
        and declaration is not None and declaration.kind == "var"


def _exported_declaration(node: Node | None, holder: Node | None, out: Callers, name: str = "") -> None:
    """`export function f`, `export default function`, `export const f = ...`."""
    if node is None or holder is None:
        return
    if holder.type == "ExportNamedDeclaration":
        shown = name or (str(node.id.name) if node.id is not None else "")
        out.exits.append(Exit("export", holder, (shown,), f"exported as `{shown}`"))
    elif holder.type == "ExportDefaultDeclaration":
        out.exits.append(Exit("export", holder, ("default",), "the module's default export"))


def _assigned_function(a: Analysis, fn: Node, left: Node, out: Callers) -> None:
    """`f = function`, `module.exports = function`, `exports.f = ...`, `Foo.prototype.f = ...`,
    `window.f = ...`, `obj.f = ...`."""
    if left.type == "Identifier":
        out.name = str(left.name)
        variable = a.scopes.variable(left)
        if variable is not None:
            _variable_calls(a, variable, out)
            if variable.kind == "implicit":
                out.exits.append(Exit("global", fn, (out.name,), f"the page's global `{out.name}`"))
        return
    if left.type != "MemberExpression":
        out.exits.append(Exit("value", left, shown=f"`{a.snippet(left, 40)}`"))
        return
    chain = dotted(left) or ""
    exported = _export_names(chain)
    if exported is not None:
        out.name = chain
        out.exits.append(Exit("export", left, exported, f"exported as `{chain}`"))
        return
    name = member_name(left)
    base = left.object
    if name is not None and base.type == "MemberExpression" and member_name(base) == "prototype":
        out.name = f"{dotted(base.object) or '?'}#{name}"
        _prototype_method(a, base.object, name, out)
        return
    if name is not None and base.type == "Identifier" and base.name in ("window", "self", "globalThis"):
        out.name = name
        out.exits.append(Exit("global", left, (name,), f"the page's global `{name}`"))
        for call, args in _named_member_calls(a, name):
            out.calls.append((call, args))
        return
    if name is not None:
        out.name = chain or name
        key = a.member_key(left)
        for call in a.member_calls.get(key, ()):
            if _same_object(a, call.callee.object, base):
                out.calls.append((call, list(call.arguments or ())))
        variable = a.scopes.variable(base) if base.type == "Identifier" else None
        if variable is not None:
            for exit_ in _object_exits(a, variable, base):
                out.exits.append(Exit(exit_.kind, exit_.node, (*exit_.names, name), exit_.shown))
        elif base.type != "ThisExpression":
            out.exits.append(Exit("value", left, shown=f"`{chain or a.snippet(left, 40)}`"))
        return
    out.exits.append(Exit("value", left, shown=f"`{a.snippet(left, 40)}`"))


def _export_names(chain: str) -> tuple[str, ...] | None:
    if chain == "module.exports":
        return ("module",)
    for prefix in ("module.exports.", "exports."):
        if chain.startswith(prefix):
            return tuple(chain[len(prefix):].split("."))
    return None


def _same_object(a: Analysis, first: Node, second: Node) -> bool:
    """Two expressions name the same object: the same variable, or `this` in the same place."""
    if first.type == "Identifier" and second.type == "Identifier":
        one, two = a.scopes.variable(first), a.scopes.variable(second)
        return one is not None and one is two
    if first.type == "ThisExpression" and second.type == "ThisExpression":
        return a.this_owner(first) is a.this_owner(second)
    return bool(dotted(first) is not None and dotted(first) == dotted(second))


def _named_member_calls(a: Analysis, name: str) -> Iterator[tuple[Node, list[Node | None]]]:
    """`window.name(...)` / `name(...)` as an undeclared global."""
    for call in a.member_calls.get("." + name, ()):
        base = call.callee.object
        if base.type == "Identifier" and base.name in ("window", "self", "globalThis") \
                and _implicit(a, base):
            yield call, list(call.arguments or ())
    implicit = a.scopes.implicit.get(name)
    if implicit is not None:
        for ref in implicit.references:
            parent = a.parent.get(id(ref.identifier))
            if parent is not None and parent.type == "CallExpression" and parent.callee is ref.identifier:
                yield parent, list(parent.arguments or ())


def _implicit(a: Analysis, ident: Node) -> bool:
    variable = a.scopes.variable(ident)
    return variable is not None and variable.kind == "implicit"


def _reads(a: Analysis, variable: Variable) -> Iterator[tuple[Node, Node]]:
    """(identifier, its parent) for every read of a variable."""
    for ref in variable.references:
        if ref.write:
            continue
        parent = a.parent.get(id(ref.identifier))
        if parent is not None:
            yield ref.identifier, parent


def _leaves(a: Analysis, ident: Node, parent: Node) -> Exit | None:
    """The read `ident` hands its value out of the file: an export (ES, CommonJS, an AMD module's
    value) or a global of the page (`window.x = ...`); None when it does not."""
    if parent.type == "ExportSpecifier":
        exported = parent.exported.name if parent.exported is not None else ident.name
        return Exit("export", parent, (str(exported),), f"exported as `{exported}`")
    if parent.type == "ExportDefaultDeclaration":
        return Exit("export", parent, ("default",), "the module's default export")
    if parent.type == "ReturnStatement" and a.amd_factory(parent) is not None:
        return Exit("export", parent, ("module",), "the AMD module's value")
    if parent.type == "AssignmentExpression" and parent.right is ident:
        chain = dotted(parent.left) or ""
        exported = _export_names(chain)
        if exported is not None:
            return Exit("export", parent, exported, f"exported as `{chain}`")
        left = parent.left
        if left.type == "MemberExpression" and left.object.type == "Identifier" \
                and left.object.name in ("window", "self", "globalThis"):
            name = member_name(left) or "?"
            return Exit("global", parent, (name,), f"the page's global `{name}`")
    return None


def _variable_calls(a: Analysis, variable: Variable, out: Callers) -> None:
    """The calls of the function a variable holds, and the other things done with it."""
    for ident, parent in _reads(a, variable):
        if parent.type == "CallExpression" and parent.callee is ident:
            out.calls.append((parent, list(parent.arguments or ())))
            continue
        if parent.type in ("JSXOpeningElement", "JSXSelfClosingElement") and parent.name is ident:
            out.calls.append((parent, [parent]))  # a component: its props are its one argument
            continue
        if parent.type == "MemberExpression" and parent.object is ident:
            method = member_name(parent)
            call = a.parent.get(id(parent))
            if method in ("call", "apply") and call is not None and call.type == "CallExpression" \
                    and call.callee is parent:
                args = list(call.arguments or ())
                if method == "call":
                    out.calls.append((call, args[1:]))
                elif len(args) > 1 and args[1].type == "ArrayExpression":
                    out.calls.append((call, list(args[1].elements or ())))
                else:
                    out.exits.append(Exit("value", call, shown=f"`{a.snippet(call, 40)}` with a list built elsewhere"))
                continue
            if method in ("bind",):
                out.exits.append(Exit("value", parent, shown=f"`{a.snippet(parent, 40)}`"))
                continue
            continue  # `f.length`, `f.name`: reads of the function object
        leaving = _leaves(a, ident, parent)
        if leaving is not None:
            out.exits.append(leaving)
            continue
        if parent.type == "AssignmentExpression" and parent.right is ident:
            left = parent.left
            if left.type == "MemberExpression" and member_name(left) is not None:
                key = a.member_key(left)
                for call in a.member_calls.get(key, ()):
                    if _same_object(a, call.callee.object, left.object):
                        out.calls.append((call, list(call.arguments or ())))
                variable_ = a.scopes.variable(left.object) if left.object.type == "Identifier" else None
                if variable_ is not None:
                    for exit_ in _object_exits(a, variable_, left.object):
                        out.exits.append(Exit(exit_.kind, exit_.node, (*exit_.names, member_name(left) or "?"),
                                              exit_.shown))
            else:
                out.exits.append(Exit("value", parent, shown=f"`{a.snippet(parent, 40)}`"))
            continue
        if parent.type == "Property" and parent.value is ident:
            member = prop_key(parent, a)
            obj = a.parent.get(id(parent))
            if member is not None and obj is not None and obj.type == "ObjectExpression":
                _object_method(a, obj, member, out, keep_name=True)
            else:
                out.exits.append(Exit("value", parent, shown="a computed key"))
            continue
        if parent.type in ("CallExpression", "NewExpression"):
            shown = a.snippet(parent.callee, 40) if parent.callee is not None else "a call"
            out.exits.append(Exit("callback", parent, shown=f"`{shown}` calls it back"))
            continue
        out.exits.append(Exit("value", parent, shown=f"`{a.snippet(parent, 40)}`"))


def _object_method(a: Analysis, obj: Node, key: str, out: Callers, *, keep_name: bool = False) -> None:
    """The calls of the method `key` of the object literal `obj`: `api.key(...)` through every
    variable that holds it, `this.key(...)` in its own methods; and how the object leaves."""
    holder = a.parent.get(id(obj))
    value: Node = obj
    iife = _iife_of_return(a, holder) if holder is not None and holder.type == "ReturnStatement" else None
    if iife is not None:
        # the module pattern: `var Api = (function () { ...; return {pay: pay}; })();`
        value, holder = iife, a.parent.get(id(iife))
    target: Node | None = None
    if holder is not None and holder.type == "VariableDeclarator" and holder.init is value \
            and holder.id is not None and holder.id.type == "Identifier":
        target = holder.id
    elif holder is not None and holder.type == "AssignmentExpression" and holder.right is value:
        target = holder.left
    if not keep_name or not out.name:
        out.name = f"{dotted(target) or 'the object'}.{key}" if target is not None else key
    for call in a.member_calls.get("." + key, ()):
        base = call.callee.object
        if base.type == "ThisExpression" and a.this_owner(base) is obj:
            out.calls.append((call, list(call.arguments or ())))
    if target is not None and target.type == "Identifier":
        variable = a.scopes.variable(target)
        if variable is not None:
            for call in a.member_calls.get("." + key, ()):
                base = call.callee.object
                if base.type == "Identifier" and a.scopes.variable(base) is variable:
                    out.calls.append((call, list(call.arguments or ())))
            for exit_ in _object_exits(a, variable, target):
                out.exits.append(Exit(exit_.kind, exit_.node, (*exit_.names, key), exit_.shown))
        return
    if target is not None and target.type == "MemberExpression":
        chain = dotted(target) or ""
        exported = _export_names(chain)
        if exported is not None:
            out.exits.append(Exit("export", target, (*exported, key), f"exported as `{chain}`"))
        elif target.object.type == "Identifier" and target.object.name in ("window", "self", "globalThis"):
            name = member_name(target) or "?"
            out.exits.append(Exit("global", target, (name, key), f"the page's global `{name}`"))
            for call in a.member_calls.get("." + key, ()):
                if dotted(call.callee.object) in (name, chain):
                    out.calls.append((call, list(call.arguments or ())))
        else:
            member = a.member_key(target)
            for call in a.member_calls.get("." + key, ()):
                base = call.callee.object
                if base.type == "MemberExpression" and a.member_key(base) == member:
                    out.calls.append((call, list(call.arguments or ())))
            out.exits.append(Exit("value", target, shown=f"`{chain or a.snippet(target, 40)}`"))
        return
    if holder is not None and holder.type == "ExportDefaultDeclaration":
        out.exits.append(Exit("export", holder, ("default", key), "the module's default export"))
        return
    if holder is not None and holder.type == "ReturnStatement" and a.amd_factory(holder) is not None:
        out.exits.append(Exit("export", holder, ("module", key), "the AMD module's value"))
        return
    if holder is not None and holder.type in ("CallExpression", "NewExpression"):
        shown = a.snippet(holder.callee, 40) if holder.callee is not None else "a call"
        out.exits.append(Exit("framework", holder, (key,), f"`{shown}` calls its methods"))
        return
    if holder is not None and holder.type == "Property":  # a nested object: `{api: {pay() {}}}`
        inner_key = prop_key(holder, a)
        outer = a.parent.get(id(holder))
        if inner_key is not None and outer is not None and outer.type == "ObjectExpression":
            nested = Callers()
            _object_method(a, outer, inner_key, nested)
            for exit_ in nested.exits:
                names = exit_.names[:-1] + (inner_key, key) if exit_.names else (inner_key, key)
                out.exits.append(Exit(exit_.kind, exit_.node, names, exit_.shown))
            return
    out.exits.append(Exit("value", obj, shown="the object that holds it"))


def _iife_of_return(a: Analysis, statement: Node) -> Node | None:
    """The immediately-invoked call whose function `statement` (a `return`) returns from."""
    fn = a.scopes.function_of(statement)
    call = a.parent.get(id(fn))
    while call is not None and call.type not in ("CallExpression",) and call.type in ("SequenceExpression",):
        call = a.parent.get(id(call))
    if call is not None and call.type == "CallExpression" and call.callee is fn:
        return call
    return None


def _object_exits(a: Analysis, variable: Variable, name: Node) -> Iterator[Exit]:
    """How the object a variable holds leaves this file: exports, globals, other code."""
    for ident, parent in _reads(a, variable):
        if parent.type == "MemberExpression" and parent.object is ident:
            continue  # `api.pay(...)`, `api.x`: used here
        leaving = _leaves(a, ident, parent)
        if leaving is not None:
            yield leaving
        elif parent.type == "AssignmentExpression" and parent.right is ident:
            if parent.left.type != "Identifier":
                yield Exit("value", parent, shown=f"`{a.snippet(parent, 40)}`")
        elif parent.type == "Property" and parent.value is ident:
            obj = a.parent.get(id(parent))
            key = prop_key(parent, a)
            holder = a.parent.get(id(obj)) if obj is not None else None
            if key is not None and holder is not None and holder.type == "AssignmentExpression" \
                    and _export_names(dotted(holder.left) or "") is not None:
                yield Exit("export", holder, (*(_export_names(dotted(holder.left) or "") or ()), key),
                           f"exported as `{dotted(holder.left)}.{key}`")
            elif key is not None and holder is not None and holder.type == "ReturnStatement" \
                    and a.amd_factory(holder) is not None:
                yield Exit("export", holder, ("module", key), "the AMD module's value")
            elif key is not None and holder is not None and holder.type == "ExportDefaultDeclaration":
                yield Exit("export", holder, ("default", key), "the module's default export")
            else:
                yield Exit("value", parent, shown=f"`{a.snippet(obj or parent, 40)}`")
        elif parent.type in ("CallExpression", "NewExpression") and parent.callee is not ident:
            shown = a.snippet(parent.callee, 40) if parent.callee is not None else "a call"
            yield Exit("value", parent, shown=f"`{shown}`")
    if _top_level_script(a, a.parent.get(id(name))) if a.parent.get(id(name)) is not None else False:
        yield Exit("global", name, (str(name.name),), f"the page's global `{name.name}`")


def _class_method(a: Analysis, cls: Node, key: str, static: bool, out: Callers) -> None:
    """`this.key(...)` / `super.key(...)` in the class and its subclasses in this file, and
    `x.key(...)` on instances made with `new`; and how the class leaves the file."""
    name = str(cls.id.name) if cls.id is not None else "the class"
    out.name = f"{name}.{key}" if static else f"{name}#{key}"
    family = a.class_family(cls)
    for call in a.member_calls.get("." + key, ()):
        base = call.callee.object
        if static:
            if base.type == "Identifier" and a.class_of_constructor(base) is cls or base.type == "ThisExpression" and a.this_class(base) in family:
                out.calls.append((call, list(call.arguments or ())))
            continue
        if base.type in ("ThisExpression", "Super") and a.this_class(base) in family or cls in a.instance_classes(base):
            out.calls.append((call, list(call.arguments or ())))
    variable = a.class_variable(cls)
    if variable is not None:
        for exit_ in _object_exits(a, variable, cls.id if cls.id is not None else cls):
            if exit_.kind == "global" and cls.type == "ClassDeclaration":
                continue  # a class declaration is not a property of `window`
            out.exits.append(Exit(exit_.kind, exit_.node, (*exit_.names, f"#{key}" if not static else key),
                                  exit_.shown))
    holder = a.parent.get(id(cls))
    if holder is not None and holder.type == "ExportNamedDeclaration":
        out.exits.append(Exit("export", holder, (name, f"#{key}" if not static else key), f"exported as `{name}`"))
    elif holder is not None and holder.type == "ExportDefaultDeclaration":
        out.exits.append(Exit("export", holder, ("default", f"#{key}" if not static else key),
                              "the module's default export"))
    elif holder is not None and holder.type == "AssignmentExpression":
        exported = _export_names(dotted(holder.left) or "")
        if exported is not None:
            out.exits.append(Exit("export", holder, (*exported, f"#{key}"), f"exported as `{dotted(holder.left)}`"))


def _prototype_method(a: Analysis, ctor: Node, key: str, out: Callers) -> None:
    """`Foo.prototype.key = function` : `this.key(...)` in Foo's methods, `x.key(...)` on `new Foo()`."""
    variable = a.scopes.variable(ctor) if ctor.type == "Identifier" else None
    for call in a.member_calls.get("." + key, ()):
        base = call.callee.object
        if base.type == "ThisExpression":
            owner = a.this_owner(base)
            target = a.parent.get(id(owner)) if owner is not None else None
            if target is not None and target.type == "AssignmentExpression" and target.left.type == "MemberExpression" \
                    and target.left.object.type == "MemberExpression" \
                    and member_name(target.left.object) == "prototype" \
                    and _same_object(a, target.left.object.object, ctor):
                out.calls.append((call, list(call.arguments or ())))
        elif variable is not None and any(
                v.type == "Identifier" and a.scopes.variable(v) is variable for v in a.constructors_of(base)):
            out.calls.append((call, list(call.arguments or ())))
    if variable is not None:
        for exit_ in _object_exits(a, variable, ctor):
            out.exits.append(Exit(exit_.kind, exit_.node, (*exit_.names, f"#{key}"), exit_.shown))


def callers_of_component(a: Analysis, cls: Node) -> Callers:
    """The JSX elements of this file that render a class component, and how the class leaves."""
    out = Callers(name=f"`{cls.id.name}`" if cls.id is not None else "the component")
    variable = a.class_variable(cls)
    if variable is None:
        out.exits.append(Exit("value", cls, shown="an anonymous class"))
        return out
    for ref in variable.references:
        parent = a.parent.get(id(ref.identifier))
        if parent is not None and parent.type in ("JSXOpeningElement", "JSXSelfClosingElement") \
                and parent.name is ref.identifier:
            out.calls.append((parent, [parent]))
    out.exits.extend(_object_exits(a, variable, cls.id if cls.id is not None else cls))
    holder = a.parent.get(id(cls))
    if holder is not None and holder.type == "ExportNamedDeclaration" and cls.id is not None:
        out.exits.append(Exit("export", holder, (str(cls.id.name),), f"exported as `{cls.id.name}`"))
    elif holder is not None and holder.type == "ExportDefaultDeclaration":
        out.exits.append(Exit("export", holder, ("default",), "the module's default export"))
    return out


def returned(a: Analysis, fn: Node) -> list[Node]:
    """What `fn` returns (an arrow's expression body included)."""
    return list(a.returns.get(id(fn), []))


def functions_in(node: Node) -> Iterator[Node]:
    """The functions directly below `node` (not nested in other functions)."""
    stack = list(children(node))
    while stack:
        current = stack.pop()
        if current.type in FUNCTIONS:
            yield current
            continue
        stack.extend(children(current))


__all__ = ["Callers", "Exit", "callers", "callers_of_component", "functions_in", "param_position",
           "pattern_names", "returned", "span_of"]
