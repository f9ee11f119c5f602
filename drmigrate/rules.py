"""The rule table: loading `rules/rules.json`, validating it against `rules/schema.json`, and lookups.

The JSON mirrors the migration docs; this module only reads it. An invalid table raises
`RuleTableError` naming the file and the offending key, which the CLI turns into exit 2.

A table given with `--rules FILE` is validated against the schema when it is loaded. The bundled
table is validated by the test suite instead of at every start: it ships with the code, and
importing jsonschema (and its format and referencing machinery) cost more than the rest of a
small run. The semantic checks below the schema (duplicates, hashes, codes) run on every table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drmigrate.model import FixSafety

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import jsonschema


MAX_SIZE = 16 << 20  # bytes of a rule table given with --rules


class RuleTableError(Exception):
    """The rule table is unreadable or does not match its schema."""


@dataclass(frozen=True)
class Report:
    path: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class MethodRule:
    type: str
    title: str
    hashes: tuple[str, ...]
    remove: tuple[tuple[str, ...], ...]  # dotted paths split; nested ones name hashes[0]
    report: tuple[Report, ...]
    doc_section: str
    edition: str
    notes: tuple[str, ...]

    def hash_names(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """The hash names a nested path applies to (the doc names one; the decision accepts all)."""
        return self.hashes if path[0] == self.hashes[0] else (path[0],)


@dataclass(frozen=True)
class CodeInfo:
    code: str
    name: str
    summary: str
    message: str
    fix_title: str
    fix_safety: FixSafety
    rationale: str
    example_before: str
    example_after: str
    fix_safety_notes: tuple[str, ...] = ()  # what makes its fix safe or unsafe, case by case

    @property
    def general_fix_title(self) -> str:
        """The fix title said of the code in general (`explain`, SARIF rule help): its
        placeholders rephrased, so no `{field}` ever reaches a reader."""
        return fill(self.fix_title, {})


# What a template placeholder stands for, when there is no finding to fill it in from
PLACEHOLDER_WORDS = {
    "field": "the legacy field",
    "type": "the payment method",
    "reason": "the reason",
    "directive": "the suppression comment",
}
_PLACEHOLDER = re.compile(r"`?\{(\w+)\}`?")
# The values drmigrate gives each code's message: a table's template may use these and no other
# (a `{nope}` would otherwise fail at the first finding, in every file). Every finding about a
# payload is given `_PAYLOAD` (`engine._Plan.report` sets them). A new code's values go here too
# (tests/test_attacks_inputs.py checks that every code of the bundled table has its entry).
_PAYLOAD = frozenset({"type", "option"})
_FIELD_CODES = ("DR101", "DR102", "DR120", "DR121", "DR122")
MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    **{code: _PAYLOAD | {"field"} for code in _FIELD_CODES},
    **{code: _PAYLOAD | {"element"} for code in ("DR130", "DR131", "DR132", "DR133")},
    "DR100": _PAYLOAD, "DR110": _PAYLOAD | {"value"}, "DR111": _PAYLOAD | {"value"},
    "DR200": _PAYLOAD | {"reason"}, "DR201": _PAYLOAD | {"reason"},
    "DR202": _PAYLOAD | {"field", "reason"}, "DR203": frozenset({"reason"}),
    "DR204": _PAYLOAD | {"call", "holder"}, "DR205": _PAYLOAD | {"reason"},
    "DR300": frozenset({"directive", "reason"}),
}


def template_problem(code: str, template: str) -> str | None:
    """What is wrong with `template` as the message of `code` (None: nothing): only plain
    `{name}` placeholders of the values drmigrate gives that code; no attribute, index,
    conversion or format spec (`{field:>99999999}` would build a 100 MB message)."""
    import string

    allowed = MESSAGE_FIELDS.get(code, frozenset({"type"}))
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return "a `{` without its `}` (write `{{` for a brace)"
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if not name.isidentifier() or spec or conversion:
            return f"`{shown}` is not a plain `{{name}}` placeholder"
        if name not in allowed:
            given = ", ".join(f"`{{{f}}}`" for f in sorted(allowed))
            return f"`{shown}` is not a value drmigrate gives {code}'s message (it gives {given})"
    return None


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with its `{name}` placeholders filled from `values`; one without a value is
    rephrased (``Remove `{field}` `` -> "Remove the legacy field"), never left raw."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return match.group(0).replace("{" + name + "}", values[name])
        return PLACEHOLDER_WORDS.get(name, name.replace("_", " "))

    return _PLACEHOLDER.sub(one, template)


@dataclass(frozen=True)
class Topic:
    """What `drmigrate explain WORD` is about: a code, a method rule, a session-native type or a call."""

    code: CodeInfo | None = None
    method: MethodRule | None = None
    native: str | None = None
    call: CallRule | None = None


@dataclass(frozen=True)
class CallRule:
    """One DigitalRiver.js call the payment-sessions docs touch, and what the migration asks of it."""

    name: str  # the rule's name (`createSource`, `paypalElement`, `createDropin`, ...)
    call: str  # the method called
    title: str
    kind: str  # source: the per-method rules apply to its payload; session: it must carry sessionId
    doc_section: str
    notes: tuple[str, ...]
    element_types: tuple[str, ...] = ()  # createElement(type, ...): the element types it is for
    payload_key: str = ""  # the options key that holds the payload (`sourceData`)
    code: str = ""  # session kind: what is reported without sessionId
    flow_path: tuple[str, ...] = ()
    session_flows: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleTable:
    path: str
    source_title: str
    source_url: str
    placeholder: str
    methods: dict[str, MethodRule]
    native_types: frozenset[str]
    native_note: str
    native_report: tuple[Report, ...]
    codes: dict[str, CodeInfo]
    calls: dict[str, CallRule] = field(default_factory=dict)  # by rule name

    def call_rule(self, call: str, element: str = "") -> CallRule | None:
        """The rule for `receiver.call(...)` (`createElement` by its element type)."""
        for rule in self.calls.values():
            if rule.call == call and (not rule.element_types or element.lower() in rule.element_types):
                return rule
        return None

    def is_dr_type(self, source_type: str) -> bool:
        return source_type in self.methods or source_type in self.native_types

    def message(self, code: str, **values: str) -> str:
        return self.codes[code].message.format(**values)

    def fix_title(self, code: str, **values: str) -> str:
        """The code's fix title with `values` filled in (a placeholder without one is rephrased)."""
        return fill(self.codes[code].fix_title, values)

    def _words(self) -> dict[str, Topic]:
        """Every word `explain` accepts, lower-cased: codes, code names, method and native types,
        call rules."""
        words: dict[str, Topic] = {}
        for info in self.codes.values():
            words[info.code.lower()] = words[info.name.lower()] = Topic(code=info)
        for rule in self.methods.values():
            words[rule.type.lower()] = Topic(method=rule)
        for native in sorted(self.native_types):
            words.setdefault(native.lower(), Topic(native=native))
        for call in self.calls.values():
            words.setdefault(call.name.lower(), Topic(call=call))
        return words

    def topic(self, word: str) -> Topic | None:
        """The code (`DR101`, `legacy-amount-currency`), method (`payPal`), session-native type
        (`googlePay`) or call (`createDropin`) that `word` names, case-insensitively; None when it
        names none."""
        key = word.strip().lower().replace("_", "-")
        words = self._words()
        return words.get(key) or words.get(key.replace("-", ""))

    def nearest(self, word: str) -> str | None:
        """The code, code name or type spelled most like `word` (as the table spells it)."""
        import difflib

        spelled = {k: _spelling(t, k) for k, t in self._words().items()}
        close = difflib.get_close_matches(word.strip().lower(), list(spelled), n=1, cutoff=0.6)
        return spelled[close[0]] if close else None


