"""The text report's closing numbers, colour control, --quiet, --statistics and the exit codes."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drmigrate.cli import main, resolve_color

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    # three safe fixes
    "pay.js": "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n",
    # a safe fix and an unsafe one (DR120)
    "card.js": "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n",
    # a receiver drmigrate does not recognise: both fixes need --unsafe-fixes
    "gateway.js": "gateway.createSource({type: 'payco', amount: 1, payco: {}});\n",
    # a person must act (DR200)
    "manual.js": "function pay(payload) { return digitalriver.createSource(payload); }\n",
}
NO_ENV = {"NO_COLOR": None, "FORCE_COLOR": None}
ANSI = "\x1b["


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def invoke(*args: str, color: bool = False, env: dict[str, str | None] | None = None,
           input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), color=color, env={**NO_ENV, **(env or {})}, input=input)


def summary_of(out: str) -> str:
    return out.rstrip("\n").split("\n")[-1]


def test_check_summary_counts_fixable_unsafe_and_manual(repo: Path) -> None:
    result = invoke("check", str(repo))
    assert result.exit_code == 1
    assert summary_of(result.stdout) == (
        "Found 8 findings in 4 files (4 fixable with `drmigrate fix`; 3 more with "
        "`drmigrate fix --unsafe-fixes`; 1 needs a manual change).")


def test_hidden_unsafe_count_is_what_unsafe_fixes_fixes(repo: Path) -> None:
    """The hint's promise, checked: --unsafe-fixes fixes exactly the fixable plus the hidden ones."""
    check = invoke("check", "--format", "json", str(repo))
    summary = json.loads(check.stdout)["summary"]
    assert (summary["fixable"], summary["unsafe"], summary["manual"]) == (4, 3, 1)
    result = invoke("fix", "--unsafe-fixes", "--session-id", "sid", str(repo))
    assert summary_of(result.stdout) == (
        "Fixed 7 findings in 3 files; 1 finding remains in 1 file (1 needs a manual change).")
    assert summary["fixable"] + summary["unsafe"] == 7
    assert result.exit_code == 1  # DR200 remains


def test_fix_summary_without_unsafe_fixes(repo: Path) -> None:
    result = invoke("fix", "--session-id", "sid", str(repo))
    assert summary_of(result.stdout) == (
        "Fixed 4 findings in 2 files; 4 findings remain in 3 files (3 with `drmigrate fix --unsafe-fixes`; "
        "1 needs a manual change).")
    # the remaining findings are shown with their help on the fixed text
    assert "= help: Remove `amount` (unsafe; `--unsafe-fixes` applies it)" in result.stdout
    assert "(unsafe: the receiver was not recognised; `--unsafe-fixes` applies it)" in result.stdout
    assert "= help: manual: a person must change this; `drmigrate explain DR200` says why" in result.stdout


def test_placeholder_left_by_fix_is_counted_as_remaining(tmp_path: Path) -> None:
    (tmp_path / "pay.js").write_text(FILES["pay.js"], "utf-8")
    result = invoke("fix", str(tmp_path))
    assert summary_of(result.stdout) == ("Fixed 3 findings in 1 file; 1 finding remains in 1 file "
                                         "(1 placeholder to wire with `drmigrate fix --session-id EXPR`).")
    # the placeholder is not a person's edit: the help says which run replaces it
    assert "DR110" in result.stdout and "(manual)" not in result.stdout
    assert "help: wire it: `drmigrate fix --session-id EXPR` replaces the placeholder" in result.stdout
    assert result.exit_code == 1


# --- exit codes ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "files", "code", "changed"), [
    pytest.param(("check",), ["pay.js"], 1, False, id="check-findings"),
    pytest.param(("check", "--exit-zero"), ["pay.js"], 0, False, id="check-exit-zero"),
    pytest.param(("fix", "--session-id", "sid"), ["pay.js"], 0, True, id="fix-nothing-remains"),
    pytest.param(("fix", "--session-id", "sid", "--exit-non-zero-on-fix"), ["pay.js"], 1, True, id="fix-exit-non-zero-on-fix"),
    pytest.param(("fix", "--session-id", "sid"), ["pay.js", "manual.js"], 1, True, id="fix-something-remains"),
    pytest.param(("fix",), ["pay.js"], 1, True, id="fix-placeholder-remains"),
    pytest.param(("fix", "--session-id", "sid", "--diff"), ["pay.js"], 1, False, id="fix-diff-would-change"),
    pytest.param(("fix", "--session-id", "sid"), ["gateway.js"], 1, False, id="fix-only-unsafe-left"),
    pytest.param(("fix", "--session-id", "sid", "--exit-zero"), ["manual.js"], 0, False, id="fix-exit-zero"),
])
def test_exit_codes(tmp_path: Path, args: tuple[str, ...], files: list[str], code: int, changed: bool) -> None:
    for name in files:
        (tmp_path / name).write_text(FILES[name], "utf-8")
    result = invoke(*args, str(tmp_path))
    assert result.exit_code == code, result.stdout
    assert ((tmp_path / files[0]).read_text("utf-8") != FILES[files[0]]) is changed


def test_fix_on_clean_files_exits_0_even_with_exit_non_zero_on_fix(tmp_path: Path) -> None:
    (tmp_path / "pay.js").write_text(FILES["pay.js"], "utf-8")
    invoke("fix", "--session-id", "sid", str(tmp_path))
    result = invoke("fix", "--session-id", "sid", "--exit-non-zero-on-fix", str(tmp_path))
    assert result.exit_code == 0
    assert summary_of(result.stdout) == "No fixes applied; nothing remains."


