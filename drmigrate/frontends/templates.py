"""Server templates and single-file components: the JavaScript in their inline `<script>` blocks.

The file is turned into one *masked* text of the same length: everything outside inline JS script
bodies becomes blanks (line breaks kept), and every template tag inside a body (`<?php … ?>`,
`<%= … %>`, `{{ … }}`, ISML `${…}`, Visualforce `{!…}`, …) becomes a same-length JS-neutral
filler: an identifier-like `____` run where the tag stands for a value (`amount: <?= $t ?>,`),
blanks where it is control flow. The masked text goes to the JavaScript front end, so every
offset it reports is an offset in the original file. Template tag spans are returned as
`Extraction.protected`: an edit may remove one whole (a legacy property whose value is a tag),
never cut into one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.javascript import JavaScriptFrontEnd, JavaScriptGrammar
from drmigrate.guard import GuardError, SyntaxView, TNode, check
from drmigrate.model import EmbeddedCall, Intent, PayloadSite, Span

# Tag syntaxes by template language. Each pattern has a group named `expr` that matches when the
# tag outputs a value (the filler then reads as an identifier) and not when it is control flow.
_PHP = r"(?P<php><\?(?:=(?P<expr_php_short>)|php\b|(?!xml))(?P<php_body>[\s\S]*?)(?:\?>|\Z))"
_ERB = r"(?P<erb><%(?:(?P<expr_erb>[=-])|[#_]?)[\s\S]*?%>)"
_CURLY = (
    r"(?P<curly>\{\{\{[\s\S]*?\}\}\}|\{\{(?P<hbs_block>[#/!>^&]|else\b)?[\s\S]*?\}\}"
    r"|\{%[\s\S]*?%\}|\{#[\s\S]*?#\})"
)
_ISML = (
    r"(?P<isml><iscomment\b[\s\S]*?</iscomment\s*>|<!---[\s\S]*?--->"
    r"|<(?P<isprint>isprint)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
    r"|</?is[a-z]+\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)"
)
_EL = r"(?P<el>\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})"
_VISUALFORCE = r"(?P<vf>\{![^{}]*(?:\{[^{}]*\}[^{}]*)*\})"
# ASP.NET Web Forms and classic ASP: `<%= %>`, `<%: %>` (encoded), `<%# %>` (data binding) and
# `<%$ %>` (expression builders) print a value; `<% %>`, `<%@ %>` directives and `<%-- --%>` do not.
_ASP = r"(?P<asp><%--[\s\S]*?--%>|<%(?:(?P<expr_asp>[=:#$])|@)?[\s\S]*?%>)"
# Smarty (PrestaShop, WHMCS): `{$var|modifier}`, `{$json nofilter}`, `{#config#}` and plugin calls with attributes
# (`{l s='Pay' mod='x'}`) print; `{if …}`, `{/foreach}`, `{literal}`, `{* … *}` do not. A `{`
# followed by a blank is never a tag (Smarty's auto_literal), and inside `{literal}…{/literal}`
# nothing is (see `_literal_bodies`): JavaScript's own braces stay JavaScript.
_SMARTY = (
    r"(?P<smarty>\{\*[\s\S]*?\*\}"
    r"|\{(?P<expr_smarty>\$[A-Za-z_][\w.\[\]'\"$>-]*(?:\|[^{}\n]*)?(?:\s+nofilter)?|#\w+#)\}"
    r"|\{/?(?:if|elseif|else|foreach|foreachelse|section|sectionelse|while|for|forelse|capture|strip"
    r"|literal|nocache|block|function|assign|include|extends|append)\b[^{}\n]*\}"
    r"|\{(?P<call_smarty>[A-Za-z_]\w*)(?:\s+[\w.]+\s*=\s*(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s{}]+))+\s*\})"
)
_SMARTY_LITERAL = re.compile(r"\{literal\}([\s\S]*?)\{/literal\}")
# JSF / Facelets (XHTML): deferred `#{…}` beside `${…}`; XHTML wraps scripts in CDATA sections.
_EL_DEFERRED = r"(?P<el_deferred>#\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})"
_CDATA = r"(?P<cdata><!\[CDATA\[|\]\]>)"
_RAZOR = r"(?P<razor>(?<![@\w])@(?:\([^()]*(?:\([^()]*\)[^()]*)*\)|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\([^()\n]*\))*))"

LANGUAGES: dict[str, tuple[str, ...]] = {
    ".php": (_PHP,),
    ".phtml": (_PHP,),
    ".erb": (_ERB,),
    ".ejs": (_ERB,),
    ".jsp": (_ERB, _EL),
    ".isml": (_ISML, _EL),
    ".page": (_VISUALFORCE,),
    ".component": (_VISUALFORCE,),
    ".hbs": (_CURLY,),
    ".twig": (_CURLY,),
    ".njk": (_CURLY,),
    ".jinja": (_CURLY,),
    ".j2": (_CURLY,),
    ".html": (_CURLY,),  # Django / Jinja pages are often plain .html
    ".htm": (_CURLY,),
    ".cshtml": (_RAZOR,),
    ".vue": (),
    ".svelte": (),
    ".liquid": (_CURLY,),  # Shopify: `{{ }}` and `{% %}` as in Twig
    ".mustache": (_CURLY,),
    ".handlebars": (_CURLY,),
    ".jinja2": (_CURLY,),
    ".aspx": (_ASP,),
    ".ascx": (_ASP,),
    ".master": (_ASP,),
    ".asp": (_ASP,),
    ".tpl": (_PHP, _ERB, _SMARTY, _CURLY),  # Smarty, and the PHP (OpenCart), ERB-style and {{ }} .tpl files
    ".xhtml": (_EL, _EL_DEFERRED, _CDATA),
    ".astro": (),  # its `<script>` blocks are TypeScript (TYPESCRIPT_BY_DEFAULT); the frontmatter is no script
}
TYPESCRIPT_BY_DEFAULT = frozenset({".astro"})
TEMPLATE_EXTENSIONS = frozenset(LANGUAGES)
# a suffix added by the `template-extensions` setting: the common server tag syntaxes
GENERIC = (_PHP, _ERB, _CURLY)
_OUTPUT_EXAMPLES = {_PHP: "<?= … ?>", _ERB: "<%= … %>", _CURLY: "{{ … }}", _ISML: '<isprint value="${…}">',
                    _EL: "${…}", _VISUALFORCE: "{!…}", _RAZOR: "@(…)", _ASP: "<%= … %>", _SMARTY: "{$…}",
                    _EL_DEFERRED: "#{…}"}  # a CDATA marker prints nothing


def output_tag_examples(suffix: str) -> tuple[str, ...]:
    """How a value is printed in templates of `suffix` (`<?= … ?>` for `.phtml`); none for `.vue`."""
    return tuple(_OUTPUT_EXAMPLES[p] for p in LANGUAGES.get(suffix.lower(), GENERIC) if p in _OUTPUT_EXAMPLES)


def output_tag(text: str, suffix: str) -> Tag | None:
    """The tag when `text` is exactly one tag of `suffix`'s syntax that prints a value."""
    tags = find_tags(text, suffix.lower())
    if len(tags) == 1 and tags[0].span == (0, len(text)) and tags[0].outputs:
        return tags[0]
    return None

