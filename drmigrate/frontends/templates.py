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

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.javascript import JavaScriptFrontEnd, JavaScriptGrammar
from drmigrate.guard import GuardError, SyntaxView, TNode, check
from drmigrate.model import EmbeddedCall, Intent, Span

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
_SMARTY_PRINTS = (
    r"\{(?P<expr_smarty>\$[A-Za-z_][\w.\[\]'\"$>-]*(?:\|[^{}\n]*)?(?:\s+nofilter)?|#\w+#)\}"
    r"|\{/?(?:if|elseif|else|foreach|foreachelse|section|sectionelse|while|for|forelse|capture|strip"
    r"|literal|nocache|block|function|assign|include|extends|append)\b[^{}\n]*\}"
    r"|\{(?P<call_smarty>[A-Za-z_]\w*)(?:\s+[\w.]+\s*=\s*(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s{}]+))+\s*\}"
)
_SMARTY = rf"(?P<smarty>\{{\*[\s\S]*?\*\}}|{_SMARTY_PRINTS})"
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
_PHP_OUTPUT_WORD = re.compile(r"(?:echo|print)\b", re.IGNORECASE)
# After these, a tag stands where a value is expected.
_VALUE_BEFORE = frozenset(":=(,[?+-*/%!&|<>~^")
_VALUE_KEYWORDS = re.compile(
    r"(?:\breturn|\btypeof|\bcase|\bin|\bof|\bnew|\bvoid|\bawait|\byield)$"
)


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
    skipped = sorted(skipped)
    starts = [a for a, _ in skipped]
    for tag in _START_TAG.finditer(scan):
        at = bisect.bisect_right(starts, tag.start()) - 1  # the last skipped span that starts before it
        if at >= 0 and tag.start() < skipped[at][1]:
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


# The tag syntaxes above as a scanner runs them. A regular expression `OPEN[\s\S]*?CLOSE` tried at
# every opener scans to the end of the text for each opener whose closer never comes: 200 kB of
# `{{ x` lines took 86 s. The scanner tries the same alternatives in the same order at the same
# places (the leftmost position where one can start; the first that completes wins), but looks
# each closer up through a `_Next`, which never scans the same text twice, so a whole scan is
# linear. The expressions above stay the definition (tests/test_attacks_linear.py checks the
# scanner against them on generated text).
#   kind "close": the opener, then everything up to the first `closer` (to the end for PHP);
#   kind "whole": `start` is the whole tag (its quantifiers cannot pass the next brace or line);
#   kind "quoted": `<isprint …>` and other ISML tags: attributes, quoted or not, up to `>`.


@dataclass(frozen=True)
class _Alt:
    start: str
    kind: str
    outputs: Callable[[re.Match[str], str], bool]
    closer: str = ""
    closer_is_pattern: bool = False
    to_end: bool = False


def _group(name: str) -> Callable[[re.Match[str], str], bool]:
    return lambda m, _body: m.group(name) is not None


def _no_group(name: str) -> Callable[[re.Match[str], str], bool]:
    return lambda m, _body: m.group(name) is None


def _always(value: bool) -> Callable[[re.Match[str], str], bool]:
    return lambda _m, _body: value


def php_outputs(body: str) -> bool:
    """Whether a `<?php …?>` body starts with `echo` / `print` (after blanks and comments). A
    comment ends at its first `*/`, as in PHP; one pass."""
    i, n = 0, len(body)
    while True:
        while i < n and body[i].isspace():
            i += 1
        if body.startswith("/*", i):
            end = body.find("*/", i + 2)
            if end < 0:
                return False
            i = end + 2
        elif body.startswith("//", i):
            end = body.find("\n", i)
            if end < 0:
                return False
            i = end + 1
        else:
            return _PHP_OUTPUT_WORD.match(body, i) is not None


_SCANNED: dict[str, tuple[_Alt, ...]] = {
    _PHP: (_Alt(r"<\?(?:=(?P<short>)|php\b|(?!xml))", "close", lambda m, body: m.group("short") is not None
                or php_outputs(body), "?>", to_end=True),),
    _ERB: (_Alt(r"<%(?:(?P<value>[=-])|[#_]?)", "close", _group("value"), "%>"),),
    _CURLY: (_Alt(r"\{\{\{", "close", _always(True), "}}}"),
             _Alt(r"\{\{(?P<block>[#/!>^&]|else\b)?", "close", _no_group("block"), "}}"),
             _Alt(r"\{%", "close", _always(False), "%}"),
             _Alt(r"\{#", "close", _always(False), "#}")),
    _ISML: (_Alt(r"<iscomment\b", "close", _always(False), r"</iscomment\s*>", closer_is_pattern=True),
            _Alt(r"<!---", "close", _always(False), "--->"),
            _Alt(r"<isprint\b", "quoted", _always(True)),
            _Alt(r"</?is[a-z]+\b", "quoted", _always(False))),
    _EL: (_Alt(_EL, "whole", _always(True)),),
    _VISUALFORCE: (_Alt(_VISUALFORCE, "whole", _always(True)),),
    _ASP: (_Alt(r"<%--", "close", _always(False), "--%>"),
           _Alt(r"<%(?:(?P<value>[=:#$])|@)?", "close", _group("value"), "%>")),
    _SMARTY: (_Alt(r"\{\*", "close", _always(False), "*}"),
              _Alt(_SMARTY_PRINTS, "whole",
                   lambda m, _b: m.group("expr_smarty") is not None or m.group("call_smarty") is not None)),
    _EL_DEFERRED: (_Alt(_EL_DEFERRED, "whole", _always(True)),),
    _CDATA: (_Alt(_CDATA, "whole", _always(False)),),
    _RAZOR: (_Alt(_RAZOR, "whole", _always(True)),),
}


