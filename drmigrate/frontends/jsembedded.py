"""JavaScript that JavaScript holds as text: DigitalRiver.js calls inside string and template literals.

A Node / Express view builds the page's script in a template string (``res.send(`<script>
digitalriver.createSource({...})</script>`)``); to the parser that script is a string, so its
payloads are neither seen nor fixable. Such a call is pointed out (DR204), as PHP's strings are.
"""

from __future__ import annotations

from typing import Any

from drmigrate.frontends.jsscope import children
from drmigrate.model import EmbeddedCall

Node = Any


def calls_in_strings(program: Node, text: str) -> tuple[EmbeddedCall, ...]:
    """The calls written inside the program's string and template literals."""
    from drmigrate.calls import calls_in

    found: list[EmbeddedCall] = []
    stack = [program]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("Literal", "StringLiteral") and isinstance(getattr(node, "value", None), str) \
                or kind == "TemplateLiteral":
            start, end = int(node.range[0]), int(node.range[1])
            holder = "a JavaScript template string" if kind == "TemplateLiteral" else "a JavaScript string"
            for at, name in calls_in(text[start:end]):
                found.append(EmbeddedCall((start + at, start + at + len(name)), name, holder))
            if kind != "TemplateLiteral":
                continue
        stack.extend(children(node))
    return tuple(sorted(set(found), key=lambda c: c.span))