def _spelling(topic: Topic, key: str) -> str:
    if topic.code is not None:
        return topic.code.code if key == topic.code.code.lower() else topic.code.name
    if topic.method is not None:
        return topic.method.type
    if topic.call is not None:
        return topic.call.name
    return topic.native or key


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _reports(items: list[dict[str, str]]) -> tuple[Report, ...]:
    return tuple(Report(_split(r["path"]), r["code"]) for r in items)


def _data(name: str) -> Traversable | Path:
    """A file of the rule-table data: installed as drmigrate.rules_data, or `rules/` in a checkout.

    Looked for on disk first (importlib.resources costs more to import than reading the table);
    the resources API answers for any other way of installing (a zip, say).
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules_data" / name, here.parent / "rules" / name):
        if candidate.is_file():
            return candidate
    from importlib import resources

    try:
        return resources.files("drmigrate.rules_data").joinpath(name)
    except ModuleNotFoundError:
        # running from a source checkout that shadows the installed package (pytest, python -m)
        return Path(__file__).resolve().parent.parent.joinpath("rules", name)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_data("schema.json").read_text("utf-8"))
    return schema


def _error_location(err: jsonschema.ValidationError, data: Any) -> str:
    parts: list[str] = []
    node = data
    for piece in err.absolute_path:
        if isinstance(piece, int) and isinstance(node, list):
            node = node[piece]
            name = node.get("type") or node.get("code") if isinstance(node, dict) else None
            parts.append(f"[{piece}]" + (f"({name})" if name else ""))
        else:
            parts.append(f".{piece}")
            node = node[piece] if isinstance(node, dict) else None
    return "".join(parts).lstrip(".") or "<top level>"


def validate(data: Any, origin: str) -> None:
    """Check a decoded rule table against `rules/schema.json`. Raises RuleTableError."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        raise RuleTableError(
            f"{origin}: invalid rule table at `{_error_location(err, data)}`: {err.message}; "
            "fix the key or restore the file from the drmigrate release"
        )


