"""The engine: payload sites + rule table -> findings + text edits. Pure: no I/O, no parser.

For each site it picks the rule by the payload's `type`, reports what the doc says to add or remove,
and plans the edits of every fix that the options allow (selected code, declared safety,
confidence). Edits of one object are planned together so they never overlap. A removal is planned
only when nothing else needs the field: a read elsewhere, a shared object, a value with side
effects, a comment inside the code or a write that is not a statement of its own keep it, and the
finding says why (DR202). Every edit comes with its intent (`model.Intent`: this entry removed,
this `sessionId` inserted, this statement removed), which the fix guard checks the result against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from drmigrate.edits import Insertion, plan_object, statement_removals
from drmigrate.model import (
    Analysis,
    Block,
    Confidence,
    Edit,
    EmbeddedCall,
    Finding,
    FixSafety,
    Intent,
    ObjectLit,
    PayloadSite,
    Prop,
    SiteOutcome,
    SiteState,
    Span,
    Step,
    Write,
)
from drmigrate.rules import CallRule, MethodRule, Report, RuleTable

SESSION_KEY = "sessionId"
MANUAL_CODES = frozenset({"DR200", "DR201", "DR202", "DR204", "DR205"})  # a person must act
DUAL_CODE = "DR205"
EMBEDDED_CODE = "DR204"  # a call in a server string: seen, not readable
DEFAULT_QUOTES = {"js": "", "python": '"', "php": "'"}
DEFAULT_SEPARATORS = {"js": ": ", "python": ": ", "php": " => "}
SESSION_OPTIONS = {"js": "--session-id", "python": "--python-session-id", "php": "--php-session-id"}
UNWIRED_CODE = "DR111"  # a sessionId that holds no session id: null, '', undefined, a TODO
_EMPTY_VALUES = frozenset({"null", "undefined", "void 0", "None", "NULL", "''", '""', "``"})
_TODO = re.compile(r"\b(?:TODO|FIXME|TBD|XXX+|CHANGE_?ME|REPLACE_?ME|PLACEHOLDER)\b|your[ _-]?session[ _-]?id", re.IGNORECASE)


@dataclass(frozen=True)
class Options:
    session_id: Mapping[str, str] = field(default_factory=dict)  # language -> expression
    select: tuple[str, ...] = ()  # code prefixes; empty selects all
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    session_id_from_scope: bool = False  # with no expression, use the session id found in scope
    # fix only these findings (code, start, end), as if the others were suppressed: the editor's
    # fix for one finding, proven by the guard like any fix
    only: frozenset[tuple[str, int, int]] = frozenset()

    def selected(self, code: str) -> bool:
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)

    def allows(self, safety: FixSafety, confidence: Confidence) -> bool:
        if safety == "none":
            return False
        if safety == "unsafe" or confidence is Confidence.LOW:
            return self.unsafe_fixes
        return True


@dataclass
class _ObjectWork:
    obj: ObjectLit
    remove: dict[int, list[int]] = field(default_factory=dict)  # prop index -> finding indices
    insertion: Insertion | None = None
    insertion_findings: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    """Findings and edit intents of one file, before the text edits are computed."""

    table: RuleTable
    text: str
    options: Options
    findings: list[Finding] = field(default_factory=list)
    objects: dict[Span, _ObjectWork] = field(default_factory=dict)
    writes: dict[Span, tuple[Write, list[int]]] = field(default_factory=dict)
    replacements: dict[Span, tuple[str, list[int]]] = field(default_factory=dict)  # value -> new text
    suppress: Callable[[str, Span], bool] | None = None
    suppressed: set[int] = field(default_factory=set)  # finding indices: reported, never fixed
    comments: Sequence[Span] = ()
    protected: Sequence[Span] = ()
    leftovers: list[tuple[Span, str]] = field(default_factory=list)  # emptied statements that stay
    dropped: set[int] = field(default_factory=set)  # finding indices replaced by the DR202 that says why
    hold: Callable[[str, Span], bool] | None = None  # findings whose fix the guard refused: no edit
    held: set[int] = field(default_factory=set)

    def report(self, code: str, span: Span, site: PayloadSite, **values: str) -> int:
        info = self.table.codes[code]
        values.setdefault("type", site.source_type or "?")
        values.setdefault("option", SESSION_OPTIONS.get(site.language, "--session-id"))
        self.findings.append(
            Finding(code, info.name, self.table.message(code, **values), span, site.source_type,
                    info.fix_safety, site.confidence, fix_title=self.table.fix_title(code, **values),
                    language=site.language, related=related_steps(site))
        )
        index = len(self.findings) - 1
        if self.hold is not None and self.hold(code, span):
            self.held.add(index)
        if self.suppress is not None and self.suppress(code, span):
            self.suppressed.add(index)
        elif code == "DR202" and any(self.findings[i].span == span for i in self.suppressed):
            self.suppressed.add(index)  # why a silenced finding cannot be fixed: silenced with it
        return index

    def keep(self, index: int, site: PayloadSite | None, field_name: str, reason: str) -> None:
        """The finding at `index` cannot be fixed: it is reported once, as the DR202 that says why
        and what to do (as itself, without a fix, when DR202 is not selected)."""
        finding = replace(self.findings[index], fix="none", fix_applicable=False)
        self.findings[index] = finding
        if "DR202" not in self.table.codes or not self.options.selected("DR202"):
            return
        if site is None:
            site = PayloadSite(finding.span, finding.source_type, confidence=finding.confidence)
        self.report("DR202", finding.span, site, field=field_name, reason=reason)
        self.dropped.add(index)

    def live(self, indices: Iterable[int]) -> list[int]:
        """The findings among `indices` that are not suppressed (only those may plan an edit)."""
        return [i for i in indices if i not in self.suppressed and i not in self.held]

    def outcome(self, site: PayloadSite, first: int, call: str, label: str | None) -> SiteOutcome:
        """Where `site` stands, from the findings reported for it (indices from `first` on)."""
        mine = [i for i in range(first, len(self.findings))
                if self.options.selected(self.findings[i].code) and i not in self.dropped]
        live = self.live(mine)
        if any(self.findings[i].code in MANUAL_CODES for i in live):
            state: SiteState = "manual"
        elif live:
            state = "remaining"
        else:
            state = "suppressed" if mine else "migrated"
        return SiteOutcome(label, state, call, site.call_span, via=related_steps(site), hop=site.hop,
                           seed=site.seed, method=site.call, element=site.element,
                           low=site.confidence is Confidence.LOW)

    def wants_fix(self, code: str, site: PayloadSite) -> bool:
        info = self.table.codes[code]
        return self.options.selected(code) and self.options.allows(info.fix_safety, site.confidence)

    def work(self, obj: ObjectLit) -> _ObjectWork:
        return self.objects.setdefault(obj.span, _ObjectWork(obj))


def related_steps(site: PayloadSite) -> tuple[Step, ...]:
    """A finding's related locations: the way from where the payload is built on to the call
    (none for a payload built at the call itself). A site another file's call reaches carries
    that call as its last step already."""
    if not site.via:
        return ()
    if any(step.path for step in site.via):
        return site.via
    return (*site.via, Step(site.call_span, f"the `{site.call}` call"))


def analyze(
    sites: Iterable[PayloadSite],
    table: RuleTable,
    text: str,
    *,
    comments: Sequence[Span] = (),
    protected: Sequence[Span] = (),
    options: Options | None = None,
    suppress: Callable[[str, Span], bool] | None = None,
    embedded: Sequence[EmbeddedCall] = (),
    hold: Callable[[str, Span], bool] | None = None,
) -> Analysis:
    """`suppress(code, span)` marks findings the user silenced: they are left out and plan no edit.
    `hold(code, span)` marks findings whose fix the guard refused: reported, with no edit planned.

    `embedded` calls (JavaScript inside a server string) are reported for a person (DR204), each as
    a site of its own whose type is unknown."""
    opts = options or Options()
    plan = _Plan(table, text, opts, suppress=suppress, comments=comments, protected=protected, hold=hold)
    outcomes: list[SiteOutcome] = []
    seen: set[tuple[Span, Span | None, str | None, str]] = set()
    for site in sites:
        key = (site.call_span, site.parts[0].span if site.parts else None, site.source_type, site.unresolved)
        if key in seen:
            continue
        seen.add(key)
        first = len(plan.findings)
        rule = table.call_rule(site.call, site.element) or table.calls.get("createSource")
        label = _site(plan, site, rule)
        if label is not None:
            outcomes.append(plan.outcome(site, first, rule.name if rule else "createSource", label or None))
    for call in embedded if EMBEDDED_CODE in table.codes else ():
        site = PayloadSite(call.span, None, origin="server-string", call=call.call)
        first = len(plan.findings)
        plan.report(EMBEDDED_CODE, call.span, site, call=call.call, holder=call.holder)
        embedded_rule = table.call_rule(call.call)
        outcomes.append(plan.outcome(site, first, embedded_rule.name if embedded_rule else call.call, None))
    edits, intents = _edits(plan)
    # a payload reaching two calls (or a call reached by two payloads) is reported once
    unique = {(f.code, f.span, f.message): f for i, f in reversed(list(enumerate(plan.findings)))
              if opts.selected(f.code) and i not in plan.suppressed and i not in plan.dropped}
    kept = sorted(unique.values(), key=lambda f: (f.span[0], f.code, f.span[1]))
    silenced = tuple(f for i, f in enumerate(plan.findings)
                     if opts.selected(f.code) and i in plan.suppressed and i not in plan.dropped)
    return Analysis(tuple(kept), tuple(edits), suppressed=silenced, sites=tuple(outcomes),
                    intents=tuple(intents), leftovers=tuple(sorted(set(plan.leftovers))))


def _site(plan: _Plan, site: PayloadSite, call: CallRule | None) -> str | None:
    """Plan one site; the label it counts under in the migration status (None: not counted)."""
    table = plan.table
    session = call is not None and call.kind == "session"
    label = _session_label(plan, site, call) if session and call is not None else site.source_type
    if site.unresolved:
        plan.report("DR200", site.call_span, site, reason=_cap(site.unresolved))
        return label or ""
    if session and call is not None:
        return _session_call(plan, site, call)
    if site.source_type is None:
        plan.report("DR201", site.type_span or site.call_span, site, reason=_cap(site.type_reason))
        return ""
    if site.type_options:
        if not _same_edits(plan, site):
            plan.report("DR201", site.type_span or site.call_span, site,
                        reason=_cap(f"{site.type_reason}, and its branches need different edits"))
            return site.source_type
        site = replace(site, type_options=())
    rule = table.methods.get(site.source_type or "")
    if rule is None:
        if site.source_type in table.native_types:
            _session_id(plan, site, "DR100", require=False)
            for report in table.native_report:
                _remove_path(plan, site, report.path, report.code, None)
        return site.source_type
    if (site.session_when is not None or site.switched) and _dual_mode(plan, site, rule):
        return site.source_type
    _session_id(plan, site, "DR100")
    legacy = [".".join(p) for p in rule.remove] or ["amount", "currency"]
    for write in site.writes:
        if write.kind == "dynamic":  # `p[k] = v`: any key may reach the payload there
            shown = ", ".join(f"`{k}`" for k in legacy[:3]) + (", …" if len(legacy) > 3 else "")
            plan.report("DR200", write.span, site,
                        reason=_cap(f"{write.why_not} writes keys drmigrate cannot see; check them for {shown}"))
    for path in rule.remove:
        code = "DR101" if len(path) == 1 else "DR102"
        _remove_path(plan, site, path, code, rule)
    for report in rule.report:
        _remove_path(plan, site, report.path, report.code, rule)
    _opaque_hashes(plan, site, rule)
    return site.source_type


def _dual_mode(plan: _Plan, site: PayloadSite, rule: MethodRule) -> bool:
    """A payload for carts with and without a session: the session is set on some paths only
    (or the call is switched between a session payload and this one) and the method's legacy
    fields are sent. Nothing is edited: DR205 says what a person must do. False when no legacy
    field is sent: the payload is migrated, whatever the branches."""
    if DUAL_CODE not in plan.table.codes:
        return False
    paths = [*rule.remove, *(r.path for r in rule.report)]
    always: list[str] = []
    branch: list[str] = []
    where = site.session_when or site.type_span or site.call_span
    for path in paths:
        shown = ".".join(path)
        hashes = rule.hash_names(path) if len(path) > 1 else path[:1]
        in_literal = any(
            (part.get(path[0]) is not None and not part.virtual) if len(path) == 1 else
            any(h.value is not None and h.value.get(path[1]) is not None
                for name in hashes for h in part.get_all(name))
            for part in site.parts)
        written = [w for w in site.writes if _covers(path, w.path, rule)]
        if in_literal or any(not w.conditional for w in written):
            always.append(shown)
        elif written:
            branch.append(shown)
    if not always and not branch:
        return False
    line = plan.text.count("\n", 0, where[0]) + 1
    fields = _fields(always or branch)
    are = "are" if len(always or branch) > 1 else "is"
    if site.switched:
        reason = (f"This call also gets a `{site.source_type}` payload with a session ({site.switched}), switched "
                  f"at run time; this one sends {fields} for carts without a session: remove this path once "
                  "every checkout has a payment session")
    elif always:
        reason = (f"`sessionId` is set only when there is a session (line {line}), but {fields} {are} sent always: "
                  f"carts without a session need them, so the payload is left as it is; move {fields} into the "
                  "branch without a session, and remove that branch once every checkout has a session")
    else:
        reason = (f"{fields} {are} sent only when there is no session (`sessionId` is set on line {line}): "
                  "remove that branch once every checkout has a payment session")
    plan.report(DUAL_CODE, where, site, reason=reason)
    return True


def _fields(names: Sequence[str]) -> str:
    shown = [f"`{n}`" for n in names[:4]]
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + more


def _lookup(site: PayloadSite, path: tuple[str, ...]) -> tuple[bool, str | None, Span | None]:
    """(found, string value, span) of a dotted path in the site's literal parts."""
    for part in site.parts:
        obj: ObjectLit | None = part
        prop: Prop | None = None
        for i, key in enumerate(path):
            prop = obj.get(key) if obj is not None else None
            if prop is None:
                break
            obj = prop.value if i < len(path) - 1 else None
        else:
            if prop is not None:
                return True, prop.string_value, prop.span
    for write in site.writes:
        if write.path == path and write.kind == "write":
            return True, write.string_value, write.span
    return False, None, None


