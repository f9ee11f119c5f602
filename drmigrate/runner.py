"""Per-file pipeline on text: pick the front end, extract sites, run the engine, splice, re-parse.

No disk access here (discovery and the CLI read and write); everything is a function of the text,
so tests call `fix_text` / `check_text` directly. Each file ends as one `FileResult`.
"""

from __future__ import annotations

import bisect
import os
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePath

from drmigrate import calls
from drmigrate import edits as splicer
from drmigrate.calls import mentioned, mentioned_in_bytes
from drmigrate.discovery import NOT_READ
from drmigrate.engine import Options
from drmigrate.frontends import Extraction, FrontEnd, ParseError, Settings
from drmigrate.guard import GuardError
from drmigrate.model import (
    Analysis,
    Confidence,
    Edit,
    FileResult,
    FileStatus,
    Finding,
    Intent,
    SiteOutcome,
    Span,
    Step,
)
from drmigrate.rules import RuleTable, bundled_table

MAX_FIX_PASSES = 10
UTF16_PREFIXES = (b"\xff\xfe", b"\xfe\xff")  # also the start of the UTF-32 BOMs decode() refuses

JS_EXTENSIONS = frozenset({".js", ".mjs", ".cjs"})
JSX_EXTENSIONS = frozenset({".jsx"})
PYTHON_EXTENSIONS = frozenset({".py"})
PHP_EXTENSIONS = frozenset({".php", ".phtml"})  # PHP pages: PHP arrays and <script> JS
SERVER_EXTENSIONS = PYTHON_EXTENSIONS | PHP_EXTENSIONS  # payloads built without createSource
CALL_NAMES = calls.CALL_NAMES  # the calls checked; the one list is in drmigrate.calls

# Files drmigrate does not read. The walk searches their bytes for a call (`drmigrate.calls`), so
# that one that mentions a call is listed with what it would take to check it; the classes below
# decide what the note says. Binary formats are never opened.
BINARY_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp", ".tif", ".tiff", ".heic", ".psd",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".jar", ".war", ".whl", ".egg",
    ".mp3", ".mp4", ".m4a", ".m4v", ".wav", ".ogg", ".oga", ".webm", ".mov", ".avi", ".flac", ".mkv",
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
    ".pyc", ".pyo", ".so", ".dll", ".dylib", ".exe", ".o", ".a", ".lib", ".class", ".wasm", ".node",
    ".bin", ".dat", ".db", ".sqlite", ".sqlite3", ".mo", ".swf", ".swp", ".p12", ".pfx", ".jks", ".keystore",
})
# Prose, data and styles: a mention there is not code that runs; listed quietly (`--show-files`).
DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".rst", ".txt", ".adoc", ".asciidoc", ".textile",
                               ".org", ".rtf", ".tex"})
DATA_SUFFIXES = frozenset({
    ".json", ".jsonc", ".json5", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".conf", ".env", ".properties",
    ".csv", ".tsv", ".xml", ".xsd", ".lock", ".log", ".sql", ".graphql", ".gql", ".po", ".pot", ".xlf",
    ".xliff", ".snap", ".patch", ".diff", ".plist", ".css", ".scss", ".sass", ".less", ".styl", ".pcss",
})
# Server code in languages drmigrate has no front end for: a payload built there is not seen.
SERVER_LANGUAGE_SUFFIXES = frozenset({
    ".rb", ".java", ".kt", ".kts", ".scala", ".groovy", ".go", ".cs", ".vb", ".fs", ".pl", ".pm",
    ".lua", ".swift", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".ex", ".exs", ".erl", ".clj", ".dart",
    ".r", ".sh", ".bash", ".ps1",
})
# Markup with its own syntax for script blocks (no `<script>` tag to find).
INDENTED_MARKUP_SUFFIXES = frozenset({".pug", ".jade", ".haml", ".slim"})
BACKUP_SUFFIXES = frozenset({".bak", ".orig", ".old", ".save", ".tmp", ".backup"})


@dataclass(frozen=True)
class Config:
    """What the pipeline needs besides the text."""

    table: RuleTable
    options: Options
    settings: Settings
    include_minified: bool = False  # parse minified / bundled / vendored files too
    template_extensions: frozenset[str] = frozenset()  # more suffixes read as templates


