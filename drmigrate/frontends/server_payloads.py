"""What the server-side front ends (Python, PHP) share: when a literal is a payload, which writes reach it.

A server builds a DigitalRiver.js payload as a plain dict / array and hands it to the page as JSON, so
there is no `createSource` call to anchor on. A `type` that Digital River knows is not enough (a list
of payment buttons has one too): something must tie the literal to DigitalRiver.js — the method's own
hash (`"payPal": {...}`), a `sessionId`, a hash with `returnUrl`; or, for a literal with `amount`,
`currency` or `owner`, being serialized for the page (`json.dumps`, `JsonResponse`, `json_encode`,
returned from the view) or bound to a payload-like name. The front ends report the facts (the
literal's context, its bindings, the uses of those names); these functions see only the neutral
model, never a parser's nodes, so both front ends decide alike. Reads, `del` / `unset`, `pop` of a
legacy key keep it (the code would fail without it); `update(...)` / `array_merge` parts are part of
the payload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from functools import lru_cache

from drmigrate.model import Block, ObjectLit, PayloadSite, Prop, Span, Write

# Keys a source payload carries, but so do ledgers, configs and UI lists: evidence only in context.
PAYLOAD_KEYS = frozenset({"owner", "amount", "currency", "sessionId"})
# Keys of a UI description of a payment method, not of a payload.
UI_KEYS = frozenset({"label", "title", "icon", "logo", "image", "enabled", "description", "displayName",
                     "display_name", "sort_order", "sortOrder"})
# Names a payload variable goes by (case-insensitive globs); the `server-payload-names` setting adds more.
PAYLOAD_NAMES = ("*source_data", "*sourcedata", "*payload*", "dr_source*", "*source_payload*",
                 "*payment_source*", "*paymentsource*")

# DigitalRiver.js payload keys are camelCase. Stripe's createSource payloads carry snake_case keys
# (`return_url`, `statement_descriptor`, `postal_code`) and a `redirect` / `flow` hash, and Stripe
# shares type names with Digital River (alipay, ideal, bancontact): these keys tell them apart.
FOREIGN_KEYS = frozenset({"redirect", "flow", "statement_descriptor", "client_secret", "token"})
# The Digital River REST API (server to server) names the session `paymentSessionId` and requires
# `amount`: such a body is not a DigitalRiver.js payload and must never lose its amount.
REST_KEYS = frozenset({"paymentSessionId"})

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@lru_cache(maxsize=8)
def _quoted_type(dr_types: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, dr_types), key=len, reverse=True))
    return re.compile(f"[\"'](?:{names})[\"']")


def mentions_dr_type(text: str, dr_types: frozenset[str]) -> bool:
    """The cheap test run before parsing: a payload needs a DR type as a quoted string somewhere.

    libcst reads about 50 KB/s with positions; most server files name no Digital River type.
    """
    return bool(dr_types) and _quoted_type(dr_types).search(text) is not None


def type_prop(lit: ObjectLit, dr_types: frozenset[str]) -> Prop | None:
    """The `type` entry of `lit` when it is a string naming a Digital River source type."""
    prop = lit.get("type")
    if prop is None or prop.string_value is None or prop.string_value not in dr_types:
        return None
    return prop


def _all_keys(lit: ObjectLit) -> Iterable[str]:
    for prop in lit.props:
        yield prop.key
        # a merchant's own metadata may use any key style; it says nothing about the library
        if prop.value is not None and prop.key != "metadata":
            yield from _all_keys(prop.value)


def strong_evidence(lit: ObjectLit, source_type: str, dr_types: frozenset[str]) -> bool:
    """The literal carries something only a DigitalRiver.js source payload has."""
    for prop in lit.props:
        if prop.key == "sessionId":
            return True
        if prop.value is None:
            continue
        if prop.key == source_type or prop.key in dr_types:
            return True  # the method's own hash (the PayPal variants nest under `payPal`)
        if prop.value.get("returnUrl") is not None:
            return True
    return False


def counter_evidence(lit: ObjectLit) -> bool:
    """Stripe's keys, the REST API's `paymentSessionId`, or a UI description of a method."""
    if any(key in FOREIGN_KEYS or key in REST_KEYS or _SNAKE.match(key) for key in _all_keys(lit)):
        return True
    return any(prop.key in UI_KEYS for prop in lit.props)


def looks_like_payload(lit: ObjectLit, source_type: str, dr_types: frozenset[str], *,
                       in_list: bool = False, serialized: bool = False, named: bool = False) -> bool:
    """True when `lit`, whose `type` is `source_type`, reads as a DigitalRiver.js source payload.

    Counter-evidence (Stripe's keys, the REST API's `paymentSessionId`, UI keys) wins over evidence.
    """
    if counter_evidence(lit):
        return False
    if strong_evidence(lit, source_type, dr_types):
        return True
    keys = {prop.key for prop in lit.props}
    return bool(keys & PAYLOAD_KEYS) and not in_list and (serialized or named)


def payload_name(name: str, extra: tuple[str, ...] = ()) -> bool:
    last = name.rsplit(".", 1)[-1].rsplit("->", 1)[-1].lstrip("$").lower()
    return any(fnmatch(last, pattern.lower()) for pattern in (*PAYLOAD_NAMES, *extra))


@dataclass(frozen=True)
class Literal:
    """A dict / array literal and where it stands."""

    lit: ObjectLit
    in_list: bool = False  # an element of a list / tuple literal (a table of UI choices)
    serialized: bool = False  # passed straight to a serializer / response, or returned


@dataclass(frozen=True)
class NameUse:
    """A use of a variable that may hold a payload: serialized, a read / del / pop of a key, a merge."""

    scope: int
    name: str
    place: Place
    start: int
    kind: str  # serialized, read, merge
    path: tuple[str, ...] = ()
    reason: str = ""  # for reads: "it is read on line 12 (`payload["amount"]`)"
    span: Span = (0, 0)
    part: ObjectLit | None = None  # for merges: the literal merged in


def server_sites(
    literals: Iterable[Literal],
    bindings: Sequence[Binding],
    writes: Sequence[PendingWrite],
    uses: Sequence[NameUse],
    dr_types: frozenset[str],
    *,
    language: str,
    origin: str,
    names: tuple[str, ...] = (),
    global_scope: int | None = None,
) -> tuple[PayloadSite, ...]:
    """Every literal that is a payload, with the writes, reads and merges its variable reaches.

    `global_scope` (Python: the module): a function that writes or reads a module-level payload
    variable without binding the name itself reaches it too, at a time drmigrate cannot order —
    such a write stays (DR202) and such a read keeps its key."""
    by_span = {b.literal: b for b in bindings if b.literal is not None}
    sites: list[PayloadSite] = []
    for entry in sorted(literals, key=lambda e: e.lit.span):
        lit = entry.lit
        prop = type_prop(lit, dr_types)
        if prop is None or prop.string_value is None:
            continue
        binding = by_span.get(lit.span)
        reached = [u for u in uses if binding is not None and _reaches(binding, u.scope, u.name, u.start,
                                                                         u.place, bindings)]
        serialized = entry.serialized or any(u.kind == "serialized" for u in reached)
        named = binding is not None and payload_name(binding.name, names)
        if not looks_like_payload(lit, prop.string_value, dr_types, in_list=entry.in_list,
                                  serialized=serialized, named=named):
            continue
        remote_uses = [u for u in uses if u.kind == "read" and _from_a_function(binding, u.scope, u.name, bindings,
                                                                                 global_scope)]
        blocks = tuple(Block(u.path, u.reason, u.span) for u in reached if u.kind == "read") + tuple(
            Block(u.path, f"{u.reason}, inside a function that may run at any time", u.span) for u in remote_uses)
        merged = tuple(u.part for u in reached if u.kind == "merge" and u.part is not None)
        opaque = lit.opaque + tuple(f"the merged part `{u.reason}`" for u in reached
                                    if u.kind == "merge" and u.part is None)
        mine = [w.write for w in writes if binding is not None
                and _reaches(binding, w.scope, w.name, w.write.span[0], w.place, bindings)]
        mine += [replace(w.write, removable=False, enclosure=None, needs_enclosure=False,
                         why_not="the write is inside a function or class body, which may run before or after the "
                                 "payload is used")
                 for w in writes if _from_a_function(binding, w.scope, w.name, bindings, global_scope)]
        sites.append(PayloadSite(
            call_span=lit.span,
            source_type=prop.string_value,
            type_span=prop.span,
            parts=(lit, *merged),
            writes=tuple(sorted(_hold_together(_filled_blocks(mine)), key=lambda w: w.span)),
            opaque=opaque,  # `**base` / `...$base` may already hold sessionId
            language=language,
            origin=origin,
            blocks=blocks,
        ))
    return tuple(sites)


def _from_a_function(binding: Binding | None, scope: int, name: str, bindings: Sequence[Binding],
                     global_scope: int | None) -> bool:
    """`name` used in a function (`scope`) that does not bind it refers to the module's `binding`."""
    return (binding is not None and global_scope is not None and binding.scope == global_scope
            and scope != global_scope and name == binding.name
            and not any(b.scope == scope and b.name == name for b in bindings))