def _session_label(plan: _Plan, site: PayloadSite, call: CallRule) -> str:
    """What a configuration counts under: the element type, or the flow it is for."""
    if site.element:
        return site.element
    if call.flow_path:
        found, value, _ = _lookup(site, call.flow_path)
        return value if found and value else (call.session_flows[0] if not found else "?")
    return ""


def _session_call(plan: _Plan, site: PayloadSite, call: CallRule) -> str | None:
    """A configuration that carries the session (Drop-in, paymentRequest, an element)."""
    label = _session_label(plan, site, call)
    if call.flow_path:
        found, value, span = _lookup(site, call.flow_path)
        if found and value is None:
            plan.report("DR201", span or site.call_span, site,
                        reason=f"The {call.title} flow (`{'.'.join(call.flow_path)}`) is computed at run "
                               f"time; in the {' / '.join(call.session_flows)} flow it needs `sessionId`")
            return "?"
        if found and value not in call.session_flows:
            return value  # a flow without a session (managePaymentMethods): nothing to migrate
    _session_id(plan, site, call.code, element=site.element or call.title)
    return label


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _same_edits(plan: _Plan, site: PayloadSite) -> bool:
    """A ternary type is fixable when every branch's rule yields the same findings and edits."""
    outcomes = set()
    for option in site.type_options:
        if option not in plan.table.methods:
            return False
        trial = _Plan(plan.table, plan.text, plan.options, comments=plan.comments,
                      protected=plan.protected, hold=plan.hold)
        _site(trial, replace(site, source_type=option, type_options=()), None)
        edits = frozenset(_edits(trial)[0])
        outcomes.add((edits, tuple((f.code, f.span) for f in trial.findings)))
    return len(outcomes) == 1