def make_config(
    table: RuleTable | None = None,
    options: Options | None = None,
    receiver_names: Sequence[str] | None = None,
    *,
    include_minified: bool = False,
    template_extensions: Sequence[str] = (),
    payload_names: Sequence[str] = (),
    wrappers: Sequence[str] = (),
) -> Config:
    from drmigrate.config import parse_wrapper

    table = table or bundled_table()
    dr_types = frozenset(table.methods) | table.native_types
    calls = frozenset(rule.call for rule in table.calls.values()) | {"createSource"}
    elements = tuple((element, rule.payload_key) for rule in table.calls.values() for element in rule.element_types)
    settings = Settings(dr_types=dr_types, payload_names=tuple(payload_names), calls=calls, elements=elements)
    if receiver_names is not None:
        settings = replace(settings, receiver_names=tuple(receiver_names))
    parsed = tuple(w for w in (parse_wrapper(text) for text in wrappers) if w is not None)
    if parsed:
        settings = replace(settings, wrappers=parsed)
    templates = frozenset(e.lower() if e.startswith(".") else f".{e.lower()}" for e in template_extensions)
    return Config(table, options or Options(), settings, include_minified, templates)


def front_end_for(path: str, templates: frozenset[str] = frozenset()) -> FrontEnd | None:
    """The front end that reads files like `path`, or None when drmigrate does not read them.

    `templates` adds suffixes read as templates (the `template-extensions` setting).
    """
    suffix = os.path.splitext(path)[1].lower()
    if suffix in templates:
        from drmigrate.frontends.templates import TemplateFrontEnd

        return TemplateFrontEnd(suffix)
    from drmigrate.frontends.javascript import front_end_for as javascript_front_end

    javascript = javascript_front_end(path)  # .js/.mjs/.cjs/.jsx/.ts/.tsx/.mts/.cts and "-"
    if javascript is not None:
        return javascript
    if suffix not in PHP_EXTENSIONS:  # .php: PHP and <script> JS together, below
        from drmigrate.frontends.templates import front_end_for as template_front_end

        template = template_front_end(path)  # .phtml .html .isml .erb .ejs .vue .page ...
        if template is not None:
            return template
    if suffix in PYTHON_EXTENSIONS:
        from drmigrate.frontends.python_cst import PythonFrontEnd

        return PythonFrontEnd()
    if suffix in PHP_EXTENSIONS:
        from drmigrate.frontends.combined import CombinedFrontEnd
        from drmigrate.frontends.php import PhpFrontEnd
        from drmigrate.frontends.templates import TemplateFrontEnd, javascript_view

        # a PHP page: PHP arrays for the server's payloads, <script> blocks for the page's (a
        # `.js.php` view is script as a whole)
        return CombinedFrontEnd(PhpFrontEnd(), TemplateFrontEnd(suffix, whole=javascript_view(path)))
    return None


def reads(path: str, templates: frozenset[str] = frozenset()) -> bool:
    """Whether drmigrate reads files like `path`: `front_end_for(...) is not None`, decided from
    the name alone, without building (or importing) any front end.

    Discovery asks this for every file name; the front ends import tree-sitter, libcst and the
    analysis, which a walk that only needs a yes or no must not pay for.
    """
    from drmigrate.frontends.javascript import dialect_for

    if os.path.splitext(path)[1].lower() in PYTHON_EXTENSIONS | PHP_EXTENSIONS | templates:
        return True
    return dialect_for(path) is not None or PurePath(path).suffix.lower() in TEMPLATE_SUFFIXES


# `frontends.templates.TEMPLATE_EXTENSIONS`, spelt out so that a walk does not import the template
# front end to ask (a test keeps the two equal)
TEMPLATE_SUFFIXES = frozenset({
    ".php", ".phtml", ".erb", ".ejs", ".jsp", ".isml", ".page", ".component", ".hbs", ".twig", ".njk",
    ".jinja", ".j2", ".html", ".htm", ".cshtml", ".vue", ".svelte", ".liquid", ".mustache", ".handlebars",
    ".jinja2", ".aspx", ".ascx", ".master", ".asp", ".tpl", ".xhtml", ".astro",
})