def _reaches(binding: Binding, scope: int, name: str, start: int, place: Place,
             bindings: Sequence[Binding]) -> bool:
    """The value bound by `binding` may be what `name` holds at `start` (same function, later,
    not rebound on every path in between)."""
    if binding.scope != scope or binding.name != name or binding.start >= start:
        return False
    return not any(
        other.scope == scope and other.name == name and binding.start < other.start < start
        and _dominates(other, place)
        for other in bindings
    )


# --- writes: `payload["amount"] = ...` after the literal was bound to `payload` -------------------

# Where a statement sits: the chain of (statement list id, index in it) from its function down.
Place = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Binding:
    """`name = <value>` inside one function; `literal` is the payload literal's span, if it is one."""

    scope: int
    name: str
    place: Place
    start: int
    literal: Span | None


@dataclass(frozen=True)
class PendingWrite:
    """A subscript write to `name` inside one function, waiting to be matched to its bindings."""

    scope: int
    name: str
    place: Place
    write: Write


def _dominates(binding: Binding, place: Place) -> bool:
    """True when `binding` runs on every path to `place`: same list or an enclosing one, earlier."""
    depth = len(binding.place) - 1
    if len(place) <= depth or binding.place[:depth] != place[:depth]:
        return False
    (list_id, index), (other_list, other_index) = binding.place[depth], place[depth]
    return list_id == other_list and index < other_index