def _expression(plan: _Plan, site: PayloadSite) -> str | None:
    """The session-id expression for this site: the configured one, or (opted into) the one in scope."""
    expr = plan.options.session_id.get(site.language)
    if expr is None and plan.options.session_id_from_scope and site.session_candidates:
        return site.session_candidates[0]
    return expr


def _suggest(plan: _Plan, site: PayloadSite, index: int) -> None:
    """Name the session ids in scope in the finding, when no expression is configured."""
    if not site.session_candidates or plan.options.session_id.get(site.language):
        return
    finding = plan.findings[index]
    shown = ", ".join(f"`{c}`" for c in site.session_candidates)
    how = ("used (--session-id-from-scope)" if plan.options.session_id_from_scope
           else "`fix --session-id-from-scope` uses the first")
    plan.findings[index] = replace(finding, message=f"{finding.message}; in scope: {shown} ({how})",
                                   suggestion=site.session_candidates[0])


def _wire(plan: _Plan, site: PayloadSite, span: Span, value: Span | None, code: str = "DR110") -> None:
    """DR110 (drmigrate's placeholder) or DR111 (an empty or placeholder value) at `span`; with a
    session-id expression, its fix replaces the `value`."""
    text = plan.text[value[0]:value[1]] if value is not None else ""
    index = plan.report(code, span, site, value=" ".join(text.split())[:40])
    _suggest(plan, site, index)
    expr = _expression(plan, site)
    wired = text.strip("'\"") == plan.table.placeholder if code == "DR110" else value is not None
    if expr and value is not None and plan.wants_fix(code, site) and wired:
        plan.replacements.setdefault(value, (expr, []))[1].append(index)
    elif not expr:
        plan.findings[index] = replace(plan.findings[index], fix="none")