class _Next:
    """Where `needle` (a string, or a compiled pattern) next occurs at or after a position; a
    scan asks with positions that only grow, so the text is searched once in all."""

    def __init__(self, text: str, needle: str | re.Pattern[str]) -> None:
        self.text, self.needle = text, needle
        self.asked = -1
        self.found: tuple[int, int] = (-1, -1)  # (start, end) of the occurrence; (-1, -1): none

    def at_or_after(self, pos: int) -> tuple[int, int]:
        if self.asked >= 0 and pos >= self.asked and (self.found[0] < 0 or self.found[0] >= pos):
            return self.found
        if isinstance(self.needle, str):
            start = self.text.find(self.needle, pos)
            self.found = (start, start + len(self.needle)) if start >= 0 else (-1, -1)
        else:
            m = self.needle.search(self.text, pos)
            self.found = m.span() if m is not None else (-1, -1)
        self.asked = pos
        return self.found


class _QuotedEnds:
    """The end of an ISML tag from a position after its name: attributes (quoted strings may hold
    `>`) up to `>`. The outcome from each place outside quotes is remembered, so openers that
    share their rest (a thousand unclosed `<isprint "`) cost the rest once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.places = {ch: [m.start() for m in re.finditer(re.escape(ch), text)] for ch in ('>', '"', "'")}
        self.outcome: dict[int, int] = {}

    def _next(self, ch: str, pos: int) -> int:
        places = self.places[ch]
        i = bisect.bisect_left(places, pos)
        return places[i] if i < len(places) else -1

    def end(self, pos: int) -> int:
        """The index after the closing `>`, or -1 when the tag never closes."""
        seen = []
        result = -1
        while True:
            if pos in self.outcome:
                result = self.outcome[pos]
                break
            seen.append(pos)
            nexts = [p for p in (self._next(">", pos), self._next('"', pos), self._next("'", pos)) if p >= 0]
            if not nexts:
                break
            first = min(nexts)
            if self.text[first] == ">":
                result = first + 1
                break
            close = self._next(self.text[first], first + 1)
            if close < 0:
                break
            pos = close + 1
        for place in seen:
            self.outcome[place] = result
        return result


@lru_cache(maxsize=64)
def _scanner(suffix: str) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], _Alt], ...]] | None:
    alts = tuple(alt for syntax in LANGUAGES.get(suffix, GENERIC) for alt in _SCANNED[syntax])
    if not alts:
        return None
    # where any of them can start (their group names dropped: two syntaxes may share one)
    starts = re.compile("|".join(f"(?:{re.sub(r'[(][?]P<[a-z_]+>', '(?:', a.start)})" for a in alts), re.IGNORECASE)
    return starts, tuple((re.compile(a.start, re.IGNORECASE), a) for a in alts)


def _literal_bodies(text: str) -> list[Span]:
    """The bodies of Smarty's `{literal}` blocks, in order: no tag is read inside one."""
    out: list[Span] = []
    close = _Next(text, "{/literal}")
    pos = 0
    while (start := text.find("{literal}", pos)) >= 0:
        end = close.at_or_after(start + len("{literal}"))[0]
        if end < 0:
            break  # no `{/literal}` after it: nor after any later `{literal}`
        out.append((start + len("{literal}"), end))
        pos = end + len("{/literal}")
    return out