_COMPILED: dict[str, re.Pattern[str]] = {}

JS_TYPES = frozenset(
    {
        "",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "text/ecmascript",
        "application/ecmascript",
        "module",
        "text/babel",
        "text/jsx",
    }
)
TS_LANGS = frozenset({"ts", "typescript", "tsx"})

_OPEN_OR_COMMENT = re.compile(r"<!--|<script\b", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_PHP_OUTPUT = re.compile(r"\s*(?:/\*[\s\S]*?\*/\s*|//[^\n]*\n\s*)*(?:echo|print)\b")
# After these, a tag stands where a value is expected.
_VALUE_BEFORE = frozenset(":=(,[?+-*/%!&|<>~^")
_VALUE_KEYWORDS = re.compile(
    r"(?:\breturn|\btypeof|\bcase|\bin|\bof|\bnew|\bvoid|\bawait|\byield)$"
)


def _pattern(suffix: str) -> re.Pattern[str] | None:
    parts = LANGUAGES.get(suffix, GENERIC)
    if not parts:
        return None
    if suffix not in _COMPILED:
        _COMPILED[suffix] = re.compile("|".join(parts), re.IGNORECASE)
    return _COMPILED[suffix]


@dataclass(frozen=True)
class Tag:
    span: Span
    outputs: bool  # prints a value (as opposed to control flow or a comment)


@dataclass(frozen=True)
class Script:
    body: Span
    typescript: bool
    handler: bool = False  # an event attribute's code (`onclick="…"`, `@click="…"`): a function body

    @property
    def outer(self) -> Span:
        """The masked text that reads as this script's code: a handler's wrapper too."""
        start, end = self.body
        return (start - len(_HANDLER_OPEN), end + 2) if self.handler else (start, end + 1)


# Attributes that hold code run on an event: HTML's `on…`, Vue's `@…` / `v-on:…`, Alpine's `x-on:…`,
# Angular's `(…)`. In the masked text each body reads as an arrow function's body.
_HANDLER_NAME = re.compile(r"on[a-z]+|@[\w.:-]+|v-on:[\w.:-]+|x-on:[\w.:-]+|\([\w.-]+\)", re.IGNORECASE)
_HANDLER_OPEN = "()=>{"
_START_TAG = re.compile(r"<[A-Za-z][^\s/>]*")
_ATTRIBUTE = re.compile(r"""\s*(?P<name>[^\s=/>"']+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'>]+)))?""")
_REFERENCE = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


def find_handlers(scan: str, skipped: Sequence[Span]) -> list[tuple[Span, str]]:
    """(value span, attribute name) of every event attribute outside `skipped` (script bodies and
    comments) whose code mentions a DigitalRiver.js call."""
    from drmigrate.calls import calls_in

    found: list[tuple[Span, str]] = []
    for tag in _START_TAG.finditer(scan):
        if any(a <= tag.start() < b for a, b in skipped):
            continue
        pos = tag.end()
        while True:
            match = _ATTRIBUTE.match(scan, pos)
            if match is None or match.end() == pos:
                break
            pos = match.end()
            group = "dq" if match.group("dq") is not None else "sq" if match.group("sq") is not None else None
            if group is None or not _HANDLER_NAME.fullmatch(match.group("name")):
                continue
            span = match.span(group)
            if next(iter(calls_in(scan[span[0]:span[1]])), None) is not None:
                found.append((span, match.group("name")))
    return found


def _literal_bodies(text: str) -> list[Span]:
    """The bodies of Smarty's `{literal}` blocks: no tag is read inside one."""
    return [m.span(1) for m in _SMARTY_LITERAL.finditer(text)]


def find_tags(text: str, suffix: str) -> list[Tag]:
    pattern = _pattern(suffix)
    if pattern is None:
        return []
    tags = []
    literals = _literal_bodies(text) if _SMARTY in LANGUAGES.get(suffix, ()) and "{literal}" in text else []
    for match in pattern.finditer(text):
        if literals and any(a <= match.start() < b for a, b in literals):
            continue
        groups = match.groupdict()
        if groups.get("php") is not None:
            short = groups.get("expr_php_short") is not None
            outputs = short or bool(_PHP_OUTPUT.match(groups.get("php_body") or ""))
        elif groups.get("erb") is not None:
            outputs = groups.get("expr_erb") is not None
        elif groups.get("curly") is not None:
            outputs = match.group(0).startswith("{{") and groups.get("hbs_block") is None
        elif groups.get("isml") is not None:
            outputs = groups.get("isprint") is not None
        elif groups.get("asp") is not None:
            outputs = groups.get("expr_asp") is not None
        elif groups.get("smarty") is not None:
            outputs = groups.get("expr_smarty") is not None or groups.get("call_smarty") is not None
        elif groups.get("cdata") is not None:
            outputs = False
        else:  # `${…}`, `#{…}`, `{!…}`, Razor `@…`
            outputs = True
        tags.append(Tag((match.start(), match.end()), outputs))
    return tags


def _blank(text: str) -> str:
    """Same length, line breaks kept, everything else a space."""
    return re.sub(r"[^\r\n]", " ", text)


def _attributes(tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for match in _ATTR.finditer(tag):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        out.setdefault(name, value.strip().lower())
    return out


def find_scripts(text: str, tags: list[Tag], *, typescript: bool = False,
                 handlers: list[tuple[Span, str]] | None = None) -> list[Script]:
    """Inline JavaScript / TypeScript `<script>` bodies (not `src=` ones, not other types).

    `typescript`: the template language's scripts are TypeScript unless they say otherwise.
    `handlers`: filled with the event attributes whose code mentions a DigitalRiver.js call."""
    # Look for markup in a copy with the template tags blanked, so `<script src="<?= $u ?>">`
    # or a tag printing "</script>" cannot end anything early.
    chars = list(text)
    for tag in tags:
        chars[tag.span[0] : tag.span[1]] = _blank(text[tag.span[0] : tag.span[1]])
    scan = "".join(chars)
    scripts: list[Script] = []
    skipped: list[Span] = []  # comments and script elements: no markup attribute in them
    pos = 0
    while True:
        match = _OPEN_OR_COMMENT.search(scan, pos)
        if match is None:
            break
        if match.group(0) == "<!--":  # commented-out markup holds no live script
            end = scan.find("-->", match.end())
            pos = len(scan) if end < 0 else end + 3
            skipped.append((match.start(), pos))
            continue
        open_end = scan.find(">", match.end())
        if open_end < 0:
            break
        attrs = _attributes(scan[match.end() : open_end])
        close = _script_end(scan, open_end + 1)
        body_end = close[0] if close is not None else len(scan)
        pos = close[1] if close is not None else len(scan)
        skipped.append((open_end + 1, body_end))
        lang = attrs.get("lang", "")
        kind = attrs.get("type", "")
        if "src" in attrs or (kind not in JS_TYPES and lang not in TS_LANGS):
            continue
        scripts.append(
            Script((open_end + 1, body_end), lang in TS_LANGS or kind == "text/typescript"
                   or (typescript and not lang and kind in ("", "module")))
        )
    if handlers is not None and any(h in scan for h in ("on", "@", "(")):
        handlers.extend(find_handlers(scan, skipped))
    return scripts


_SCRIPT_DATA = re.compile(r"<!--|-->|</?script(?=[\t\n\f\r />])", re.IGNORECASE)


def _script_end(scan: str, start: int) -> Span | None:
    """The `</script…>` that ends a script element's body, as HTML's tokenizer finds it.

    The script data states of the HTML standard: after `<!--` the data is *escaped*, and there a
    `<script` starts the *double escaped* state, in which `</script>` does not end the element (it
    goes back to escaped) — only `-->` leaves both. So `'<!--<script>'` in a string without its
    partner makes the browser read the page after the script as script: the fix guard sees that
    as a changed script and markup, and refuses."""
    state = "data"
    for match in _SCRIPT_DATA.finditer(scan, start):
        token = match.group(0).lower()
        if token == "<!--":
            after = scan[match.end():match.end() + 2]
            if state == "data" and not (after.startswith(">") or after == "->"):  # `<!-->` closes at once
                state = "escaped"
        elif token == "-->":
            if state in ("escaped", "double"):
                state = "data"
        elif token == "<script":
            if state == "escaped":
                state = "double"
        elif state == "double":  # `</script` in double escaped: back to escaped
            state = "escaped"
        else:  # `</script` in data or escaped: the end tag, to its `>`
            close = scan.find(">", match.end())
            return match.start(), (close + 1 if close >= 0 else len(scan))
    return None


def _filler(tag_text: str, before: str) -> str:
    """What stands in the masked JS for a tag, given the masked JS before it."""
    length = len(tag_text)
    immediate = before[-1:] if before else ""
    if immediate.isdigit():
        return "0" * length  # `10<?= $cents ?>` stays one number
    if immediate and (immediate.isalnum() or immediate in "_$'\"`"):
        return "_" * length  # glued to an identifier, or inside a string
    stripped = before.rstrip()
    if stripped and (stripped[-1] in _VALUE_BEFORE or _VALUE_KEYWORDS.search(stripped)):
        return "_" * length
    return _blank(tag_text)


def mask(text: str, scripts: list[Script], tags: list[Tag]) -> tuple[str, tuple[Span, ...]]:
    """The masked text (same length as `text`) and the protected tag spans inside scripts."""
    out = list(_blank(text))
    protected: list[Span] = []
    for script in scripts:
        start, end = script.body
        pos = start
        built: list[str] = []
        for tag in tags:
            t0, t1 = tag.span
            if t1 <= start or t0 >= end:
                continue
            t0, t1 = max(t0, start), min(t1, end)
            built.append(text[pos:t0])
            before = "".join(built)[-64:]
            piece = text[t0:t1]
            built.append(_filler(piece, before) if tag.outputs else _blank(piece))
            protected.append((t0, t1))
            pos = t1
        built.append(text[pos:end])
        out[start:end] = "".join(built)
        if script.handler:  # `onclick="…"` reads as `()=>{…};` over the attribute's name and quotes
            out[start - len(_HANDLER_OPEN):start] = _HANDLER_OPEN
            out[end] = "}"
            if end + 1 < len(out) and out[end + 1] == " ":
                out[end + 1] = ";"
        elif end < len(out) and end > start:
            out[end] = ";"  # where `</script>` stands: blocks never run into each other
    return "".join(out), tuple(protected)


def _only(masked: str, script: Script) -> str:
    start, end = script.outer
    return _blank(masked[:start]) + masked[start:end] + _blank(masked[end:])


class TemplateFrontEnd:
    """Inline scripts of one template language, read by the JavaScript front end."""

    name = "template"

    def __init__(self, suffix: str, *, whole: bool = False) -> None:
        self.suffix = suffix.lower()
        self.failed_blocks = 0
        # a JavaScript view (`checkout.js.erb`, `pay.js.php`): the whole file is script, with tags
        self.whole = whole
        self.unreadable: list[tuple[Span, str]] = []  # event attributes whose code cannot be read

    def scripts(self, text: str, tags: list[Tag]) -> list[Script]:
        """The script bodies, and the event attributes whose code calls DigitalRiver.js (read as
        function bodies); one that writes its code with character references (`&quot;`) is not
        read as it stands: `unreadable` lists it, for DR204."""
        if self.whole:
            return [Script((0, len(text)), False)] if text else []
        handlers: list[tuple[Span, str]] = []
        scripts = find_scripts(text, tags, typescript=self.suffix in TYPESCRIPT_BY_DEFAULT, handlers=handlers)
        self.unreadable = []
        for (start, end), name in handlers:
            room = len(name) + 2  # the name, `=` and the quote stand where the wrapper goes
            handler = Script((start, end), False, handler=True)
            if _REFERENCE.search(text, start, end) or room < len(_HANDLER_OPEN) \
                    or not JavaScriptFrontEnd("javascript").parses(_only(mask(text, [handler], tags)[0], handler)):
                self.unreadable.append(((start, end), name))  # entities, or no JavaScript (a template's own syntax)
            else:
                scripts.append(handler)
        return sorted(scripts, key=lambda s: s.body)

    def _javascript(self, scripts: list[Script]) -> JavaScriptFrontEnd:
        if any(s.typescript for s in scripts):
            return JavaScriptFrontEnd("typescript", esprima_first=False, slicing_ok=False)
        return JavaScriptFrontEnd("javascript", slicing_ok=False)

    def extract(self, text: str, settings: Settings) -> Extraction:
        tags = find_tags(text, self.suffix)
        scripts = self.scripts(text, tags)
        unread = self._unread(text)
        if not scripts:
            return Extraction(sites=(), parser=self.name, notes=("no inline script",), embedded=unread)
        masked, protected = mask(text, scripts, tags)
        javascript = self._javascript(scripts)
        try:
            inner = javascript.extract(masked, settings)
        except ParseError:
            inner = self._block_by_block(masked, scripts, settings)
        self.failed_blocks = sum(1 for n in inner.notes if n.startswith("script block at"))
        return Extraction(
            sites=inner.sites,
            parser=f"{self.name}+{inner.parser}",
            comments=inner.comments,
            protected=protected,
            notes=inner.notes,
            embedded=inner.embedded + unread,
        )

    def _unread(self, text: str) -> tuple[EmbeddedCall, ...]:
        """The calls in event attributes that cannot be read as JavaScript (DR204)."""
        from drmigrate.calls import calls_in

        return tuple(EmbeddedCall((start + at, start + at + len(call)), call,
                                  f"the HTML attribute `{name}` (in character references or another syntax)")
                     for (start, end), name in self.unreadable for at, call in calls_in(text[start:end]))

    def _block_by_block(self, masked: str, scripts: list[Script], settings: Settings) -> Extraction:
        """One block does not parse (a tag the masking could not neutralise): read the others."""
        sites: list[PayloadSite] = []
        comments: list[Span] = []
        notes: list[str] = []
        parsers: set[str] = set()
        for script in scripts:
            try:
                part = self._javascript([script]).extract(_only(masked, script), settings)
            except ParseError as exc:
                line = masked.count("\n", 0, script.body[0]) + 1
                notes.append(f"script block at line {line} not read: {exc}")
                continue
            sites.extend(part.sites)
            comments.extend(part.comments)
            parsers.add(part.parser)
        if not parsers:
            raise ParseError("; ".join(notes) or "no script block parses")
        return Extraction(
            sites=tuple(sites),
            parser="/".join(sorted(parsers)),
            comments=tuple(comments),
            notes=tuple(notes),
        )

    def verify(self, original: str, fixed: str, intents: Sequence[Intent],
               free: Sequence[Span] = ()) -> None:
        """The fix guard on the page's scripts, its template tags and its markup.

        `free` are tags whose server code may change (a PHP page's arrays, checked by the PHP guard).
        A tag in inserted text (`sessionId: <?= $block->getSessionId() ?>`) is one the fixed
        text must have on top of the original's.
        """
        check(TemplateGrammar(self, free), original, fixed, intents,
              added_tags=[(i.span, t) for i in intents for t in inserted_tags(i, self.suffix)])

    def parses(self, text: str) -> bool:
        """The fixed text's scripts still parse (no more failing blocks than before the fix)."""
        tags = find_tags(text, self.suffix)
        scripts = self.scripts(text, tags)
        if not scripts:
            return True
        masked, _ = mask(text, scripts, tags)
        if self._javascript(scripts).parses(masked):
            return True
        failing = sum(1 for s in scripts if not self._javascript([s]).parses(_only(masked, s)))
        return failing <= self.failed_blocks


def inserted_tags(intent: Intent, suffix: str) -> list[str]:
    """The template tags in the text an intent inserts (an entry, or an expression it puts in)."""
    if intent.kind not in ("insert", "replace") or not intent.text:
        return []
    return [intent.text[t.span[0]:t.span[1]] for t in find_tags(intent.text, suffix)]


def masked_snippet(text: str, suffix: str) -> str:
    """Inserted text as the masked JavaScript reads it: its tags as fillers (a value tag reads as
    a `____` identifier)."""
    out = text
    for tag in find_tags(text, suffix):
        t0, t1 = tag.span
        out = out[:t0] + ("_" * (t1 - t0) if tag.outputs else _blank(text[t0:t1])) + out[t1:]
    return out


def tags_brought_in(original: str, fixed: str, suffix: str, inserted: Sequence[str],
                    gone: Sequence[Span] = ()) -> list[Span]:
    """Where, in `fixed`, the tags that inserted text brought stand: the tags of `fixed` that an
    alignment with the original's (less those inside `gone`, removed code) does not account for,
    and that inserted text holds. Tags of equal text are interchangeable to the guards."""
    import difflib

    before = [original[t.span[0]:t.span[1]] for t in find_tags(original, suffix)
              if not any(g0 <= t.span[0] and t.span[1] <= g1 for g0, g1 in gone)]
    after_tags = find_tags(fixed, suffix)
    after = [fixed[t.span[0]:t.span[1]] for t in after_tags]
    wanted = list(inserted)
    out: list[Span] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, _, _, j1, j2 in matcher.get_opcodes():
        if op in ("insert", "replace"):
            for j in range(j1, j2):
                if after[j] in wanted:
                    wanted.remove(after[j])
                    out.append(after_tags[j].span)
    return out


def _outside(text: str, scripts: list[Script], tags: list[Tag]) -> list[tuple[Span, str]]:
    """The text outside script bodies and tags: the markup a fix must never touch."""
    cuts = sorted([s.body for s in scripts] + [t.span for t in tags])
    out: list[tuple[Span, str]] = []
    pos = 0
    for start, end in cuts:
        if start > pos:
            out.append(((pos, start), text[pos:start]))
        pos = max(pos, end)
    if pos < len(text):
        out.append(((pos, len(text)), text[pos:]))
    return out


class TemplateGrammar:
    """Syntax views of a template: its masked scripts (as JavaScript), its tags, its markup."""

    def __init__(self, front: TemplateFrontEnd, free: Sequence[Span] = ()) -> None:
        self.front = front
        self.free = free
        self.js: JavaScriptGrammar | None = None

    def _parts(self, text: str) -> tuple[str, list[Script], list[Tag]]:
        tags = find_tags(text, self.front.suffix)
        scripts = self.front.scripts(text, tags)
        masked, _ = mask(text, scripts, tags) if scripts else (_blank(text), ())
        return masked, scripts, tags

    def views(self, original: str, fixed: str) -> tuple[SyntaxView, SyntaxView]:
        m0, s0, t0 = self._parts(original)
        m1, s1, t1 = self._parts(fixed)
        if len(s0) != len(s1):
            raise GuardError(f"it would change the number of inline scripts ({len(s0)} -> {len(s1)})")
        front = self.front._javascript(s0) if s0 else JavaScriptFrontEnd("javascript")
        grammar = front.grammar(template=True)
        grammar.esprima = front.esprima_first
        self.js = grammar
        try:
            before, after = grammar.views(m0, m1)
        except GuardError:
            before, after = self._by_block(grammar, m0, s0, m1, s1)
        for view, text, scripts, tags in ((before, original, s0, t0), (after, fixed, s1, t1)):
            view.tags = [(t.span, text[t.span[0]:t.span[1]]) for t in tags]
            view.markup = _outside(text, scripts, tags)
        before.free_tags = tuple(t.span for t in t0 if any(t.span[0] <= f[0] and f[1] <= t.span[1]
                                                          for f in self.free))
        return before, after

    def _by_block(self, grammar: JavaScriptGrammar, m0: str, s0: list[Script], m1: str,
                  s1: list[Script]) -> tuple[SyntaxView, SyntaxView]:
        """Some block of the original does not parse: compare block by block (that one as text)."""
        trees: tuple[TNode, TNode] = (TNode("Blocks"), TNode("Blocks"))
        views = (SyntaxView(trees[0]), SyntaxView(trees[1]))
        for a, b in zip(s0, s1):
            one, two = _only(m0, a), _only(m1, b)
            try:
                va, vb = grammar.views(one, two)
            except GuardError:
                if self.front._javascript([a]).parses(one):
                    raise
                body0, body1 = m0[a.body[0]:a.body[1]], m1[b.body[0]:b.body[1]]
                if body0 != body1:
                    raise GuardError("it would change a script block that does not parse", a.body) from None
                va = vb = SyntaxView(TNode("Unparsed", (body0,), a.body))
            for tree, view, v in ((trees[0], views[0], va), (trees[1], views[1], vb)):
                tree.children.append(v.tree)
                view.comments.extend(v.comments)
        return views

    def entry(self, container: TNode, text: str) -> TNode:
        assert self.js is not None
        return self.js.entry(container, masked_snippet(text, self.front.suffix))

    def first_entry(self, container: TNode) -> int:
        assert self.js is not None
        return self.js.first_entry(container)

    def statement(self, expression: TNode) -> TNode:
        assert self.js is not None
        return self.js.statement(expression)

    def expression(self, text: str) -> TNode:
        assert self.js is not None
        return self.js.expression(masked_snippet(text, self.front.suffix))


def javascript_view(path: str) -> bool:
    """`checkout.js.erb`, `pay.js.php`: JavaScript that a template engine renders (Rails' JS views)."""
    suffixes = [s.lower() for s in PurePath(path).suffixes[-2:]]
    return len(suffixes) == 2 and suffixes[0] in (".js", ".mjs") and suffixes[1] in TEMPLATE_EXTENSIONS


def front_end_for(path: str) -> TemplateFrontEnd | None:
    suffix = PurePath(path).suffix.lower()
    return TemplateFrontEnd(suffix, whole=javascript_view(path)) if suffix in TEMPLATE_EXTENSIONS else None


def extract_php_scripts(text: str, settings: Settings) -> Extraction:
    """The JavaScript part of a `.php` file (its `<script>` blocks), for merging with PHP arrays."""
    return TemplateFrontEnd(".php").extract(text, settings)
