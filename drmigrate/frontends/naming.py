"""Which calls drmigrate takes to have side effects, by the name of what they call.

Removing a legacy key drops its value; removing a write drops its right-hand side. A value that
assigns, increments, awaits, yields or deletes has effects by its syntax. For calls the code cannot
be followed, so the name decides: a call whose name starts with an action verb (`recordTotal`,
`cart.reserve()`, `track_order`, `$this->save()`) is taken to have effects — a key with such a value
is kept (DR202) and a removed write keeps the call as a statement of its own — while other calls
(`getTotal()`, `quote.totals()`, `$('#total').data('amount')`, `cart.items.map(f)`) are taken as
reads. The same list serves every language.
"""

from __future__ import annotations

import re

ACTION_VERBS = frozenset({
    "record", "track", "log", "send", "post", "put", "patch", "save", "store", "submit", "create",
    "update", "delete", "remove", "insert", "push", "pop", "shift", "unshift", "splice", "reserve",
    "charge", "pay", "capture", "authorize", "emit", "dispatch", "fire", "trigger", "notify",
    "publish", "register", "apply", "set", "add", "increment", "decrement", "inc", "dec", "reset",
    "clear", "init", "initialize", "write", "flush", "commit", "persist", "enqueue", "queue", "call",
    "invoke", "exec", "execute", "run", "start", "stop", "open", "close", "connect", "request",
    "fetch", "ajax", "load", "sync", "mark", "lock", "unlock", "consume", "next", "alert", "confirm",
    "prompt", "redirect", "navigate", "reload", "assign", "append", "extend", "sort", "reverse",
    "fill", "claim", "use", "take", "bump", "allocate", "place", "checkout", "print",
    "echo", "die", "exit", "sleep", "wait", "yield", "raise", "throw", "release",
})
_FIRST_WORD = re.compile(r"^_*([a-z]+|[A-Z][a-z]*|[A-Z]+(?![a-z]))")


def acts(name: str) -> bool:
    """Whether a function or method named `name` is taken to have side effects."""
    match = _FIRST_WORD.match(name)
    return match is not None and match.group(1).lower() in ACTION_VERBS