def _filled_blocks(writes: list[Write]) -> list[Write]:
    """Writes that are every statement of a block whose statement stays (Python: `for x in
    load():`, an `else:`) cannot all go, since a block cannot be left empty: they all stay."""
    counts: dict[tuple[int, int], int] = {}
    for write in writes:
        enclosure = write.enclosure
        if write.removable and enclosure is not None and enclosure.keeps and enclosure.fills:
            counts[enclosure.group] = counts.get(enclosure.group, 0) + 1
    out = []
    for write in writes:
        enclosure = write.enclosure
        if write.removable and enclosure is not None and enclosure.keeps and enclosure.fills \
                and counts[enclosure.group] >= enclosure.count:
            write = replace(write, removable=False, enclosure=None,
                            why_not="removing the writes would leave their block empty, and the statement "
                                    "that holds the block stays")
        out.append(write)
    return out


def _hold_together(writes: list[Write]) -> list[Write]:
    """Writes to one key stand or fall together.

    Removing `p["items"] = []` while `p["items"].append(x)` has to stay (alone in a loop body)
    would leave code that fails at run time, so a write that cannot be removed keeps every other
    write to the same key, or to a key above or below it, in place too.
    """
    stuck = [w.path for w in writes if not w.removable]

    def related(path: tuple[str, ...]) -> tuple[str, ...] | None:
        return next((s for s in stuck if path[:len(s)] == s or s[:len(path)] == path), None)

    out = []
    for write in writes:
        other = related(write.path) if write.removable else None
        if other is not None:
            write = replace(write, removable=False,
                            why_not=f"another write to `{'.'.join(other)}` cannot be removed")
        out.append(write)
    return out


# (variable, key path of the payload in it, where it was bound, its function's scope id)
Holder = tuple[str, tuple[str, ...], int, int]


def held_fields(holders: Sequence[Holder], bindings: Sequence[Binding], writes: Sequence[PendingWrite],
                uses: Sequence[NameUse]) -> tuple[tuple[Write, ...], tuple[Block, ...]]:
    """For a payload another file's call receives (a seed), found through the variables that hold
    it on its way to the answer: the writes that complete it through those variables (`$v['k']
    = ...` after the binding, until the variable is bound again), paths made relative to the
    payload, and the reads that still need its fields."""
    found: list[Write] = []
    blocks: list[Block] = []
    for name, prefix, start, scope in holders:
        rebinds = [b for b in bindings if b.scope == scope and b.name == name and b.start > start]
        for pending in writes:
            write = pending.write
            if pending.scope != scope or pending.name != name or write.span[0] <= start \
                    or len(write.path) <= len(prefix) or write.path[:len(prefix)] != prefix:
                continue
            if any(b.start < write.span[0] and _dominates(b, pending.place) for b in rebinds):
                continue
            moved = replace(write, path=write.path[len(prefix):])
            if moved not in found:
                found.append(moved)
        for use in uses:
            if use.scope != scope or use.name != name or use.kind != "read" or use.start <= start:
                continue
            if use.path[:len(prefix)] == prefix:
                blocks.append(Block(use.path[len(prefix):], use.reason, use.span))
            elif prefix[:len(use.path)] == use.path:
                blocks.append(Block((), use.reason, use.span))  # the read takes the payload whole
    return tuple(sorted(_hold_together(_filled_blocks(found)), key=lambda w: w.span)), tuple(blocks)