def evidence_for(config: Config) -> calls.Evidence:
    """What shows Digital River in a file, by this run's receiver names, payment types and the
    call rules' element types (see `calls.SHARED_NAMES`: a call of `paymentRequest` counts only
    beside it)."""
    found = _EVIDENCE.get(id(config))
    if found is None or found[0] is not config:  # asked for every file: built once per config
        elements = {t for rule in config.table.calls.values() for t in rule.element_types}
        found = (config, calls.evidence(config.settings.receiver_names, config.settings.dr_types | elements))
        _EVIDENCE[id(config)] = found
    return found[1]


_EVIDENCE: dict[int, tuple[Config, calls.Evidence]] = {}


def searched_unread(path: str) -> bool:
    """Whether the walk should search the bytes of a file drmigrate does not read: every text
    format, never a binary one (decided by the name alone)."""
    return os.path.splitext(path)[1].lower() not in BINARY_SUFFIXES


def unread_reason(path: str, call: str, templates: frozenset[str] = frozenset()) -> str:
    """Why a file that mentions `call` is not checked, and the setting or step that would check it."""
    name = os.path.basename(path)
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    shown = f'"{suffix}"' if suffix else "its name"
    if suffix == ".map":
        return f"{NOT_READ} (a source map, build output; it mentions {call}: fix the source it names)"
    if suffix in DOCUMENT_SUFFIXES:
        return (f"{NOT_READ} (documentation that mentions {call}; add {shown} to template-extensions "
                "if it holds <script> blocks to check)")
    if suffix in DATA_SUFFIXES:
        return f"{NOT_READ} (a {suffix} file is data or styles, never code; it mentions {call})"
    if name.endswith("~"):
        inner = os.path.splitext(name.rstrip("~"))[1].lower()
    else:
        inner = os.path.splitext(stem)[1].lower() if suffix in BACKUP_SUFFIXES else ""
    if inner and reads(f"x{inner}", templates):
        return (f"a copy of a {inner} file (by its name) that mentions {call} is not read; "
                f"rename it to end in {inner} to check it, or delete it")
    if suffix in SERVER_LANGUAGE_SUFFIXES:
        return (f"a {suffix} file that mentions {call} is not read: drmigrate reads server code only "
                "in PHP and Python, and no setting changes that; review a payload built there by hand")
    if suffix in INDENTED_MARKUP_SUFFIXES:
        return (f"a {suffix} file that mentions {call} is not read: its script blocks are not "
                "`<script>` tags, which is what template-extensions reads; review it by hand")
    if not suffix:
        return (f"a file without a suffix that mentions {call} is not read; give it the suffix of "
                "its language to check it")
    return (f"a {suffix} file that mentions {call} is not read; add {shown} to template-extensions "
            "to check its <script> blocks")


@lru_cache(maxsize=8)
def _quoted_type_bytes(types: frozenset[str]) -> re.Pattern[bytes]:
    """`Settings.quotes_dr_type` on bytes: the same matches on UTF-8 (the pattern is ASCII)."""
    longest_first = sorted((re.escape(t) for t in types), key=len, reverse=True)
    names = "|".join(longest_first).encode("utf-8") or b"(?!)"
    return re.compile(b"['\"](?:" + names + b")['\"]")


def is_candidate_bytes(raw: bytes, path: str, config: Config, suffix: str | None = None) -> bool:
    """`is_candidate` on the UTF-8 bytes of a file: an ASCII needle is found in UTF-8 bytes
    exactly where it is in the decoded text, so no text is needed to decide."""
    if mentioned_in_bytes(raw, evidence_for(config)) is not None or _calls_wrapper(raw, config):
        return True
    return _server_candidate_bytes(raw, path, config, suffix)


def _calls_wrapper(data: bytes | str, config: Config) -> bool:
    """The file mentions a function the `wrappers` setting declares (its last name)."""
    for _module, name, _index in config.settings.wrappers:
        needle = name.rsplit(".", 1)[-1]
        if isinstance(data, bytes):
            if needle.encode() in data:
                return True
        elif needle in data:
            return True
    return False


def _server_candidate_bytes(raw: bytes, path: str, config: Config, suffix: str | None = None) -> bool:
    """The server-code half of `is_candidate_bytes`: a quoted Digital River type in Python or PHP."""
    if suffix is None:
        suffix = os.path.splitext(path)[1].lower()
    if suffix in PHP_EXTENSIONS and b"'type'" not in raw and b'"type"' not in raw:
        return False
    if suffix in SERVER_EXTENSIONS:
        return _quoted_type_bytes(config.settings.dr_types).search(raw) is not None
    return False