def _unwired(plan: _Plan, value: Span) -> bool:
    """A `sessionId` that holds no session id: `null`, `''`, `undefined`, `None`, a string such as
    'TODO' or 'your-session-id' (a `// TODO` beside an empty value changes nothing)."""
    text = " ".join(plan.text[value[0]:value[1]].split())
    if text in _EMPTY_VALUES:
        return True
    return text[:1] in "'\"`" and text[-1:] == text[:1] and "${" not in text and _TODO.search(text[1:-1]) is not None


def _session_id(plan: _Plan, site: PayloadSite, code: str, *, require: bool = True, **values: str) -> None:
    """Report a missing `sessionId` (`code`) and plan its insertion; report placeholders (DR110)."""
    placeholder = plan.table.placeholder
    present = False
    # an element's options may carry the session in the element's own hash:
    # `createElement('taxidentifier', {taxIdentifier: {sessionId, country, type}})`
    nested = [p.value for part in site.parts for p in part.props
              if site.element and p.value is not None and p.key.lower() == site.element.lower()]
    for held in (*site.parts, *nested):
        prop = held.get(SESSION_KEY)
        if prop is not None:
            present = True
            if placeholder in plan.text[prop.value_span[0]:prop.value_span[1]]:
                _wire(plan, site, prop.span, prop.value_span)
            elif UNWIRED_CODE in plan.table.codes and _unwired(plan, prop.value_span):
                _wire(plan, site, prop.span, prop.value_span, UNWIRED_CODE)
    for write in site.writes:
        if write.path == (SESSION_KEY,) and write.kind == "write":
            present = True
            if placeholder in plan.text[write.span[0]:write.span[1]]:
                _wire(plan, site, write.span, write.value_span)
            elif UNWIRED_CODE in plan.table.codes and write.value_span is not None \
                    and _unwired(plan, write.value_span):
                _wire(plan, site, write.span, write.value_span, UNWIRED_CODE)
    if present or not require:
        return
    part = next((p for p in site.parts if not p.virtual), None)
    where = site.type_span or (part.span if part else site.call_span)
    opaque = (*site.opaque, *(w.why_not for w in site.writes if w.kind == "dynamic"))
    if opaque:
        index = plan.report(code, where, site, **values)
        note = f"; {' and '.join(opaque)} may set it: add it where the payload is completed"
        plan.findings[index] = replace(plan.findings[index], fix="none",
                                       message=plan.findings[index].message + note)
        return
    index = plan.report(code, where, site, **values)
    _suggest(plan, site, index)
    if part is None or not plan.wants_fix(code, site):
        return
    type_index = next((k for k, p in enumerate(part.props) if p.key == "type"), None)
    expr = _expression(plan, site)
    if expr is None:
        expr = _placeholder(plan, site, part, type_index)
        others = [SESSION_OPTIONS[lang] for lang in plan.options.session_id if lang in SESSION_OPTIONS]
        if others:  # an expression was given, but for payloads of another language: say so
            own = SESSION_OPTIONS.get(site.language, "--session-id")
            plan.findings[index] = replace(plan.findings[index], message=(
                f"{plan.findings[index].message}; `{own}` is not set, so `fix` inserts drmigrate's "
                f"placeholder ({', '.join(f'`{o}`' for o in others)} applies to other payloads)"))
    work = plan.work(part)
    if work.insertion is None:
        work.insertion = Insertion(type_index, SESSION_KEY, expr,
                                   DEFAULT_QUOTES.get(site.language, ""),
                                   DEFAULT_SEPARATORS.get(site.language, ": "))
    work.insertion_findings.append(index)


