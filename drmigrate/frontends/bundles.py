"""Build output and vendored code: files drmigrate lists as skipped instead of editing.

A minified file, a webpack / rollup / esbuild bundle, Babel or TypeScript output, a deployed static
copy or the DigitalRiver.js library itself may well contain `createSource`, but fixing it is
pointless (the next build overwrites it) or wrong (the library defines the method, it does not call
it with a payload). `classify` is pure and cheap: it runs before any parser does. Every reason ends
with the setting that reads such files anyway (`--include-minified`), and one that mentions a call
says to fix the source instead, naming it when it is known (`build_output_reason`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePosixPath

ADVICE = "fix the source, not the build output"
LIBRARY = "the DigitalRiver.js library itself"
INCLUDE = "--include-minified checks it"

LONG_LINE = 1_000  # characters of code; hand-written code rarely has one, minified code is made of them
LONG_LINE_SHARE = 0.5  # of the code (strings left out), in lines longer than LONG_LINE
SPARSE = 0.1  # blanks per character in those lines: minifiers drop them (1-2 % measured), people and prose do not

_MINIFIED_NAME = re.compile(r"[.-]min\.[cm]?js$|\.(?:bundle|chunk)\.[cm]?js$", re.IGNORECASE)
_VENDORED_DIRS = (
    ("node_modules",),
    ("bower_components",),
    ("pub", "static"),  # Magento's deployed static files: copies of the module's view/ sources
    ("var", "view_preprocessed"),
)
_SOURCE_MAP = re.compile(r"^[ \t]*//[#@] sourceMappingURL=", re.MULTILINE)
_BUNDLER_MARKERS = (
    ("__webpack_require__", "a webpack bundle"),
    ("webpackChunk", "a webpack chunk"),
    ("webpackJsonp", "a webpack chunk"),
    ("parcelRequire", "a Parcel bundle"),
    ("__commonJS(", "an esbuild bundle"),
    ("__toESM(", "an esbuild bundle"),
    ("System.register(", "a SystemJS bundle"),
    ("/*! For license information please see", "a minified bundle"),
)
# Transpiler output: the helpers Babel and TypeScript emit into each file they compile. One alone
# proves nothing (hand-written code may define `_typeof` or `_extends`); two, or one with the
# CommonJS prologue both compilers write (`Object.defineProperty(exports, "__esModule", ...)`), do.
_BABEL_HELPERS = re.compile(
    r"(?<![\w$])(_classCallCheck|_createClass|_typeof|_defineProperty|_interopRequireDefault"
    r"|_interopRequireWildcard|_asyncToGenerator|regeneratorRuntime|_inherits|_possibleConstructorReturn"
    r"|_getPrototypeOf|_slicedToArray|_toConsumableArray|_objectSpread2?|_objectWithoutProperties)(?![\w$])"
)
_TYPESCRIPT_HELPERS = re.compile(
    r"(?<![\w$])(__awaiter|__extends|__assign|__generator|__decorate|__importDefault|__importStar"
    r"|__createBinding|__spreadArray|__rest|__values|__read|tslib)(?:_\d+)?(?![\w$])"
)
_COMPILED_SUFFIXES = (".js", ".cjs", ".mjs")  # what compilers write (a .ts file is a source)
_ES_MODULE_PROLOGUE = re.compile(r"""Object\.defineProperty\(\s*exports\s*,\s*["']__esModule["']""")
_SOURCE_MAP_URL = re.compile(r"^[ \t]*//[#@] sourceMappingURL=(\S+)", re.MULTILINE)
_INLINE_MAP = re.compile(r"data:application/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)$")
# The library defines `createSource`; merchant code only calls it.
_DEFINES_CREATE_SOURCE = re.compile(
    r"createSource\s*[:=]\s*(?:async\s+)?function\b|prototype\.createSource\s*="
    r"|\bcreateSource\s*\([\w\s,]*\)\s*\{"
)


def _vendored(path: str) -> str | None:
    return _vendored_dir(path.replace("\\", "/").rpartition("/")[0])


@lru_cache(maxsize=4096)
def _vendored_dir(directory: str) -> str | None:
    """The vendored-directory decision, made once per directory: the walk asks for every file."""
    parts = tuple(p for p in directory.split("/") if p not in ("", "."))
    for marker in _VENDORED_DIRS:
        size = len(marker)
        if any(parts[i : i + size] == marker for i in range(len(parts) - size + 1)):
            return f"vendored or deployed copy (under {'/'.join(marker)}/)"
    return None


# String literals (on one line; template literals whole): their text is data, not code density.
_STRING = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`""")


def _minified(text: str) -> str | None:
    """Minified by density over the whole file, not by one long line: most of the code (strings
    left out, so a hand-written file with one long line of inline i18n text is not) sits in lines
    over LONG_LINE characters that have almost no blanks."""
    if len(text) < LONG_LINE:
        return None
    code = _STRING.sub("''", text)
    long_lines = [line for line in code.splitlines() if len(line) > LONG_LINE]
    in_long = sum(len(line) for line in long_lines)
    if not long_lines or in_long <= LONG_LINE_SHARE * len(code):
        return None
    blanks = sum(line.count(" ") + line.count("\t") for line in long_lines)
    if blanks >= SPARSE * in_long:
        return None
    longest = max(len(line) for line in text.splitlines())
    return f"minified (a line of {longest:,} characters; {in_long / len(code):.0%} of the code in dense lines)"


_DR_METHODS = ("createElement", "createDropin", "retrieveAvailablePaymentMethods", "authenticateSource",
               "updateSource", "retrieveSource", "paymentRequest", "retrieveOnlineBankingBanks")
_CALLED_WITH_PAYLOAD = re.compile(r"\.createSource\s*\((?:[^(){};]*,)?\s*\{")


def _defines(method: str, text: str) -> bool:
    return re.search(rf"(?<![\w$]){method}\s*[:=]\s*(?:async\s+)?function\b|prototype\.{method}\s*="
                     rf"|(?<![\w$.]){method}\s*\([\w\s,]*\)\s*\{{", text) is not None


def library(text: str) -> bool:
    """The DigitalRiver.js library itself, by its content (never by its file name: merchants name
    their own checkout code `digitalriver.js` too): it defines `createSource` and at least two more
    of the instance's methods, talks to Digital River's host, and never calls `createSource` with
    a payload of its own."""
    if "digitalriverws" not in text or not _DEFINES_CREATE_SOURCE.search(text):
        return False
    if _CALLED_WITH_PAYLOAD.search(text):
        return False
    return sum(_defines(m, text) for m in _DR_METHODS) >= 2


def classify(path: str, text: str) -> str | None:
    """Why `path` should be skipped as build output or vendored code, or None to read it."""
    name = PurePosixPath(path.replace("\\", "/")).name
    if library(text):
        return LIBRARY
    reason = _vendored(path) or _by_content(name, text)
    # Only build output is checked for being the library: a merchant's own wrapper may define a
    # `createSource` method and name the library's host too.
    if reason and "digitalriverws" in text and _DEFINES_CREATE_SOURCE.search(text):
        return LIBRARY
    return reason


def classify_by_name(path: str) -> str | None:
    """The part of `classify` that needs no text: vendored dirs, `.min.js` (the library is known by
    its content alone)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if _MINIFIED_NAME.search(name):
        return "minified or bundled (by its name)"
    return _vendored(path)


def transpiled(text: str) -> str | None:
    """Why `text` is Babel or TypeScript output (the helpers it carries), or None."""
    for pattern, compiler in ((_BABEL_HELPERS, "Babel"), (_TYPESCRIPT_HELPERS, "TypeScript")):
        found = list(dict.fromkeys(m.group(1) for m in pattern.finditer(text)))
        if len(found) >= 2 or (found and _ES_MODULE_PROLOGUE.search(text)):
            shown = ", ".join(f"`{h}`" for h in found[:3])
            return f"build output (compiled by {compiler}: its helpers {shown})"
    return None


def _by_content(name: str, text: str) -> str | None:
    if _MINIFIED_NAME.search(name):
        return "minified or bundled (by its name)"
    for marker, what in _BUNDLER_MARKERS:
        if marker in text:
            return f"build output ({what}: `{marker}`)"
    compiled = transpiled(text) if name.lower().endswith(_COMPILED_SUFFIXES) else None
    if compiled is not None:
        return compiled
    if _SOURCE_MAP.search(text):
        return "build output (it has a `sourceMappingURL` comment)"
    return _minified(text)


def build_output_reason(reason: str, call: str | None, sources: Sequence[str] = ()) -> str:
    """The skip note of a build-output file: why, what to do when it mentions a call (fix the
    source, named when known), and the setting that reads such files anyway."""
    if reason == LIBRARY:
        return f"{reason}; nothing in it to migrate ({INCLUDE} anyway)" if call else f"{reason}; {INCLUDE}"
    if call is None:
        return f"{reason}; {INCLUDE}"
    fix = f"fix its source ({', '.join(sources)}), not the build output" if sources else ADVICE
    return f"{reason}; it mentions {call}: {fix} ({INCLUDE} anyway)"


def source_map_url(text: str) -> str | None:
    """The `sourceMappingURL` of a file (the last one: a bundle may embed others), or None."""
    found = _SOURCE_MAP_URL.findall(text)
    return found[-1] if found else None


def inline_map_sources(url: str) -> list[str] | None:
    """The `sources` of an inline (base64 `data:`) source map; None when `url` is not one."""
    match = _INLINE_MAP.match(url)
    if match is None:
        return None
    import base64  # only for build output that mentions a call: not at start
    import binascii

    try:
        return map_sources(base64.b64decode(match.group(1)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError):
        return []


def map_sources(text: str) -> list[str]:
    """The source paths a source map names (`sourceRoot` + `sources`), as written; [] when unreadable."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return []
    root = data.get("sourceRoot") if isinstance(data.get("sourceRoot"), str) else ""
    return [f"{root.rstrip('/')}/{s}" if root else s for s in data["sources"] if isinstance(s, str)]