def settled_from_bytes(raw: bytes, path: str, config: Config) -> FileResult | None:
    """The result of a file that holds no candidate, decided from its bytes; None when the file
    needs decoding (a candidate, a UTF-16 BOM, or bytes that `discovery.decode` refuses, so that
    the error names why). Most of a repository ends here.

    Non-ASCII bytes are validated as UTF-8 by decoding them and dropping the text at once: that
    runs at memory speed (about as fast as the `createSource` search itself, measured), where a
    validator written in Python would be a hundred times slower.
    """
    if raw[:2] in UTF16_PREFIXES or b"\x00" in raw[:8192]:
        return None  # UTF-16/32 text is not searched as bytes; NUL bytes: decode's error
    if mentioned_in_bytes(raw, evidence_for(config)) is not None or _calls_wrapper(raw, config):
        return None
    suffix = os.path.splitext(path)[1].lower()
    if suffix in SERVER_EXTENSIONS and _server_candidate_bytes(raw, path, config, suffix):
        return None
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return None  # decode() reports where
    return non_candidate_result(path, config)


def settled_without_text(raw: bytes, path: str, config: Config) -> FileResult | None:
    """Kept for callers of the earlier name: `settled_from_bytes`."""
    return settled_from_bytes(raw, path, config)


@dataclass(frozen=True)
class BuildOutput:
    """A file skipped as build output or vendored code: why, and the call it mentions, if any."""

    path: str
    reason: str
    call: str | None

    def result(self, sources: Sequence[str] = ()) -> FileResult:
        """Its skip; `sources` are the files it was built from, when the disk shows them."""
        from drmigrate.frontends.bundles import build_output_reason

        return FileResult(self.path, "skipped", build_output_reason(self.reason, self.call, sources))


def build_output(path: str, text: str, config: Config, *, candidate: bool = True) -> BuildOutput | None:
    """Whether `path` is skipped as build output (None: it is read). The checks of the content
    read the whole text, so they run only for files the prefilter keeps (`candidate`); the others
    are decided by their name."""
    if config.include_minified:
        return None
    from drmigrate.frontends.bundles import classify, classify_by_name

    reason = classify(path, text) if candidate else classify_by_name(path)
    return None if reason is None else BuildOutput(path, reason, mentioned(text, evidence_for(config)) if candidate else None)


def non_candidate_result(path: str, config: Config) -> FileResult:
    """What `result_for` answers for a readable file that the prefilter rules out."""
    if not config.include_minified:
        from drmigrate.frontends.bundles import build_output_reason, classify_by_name

        build_output = classify_by_name(path)
        if build_output is not None:
            return FileResult(path, "skipped", build_output_reason(build_output, None))
    return FileResult(path, "clean", parser="prefilter")


def is_candidate(text: str, path: str = "", config: Config | None = None) -> bool:
    """The cheap prefilter: a file that cannot hold a relevant call or payload is never parsed.

    Page code must mention one of the calls (`CALL_NAMES`: `createSource`, or a call of
    `createDropin`, ...; of `createElement` or `paymentRequest` only beside Digital River
    evidence, `evidence_for`); server code (Python, PHP) builds the payload without
    calling anything, so there a quoted Digital River type (`'payPal'`) is enough.
    """
    config = config or make_config()
    if mentioned(text, evidence_for(config)) is not None or _calls_wrapper(text, config):
        return True
    suffix = os.path.splitext(path)[1].lower()
    if suffix in PHP_EXTENSIONS and "'type'" not in text and '"type"' not in text:
        return False  # a PHP array key is always quoted; pages say type="text/javascript"
    if suffix in PYTHON_EXTENSIONS | PHP_EXTENSIONS:
        return config.settings.quotes_dr_type(text)
    return False