def _placeholder(plan: _Plan, site: PayloadSite, part: ObjectLit, type_index: int | None) -> str:
    quote = "'" if site.language != "python" else '"'
    if type_index is not None:
        first = plan.text[part.props[type_index].value_span[0]]
        if first in "'\"":
            quote = first
    return f"{quote}{plan.table.placeholder}{quote}"


def _matches(path: tuple[str, ...], candidate: tuple[str, ...], rule: MethodRule | None) -> bool:
    if len(path) != len(candidate):
        return False
    if len(path) == 1:
        return path == candidate
    hashes = rule.hash_names(path) if rule is not None else (path[0],)
    return candidate[0] in hashes and candidate[1] == path[1]


def _covers(path: tuple[str, ...], written: tuple[str, ...], rule: MethodRule | None) -> bool:
    """`written` is `path` or lies inside it (`payPal.shipping.address` inside `payPal.shipping`)."""
    return len(written) >= len(path) and _matches(path, written[: len(path)], rule)


def _related(need: tuple[str, ...], path: tuple[str, ...], rule: MethodRule | None) -> bool:
    """Code that needs `need` (a read path; empty: the whole object) also needs the field `path`."""
    if not need:
        return True
    if len(path) > 1 and need[0] in (rule.hash_names(path) if rule is not None else path[:1]):
        need = (path[0], *need[1:])
    common = min(len(need), len(path))
    return need[:common] == path[:common]


