"""The lazy character classes answer exactly as esprima's own import-time sets, for every code point."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import esprima

from drmigrate.frontends import esprima_chars


def _original_character_module() -> object:
    """esprima's own character module, loaded from its file under another name."""
    path = Path(esprima.__file__).parent / "character.py"
    spec = importlib.util.spec_from_file_location("esprima._original_character", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "esprima"
    spec.loader.exec_module(module)
    return module


def test_same_answers_for_every_code_point() -> None:
    original = _original_character_module()
    starts = original.IDENTIFIER_START  # type: ignore[attr-defined]
    parts = original.IDENTIFIER_PART  # type: ignore[attr-defined]
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert esprima_chars.is_identifier_start(ch) == (ch in starts), hex(code)
        assert esprima_chars.is_identifier_part(ch) == (ch in parts), hex(code)
    assert esprima_chars.WHITE_SPACE == original.WHITE_SPACE  # type: ignore[attr-defined]
    assert esprima_chars.LINE_TERMINATOR == original.LINE_TERMINATOR  # type: ignore[attr-defined]
    assert esprima_chars.HEX_CONV == original.HEX_CONV  # type: ignore[attr-defined]
    assert esprima_chars.OCTAL_CONV == original.OCTAL_CONV  # type: ignore[attr-defined]
    esprima_chars.is_identifier_start.cache_clear()
    esprima_chars.is_identifier_part.cache_clear()


def test_installed_module_parses_unicode_identifiers() -> None:
    code = (
        "from drmigrate.frontends.esprima_js import parse\n"
        "import sys\n"
        "tree = parse('var caf\\u00e9 = {\\u0394\\u03b5\\u03bb\\u03c4\\u03b1: 1, \\U0001d518x: 2}; $_\\u200d = 3;')\n"
        "assert type(sys.modules['esprima.character']).__name__ == 'module'\n"
        "assert 'lazily computed' in sys.modules['esprima.character'].__doc__\n"
        "print(len(tree.body))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"