def parse_table(data: Any, origin: str, *, schema: bool = True) -> RuleTable:
    """Build the lookups of a decoded rule table, validated against the schema first unless
    `schema` is False (the bundled table, which the tests validate). Raises RuleTableError."""
    if schema:
        validate(data, origin)
    codes = {
        c["code"]: CodeInfo(
            c["code"], c["name"], c["summary"], c["message"], c["fix_title"], c["fix_safety"],
            c["rationale"], c["example"]["before"], c["example"]["after"],
            tuple(c.get("fix_safety_notes", ())),
        )
        for c in data["codes"]
    }
    if len(codes) != len(data["codes"]):
        raise RuleTableError(f"{origin}: invalid rule table at `codes`: duplicate code")
    for info in codes.values():
        problem = template_problem(info.code, info.message)
        if problem is not None:
            raise RuleTableError(f"{origin}: invalid rule table at `codes({info.code}).message`: {problem}; "
                                 "fix the template")
    methods: dict[str, MethodRule] = {}
    for m in data["methods"]:
        if m["type"] in methods:
            raise RuleTableError(f"{origin}: invalid rule table at `methods`: duplicate type {m['type']}")
        remove = tuple(_split(p) for p in m["remove"])
        for path in remove:
            if len(path) == 2 and path[0] not in m["hashes"]:
                raise RuleTableError(
                    f"{origin}: invalid rule table at `methods({m['type']}).remove`: "
                    f"`{'.'.join(path)}` names no accepted hash of {m['hashes']}"
                )
        report = _reports(m.get("report", []))
        for r in report:
            if r.code not in codes:
                raise RuleTableError(
                    f"{origin}: invalid rule table at `methods({m['type']}).report`: unknown code {r.code}"
                )
        methods[m["type"]] = MethodRule(
            m["type"], m["title"], tuple(m["hashes"]), remove, report,
            m["doc_section"], m["edition"], tuple(m["notes"]),
        )
    native = data["session_native"]
    return RuleTable(
        path=origin,
        source_title=data["source"]["title"],
        source_url=data["source"]["url"],
        placeholder=data["session_id"]["placeholder"],
        methods=methods,
        native_types=frozenset(native["types"]),
        native_note=native["note"],
        native_report=_reports(native["report"]),
        codes=codes,
        calls=_calls(data.get("calls", []), codes, origin),
    )


def _calls(items: list[dict[str, Any]], codes: dict[str, CodeInfo], origin: str) -> dict[str, CallRule]:
    out: dict[str, CallRule] = {}
    for c in items:
        if c["name"] in out:
            raise RuleTableError(f"{origin}: invalid rule table at `calls`: duplicate name {c['name']}")
        if c["kind"] == "session" and c.get("code") not in codes:
            raise RuleTableError(f"{origin}: invalid rule table at `calls({c['name']}).code`: "
                                 f"a session rule names a known code, not {c.get('code')!r}")
        out[c["name"]] = CallRule(
            c["name"], c["call"], c["title"], c["kind"], c["doc_section"], tuple(c["notes"]),
            tuple(c.get("element_types", ())), c.get("payload_key", ""), c.get("code", ""),
            _split(c["flow_path"]) if c.get("flow_path") else (), tuple(c.get("session_flows", ())),
            tuple(c.get("keep", ())),
        )
    return out


def load_table(path: str | Path | None = None) -> RuleTable:
    """Load a rule table from `path`, or the bundled one."""
    if path is None:
        return bundled_table()
    from drmigrate.discovery import SourceError, read_named
    from drmigrate.untrusted import UntrustedError, loads

    origin = str(path)
    try:
        data = loads(read_named(origin, MAX_SIZE, "rule table").decode("utf-8"))
    except SourceError as exc:
        raise RuleTableError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise RuleTableError(f"{origin}: rule table is not valid JSON ({exc})") from None
    except UntrustedError as exc:
        raise RuleTableError(f"{origin}: rule table is not valid JSON ({exc})") from None
    return parse_table(data, origin)


@lru_cache(maxsize=1)
def bundled_table() -> RuleTable:
    ref = _data("rules.json")
    try:
        data = json.loads(ref.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleTableError(f"{ref}: bundled rule table is unreadable ({exc}); reinstall drmigrate") from None
    return parse_table(data, str(ref), schema=False)  # tests/test_rules.py validates it