def find_tags(text: str, suffix: str) -> list[Tag]:
    """The template tags of `text` in the syntax of `suffix` (or the generic PHP, ERB and `{{ }}`
    ones), in order; linear in the length of `text`, whatever it holds."""
    scanner = _scanner(suffix)
    if scanner is None:
        return []
    starts, alts = scanner
    literals = _literal_bodies(text) if _SMARTY in LANGUAGES.get(suffix, ()) and "{literal}" in text else []
    closers: dict[str, _Next] = {}
    quoted: _QuotedEnds | None = None
    tags: list[Tag] = []
    lit = 0
    pos = 0
    n = len(text)
    while pos < n:
        found = starts.search(text, pos)
        if found is None:
            break
        at = found.start()
        span: Span | None = None
        outputs = False
        for start, alt in alts:
            m = start.match(text, at)
            if m is None:
                continue
            if alt.kind == "whole":
                span, outputs = m.span(), alt.outputs(m, "")
                break
            if alt.kind == "quoted":
                if quoted is None:
                    quoted = _QuotedEnds(text)
                end = quoted.end(m.end())
                if end >= 0:
                    span, outputs = (at, end), alt.outputs(m, "")
                    break
                continue
            finder = closers.get(alt.closer)
            if finder is None:
                needle = re.compile(alt.closer, re.IGNORECASE) if alt.closer_is_pattern else alt.closer
                finder = closers[alt.closer] = _Next(text, needle)
            c0, c1 = finder.at_or_after(m.end())
            if c0 < 0 and alt.to_end:
                c0 = c1 = n
            if c0 >= 0:
                span, outputs = (at, c1), alt.outputs(m, text[m.end():c0])
                break
        if span is None:
            pos = at + 1
            continue
        while lit < len(literals) and literals[lit][1] <= span[0]:
            lit += 1
        if not (lit < len(literals) and literals[lit][0] <= span[0] < literals[lit][1]):
            tags.append(Tag(span, outputs))
        pos = span[1] if span[1] > at else at + 1
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
    """The masked text (same length as `text`) and the protected tag spans inside scripts.

    Tags and scripts are both in text order: each script takes the tags from the first that
    ends inside it, so the whole is linear however many of each a page has."""
    out = list(_blank(text))
    protected: list[Span] = []
    ends = [tag.span[1] for tag in tags]
    for script in scripts:
        start, end = script.body
        out[start:end] = _masked_body(text, script, tags, ends, protected)
        if script.handler:  # `onclick="…"` reads as `()=>{…};` over the attribute's name and quotes
            out[start - len(_HANDLER_OPEN):start] = _HANDLER_OPEN
            out[end] = "}"
            if end + 1 < len(out) and out[end + 1] == " ":
                out[end + 1] = ";"
        elif end < len(out) and end > start:
            out[end] = ";"  # where `</script>` stands: blocks never run into each other
    return "".join(out), tuple(protected)


def _masked_body(text: str, script: Script, tags: list[Tag], ends: list[int], protected: list[Span]) -> str:
    """One script's body as the masked text has it (its tags as fillers); the tag spans inside
    it are added to `protected`. `ends` are the tags' ends, for a bisect."""
    start, end = script.body
    pos = start
    built: list[str] = []
    before = ""  # the last 64 characters of the masked script so far
    for index in range(bisect.bisect_right(ends, start), len(tags)):
        t0, t1 = tags[index].span
        if t0 >= end:
            break
        t0, t1 = max(t0, start), min(t1, end)
        built.append(text[pos:t0])
        before = (before + text[pos:t0][-64:])[-64:]
        piece = text[t0:t1]
        filler = _filler(piece, before) if tags[index].outputs else _blank(piece)
        built.append(filler)
        before = (before + filler[-64:])[-64:]
        protected.append((t0, t1))
        pos = t1
    built.append(text[pos:end])
    return "".join(built)


def _own_code(masked: str, script: Script) -> str:
    """A script's code alone, as the masked text reads it (a handler with its wrapper)."""
    start, end = script.outer
    return masked[start:end]


def _parse_error(javascript: JavaScriptFrontEnd, masked: str, script: Script, settings: Settings) -> str:
    """Why one block does not parse, as its reader says (on the block's own text)."""
    try:
        javascript.extract(_own_code(masked, script), settings)
    except ParseError as exc:
        return str(exc)
    return "it does not parse with the other blocks"


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
        ends = [tag.span[1] for tag in tags]
        for (start, end), name in handlers:
            room = len(name) + 2  # the name, `=` and the quote stand where the wrapper goes
            handler = Script((start, end), False, handler=True)
            code = _HANDLER_OPEN + _masked_body(text, handler, tags, ends, []) + "}"  # its own text: linear
            if _REFERENCE.search(text, start, end) or room < len(_HANDLER_OPEN) \
                    or not JavaScriptFrontEnd("javascript").parses(code):
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
        """One block does not parse (a tag the masking could not neutralise): read the others.

        Each block is parsed on its own text once, the ones that fail are blanked, and the rest
        is read as one text again, so a page of many blocks costs a few passes over it, not one
        per block."""
        notes: list[str] = []
        failing: list[Script] = []
        for script in scripts:
            javascript = self._javascript([script])
            if not javascript.parses(_own_code(masked, script)):
                failing.append(script)
                line = masked.count("\n", 0, script.body[0]) + 1
                notes.append(f"script block at line {line} not read: {_parse_error(javascript, masked, script, settings)}")
        if len(failing) == len(scripts):
            raise ParseError("; ".join(notes) or "no script block parses")
        rest = masked
        for script in failing:
            start, end = script.outer
            rest = rest[:start] + _blank(rest[start:end]) + rest[end:]
        inner = self._javascript([s for s in scripts if s not in failing]).extract(rest, settings)
        return Extraction(sites=inner.sites, parser=inner.parser, comments=inner.comments,
                          notes=(*notes, *inner.notes))

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
        failing = sum(1 for s in scripts if not self._javascript([s]).parses(_own_code(masked, s)))
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
