"""Salesforce Commerce Cloud (SFRA) routes: the controller function that answers `Ctrl-Action`.

A storefront URL names a route `Controller-Action` (`URLUtils.url('DigitalRiver-DropInConfig')`,
usually printed into an ISML template as a `data-*` or `action` attribute). The handler is
registered in `cartridge/controllers/<Controller>.js` of some cartridge as
`server.get|post|use('Action', [middleware...,] function (req, res, next) {...})`; a cartridge that
extends the controller (`server.extend(module.superModule)`) may `append` / `prepend` to the route,
or `replace` it. Every cartridge's registrations count: appended handlers answer too. Two plain
registrations of one route in different cartridges, or two replacements, depend on the site's
cartridge path, which is not in the code: no certain answer.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from drmigrate.project.handlers import (
    Handler,
    Resolution,
    linked,
    member_calls,
    memo,
    named,
    unlinked,
)
from drmigrate.project.index import ProjectIndex

ROUTE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-([A-Za-z0-9_]+)$")
VERBS = frozenset({"get", "post", "use", "append", "prepend", "replace"})
_MODIFIERS = frozenset({"append", "prepend", "replace"})


@dataclass(frozen=True)
class Registration:
    rel: str
    verb: str
    action: str
    line: int


def is_route(text: str) -> bool:
    return ROUTE.match(text) is not None


def _controller_files(index: ProjectIndex) -> dict[str, list[str]]:
    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for rel in sorted(index.files.files):
            parts = rel.split("/")
            if len(parts) >= 3 and parts[-2] == "controllers" and parts[-3] == "cartridge" \
                    and rel.endswith((".js", ".ts")):
                found.setdefault(posixpath.splitext(parts[-1])[0], []).append(rel)
        return found

    return memo(index, "sfcc-controllers", build)


def has_controllers(index: ProjectIndex) -> bool:
    return bool(_controller_files(index))


def registrations(index: ProjectIndex, rel: str) -> list[Registration]:
    """`server.<verb>('Action', ...)` calls of one controller file (read with tree-sitter)."""
    def build() -> list[Registration]:
        if "server." not in (index.read(rel) or ""):
            return []
        return [Registration(rel, call.name, action, call.line) for call in member_calls(index, rel)
                if call.owner == "server" and call.name in VERBS and (action := call.string(0)) is not None]

    return memo(index, f"sfcc-registrations:{rel}", build)


def _handler(reg: Registration) -> Handler:
    return Handler(reg.rel, reg.line, ("response", "sfcc", reg.verb, reg.action),
                   f"`server.{reg.verb}('{reg.action}')`")


def resolve(index: ProjectIndex, route: str, method: str) -> Resolution:
    """The handlers of `Controller-Action` for a request with HTTP `method` ("" when unknown)."""
    match = ROUTE.match(route)
    if match is None:
        return unlinked(f"`{route}` is not an SFCC route (`Controller-Action`)")
    controller, action = match.groups()
    files = _controller_files(index).get(controller, [])
    if not files:
        return unlinked(f"no cartridge of this project has the controller `{controller}.js` for the route "
                        f"`{route}` (it may come from a cartridge outside this tree)")
    regs = [r for rel in files for r in registrations(index, rel) if r.action == action]
    if not regs:
        shown = ", ".join(index.display(rel) for rel in files[:3])
        return unlinked(f"the controller{'s' if len(files) > 1 else ''} {shown} register{'' if len(files) > 1 else 's'} "
                        f"no route `{action}`")
    wrong = [r for r in regs if method and r.verb in ("get", "post") and r.verb != method.lower()]
    regs = [r for r in regs if r not in wrong]
    plain = [r for r in regs if r.verb not in _MODIFIERS]
    replaced = [r for r in regs if r.verb == "replace"]
    added = [r for r in regs if r.verb in ("append", "prepend")]
    if len(replaced) > 1:
        return unlinked(f"the route `{route}` is replaced in several cartridges ({named(index, map(_handler, replaced))}); "
                        "which one runs depends on the site's cartridge path")
    base = replaced or plain
    if len(base) > 1:
        return unlinked(f"the route `{route}` is registered in several cartridges ({named(index, map(_handler, base))}); "
                        "which one runs depends on the site's cartridge path")
    if not base:
        if wrong:
            return unlinked(f"the route `{route}` is registered for {wrong[0].verb.upper()} only "
                            f"({named(index, map(_handler, wrong))}), and the page sends {method.upper()}")
        return unlinked(f"the route `{route}` is only appended to ({named(index, map(_handler, added))}); "
                        "its base registration is not in this project")
    return linked(*(_handler(r) for r in [*base, *added]))