def _blocking(site: PayloadSite, part: Span | None, path: tuple[str, ...],
              rule: MethodRule | None) -> Block | None:
    """The first thing that still needs `path` in the object `part` (None: the payload as a whole)."""
    for block in site.blocks:
        if (block.part is None or part is None or block.part == part) and _related(block.path, path, rule):
            return block
    return None


def _keep_reason(plan: _Plan, site: PayloadSite, part: Span, prop: Prop, path: tuple[str, ...],
                 rule: MethodRule | None, blocker: Write | None) -> str:
    """Why the entry `prop` must stay (empty when it may go)."""
    block = _blocking(site, part, path, rule)
    if block is not None:
        return block.reason
    if blocker is not None:
        line = plan.text.count("\n", 0, blocker.span[0]) + 1
        return f"it is still used on line {line}, which cannot be removed ({blocker.why_not})"
    return ""


def _remove_path(plan: _Plan, site: PayloadSite, path: tuple[str, ...], code: str,
                 rule: MethodRule | None) -> None:
    """Report every place `path` is set in the payload, and plan its removal when allowed.

    A statement that writes or uses the field but cannot be removed (`items.push(x)` in a loop, the
    body of an unbraced `if`) keeps every other place of that field: removing the key while the
    statement stays would break the page at run time. So does any other code that needs it.
    """
    fix = plan.wants_fix(code, site)
    writes = [w for w in site.writes if _covers(path, w.path, rule)]
    blocker = next((w for w in writes if not w.removable), None)
    field_name = ".".join(path)
    hashes = rule.hash_names(path) if rule is not None and len(path) > 1 else path[:1]
    for part in site.parts:
        targets: list[tuple[ObjectLit, Prop]] = []
        if len(path) == 1:
            if part.virtual:
                continue  # the write that holds it is the top-level key: it is handled as a write
            targets = [(part, prop) for prop in part.get_all(path[0])]
        else:
            for name in hashes:
                for holder in part.get_all(name):
                    if holder.value is not None:
                        targets.extend((holder.value, prop) for prop in holder.value.get_all(path[1]))
        for obj, prop in targets:
            shown = path[0] if len(path) == 1 else f"{_hash_of(part, obj)}.{path[1]}"
            index = plan.report(code, prop.span, site, field=shown)
            if prop.effects:
                # its value is not proven free of effects: removing it is an unsafe fix
                finding = plan.findings[index]
                title = finding.fix_title.removesuffix(" (unsafe)")
                plan.findings[index] = replace(finding, fix="unsafe", fix_title=(
                    f"{title}, and with it `{prop.effects}`, which may have side effects (unsafe)"))
            if not fix:
                continue
            why = _keep_reason(plan, site, part.span, prop, path, rule, blocker)
            if why:
                plan.keep(index, site, shown, why)
                continue
            if prop.effects and not plan.options.unsafe_fixes:
                continue
            work = plan.work(obj)
            work.remove.setdefault(obj.props.index(prop), []).append(index)
    for write in writes:
        shown = ".".join(write.path)
        index = plan.report(code, write.span, site, field=shown)
        if not fix:
            continue
        block = _blocking(site, write.part, path, rule)
        why = ""
        if block is not None and block.span != write.span:
            why = block.reason
        elif blocker is not None:
            why = write.why_not if not write.removable else (
                f"another statement that needs `{field_name}` cannot be removed ({blocker.why_not})")
        elif any(c0 >= write.span[0] and c1 <= write.span[1] for c0, c1 in plan.comments):
            why = "a comment sits inside the statement to remove"
        elif _stray_tag(plan, write):
            why = "a template tag sits inside the statement to remove, outside the value it writes"
        if why:
            plan.keep(index, site, shown, why)
            continue
        plan.writes.setdefault(write.span, (write, []))[1].append(index)


