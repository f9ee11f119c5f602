"""Attack suite, output: what a repository's strings and names can do to every format (issue 20).

- injection: a string literal, a file name, a baseline entry, a report's repository name carrying
  a GitHub workflow command on a line of its own, terminal sequences (window title, OSC 52
  clipboard) and a bidi override must come out inert in text, concise, GitHub, JUnit and merged
  text: control characters as visible escapes, no line starting with `::` but drmigrate's own
  commands, GitHub data escaped as its runner unescapes it;
- encoding: a lone surrogate in a string literal (`"\\ud800"`) and a file name that is not UTF-8
  in every format, the cache and `--output-file`: never a traceback, every stream UTF-8.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.attacklib import INJECTION, LEGACY, assert_neutral, assert_one_line_errors, run, write

FORMATS = ("text", "concise", "github", "junit", "json", "sarif", "html")
PRINTED = ("text", "concise", "github", "junit")


def _js_string(text: str) -> str:
    return json.dumps(text)  # a JavaScript string literal with the same value


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """Strings that reach messages: an unknown payment type, a written key; and file names."""
    write(tmp_path, {
        "a.js": (f"var p = {{type: 'payPal', amount: 1}}; p[{_js_string(INJECTION)}] = 1;\n"
                 f"digitalriver.createSource(p);\n"
                 f"digitalriver.createSource({{type: {_js_string(INJECTION)}, amount: 2}});\n"),
        f"n{INJECTION.replace('/', '_')}.js": LEGACY,  # a file name with the injection
        f"::warning::{INJECTION[:1]}.js": LEGACY,  # a name that would start a line as a command
        f"broken{INJECTION.replace('/', '_')}.js": "digitalriver.createSource({type: 'payPal' amount: 1});\n",
    })
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_injected_strings_and_names_are_inert_in_every_format(hostile: Path, fmt: str) -> None:
    done = run("check", "--no-cache", "--format", fmt, ".", cwd=hostile)
    assert done.returncode == 2  # findings, and the file that does not parse
    assert_one_line_errors(done)
    out, err = done.stdout.decode(), done.stderr.decode()
    if fmt in PRINTED:
        assert_neutral(out, commands=fmt == "github")
        assert "\\x1b]0;T\\x07" in out or fmt == "junit" and "\\x1b]0;T" in out  # shown, escaped
    assert_neutral(err)
    if fmt == "junit":
        ET.fromstring(done.stdout)  # valid XML: ESC is not allowed in XML 1.0
    if fmt in ("json", "sarif"):
        doc = json.loads(out)
        assert INJECTION in json.dumps(doc, ensure_ascii=False) or "\u202eevil" in out  # data, kept as data
    if fmt == "github":
        fake = [line for line in out.splitlines() if line.startswith("::error file=app.js")]
        assert not fake
        # data escaped per GitHub's rules: `%` -> %25, CR -> %0D, LF -> %0A; properties also `:` and `,`
        for line in out.splitlines():
            if line.startswith("::"):
                properties = line.split("::")[1]
                assert "\r" not in line and "\n" not in line
                assert properties.count(",title=") == 1


def test_github_data_and_properties_are_escaped_per_githubs_rules(tmp_path: Path) -> None:
    write(tmp_path, {"50%, a:b.js": LEGACY,
                     "c.js": "digitalriver.createSource({type: 'x%0A::error::FAKE 100%', amount: 1});\n"})
    done = run("check", "--no-cache", "--format", "github", ".", cwd=tmp_path)
    out = done.stdout.decode()
    assert "50%25%2C a%3Ab.js,line=1" in out
    assert "The type `x%250A::error::FAKE 100%25`" in out  # a `%0A` in the data is not a line break
    assert_neutral(out, commands=True)


def test_no_files_checked_line_of_github_format_is_inert(tmp_path: Path) -> None:
    name = "::error::d\n\x1b]0;T\x07"
    (tmp_path / name).mkdir()
    (tmp_path / name / "notes.md").write_text("nothing\n")
    done = run("check", "--format", "github", name, cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    assert "No files were checked" in done.stdout.decode() + done.stderr.decode()
    assert_neutral(done.stdout.decode(), commands=True)
    assert_neutral(done.stderr.decode())


def test_stale_baseline_entries_are_inert(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": LEGACY})
    baseline = {"version": 1, "findings": [{"fingerprint": "f", "path": "a.js", "code": "DR101", "line": 1,
                                            "message": INJECTION}]}
    (tmp_path / "b.json").write_text(json.dumps(baseline))
    done = run("check", "--no-cache", "--baseline", "b.json", ".", cwd=tmp_path)
    assert done.returncode == 1
    out = done.stdout.decode()
    assert "no longer occur" in out
    assert_neutral(out)


def test_merged_text_of_hostile_reports_is_inert(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": LEGACY})
    report = json.loads(run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path).stdout)
    report["repository"] = INJECTION
    report["files"][0]["path"] = INJECTION
    for finding in report["findings"]:
        finding["path"] = INJECTION
    report["migration_status"] = {INJECTION: {"remaining": 1, INJECTION: 2}}
    (tmp_path / "r.json").write_text(json.dumps(report))
    for fmt in ("text", "json", "html"):
        done = run("report", "merge", "--format", fmt, "r.json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert_one_line_errors(done)
        if fmt == "text":
            assert_neutral(done.stdout.decode())
            assert "\\x1b]0;T" in done.stdout.decode()


def test_configuration_errors_are_inert(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": LEGACY, ".drmigrate.toml": f"{json.dumps(INJECTION)} = 1\n"})
    done = run("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "unknown key" in err and len(err.strip().splitlines()) == 1
    assert_neutral(err)


# --------------------------------------------------------------------------- encodings

SURROGATE = 'digitalriver.createSource({type: "\\ud800", amount: 1});\nvar q = {type: "payPal"}; q["\\udfff"] = 1; digitalriver.createSource(q);\n'
LATIN1_NAME = b"caf\xe9.js"


@pytest.fixture
def surrogates(tmp_path: Path) -> Path:
    write(tmp_path, {"s.js": SURROGATE})
    (tmp_path / os.fsdecode(LATIN1_NAME)).write_text(LEGACY)
    return tmp_path


@pytest.mark.parametrize("fmt", FORMATS)
def test_lone_surrogates_and_undecodable_names_in_every_format(
        surrogates: Path, tmp_path_factory: pytest.TempPathFactory, fmt: str) -> None:
    cache = tmp_path_factory.mktemp("cache")
    outputs = []
    for extra in (("--no-cache",), ("--cache-dir", str(cache)), ("--cache-dir", str(cache))):  # cold, warm
        done = run("check", "--format", fmt, *extra, ".", cwd=surrogates)
        assert done.returncode == 1, done.stderr
        assert_one_line_errors(done)
        outputs.append(done.stdout)
        if fmt in ("json", "sarif"):
            text = json.dumps(json.loads(done.stdout))
            assert "\\\\ud800" in text and "caf\\\\xe9.js" in text
        if fmt in PRINTED:
            assert "\\ud800" in done.stdout.decode() and "caf\\xe9.js" in done.stdout.decode()
    assert any(cache.rglob("*.json")), "the cache took the entries"
    assert outputs[0] == outputs[2] or fmt in ("sarif",)  # the same from the cache (SARIF names cwd)
    done = run("check", "--no-cache", "--format", fmt, "-o", "out.report", ".", cwd=surrogates)
    assert done.returncode == 1 and done.stdout == b""
    assert_one_line_errors(done)
    written = (surrogates / "out.report").read_bytes()
    written.decode("utf-8")
    assert written == outputs[0] or fmt in ("text", "concise", "sarif")  # -o drops colours only


def test_fix_with_surrogates_writes_the_files_and_keeps_the_report(surrogates: Path) -> None:
    done = run("fix", "--session-id", "sid", ".", cwd=surrogates)
    assert_one_line_errors(done)
    assert done.returncode == 1  # the unknown type stays for a person
    out = done.stdout.decode()
    assert "Fixed" in out and "\\ud800" in out
    assert (surrogates / os.fsdecode(LATIN1_NAME)).read_text() == LEGACY.replace(
        "amount: 1, currency: 'EUR', ", "sessionId: sid, ")


def test_diff_header_of_a_hostile_name_is_one_line(tmp_path: Path) -> None:
    write(tmp_path, {f"d{INJECTION.replace('/', '_')}.js": LEGACY})
    done = run("check", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert_one_line_errors(done)
    headers = [line for line in done.stdout.decode().split("\n") if line.startswith(("---", "+++"))]
    assert len(headers) == 2 and all("\\x1b]0;T" in h for h in headers)
