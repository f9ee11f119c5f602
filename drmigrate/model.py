"""The neutral payload-site model shared by every front end, the engine and the reporters.

A front end (esprima, a fallback parser, a template extractor, a Python or PHP reader) turns source
text into `PayloadSite`s; nothing downstream ever sees a parser's nodes. All offsets are indices into
the decoded file text (Python `str` indices, i.e. Unicode code points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Span = tuple[int, int]
FixSafety = Literal["safe", "unsafe", "none"]


@dataclass(frozen=True)
class Prop:
    """One `key: value` entry of an object literal (or dict / array literal on the server side)."""

    key: str
    span: Span
    key_span: Span
    key_quote: str  # "" for identifiers, otherwise the quote character used
    value_span: Span
    value: ObjectLit | None = None  # the nested literal when the value is one
    string_value: str | None = None  # the value when it is a string literal
    effects: str = ""  # the part of the value that may have side effects (a call...), if any


@dataclass(frozen=True)
class ObjectLit:
    """An object literal whose text drmigrate may edit."""

    span: Span  # from the opening brace to the closing brace, inclusive
    props: tuple[Prop, ...]
    opaque: tuple[str, ...] = ()  # parts it cannot see into (spread of a parameter, ...)
    others: tuple[Span, ...] = ()  # entries that are not `key: value` (`...base`, `**extra`)
    carrier: Enclosure | None = None  # `Object.assign(p, {...});`: the statement that only merges it
    cut: Span | None = None  # `, {...}` in `x = Object.assign({}, base, {...})`: drops it from the call
    # a hash written after the object was made (`p.klarnaCredit = {...}`): a stand-in that holds the
    # written literal under its key, so that its keys are read; never edited itself
    virtual: bool = False

    def elements(self) -> tuple[Span, ...]:
        """Every entry in source order: the properties and the others."""
        return tuple(sorted([p.span for p in self.props] + list(self.others)))

    def get_all(self, key: str) -> tuple[Prop, ...]:
        """Every entry with this key: a duplicated key is set twice, and both go."""
        return tuple(p for p in self.props if p.key == key)

    def get(self, key: str) -> Prop | None:
        for prop in self.props:
            if prop.key == key:
                return prop
        return None


@dataclass(frozen=True)
class Enclosure:
    """A statement that only holds removed code (an `if` around removed writes, an `Object.assign`
    of a literal whose keys all go): once they are gone it is debris, and it goes too."""

    span: Span
    count: int = 1  # the statements its block holds (all must go)
    test: Span | None = None  # an `if` condition that may do something: it stays, as a statement
    slot: tuple[int, int] | None = None
    open_before: bool = False
    risky_after: bool = False
    keeps: str = ""  # it cannot go (`the \`for\` loop`): emptied, it is reported as left empty
    outer: Enclosure | None = None  # the enclosure the statement itself sits alone in, if any
    block: Span | None = None  # the emptied block itself (an `if` with an `else` has two)
    name: str = "the `if`"  # what the statement is, to name it when it stays emptied
    fills: bool = False  # its block must keep a statement (Python): if it stays, so does a write

    @property
    def group(self) -> Span:
        """What the statements to remove are counted in: the block (else the statement)."""
        return self.block or self.span


@dataclass(frozen=True)
class Write:
    """A statement that writes a property of the payload after it was created (`p.amount = 1;`)."""

    path: tuple[str, ...]
    span: Span  # the whole statement
    removable: bool  # False when the statement is not alone in a statement list
    why_not: str = ""
    string_value: str | None = None
    kind: str = "write"  # "use": code that reads the field or calls a method on it (`items.push`)
    effect_span: Span | None = None  # the written value, kept as a statement: it may have effects
    slot: tuple[int, int] | None = None  # (statement list, index): neighbours removed together
    open_before: bool = False  # the statement before it ends without `;` (it relies on ASI)
    risky_after: bool = False  # the statement after it starts with `(`, `[`, a template, `+`...
    part: Span | None = None  # the object it writes to, when known
    value_span: Span | None = None  # the value written
    enclosure: Enclosure | None = None  # the `if` whose block it is in, when that can go with it
    needs_enclosure: bool = False  # removable only with its enclosure (Python: a block cannot be empty)
    held: tuple[Span, ...] = ()  # a statement removed with the writes it held: their spans
    conditional: bool = False  # it runs on some paths only (inside an `if`, a loop, a `case`...)


@dataclass(frozen=True)
class Block:
    """Code that still needs a field (or, with an empty path, the whole object): it must stay."""

    path: tuple[str, ...]
    reason: str  # why, and where ("it is read on line 12 (`track(p.amount)`)")
    span: Span  # the code that needs it
    part: Span | None = None  # the object it applies to; None: every part of the payload


@dataclass(frozen=True)
class EmbeddedCall:
    """A call in code that another language holds as text (JavaScript in a PHP string or
    heredoc): seen, but neither readable nor fixable, so it is reported for a person."""

    span: Span  # the call's name, inside the string that holds it
    call: str  # the call's name (`createSource`, ...)
    holder: str  # what holds it, as the message says it: "string", "heredoc", "nowdoc"


@dataclass(frozen=True)
class Step:
    """One place on a payload's way between where it is built and the DigitalRiver.js call that
    sends it: the call itself, a call that passes it on, a helper that returns it, a request whose
    response carries it. `path` is empty for a place in the file of the finding that names it."""

    span: Span
    what: str  # as a person reads it: "passed to `pay()` here", "the call `createSource`"
    path: str = ""
    line: int = 0  # 1-based, filled in where the text is known
    column: int = 0


@dataclass(frozen=True)
class Hop:
    """A payload this file cannot see, described so that the project can find where it is built.

    kinds: "import" (an imported binding's value), "import-call" (what calling an import returns),
    "param" (what callers outside this file pass to a function: `exports` says how it leaves the
    file), "global" / "global-call" (a name another script of the page defines), "response" (the
    answer to a request to the server: `request` is (method, url kind, url value, action))."""

    kind: str
    span: Span  # the expression that brings the payload in (the call, the parameter's use)
    what: str  # the reason DR200 gives when the project cannot follow it
    specifier: str = ""  # the module specifier as written (`./payload`, `Vendor_Module/js/x`)
    name: str = ""  # the imported name (`default`, `*`, `buildPayload`) or the global's name
    member: tuple[str, ...] = ()  # called on the import: `api.build()` -> ("build",)
    index: int = -1  # the parameter's position, for "param"
    path: tuple[str, ...] = ()  # the member path into the value (`opts.sourceData` -> ("sourceData",))
    # for "param": how the function leaves the file: ("export", names...) / ("global", name...)
    exports: tuple[tuple[str, ...], ...] = ()
    constants: tuple[tuple[int, str], ...] = ()  # string arguments at the call, by position (a type)
    needs: tuple[tuple[tuple[str, ...], str], ...] = ()  # fields this side still reads: (path, why)
    shared: str = ""  # this side also hands the object to other code: why
    request: tuple[str, ...] = ()
    line: int = 0
    column: int = 0
    # the data fields this side writes into the object before its call sends it, as a message
    # names them: the builder elsewhere does not decide alone what is sent, so it is not followed
    written: str = ""


@dataclass(frozen=True)
class Seed:
    """A payload root that another file's DigitalRiver.js call receives, handed to the file that
    builds it. `target` names what in this file, so that it survives edits:
    ("returns", export...) what an exported function returns; ("value", export...) an exported
    binding's value; ("args", specifier, name, member...) the arguments of calls of an import;
    ("global-args", name) / ("global-returns", name) the same for a name scripts share."""

    target: tuple[str, ...]
    index: int = -1
    path: tuple[str, ...] = ()
    call: str = "createSource"
    element: str = ""
    low: bool = False  # the call's receiver was not recognised (low confidence)
    via: tuple[Step, ...] = ()  # from the place in this file on to the call, in other files
    constants: tuple[tuple[int, str], ...] = ()
    needs: tuple[tuple[tuple[str, ...], str], ...] = ()
    shared: tuple[str, ...] = ()  # other uses the project found: the object must stay as it is
    key: str = ""  # names the seed in the sites it yields (`SiteOutcome.seed`)
    others: int = 0  # more calls that reach the same builder the same way


class Confidence(str, Enum):
    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True)
class PayloadSite:
    """One payload that can reach one `createSource` call (a call may have several)."""

    call_span: Span
    source_type: str | None
    type_span: Span | None = None
    type_reason: str = ""  # why the type is unknown, when it is
    type_options: tuple[str, ...] = ()  # a choice of literal types (`a ? 'payPal' : 'payPalCredit'`)
    parts: tuple[ObjectLit, ...] = ()  # literal parts of the payload; parts[0] holds `type`
    writes: tuple[Write, ...] = ()
    unresolved: str = ""  # why the payload itself cannot be seen, when it cannot
    unresolved_span: Span | None = None  # the expression that cannot be seen into
    opaque: tuple[str, ...] = ()  # parts that may add keys but cannot be seen (a spread parameter)
    confidence: Confidence = Confidence.HIGH
    language: str = "js"
    origin: str = "inline"
    blocks: tuple[Block, ...] = ()  # fields other code still needs: never removed
    call: str = "createSource"  # the DigitalRiver.js method the payload goes to
    element: str = ""  # for createElement: the element type (`paypal`)
    session_candidates: tuple[str, ...] = ()  # session-id expressions in scope at the call, best first
    via: tuple[Step, ...] = ()  # from where the payload is built on to the call (a helper, a wrapper...)
    hop: Hop | None = None  # unresolved here, but the project may find where it is built
    seed: str = ""  # `Seed.key` when another file's call reaches this payload
    session_when: Span | None = None  # `sessionId` is set only on some paths (`if (session) ...`)
    switched: str = ""  # the call also gets this type with a session, switched at run time: where


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    span: Span
    source_type: str | None
    fix: FixSafety
    confidence: Confidence = Confidence.HIGH
    fix_applicable: bool = False  # an edit for it exists in the edit list
    # 1-based positions, filled in by the runner from `span` (columns count code points)
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    fix_title: str = ""  # the code's fix title with this finding's values filled in
    suggestion: str = ""  # a session-id expression found in scope, offered for the fix
    language: str = "js"  # of the payload: which session-id option wires it (`js`, `python`, `php`)
    related: tuple[Step, ...] = ()  # the payload's way on to the call it reaches ("via")


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] with `text`. A zero-width edit inserts."""

    start: int
    end: int
    text: str
    code: str = field(default="", compare=False)


IntentKind = Literal["remove", "insert", "hoist", "replace"]


@dataclass(frozen=True)
class Intent:
    """What a fix means to change, in syntax-tree terms; the fix guard checks the text against it.

    - remove: the entry or statement at `span` goes (with its separator);
    - insert: `text` (a `key: value` entry) is added to the object at `span`, after the entry at
      `after` (first when None);
    - hoist: the statement at `span` becomes the expression statement of its value at `keep`;
    - replace: the expression at `span` becomes `text`.
    """

    kind: IntentKind
    span: Span
    text: str = ""
    after: Span | None = None
    keep: Span | None = None
    # a statement removed with the writes it held: the only regions whose comments and template
    # tags may go with it (None: anywhere in `span`); a tag elsewhere in it is a refusal
    only: tuple[Span, ...] | None = None


SiteState = Literal["migrated", "remaining", "manual", "suppressed"]


@dataclass(frozen=True)
class SiteOutcome:
    """Where one payload site stands: nothing left to do, fixes remaining, or a person must look."""

    source_type: str | None
    state: SiteState
    call: str = "createSource"  # the call rule's name (`createSource`, `createDropin`, `paypalElement`…)
    span: Span = (0, 0)  # the call
    via: tuple[Step, ...] = ()
    hop: Hop | None = None  # the payload is built elsewhere: what the project follows
    line: int = 0  # of the call, 1-based (filled in by the runner)
    column: int = 0
    seed: str = ""  # the key of the seed it was found from, when another file's call reaches it
    builders: tuple[Step, ...] = ()  # followed into other files: where the payload is built
    method: str = ""  # the DigitalRiver.js method called (`createElement` for an element's rule)
    element: str = ""  # createElement: the element type
    low: bool = False  # the call's receiver was not recognised


@dataclass(frozen=True)
class Analysis:
    """What the engine returns for one file: every finding, and the edits of each fix."""

    findings: tuple[Finding, ...]
    edits: tuple[Edit, ...]
    suppressed: tuple[Finding, ...] = ()  # silenced by a drmigrate-ignore comment; no edit planned
    intents: tuple[Intent, ...] = ()  # what the edits mean, for the fix guard
    sites: tuple[SiteOutcome, ...] = ()  # one per payload site seen, for the migration status
    leftovers: tuple[tuple[Span, str], ...] = ()  # statements the fixes leave with an empty block


FileStatus = Literal["clean", "findings", "fixed", "skipped", "error"]


@dataclass(frozen=True)
class FileResult:
    """How one file ended: clean, findings, fixed, skipped (reason) or error (reason)."""

    path: str
    status: FileStatus
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    parser: str = ""
    original: str | None = None  # decoded text, kept when a diff or a write needs it
    fixed: str | None = None  # the fixed text, when fixes changed something
    sites: tuple[SiteOutcome, ...] = ()  # the payload sites seen (after fixing, when fixing)
    fixes_applied: int = 0  # findings of the original text that the fixes in `fixed` resolved
    # statements whose block the fixes empty but cannot remove (`for` loops, `if`/`else`, `try`):
    # (line, what), in the fixed text when fixed, else in the original (what a fix would leave)
    leftovers: tuple[tuple[int, str], ...] = ()
    # calls whose payload the project followed into other files: counted there, listed here
    followed: tuple[SiteOutcome, ...] = ()
    # what a person may want to know but need not act on: (line, column, message), e.g. a wrapper
    # whose callers are outside the tree
    notes: tuple[tuple[int, int, str], ...] = ()
    # the findings of the original text that the fixes in `fixed` resolved (`--show-fixes`)
    applied: tuple[Finding, ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original

    @property
    def status_text(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status
