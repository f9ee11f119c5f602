"""The report package: one module per format, found by name; a run imports only the format it prints."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from drmigrate import report
from drmigrate.cli import FORMATS

LEGACY = "digitalriver.createSource({type: 'payPal', amount: 1, payPal: {returnUrl: u}});\n"
FORMAT_MODULES = {f"drmigrate.report.{m}" for m in report.FORMATS.values()}


def test_every_format_is_a_module_with_render() -> None:
    assert set(FORMATS) == set(report.FORMATS)
    for name, module in report.FORMATS.items():
        assert callable(importlib.import_module(f"drmigrate.report.{module}").render), name


def _loaded(tmp_path: Path, *args: str) -> set[str]:
    """The format modules (and code frames) a real run imported."""
    probe = ("import sys\nfrom drmigrate.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print('\\n'.join(m for m in sys.modules if m.startswith('drmigrate.report')), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=120)
    loaded = set(done.stderr.split())
    assert "drmigrate.report" in loaded, done.stderr
    return {m.removeprefix("drmigrate.report.") for m in loaded & (FORMAT_MODULES | {"drmigrate.report.codeframe"})}


@pytest.mark.parametrize(("args", "wanted"), [
    pytest.param(("-q", "clean.js"), set(), id="quiet-run-that-prints-nothing"),
    pytest.param(("clean.js",), {"text"}, id="text-without-findings-draws-no-frame"),
    pytest.param(("legacy.js",), {"text", "codeframe"}, id="text"),
    pytest.param(("--format", "concise", "legacy.js"), {"text"}, id="concise"),
    pytest.param(("--format", "json", "legacy.js"), {"json", "codeframe"}, id="json"),
    pytest.param(("--format", "sarif", "legacy.js"), {"sarif"}, id="sarif"),
    pytest.param(("--format", "github", "legacy.js"), {"github"}, id="github"),
    pytest.param(("--format", "junit", "legacy.js"), {"junit"}, id="junit"),
    pytest.param(("--format", "gitlab", "legacy.js"), {"gitlab", "codeframe"}, id="gitlab"),
    pytest.param(("--format", "html", "legacy.js"), {"html", "json", "codeframe"}, id="html"),
])
def test_a_run_imports_only_the_format_it_prints(tmp_path: Path, args: tuple[str, ...], wanted: set[str]) -> None:
    (tmp_path / "clean.js").write_text("var x = 1;\n")
    (tmp_path / "legacy.js").write_text(LEGACY)
    assert _loaded(tmp_path, "check", "--no-cache", *args) == wanted


def test_a_quiet_run_with_an_output_file_still_writes_it(tmp_path: Path) -> None:
    (tmp_path / "clean.js").write_text("var x = 1;\n")
    (tmp_path / "out.txt").write_text("old report\n")
    _loaded(tmp_path, "check", "-q", "--no-cache", "-o", "out.txt", "clean.js")
    assert (tmp_path / "out.txt").read_text() == ""