def _written(plan: _Plan, write: Write) -> Span:
    """What a write statement writes: its value, or a call's whole expression (`p.payPal.items.push(...)`)."""
    if write.value_span is not None:
        return write.value_span
    close = plan.text.rfind(")", write.span[0], write.span[1])
    return write.span[0], close + 1 if close >= 0 else write.span[0]


def _stray_tag(plan: _Plan, write: Write) -> bool:
    """A template tag in `write`'s statement that is not part of what it writes (`p.amount = <?= $t ?>`
    goes with its tag; a `{# note #}` before the `;` of a statement without one of its own does not)."""
    start, end = write.span
    allowed = _written(plan, write)
    return any(start <= t0 and t1 <= end and not (allowed[0] <= t0 and t1 <= allowed[1])
               for t0, t1 in plan.protected)


def _hash_of(part: ObjectLit, obj: ObjectLit) -> str:
    for prop in part.props:
        if prop.value is obj:
            return prop.key
    return "?"


def _opaque_hashes(plan: _Plan, site: PayloadSite, rule: MethodRule) -> None:
    """A method hash that is not an object literal may hold legacy keys drmigrate cannot see."""
    nested = [p[1] for p in rule.remove if len(p) == 2]
    if not nested:
        return
    for part in site.parts:
        for what in part.opaque:
            plan.report("DR200", part.span, site,
                        reason=_cap(f"{what} may be the `{rule.hashes[0]}` hash; "
                                    f"check it for {', '.join(nested[:3])}, …"))
        for name in rule.hashes:
            holder = part.get(name)
            if holder is not None and holder.value is None:
                value = " ".join(plan.text[holder.value_span[0]:holder.value_span[1]].split())
                plan.report(
                    "DR200", holder.span, site,
                    reason=f"The `{name}` hash is `{value[:40]}`, not an object literal; "
                           f"check it for {', '.join(nested[:3])}, …",
                )


def _edits(plan: _Plan) -> tuple[list[Edit], list[Intent]]:
    edits: list[Edit] = []
    intents: list[Intent] = []
    for work in plan.objects.values():
        work.remove = {k: idx for k, idx in work.remove.items() if plan.live(idx)}
        work.insertion_findings = plan.live(work.insertion_findings)
        if not work.insertion_findings:
            work.insertion = None
        if not work.remove and work.insertion is None:
            continue
        carrier = work.obj.carrier
        if carrier is not None and work.insertion is None and len(work.remove) == len(work.obj.props) \
                and not work.obj.others and not any(
                    carrier.span[0] <= c0 and c1 <= carrier.span[1] for c0, c1 in (*plan.comments, *plan.protected)):
            # `Object.assign(p, {amount: t});` would be left merging `{}`: the statement goes
            plan.writes.setdefault(carrier.span, (Write(("",), carrier.span, True, slot=carrier.slot,
                                                        open_before=carrier.open_before,
                                                        risky_after=carrier.risky_after),
                                                  [i for idx in work.remove.values() for i in idx]))
            continue
        cut = work.obj.cut
        if cut is not None and work.insertion is None and len(work.remove) == len(work.obj.props) \
                and not work.obj.others and not any(cut[0] <= c0 and c1 <= cut[1] for c0, c1 in plan.comments) \
                and not any(cut[0] < p1 and p0 < cut[1] for p0, p1 in plan.protected):
            # `x = Object.assign({}, base, {amount: t})` would be left merging `{}`: the argument goes
            edits.append(Edit(cut[0], cut[1], ""))
            intents.append(Intent("remove", work.obj.span))
            for i in (i for idx in work.remove.values() for i in idx):
                plan.findings[i] = replace(plan.findings[i], fix_applicable=True)
            continue
        result = plan_object(plan.text, work.obj, work.remove.keys(), work.insertion, plan.comments,
                             plan.protected)
        for index, why in result.refused.items():
            for f_index in work.remove[index]:
                plan.keep(f_index, None, work.obj.props[index].key, why)
        applied = {i for k, idx in work.remove.items() if k not in result.refused for i in idx}
        applied.update(work.insertion_findings)
        for i in applied:
            plan.findings[i] = replace(plan.findings[i], fix_applicable=True)
        edits.extend(result.edits)
        intents.extend(Intent("remove", work.obj.props[k].span) for k in work.remove if k not in result.refused)
        if work.insertion is not None:
            after = work.insertion.after
            intents.append(Intent("insert", work.obj.span, text=result.inserted,
                                  after=work.obj.props[after].span if after is not None else None))
    for value, (expr, indices) in plan.replacements.items():
        if not plan.live(indices):
            continue
        edits.append(Edit(value[0], value[1], expr))
        intents.append(Intent("replace", value, text=expr))
        for i in indices:
            plan.findings[i] = replace(plan.findings[i], fix_applicable=True)
    writes = [(write, indices) for write, indices in plan.writes.values() if plan.live(indices)]
    statements, stuck = _without_debris(plan, [w for w, _ in writes])
    for write, indices in writes:
        if write.span in stuck:
            for i in indices:
                plan.keep(i, None, ".".join(write.path), "removing it would leave its block empty, and the "
                                                          "statement that holds the block stays")
    writes = [(w, idx) for w, idx in writes if w.span not in stuck]
    edits.extend(statement_removals(plan.text, statements, [*plan.comments, *plan.protected]))
    for write in statements:
        # what the guard lets the removal take with it: the writes a removed statement held, or
        # what the write itself writes (a tag elsewhere in it must survive)
        only: tuple[Span, ...] | None = write.held or None
        if only is None and write.path != ("",):
            only = (_written(plan, write),)
        if write.effect_span is not None:
            intents.append(Intent("hoist", write.span, keep=write.effect_span, only=only))
        else:
            intents.append(Intent("remove", write.span, only=only))
    for _, indices in writes:
        for i in indices:
            plan.findings[i] = replace(plan.findings[i], fix_applicable=True)
    return edits, intents


