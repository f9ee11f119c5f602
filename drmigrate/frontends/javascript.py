"""Which parser reads a JavaScript / TypeScript file: esprima first, tree-sitter where it cannot.

esprima (ES5–ES2017) is the reference parser; tree-sitter, converted to the same ESTree shape,
reads what esprima refuses (ES2018+, JSX) and everything TypeScript. Both feed the one analysis,
`jsanalysis.find_sites`, so a file gets the same findings whichever parser read it.
"""

from __future__ import annotations

import os

from drmigrate.frontends import Extraction, FrontEnd, ParseError, Settings

ESPRIMA_FIRST = frozenset({".js", ".mjs", ".cjs"})
TREE_SITTER_ONLY = {
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}


class JavaScriptFrontEnd:
    """esprima (script, then module), falling back to tree-sitter; `Extraction.parser` says which."""

    name = "javascript"

    def __init__(
        self, dialect: str = "javascript", *, esprima_first: bool = True, declarations: bool = False
    ) -> None:
        # imported here: tree-sitter and the analysis load only when a file is read
        from drmigrate.frontends.treesitter_js import TreeSitterFrontEnd

        self.esprima_first = esprima_first
        self.fallback = TreeSitterFrontEnd(dialect, declarations=declarations)
        # The parser that read the last extracted text: the re-parse guard asks the same one,
        # so a fix cannot turn an esprima-readable file into one only tree-sitter accepts.
        self.reader: str = ""

    def extract(self, text: str, settings: Settings) -> Extraction:
        esprima_error = ""
        if self.esprima_first:
            from drmigrate.frontends.esprima_js import EsprimaFrontEnd

            try:
                extraction = EsprimaFrontEnd().extract(text, settings)
            except ParseError as exc:
                esprima_error = str(exc)
            else:
                self.reader = extraction.parser
                return extraction
        try:
            extraction = self.fallback.extract(text, settings)
        except ParseError as exc:
            if esprima_error:
                raise ParseError(f"{esprima_error}; tree-sitter: {exc}") from None
            raise
        self.reader = extraction.parser
        if esprima_error:
            note = f"read by tree-sitter: esprima could not ({esprima_error})"
            extraction = Extraction(
                sites=extraction.sites,
                parser=extraction.parser,
                comments=extraction.comments,
                protected=extraction.protected,
                notes=(*extraction.notes, note),
            )
        return extraction

    def parses(self, text: str) -> bool:
        if self.esprima_first and self.reader != self.fallback.name:
            from drmigrate.frontends.esprima_js import EsprimaFrontEnd

            if EsprimaFrontEnd().parses(text):
                return True
            if self.reader:  # esprima read the original: it must read the fixed text too
                return False
        return self.fallback.parses(text)


def dialect_for(path: str) -> tuple[str, bool, bool] | None:
    """(tree-sitter dialect, try esprima first, declarations only) for a path, or None."""
    name = os.path.basename(path).lower()
    suffix = os.path.splitext(name)[1]
    if path == "-" or suffix in ESPRIMA_FIRST:
        return "javascript", True, False
    if suffix in TREE_SITTER_ONLY:
        declarations = name.endswith((".d.ts", ".d.mts", ".d.cts"))
        return TREE_SITTER_ONLY[suffix], False, declarations
    return None


def front_end_for(path: str) -> FrontEnd | None:
    """The JavaScript / TypeScript front end for `path`, or None when it is neither."""
    chosen = dialect_for(path)
    if chosen is None:
        return None
    dialect, esprima_first, declarations = chosen
    return JavaScriptFrontEnd(dialect, esprima_first=esprima_first, declarations=declarations)
