"""Attack suite, files given to drmigrate: reports to merge, baselines, rule tables (issue 20).

Each is read only when it is a regular file (a FIFO never hangs the run, /dev/zero never fills
memory), parsed within limits (nesting, integer size) and checked against its shape before
anything reads it; every fault is one line naming the file, exit 2. Rule-table message templates
are checked when the table is loaded, not when the first file needs one.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from drmigrate.rules import bundled_table
from tests.attacklib import LEGACY, assert_one_line_errors, run, write


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("report")
    write(root, {"a.js": LEGACY})
    done = run("check", "--no-cache", "--format", "json", ".", cwd=root)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _with(doc: dict[str, object], path: str, value: object) -> dict[str, object]:
    doc = json.loads(json.dumps(doc))
    node: object = doc
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]
    return doc


BAD_REPORTS = [
    pytest.param("findings.0.line", "12", "`findings[0].line` must be an integer", id="line-as-string"),
    pytest.param("findings.0.path", 7, "`findings[0].path` must be a string", id="path-as-number"),
    pytest.param("findings.0.frame", {"line": 1}, "`findings[0].frame` must be a list", id="frame-as-object"),
    pytest.param("findings.0.frame", [{"line": "x"}], "`findings[0].frame[0].line` must be an integer", id="frame-row"),
    pytest.param("summary", [1, 2], "`summary` must be an object", id="summary-as-list"),
    pytest.param("summary.findings", "many", "`summary.findings` must be an integer", id="count-as-string"),
    pytest.param("migration_status", {"payPal": {"remaining": [1]}}, "`migration_status.payPal.remaining`",
                 id="status-cell"),
    pytest.param("next_steps", [{"kind": "fix", "count": "x"}], "`next_steps[0].count`", id="step-count"),
    pytest.param("next_steps", [{"kind": "fix", "locations": 5}], "`next_steps[0].locations`", id="step-locations"),
    pytest.param("files.0.sites", {"remaining": 2 ** 70}, "`files[0].sites.remaining` must be an integer",
                 id="huge-count"),
    pytest.param("repositories", [{"report": "x"}], "`repositories[0]` has no `name`", id="repository-name"),
    pytest.param("findings.0.extra", json.loads("[" * 200 + "]" * 200), "nested more than 64 levels",
                 id="deep-unknown-key"),
]


@pytest.mark.parametrize(("path", "value", "words"), BAD_REPORTS)
def test_merge_rejects_a_wrongly_typed_report_in_one_line(tmp_path: Path, report: dict[str, object], path: str,
                                                          value: object, words: str) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(_with(report, path, value)))
    for fmt in ("text", "json", "html"):
        done = run("report", "merge", "--format", fmt, "bad.json", cwd=tmp_path)
        assert done.returncode == 2, done.stdout[-500:]
        assert_one_line_errors(done)
        err = done.stderr.decode()
        assert err.startswith("Error: bad.json: not a drmigrate JSON report (") and words in err, err
        assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("content", "words"), [
    pytest.param('{"version": 1, "files": [], "findings": [], "summary": {"findings": ' + "9" * 5000 + "}}",
                 "4300 digits", id="huge-integer"),
    pytest.param('{"version": 1, "files": [], "findings": [' + "[" * 100_000 + "]" * 100_000 + "]}",
                 "nested too deeply", id="deep-nesting"),
])
def test_merge_rejects_what_json_cannot_hold_in_one_line(tmp_path: Path, content: str, words: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    done = run("report", "merge", "bad.json", cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    assert words in done.stderr.decode() and len(done.stderr.strip().splitlines()) == 1


SPECIAL = [
    pytest.param("/dev/zero", "not a regular file", id="dev-zero"),
    pytest.param("fifo", "not a regular file", id="fifo"),
    pytest.param("directory", "a directory", id="directory"),
]


def _special(tmp_path: Path, name: str) -> str:
    if name == "fifo":
        os.mkfifo(tmp_path / "fifo")
    elif name == "directory":
        (tmp_path / "directory").mkdir()
    return name


@pytest.mark.parametrize(("name", "words"), SPECIAL)
def test_report_merge_refuses_special_files_at_once(tmp_path: Path, name: str, words: str) -> None:
    done = run("report", "merge", _special(tmp_path, name), cwd=tmp_path, timeout=20)  # a FIFO must not hang
    assert done.returncode == 2
    assert_one_line_errors(done)
    assert words in done.stderr.decode()
    assert name == "directory" or len(done.stderr.strip().splitlines()) == 1  # click's usage error has 4


@pytest.mark.parametrize(("name", "words"), SPECIAL)
def test_baseline_and_rules_refuse_special_files_at_once(tmp_path: Path, name: str, words: str) -> None:
    write(tmp_path, {"a.js": LEGACY})
    target = _special(tmp_path, name)
    for option in ("--baseline", "--rules"):
        done = run("check", option, target, "a.js", cwd=tmp_path, timeout=20)
        assert done.returncode == 2, (option, done.stderr)
        assert_one_line_errors(done)
        assert words in done.stderr.decode(), (option, done.stderr)
        assert name == "directory" or len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("content", "words"), [
    pytest.param({"version": 1, "findings": [{"fingerprint": "f", "path": "a.js", "code": "DR101", "line": "3"}]},
                 "`findings[0].line` must be an integer", id="line-as-string"),
    pytest.param({"version": 1, "findings": [{"fingerprint": "f", "path": "a.js", "code": "DR101",
                                              "message": ["x"]}]}, "`findings[0].message`", id="message-as-list"),
    pytest.param('{"version": 1, "findings": [' + "[" * 50_000 + "]" * 50_000 + "]}", "nested too deeply",
                 id="deep-nesting"),
    pytest.param('{"version": 1, "findings": [], "x": ' + "1" * 5000 + "}", "4300 digits", id="huge-integer"),
])
def test_baseline_is_validated_on_load(tmp_path: Path, content: object, words: str) -> None:
    write(tmp_path, {"a.js": LEGACY})
    (tmp_path / "b.json").write_text(content if isinstance(content, str) else json.dumps(content))
    done = run("check", "--baseline", "b.json", "a.js", cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    err = done.stderr.decode()
    assert "b.json: not a drmigrate baseline" in err and words in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("template", "words"), [
    pytest.param("{nope} is wrong", "`{nope}`", id="unknown-field"),
    pytest.param("{field", "a `{` without its `}`", id="unclosed"),
    pytest.param("{field.__class__}", "`{field.__class__}`", id="attribute"),
    pytest.param("{field[0]}", "`{field[0]}`", id="index"),
    pytest.param("{field!r:>{99999999}}", "`{field!r:>{99999999}}`", id="format-spec"),
])
def test_rule_table_message_templates_are_checked_on_load(tmp_path: Path, template: str, words: str) -> None:
    data = json.loads((Path(bundled_table().path)).read_text())
    code = next(c for c in data["codes"] if c["code"] == "DR101")
    code["message"] = template
    (tmp_path / "rules.json").write_text(json.dumps(data))
    write(tmp_path, {"a.js": LEGACY, "b.js": LEGACY})
    done = run("check", "--rules", "rules.json", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    err = done.stderr.decode()
    assert "rules.json: invalid rule table at `codes(DR101).message`" in err and words in err, err
    assert len(err.strip().splitlines()) == 1 and "internal error" not in done.stdout.decode()


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "huge"])
def test_a_source_map_that_names_a_device_a_fifo_or_a_huge_file_is_not_read(tmp_path: Path, target: str) -> None:
    """Build output names its source map; the map is read to name the sources, never to the end of
    a device or a FIFO (the name comes from the file: the attacker's)."""
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    elif target == "huge":
        with open(tmp_path / "huge", "wb") as fh:
            fh.truncate(3 << 30)  # a sparse 3 GB file
    write(tmp_path, {"dist/app.min.js": LEGACY + f"//# sourceMappingURL={target if target.startswith('/') else '../' + target}\n"})
    done = run("check", "dist/app.min.js", cwd=tmp_path, timeout=30)
    assert_one_line_errors(done)
    assert "fix the source, not the build output" in done.stdout.decode()


@pytest.mark.parametrize("name", [".drmigrate.toml", "pyproject.toml", ".gitignore", "sub/.gitignore"])
def test_a_fifo_where_the_walk_reads_a_file_never_hangs(tmp_path: Path, name: str) -> None:
    """A FIFO named like a file the run reads: never a hang (git waits on one: after its time
    limit the walk lists the files itself)."""
    from tests.attacklib import git

    write(tmp_path, {"a.js": LEGACY, "sub/b.js": LEGACY})
    git("init", "-q", cwd=tmp_path)  # a repository: git and the walk read its .gitignore files
    os.mkfifo(tmp_path / name)
    done = run("check", "--no-cache", ".", cwd=tmp_path, timeout=120)
    assert_one_line_errors(done)
    assert done.returncode == 1 and done.stdout.count(b": DR101") == 4  # both files checked


def test_a_report_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    import subprocess

    from tests.attacklib import env as run_env

    write(tmp_path, {"a.js": LEGACY})
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "--no-cache", "a.js"], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, env=run_env(), check=False, timeout=60)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"cannot write the report to stdout (No space left on device)" in done.stderr


def test_every_bundled_code_says_what_its_message_is_given() -> None:
    from drmigrate.rules import MESSAGE_FIELDS, template_problem

    table = bundled_table()
    assert set(table.codes) <= set(MESSAGE_FIELDS), "add the new code's message values to rules.MESSAGE_FIELDS"
    assert all(template_problem(code, info.message) is None for code, info in table.codes.items())