def _without_debris(plan: _Plan, writes: list[Write]) -> tuple[list[Write], set[Span]]:
    """The statements to remove: a statement whose block loses every statement (no comment inside)
    goes whole instead of leaving `if (c) {}` behind — an `if` without `else`, a `while` loop with a
    condition that only reads, a labelled or bare block — and so does the one around it, when that
    is left empty in turn; a condition that calls something stays as a statement of its own. One
    that must stay (a `for` loop, an `if` with an `else`, a `try`) is noted in `plan.leftovers`."""
    groups: dict[Span, list[Write]] = {}
    out: list[Write] = []
    for write in writes:
        if write.enclosure is not None and write.effect_span is None:
            groups.setdefault(write.enclosure.group, []).append(write)
        else:
            out.append(write)
    done: set[Span] = set()
    while len(done) < len(groups):
        # innermost first: an emptied statement joins the group of the block around it
        block = min((s for s in groups if s not in done), key=lambda s: s[1] - s[0])
        done.add(block)
        inside = groups[block]
        enclosure = inside[0].enclosure
        assert enclosure is not None
        span = enclosure.span

        if len(inside) != enclosure.count or _commented(plan, block, inside):
            out.extend(inside)
            continue
        if enclosure.keeps:  # (Python's `fills` blocks never get here: their writes stay, DR202)
            plan.leftovers.append((span, enclosure.keeps))
            out.extend(inside)
            continue
        if _commented(plan, span, inside):  # a comment in the condition or the label: the statement stays, emptied
            plan.leftovers.append((span, enclosure.name))
            out.extend(inside)
            continue
        # a condition that may do something stays as a statement: `if (f()) {}` -> `f();`
        holder = Write(inside[0].path, span, True, slot=enclosure.slot, effect_span=enclosure.test,
                       open_before=enclosure.open_before, risky_after=enclosure.risky_after,
                       enclosure=enclosure.outer, held=tuple(s for w in inside for s in (w.held or (w.span,))))
        if holder.enclosure is not None and holder.effect_span is None and holder.enclosure.group not in done:
            groups.setdefault(holder.enclosure.group, []).append(holder)
        else:
            out.append(holder)
    stuck = {w.span for w in out if w.needs_enclosure}
    return sorted((w for w in out if w.span not in stuck), key=lambda w: w.span), stuck


def _commented(plan: _Plan, region: Span, removed: Sequence[Write]) -> bool:
    """A comment or a template tag in `region` that is not inside one of the `removed` statements:
    the statement around them stays (a tag such as `<?php if (...): ?>` is never removed with it)."""
    return any(region[0] <= c0 and c1 <= region[1] and not any(w.span[0] <= c0 and c1 <= w.span[1] for w in removed)
               for c0, c1 in (*plan.comments, *plan.protected))


__all__ = ["Options", "Report", "analyze"]
