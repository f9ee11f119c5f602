"""Magento 2 routes: the controller that answers `front/controller/action`.

Magento's standard router reads the first three parts of the path: the front name, declared by a
module's `etc/frontend/routes.xml` (`<route frontName="drpay"><module name="Vendor_Module"/>`), the
controller folder and the action (`index` when absent, both). The action class is
`<module folder>/Controller/<Controller>/<Action>.php`, matched without regard to case (Magento
looks action classes up lowercased; `_` in the controller part is a sub-folder; an action named
like a PHP keyword gets `Action` appended); its `execute()` answers. A module's folder comes from
its `registration.php` / `etc/module.xml` (`modules.magento_modules`), or, when the tree holds
neither, from the `Vendor/Module` folder its `routes.xml` sits in.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from drmigrate.project.handlers import (
    Handler,
    Resolution,
    has_wildcard,
    line_of,
    linked,
    memo,
    named,
    unlinked,
)
from drmigrate.project.index import ProjectIndex
from drmigrate.project.modules import magento_modules

ROUTES_XML = "etc/frontend/routes.xml"
# PHP keywords Magento's ActionList appends `Action` to (`new` -> `NewAction.php`)
RESERVED = frozenset({
    "abstract", "and", "array", "as", "break", "callable", "case", "catch", "class", "clone", "const",
    "continue", "declare", "default", "die", "do", "echo", "else", "elseif", "empty", "enddeclare",
    "endfor", "endforeach", "endif", "endswitch", "endwhile", "eval", "exit", "extends", "final", "for",
    "foreach", "function", "global", "goto", "if", "implements", "include", "instanceof", "insteadof",
    "interface", "isset", "list", "namespace", "new", "or", "print", "private", "protected", "public",
    "require", "return", "static", "switch", "throw", "trait", "try", "unset", "use", "var", "while", "xor",
})
_EXECUTE = re.compile(r"function\s+execute\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """One module a front name routes to, as a `routes.xml` declares it."""

    front: str
    module: str
    rel: str  # the routes.xml
    line: int


def routes(index: ProjectIndex) -> dict[str, list[Route]]:
    """Front name -> the modules it routes to, in declaration order (`before` ones first)."""
    def build() -> dict[str, list[Route]]:
        found: dict[str, list[Route]] = {}
        for rel in sorted(index.files.files):
            if not (rel == ROUTES_XML or rel.endswith("/" + ROUTES_XML)):
                continue
            text = index.read(rel) or ""
            try:
                root = ET.fromstring(text)
            except ET.ParseError:
                continue  # an unreadable routes.xml declares nothing drmigrate can trust
            for route in root.iter("route"):
                front = route.get("frontName")
                if not front:
                    continue
                at = text.find(f'frontName="{front}"')
                line = line_of(text, at) if at >= 0 else 1
                first = [m.get("name") for m in route.iter("module") if m.get("before")]
                rest = [m.get("name") for m in route.iter("module") if not m.get("before")]
                for module in [*first, *rest]:
                    if module:
                        found.setdefault(front, []).append(Route(front, module, rel, line))
        return found

    return memo(index, "magento-routes", build)


def module_folders(index: ProjectIndex) -> dict[str, str]:
    """`Vendor_Module` -> its folder: registered, or the `Vendor/Module` folder of its routes.xml."""
    def build() -> dict[str, str]:
        found = magento_modules(index.files, index.read)
        for declared in routes(index).values():
            for route in declared:
                if route.module in found:
                    continue
                folder = posixpath.dirname(posixpath.dirname(posixpath.dirname(route.rel)))
                vendor, _, name = route.module.partition("_")
                parts = folder.split("/") if folder else []
                if parts[-2:] == [vendor, name] or parts[-1:] == [name]:
                    found[route.module] = folder
        return found

    return memo(index, "magento-folders", build)


def _controllers(index: ProjectIndex) -> dict[str, str]:
    """Every `Controller/**.php` of the tree, lowercased path -> path."""
    def build() -> dict[str, str]:
        return {rel.lower(): rel for rel in index.files.files
                if rel.lower().endswith(".php") and "controller/" in rel.lower()}

    return memo(index, "magento-controllers", build)


def _action_paths(controller: str, action: str) -> list[str]:
    """The lowercased paths under a module folder that hold the action class."""
    folder = controller.lower().replace("_", "/")
    names = [action.lower()]
    if action.lower() in RESERVED:
        names.insert(0, action.lower() + "action")
    return [f"controller/{folder}/{name}.php" for name in names]


def _handler(index: ProjectIndex, rel: str) -> Handler:
    text = index.read(rel) or ""
    found = _EXECUTE.search(text)
    stem = posixpath.splitext(posixpath.basename(rel))[0]
    return Handler(rel, line_of(text, found.start()) if found else 1,
                   ("response", "php-method", stem, "execute"), f"`{stem}::execute`")


def resolve(index: ProjectIndex, segments: list[str], *, explicit: bool) -> Resolution | None:
    """The controller for a URL's path segments. `explicit`: the page built the URL with Magento's
    `url.build` (the path is surely a Magento route); else a literal URL, for which None means
    "nothing Magento here"."""
    declared = routes(index)
    start = next((i for i, s in enumerate(segments[:3]) if s in declared), None)
    if start is not None and has_wildcard(segments[:start]):
        start = None
    if start is None:
        return _undeclared(index, segments, explicit)
    parts = segments[start:start + 3]
    if has_wildcard(parts):
        return unlinked(f"the URL `{'/'.join(segments)}` has a computed part where Magento reads the "
                        "controller or the action, so drmigrate cannot tell which controller answers")
    front = parts[0]
    controller = parts[1] if len(parts) > 1 else "index"
    action = parts[2] if len(parts) > 2 else "index"
    wanted = _action_paths(controller, action)
    folders = module_folders(index)
    controllers = _controllers(index)
    found: list[Handler] = []
    missing: list[str] = []
    for route in declared[front]:
        folder = folders.get(route.module)
        if folder is None:
            missing.append(route.module)
            continue
        prefix = (folder.lower() + "/") if folder else ""
        for path in wanted:
            rel = controllers.get(prefix + path)
            if rel is not None:
                found.append(_handler(index, rel))
                break
    shown = f"`{front}/{controller}/{action}`"
    if len(found) == 1:
        return linked(found[0])
    if found:
        return unlinked(f"the route {shown} has an action class in several modules ({named(index, found)}); "
                        "Magento runs the first by the modules' order, which drmigrate does not decide")
    where = ", ".join(f"{index.display(r.rel)}:{r.line}" for r in declared[front][:3])
    if missing:
        return unlinked(f"the front name `{front}` routes to {', '.join(f'`{m}`' for m in missing)} "
                        f"({where}), a module whose folder is not in this project")
    return unlinked(f"no module that the front name `{front}` routes to ({where}) has the action class "
                    f"`Controller/{controller.replace('_', '/').title()}/{action.title()}.php`")


def _undeclared(index: ProjectIndex, segments: list[str], explicit: bool) -> Resolution | None:
    """No routes.xml declares the front name: name the controllers the path could mean."""
    parts = [s for s in segments[:3]]
    if not parts or has_wildcard(parts):
        return unlinked(f"the Magento route `{'/'.join(segments)}` is computed") if explicit else None
    controller = parts[1] if len(parts) > 1 else "index"
    action = parts[2] if len(parts) > 2 else "index"
    wanted = _action_paths(controller, action)
    found = [_handler(index, rel) for low, rel in sorted(_controllers(index).items())
             if any(low.endswith("/" + w) or low == w for w in wanted)]
    front = parts[0]
    if found:
        return unlinked(f"no etc/frontend/routes.xml of this project declares the front name `{front}`, so "
                        f"drmigrate cannot tell which module answers; it may be {named(index, found)}")
    if explicit:
        return unlinked(f"no etc/frontend/routes.xml of this project declares the front name `{front}` "
                        "(the module may be installed outside this tree)")
    return None