def test_errors_exit_2_whatever_the_flags(tmp_path: Path) -> None:
    (tmp_path / "broken.js").write_text("digitalriver.createSource({type: 'payPal' amount: 1});\n", "utf-8")
    assert invoke("check", "--exit-zero", str(tmp_path)).exit_code == 2
    assert invoke("fix", "--exit-zero", str(tmp_path)).exit_code == 2


def test_stdin_fix_exits_0_when_nothing_remains() -> None:
    result = invoke("fix", "-", "--stdin-filename", "pay.js", "--session-id", "sid", input=FILES["pay.js"])
    assert result.exit_code == 0
    assert "sessionId: sid" in result.stdout
    assert "Fixed 3 findings in 1 file; nothing remains." in result.stderr


# --- quiet and statistics -----------------------------------------------------------------------

def test_quiet_prints_only_findings(repo: Path) -> None:
    (repo / "app.min.js").write_text("var a=1;" + FILES["pay.js"], "utf-8")
    full = invoke("check", str(repo)).stdout
    quiet = invoke("check", "-q", str(repo))
    assert quiet.exit_code == 1
    assert "Found" not in quiet.stdout and "skipped" not in quiet.stdout
    assert "skipped" in full
    assert quiet.stdout.count(": DR") == 8 and "= help:" in quiet.stdout
    assert invoke("check", "-q", "--format", "concise", str(repo)).stdout.count("\n") == 8


def test_quiet_clean_run_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "util.js").write_text("export const x = 1;\n", "utf-8")
    result = invoke("check", "--quiet", str(tmp_path))
    assert result.exit_code == 0 and result.stdout == ""


def test_statistics_alone_prints_the_tables_and_the_summary(repo: Path) -> None:
    result = invoke("fix", "--statistics", "--session-id", "sid", str(repo))
    out = result.stdout
    assert out.startswith("Findings by code:")
    assert " | " not in out and ": DR" not in out  # no findings list, no frames
    assert "Migration status (call sites):" in out
    assert summary_of(out).startswith("Fixed 4 findings in 2 files;")
    quiet = invoke("check", "--statistics", "-q", str(repo)).stdout
    assert quiet.startswith("Findings by code:") and "Found" not in quiet


# --- colour -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "env", "terminal", "coloured"), [
    pytest.param((), {}, False, False, id="auto-not-a-terminal"),
    pytest.param((), {}, True, True, id="auto-terminal"),
    pytest.param(("--color", "always"), {}, False, True, id="always"),
    pytest.param(("--color", "never"), {}, True, False, id="never"),
    pytest.param(("--no-color",), {}, True, False, id="no-color-flag"),
    pytest.param((), {"NO_COLOR": "1"}, True, False, id="NO_COLOR"),
    pytest.param((), {"NO_COLOR": ""}, True, True, id="NO_COLOR-empty-is-unset"),
    pytest.param((), {"FORCE_COLOR": "1"}, False, True, id="FORCE_COLOR"),
    pytest.param((), {"FORCE_COLOR": "0"}, False, False, id="FORCE_COLOR-0"),
    pytest.param((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False, id="NO_COLOR-beats-FORCE_COLOR"),
    pytest.param(("--color", "always"), {"NO_COLOR": "1"}, False, True, id="flag-beats-NO_COLOR"),
    pytest.param(("--color", "never"), {"FORCE_COLOR": "1"}, False, False, id="flag-beats-FORCE_COLOR"),
])
def test_colour_control(repo: Path, args: tuple[str, ...], env: dict[str, str], terminal: bool,
                        coloured: bool) -> None:
    result = invoke("check", *args, str(repo), color=terminal, env=env)
    assert (ANSI in result.stdout) is coloured


def test_diff_is_coloured_only_when_colour_is_on(repo: Path) -> None:
    plain = invoke("check", "--diff", str(repo / "pay.js"))
    assert ANSI not in plain.stdout and plain.stdout.startswith("---")
    coloured = invoke("check", "--diff", "--color", "always", str(repo / "pay.js"))
    lines = coloured.stdout.splitlines()
    assert any(line.startswith("\x1b[32m+") for line in lines)  # additions green
    assert any(line.startswith("\x1b[31m-digitalriver") for line in lines)  # removals red
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout) == plain.stdout


def test_output_file_is_never_coloured(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    invoke("check", "--color", "always", "--output-file", str(target), str(repo))
    assert ANSI not in target.read_text("utf-8")


def test_resolve_color_defaults_to_the_terminal() -> None:
    assert resolve_color(None, False, {}) is None
    assert resolve_color("auto", False, {"FORCE_COLOR": "true"}) is True


def _on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run drmigrate with its stdout on a real pseudo-terminal; return what it wrote."""
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(env, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "drmigrate.cli", *args], cwd=cwd, stdout=slave,
                            stderr=subprocess.DEVNULL, env=environ)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait()
    return b"".join(chunks).decode("utf-8", "replace")


def test_real_terminal_gets_colour_unless_no_color(repo: Path) -> None:
    assert ANSI in _on_a_terminal(["check", "pay.js"], {}, repo)
    assert ANSI not in _on_a_terminal(["check", "pay.js"], {"NO_COLOR": "1"}, repo)
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    piped = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "pay.js"], cwd=repo,
                           capture_output=True, text=True, check=False,
                           env={**environ, "PYTHONPATH": str(ROOT), "FORCE_COLOR": "1"})
    assert ANSI in piped.stdout  # FORCE_COLOR colours a pipe (a CI log)
