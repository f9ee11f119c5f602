"""Build output and vendored code: files drmigrate lists as skipped instead of editing.

A minified file, a webpack / rollup / esbuild bundle, a deployed static copy or the DigitalRiver.js
library itself may well contain `createSource`, but fixing it is pointless (the next build
overwrites it) or wrong (the library defines the method, it does not call it with a payload).
`classify` is pure and cheap: it runs before any parser does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

ADVICE = "fix the source, not the build output"
LIBRARY = "the DigitalRiver.js library itself"

LONG_LINE = 1_000  # characters; hand-written code rarely has one, minified code is made of them
VERY_LONG_LINE = 20_000
LONG_LINE_SHARE = 0.5  # of the text, in lines longer than LONG_LINE

_MINIFIED_NAME = re.compile(r"[.-]min\.[cm]?js$|\.(?:bundle|chunk)\.[cm]?js$", re.IGNORECASE)
_LIBRARY_NAME = re.compile(r"^digitalriver(?:\.min)?\.js$", re.IGNORECASE)
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


def _minified(text: str) -> str | None:
    if len(text) < LONG_LINE:
        return None
    longest = 0
    in_long = 0
    for line in text.splitlines():
        size = len(line)
        longest = max(longest, size)
        if size > LONG_LINE:
            in_long += size
    if longest > VERY_LONG_LINE or in_long > LONG_LINE_SHARE * len(text):
        return f"minified (a line of {longest:,} characters)"
    return None


def classify(path: str, text: str) -> str | None:
    """Why `path` should be skipped as build output or vendored code, or None to read it."""
    name = PurePosixPath(path.replace("\\", "/")).name
    if _LIBRARY_NAME.match(name):
        return LIBRARY
    reason = _vendored(path) or _by_content(name, text)
    # Only build output is checked for being the library: a merchant's own wrapper may define a
    # `createSource` method and name the library's host too.
    if reason and "digitalriverws" in text and _DEFINES_CREATE_SOURCE.search(text):
        return LIBRARY
    return reason


def classify_by_name(path: str) -> str | None:
    """The part of `classify` that needs no text: the library's name, vendored dirs, `.min.js`."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if _LIBRARY_NAME.match(name):
        return LIBRARY
    if _MINIFIED_NAME.search(name):
        return "minified or bundled (by its name)"
    return _vendored(path)


def _by_content(name: str, text: str) -> str | None:
    if _MINIFIED_NAME.search(name):
        return "minified or bundled (by its name)"
    for marker, what in _BUNDLER_MARKERS:
        if marker in text:
            return f"build output ({what}: `{marker}`)"
    if _SOURCE_MAP.search(text):
        return "build output (it has a `sourceMappingURL` comment)"
    return _minified(text)