class LineIndex:
    """Offsets to 1-based (line, column); columns count code points, as editors do."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def locate(findings: Sequence[Finding], text: str) -> tuple[Finding, ...]:
    """`findings` with their 1-based lines and columns (and their steps') computed from `text`."""
    index = LineIndex(text)
    out = []
    for f in findings:
        line, col = index.position(f.span[0])
        end_line, end_col = index.position(f.span[1])
        out.append(replace(f, line=line, column=col, end_line=end_line, end_column=end_col,
                           related=_steps(f.related, index)))
    return tuple(out)


def _steps(steps: Sequence[Step], index: LineIndex) -> tuple[Step, ...]:
    """Steps in this file (no path) get their line and column."""
    return tuple(replace(step, line=index.position(step.span[0])[0], column=index.position(step.span[0])[1])
                 if not step.path else step for step in steps)


def _place(sites: Sequence[SiteOutcome], text: str) -> tuple[SiteOutcome, ...]:
    """Sites with the line and column of their call, their steps and their hop."""
    if not sites:
        return ()
    index = LineIndex(text)
    out = []
    for site in sites:
        line, column = index.position(site.span[0])
        hop = site.hop
        if hop is not None:
            hop_line, hop_column = index.position(hop.span[0])
            hop = replace(hop, line=hop_line, column=hop_column)
        out.append(replace(site, line=line, column=column, via=_steps(site.via, index), hop=hop))
    return tuple(out)


@dataclass(frozen=True)
class Outcome:
    findings: tuple[Finding, ...]  # on the final text (after fixes, when fixing)
    fixed: str | None  # None when no fix changed the text
    parser: str
    error: str = ""
    initial: tuple[Finding, ...] = ()  # on the original text, when fixing
    sites: tuple[SiteOutcome, ...] = ()  # the payload sites of the final text
    initial_sites: tuple[SiteOutcome, ...] = ()  # ... and of the original text
    leftovers: tuple[tuple[int, str], ...] = ()  # (line, what) the fixes leave with an empty block


def _extract(front: FrontEnd, text: str, config: Config) -> Extraction:
    return front.extract(text, config.settings)


def process_text(text: str, path: str, config: Config, *, fix: bool) -> Outcome:
    """Analyse `text` (as file `path`); with `fix`, apply fixes until stable and re-check.

    Every pass is proven by the fix guard before it is kept, in `check` as in `fix` (so a finding
    counts as fixable only when `fix` would fix it): an edit whose result differs from the text in
    any way its intents do not account for is refused (DR203) and its findings are left as they
    are, while the other edits of the pass land. Without `fix` the findings are those of the
    original text, their `fix_applicable` saying what `fix` would do.
    """
    front = front_end_for(path, config.template_extensions)
    if front is None:
        return Outcome((), None, "")
    try:
        extraction, result = _analysis(front, text, config)
    except ParseError as exc:
        return Outcome((), None, front.name, error=f"cannot parse ({exc}); fix the syntax or exclude the file")
    initial_leftovers = _lines(text, [(s[0], w) for s, w in result.leftovers])
    initial_sites = _place(result.sites, text)
    if not result.edits:
        located = locate(result.findings, text)
        return Outcome(located, None, extraction.parser, initial=located, sites=initial_sites,
                       initial_sites=initial_sites, leftovers=initial_leftovers)
    current = text
    left: list[tuple[int, str]] = []  # offsets in `current` of the statements left empty so far
    initial: tuple[Finding, ...] | None = None
    refusals: list[Finding] = []  # DR203 of the last pass, on `current`
    error = ""
    for _ in range(MAX_FIX_PASSES):
        if not result.edits:
            break
        proven, candidate, refusals = _proven_pass(front, extraction, current, config, result)
        if initial is None:  # what `check` reports: the original's findings, as `fix` treats them
            initial = _with_refusals(proven.findings, refusals, current)
            if not fix:
                return Outcome(initial, None, extraction.parser, initial=initial, sites=initial_sites,
                               initial_sites=initial_sites, leftovers=initial_leftovers)
        result = proven
        if candidate is None:
            break
        left = [(_moved(o, result.edits), w) for o, w in [*left, *((s[0], w) for s, w in result.leftovers)]]
        current = candidate
        refusals = []
        try:
            extraction, result = _analysis(front, current, config)
        except ParseError as exc:  # pragma: no cover - the guard parsed it
            return Outcome((), None, front.name, error=f"cannot parse fixed text ({exc}); please report this")
    else:
        if result.edits:
            error = (f"fixes did not settle after {MAX_FIX_PASSES} passes; the file holds the last proven "
                     "pass; please report this")
    assert initial is not None
    return Outcome(_with_refusals(result.findings, refusals, current), _changed(text, current),
                   extraction.parser, error=error, initial=initial, sites=_place(result.sites, current),
                   initial_sites=initial_sites, leftovers=_lines(current, left))


MAX_REFUSALS = 12  # refused fixes looked at one by one in a pass; past that, the pass is refused whole


def _proven_pass(front: FrontEnd, extraction: Extraction, text: str, config: Config,
                 result: Analysis) -> tuple[Analysis, str | None, list[Finding]]:
    """One pass of fixes on `text`, proven by the guard: (the analysis whose edits were applied,
    the fixed text or None when no edit could be applied, DR203 for each refused fix).

    A refused pass does not throw the file's other fixes away: the findings whose fix made the
    difference the guard found are held (reported, left unfixed) and the rest is planned again."""
    from drmigrate import suppressions

    held: set[tuple[str, Span]] = set()
    refusals: list[Finding] = []
    while result.edits:
        problem = _try(front, text, result, extraction)
        if isinstance(problem, str):
            return result, problem, refusals
        culprits = _culprits(front, extraction, text, config, result, problem, held)
        if not culprits or len(refusals) >= MAX_REFUSALS or {(f.code, f.span) for f in culprits} <= held:
            culprits = [f for f in result.findings if f.fix_applicable]  # the whole pass
            if not culprits:  # edits no finding owns: nothing can be held, so none is applied
                refusals.append(_refusal([], problem, config))
                return result, None, refusals
        held.update((f.code, f.span) for f in culprits)
        refusals.append(_refusal(culprits, problem, config))
        result = suppressions.analyze(extraction, text, config.table, config.options,
                                      hold=_holding(held))
    return result, None, refusals


def _try(front: FrontEnd, text: str, result: Analysis, extraction: Extraction) -> str | Exception:
    """The fixed text, when the guard proves it; else why not."""
    try:
        candidate = splicer.apply(text, result.edits, extraction.protected)
        if candidate != text:
            _verify(front, text, candidate, result.intents)
    except (splicer.OverlapError, GuardError) as exc:
        return exc
    return candidate


def _culprits(front: FrontEnd, extraction: Extraction, text: str, config: Config, result: Analysis,
              problem: Exception, held: set[tuple[str, Span]]) -> list[Finding]:
    """The fixable findings whose edits make the difference the guard refused: those at the place
    it names (or at the innermost planned change there); without a place, the fixes added one by
    one until one breaks the proof."""
    from drmigrate import suppressions

    fixable = [f for f in result.findings if f.fix_applicable]
    where = getattr(problem, "span", None)
    if where is not None:
        def near(span: Span) -> list[Finding]:  # overlapping or touching (a separator after it)
            return [f for f in fixable if f.span[0] <= span[1] and span[0] <= f.span[1]]

        hits = near(where)
        touched = sorted((i.span for i in result.intents if i.span[0] <= where[0] < i.span[1]),
                         key=lambda s: s[1] - s[0])
        if not hits and touched:
            hits = near(touched[0])  # the innermost planned change at that place
        if hits:
            return hits
    # no place named: the fixes are added one by one, and one that breaks the proof is the culprit
    found: list[Finding] = []
    accepted: list[Finding] = []
    for finding in fixable[:MAX_REFUSALS]:
        trying = {id(f) for f in (*accepted, finding)}
        others = held | {(f.code, f.span) for f in fixable if id(f) not in trying}
        alone = suppressions.analyze(extraction, text, config.table, config.options, hold=_holding(others))
        if alone.edits and not isinstance(_try(front, text, alone, extraction), str):
            found.append(finding)
        else:
            accepted.append(finding)
    return found


def _holding(keys: set[tuple[str, Span]]) -> Callable[[str, Span], bool]:
    return lambda code, span: (code, span) in keys


def _refusal(culprits: Sequence[Finding], exc: Exception, config: Config) -> Finding:
    """DR203 for one refused fix, at the first finding it would have fixed."""
    owner = min(culprits, key=lambda f: f.span) if culprits else None
    info = config.table.codes["DR203"]
    return Finding("DR203", info.name, config.table.message("DR203", reason=str(exc)),
                   owner.span if owner is not None else (0, 0), owner.source_type if owner is not None else None,
                   info.fix_safety, owner.confidence if owner is not None else Confidence.HIGH)


def _with_refusals(findings: Sequence[Finding], refusals: Sequence[Finding], text: str) -> tuple[Finding, ...]:
    return locate(sorted([*findings, *refusals], key=lambda f: (f.span[0], f.code, f.span[1])), text)


def _moved(offset: int, edits: Sequence[Edit]) -> int:
    """Where `offset` (outside every edit) is once `edits` are applied."""
    return offset + sum(len(e.text) - (e.end - e.start) for e in edits if e.end <= offset)


def _lines(text: str, found: Sequence[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    index = LineIndex(text)
    return tuple(sorted({(index.position(o)[0], what) for o, what in found}))


def _analysis(front: FrontEnd, text: str, config: Config) -> tuple[Extraction, Analysis]:
    from drmigrate import suppressions  # the analysis proper: not for runs settled from bytes

    try:
        extraction = _extract(front, text, config)
        return extraction, suppressions.analyze(extraction, text, config.table, config.options)
    except RecursionError:
        raise ParseError("the code is nested too deeply to analyse") from None


def _verify(front: FrontEnd, original: str, fixed: str, intents: Sequence[Intent]) -> None:
    try:
        front.verify(original, fixed, intents)
    except RecursionError:
        raise GuardError("the code is nested too deeply to compare before and after") from None


def _changed(original: str, current: str) -> str | None:
    return current if current != original else None


def fix_text(text: str, path: str = "input.js", config: Config | None = None) -> str:
    """The pure codemod: the text with every allowed fix applied (unchanged when none apply)."""
    outcome = process_text(text, path, config or make_config(), fix=True)
    if outcome.error:
        raise ValueError(outcome.error)
    return outcome.fixed if outcome.fixed is not None else text


def check_text(text: str, path: str = "input.js", config: Config | None = None) -> tuple[Finding, ...]:
    outcome = process_text(text, path, config or make_config(), fix=False)
    if outcome.error:
        raise ValueError(outcome.error)
    return outcome.findings


def result_for(path: str, text: str, config: Config, *, fix: bool, diff: bool = False,
               candidate: bool = False) -> FileResult:
    """A FileResult for one decoded file (the caller reads and writes the disk).

    With `diff`, the fixes are computed but the findings reported are those of the original text.
    `candidate`: the caller found the file read, a candidate and not build output (each is decided
    once per run).
    """
    if not candidate:
        if not reads(path, config.template_extensions):  # decided without importing any parser
            call = mentioned(text, evidence_for(config))
            reason = unread_reason(path, call, config.template_extensions) if call else NOT_READ
            return FileResult(path, "skipped", reason)
        # a file another file's call reaches (a builder, a caller of a wrapper) is read whatever it mentions
        candidate = is_candidate(text, path, config) or bool(config.settings.seeds)
        built = build_output(path, text, config, candidate=candidate)
        if built is not None:  # never parsed (slow, and pointless to fix); a call in it is pointed out
            return built.result()
        if not candidate:
            return FileResult(path, "clean", parser="prefilter")
    try:
        outcome = process_text(text, path, config, fix=fix or diff)
    except Exception as exc:  # noqa: BLE001 - one file's internal error must not end the run
        # nothing is written for this file; the others go on. Say what broke, to be reported.
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = (f"internal error ({type(exc).__name__}: {exc} at {os.path.basename(where.filename)}:"
                  f"{where.lineno}); the file was left unchanged; please report this")
        return FileResult(path, "error", reason, parser="")
    sites = outcome.initial_sites if diff else outcome.sites
    if diff:
        shown: FileStatus = "findings" if outcome.initial else "clean"
        if outcome.error:
            return FileResult(path, "error", outcome.error, outcome.initial, outcome.parser, text,
                              sites=sites)
        return FileResult(path, shown, "", outcome.initial, outcome.parser, text, outcome.fixed, sites=sites,
                          leftovers=outcome.leftovers)
    if outcome.error:
        return FileResult(path, "error", outcome.error, outcome.findings, outcome.parser, text, outcome.fixed,
                          sites=sites, leftovers=outcome.leftovers if outcome.fixed is not None else ())
    if outcome.fixed is not None and fix:
        return FileResult(path, "fixed", "", outcome.findings, outcome.parser, text, outcome.fixed,
                          sites=sites, fixes_applied=sum(f.fix_applicable for f in outcome.initial),
                          leftovers=outcome.leftovers,
                          applied=tuple(f for f in outcome.initial if f.fix_applicable))
    status: FileStatus = "findings" if outcome.findings else "clean"
    return FileResult(path, status, "", outcome.findings, outcome.parser, text, outcome.fixed, sites=sites,
                      leftovers=outcome.leftovers)
