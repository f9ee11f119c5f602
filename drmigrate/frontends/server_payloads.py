"""What the server-side front ends (Python, PHP) share: when a literal is a payload, which writes reach it.

A server builds a DigitalRiver.js payload as a plain dict / array and hands it to the page as JSON, so
there is no `createSource` call to anchor on. The literal itself has to say what it is: a `type` that
Digital River knows, plus at least one key only a source payload carries. These functions see only the
neutral model (`ObjectLit`, `Prop`, `Write`), never a parser's nodes, so both front ends decide alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from drmigrate.model import ObjectLit, PayloadSite, Prop, Span, Write

# Keys that only a source payload carries; `type` alone also names UI lists, configs, REST bodies.
PAYLOAD_KEYS = frozenset({"owner", "amount", "currency", "sessionId"})

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


def looks_like_payload(lit: ObjectLit, source_type: str, dr_types: frozenset[str]) -> bool:
    """True when `lit`, whose `type` is `source_type`, reads as a DigitalRiver.js source payload.

    Evidence: `owner`, `amount`, `currency`, `sessionId`, the type's own hash, another DR type's hash
    (the PayPal variants nest under `payPal`), or a hash that carries `returnUrl`. Counter-evidence
    (Stripe's keys, the REST API's `paymentSessionId`) wins over evidence.
    """
    if any(key in FOREIGN_KEYS or key in REST_KEYS or _SNAKE.match(key) for key in _all_keys(lit)):
        return False
    for prop in lit.props:
        if prop.key in PAYLOAD_KEYS:
            return True
        if prop.value is None:
            continue
        if prop.key == source_type or prop.key in dr_types:
            return True
        if prop.value.get("returnUrl") is not None:
            return True
    return False


def payload_sites(
    literals: Iterable[ObjectLit],
    dr_types: frozenset[str],
    *,
    language: str,
    origin: str,
) -> list[tuple[ObjectLit, PayloadSite]]:
    """Every literal that is a payload, with its site (writes still empty), in text order."""
    found: list[tuple[ObjectLit, PayloadSite]] = []
    for lit in sorted(literals, key=lambda x: x.span):
        prop = type_prop(lit, dr_types)
        if prop is None or prop.string_value is None:
            continue
        if not looks_like_payload(lit, prop.string_value, dr_types):
            continue
        site = PayloadSite(
            call_span=lit.span,
            source_type=prop.string_value,
            type_span=prop.span,
            parts=(lit,),
            opaque=lit.opaque,  # `**base` / `...$base` may already hold sessionId
            language=language,
            origin=origin,
        )
        found.append((lit, site))
    return found


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


def attach_writes(
    sites: Sequence[tuple[ObjectLit, PayloadSite]],
    bindings: Sequence[Binding],
    writes: Sequence[PendingWrite],
) -> tuple[PayloadSite, ...]:
    """Give each site the writes its value can reach.

    A write reaches a binding made earlier in the same function unless a later binding of the same
    name runs on every path between them (a plain reassignment in the same or an enclosing block).
    Branches are not followed further: a write after an `if`/`else` that bound two payloads reaches
    both, which is what the page sees at run time too.
    """
    reached: dict[Span, list[Write]] = {}
    for pending in writes:
        candidates = [
            b for b in bindings
            if b.scope == pending.scope and b.name == pending.name and b.start < pending.write.span[0]
        ]
        for binding in candidates:
            if binding.literal is None:
                continue
            killed = any(
                binding.start < other.start and _dominates(other, pending.place)
                for other in candidates
            )
            if not killed:
                reached.setdefault(binding.literal, []).append(pending.write)
    return tuple(
        site if lit.span not in reached
        else _with_writes(site, reached[lit.span])
        for lit, site in sites
    )


def _with_writes(site: PayloadSite, writes: list[Write]) -> PayloadSite:
    return replace(site, writes=tuple(sorted(_hold_together(writes), key=lambda w: w.span)))


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
