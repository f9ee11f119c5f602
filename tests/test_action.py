"""The GitHub Action (`action.yml`): its `run:` steps run as a runner runs them — inputs and
expressions substituted, `bash -eo pipefail`, GitHub's environment variables and files
(GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...) — in a temporary git repository; the
install step really installs this checkout with pip. `uses:` steps (setup-python, the SARIF
upload) are recorded with their inputs, not run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.fixturelib import ROOT

LEGACY = "digitalriver.createSource({type: 'payPal', amount: 1, currency: 'USD', payPal: {returnUrl: u}});\n"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Run:
    outputs: dict[str, str]  # the action's outputs
    steps: list[tuple[str, int | None, str]] = field(default_factory=list)  # (name, exit code, log)
    uses: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # `uses:` steps reached
    summary: str = ""
    failed: bool = False


def _parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` blocks."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


class Runner:
    """Just enough of a GitHub runner for a composite action."""

    def __init__(self, action: dict[str, Any], workspace: Path, temp: Path, python_dir: Path) -> None:
        self.action = action
        self.workspace = workspace
        self.temp = temp
        self.python_dir = python_dir

    def evaluate(self, expression: str, inputs: dict[str, str], steps: dict[str, dict[str, str]],
                 failed: bool) -> Any:
        """The expressions action.yml uses: contexts, `''` strings, ==, !=, &&, always()."""
        expression = expression.strip()
        if "&&" in expression:
            return all(self.evaluate(part, inputs, steps, failed) for part in expression.split("&&"))
        for op in ("!=", "=="):
            if op in expression:
                left, right = (self.evaluate(p, inputs, steps, failed) for p in expression.split(op, 1))
                return (left != right) if op == "!=" else (left == right)
        if expression == "always()":
            return True
        if expression.startswith("'") and expression.endswith("'"):
            return expression[1:-1]
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(ROOT)
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if match:
            return steps.get(match.group(1), {}).get(match.group(2), "")
        raise AssertionError(f"expression not understood by the test runner: {expression}")

    def substitute(self, text: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
        return _EXPRESSION.sub(lambda m: str(self.evaluate(m.group(1), inputs, steps, False)), text)

    def run(self, given: dict[str, str]) -> Run:
        declared = self.action["inputs"]
        inputs = {name: given.get(name, str(spec.get("default", ""))) for name, spec in declared.items()}
        assert set(given) <= set(declared), "an input the action does not declare"
        output_file = self.temp / "output"
        summary_file = self.temp / "summary.md"
        summary_file.write_text("")
        env = {
            "PATH": f"{self.python_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", str(self.temp)),
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file),
            "GITHUB_ENV": str(self.temp / "env"), "GITHUB_PATH": str(self.temp / "path"),
            "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(self.temp), "RUNNER_OS": "Linux",
            "GITHUB_REPOSITORY": "shop/storefront", "GITHUB_SHA": "0" * 40,
        }
        result = Run({})
        steps: dict[str, dict[str, str]] = {}
        for step in self.action["runs"]["steps"]:
            condition = step.get("if")
            name = step.get("name", step.get("id", "?"))
            if condition is None and result.failed:
                continue  # success() is the default condition
            if condition is not None and not self.evaluate(condition, inputs, steps, result.failed):
                continue
            if "uses" in step:
                with_ = {k: self.substitute(str(v), inputs, steps) for k, v in (step.get("with") or {}).items()}
                result.uses.append((step["uses"], with_))
                continue
            assert step.get("shell") == "bash", f"{name}: a composite step must name its shell"
            script = self.substitute(step["run"], inputs, steps)
            step_env = {**env, **{k: self.substitute(str(v), inputs, steps) for k, v in (step.get("env") or {}).items()}}
            output_file.write_text("")
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                  cwd=self.workspace, env=step_env, capture_output=True, text=True, timeout=600,
                                  check=False)
            result.steps.append((name, done.returncode, done.stdout + done.stderr))
            if "id" in step:
                steps[step["id"]] = _parse_outputs(output_file.read_text())
            if done.returncode != 0:
                result.failed = True
        result.outputs = {name: self.substitute(str(spec["value"]), inputs, steps)
                          for name, spec in self.action["outputs"].items()}
        result.summary = summary_file.read_text()
        return result


@pytest.fixture(scope="module")
def python_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment as the runner's `python3`, which sees this environment's
    packages (so the install step resolves drmigrate's dependencies without downloading them)
    but not drmigrate: the action's own install step puts it there."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # this environment's packages, less drmigrate itself (installed or editable): the action's
    # install step is what must bring it. A path in a .pth file joins sys.path.
    view = venv.parent / "dependencies"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("drmigrate", "__editable__.drmigrate", "__editable___drmigrate")):
            (view / entry.name).symlink_to(entry)
    (Path(site) / "dependencies.pth").write_text(f"{view}\n")
    return venv / "bin"


@pytest.fixture
def runner(tmp_path: Path, python_dir: Path) -> Runner:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    workspace = tmp_path / "repo"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    return Runner(action, workspace, temp, python_dir)


def _commit(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)


def test_findings_annotate_write_sarif_upload_and_fail(runner: Runner) -> None:
    _commit(runner.workspace, {"js/checkout.js": LEGACY, "js/ok.js": "var x = 1;\n"})
    run = runner.run({"upload-sarif": "true", "paths": "js"})
    names = [(name, code) for name, code, _ in run.steps]
    assert names == [("Install drmigrate", 0), ("Check", 0), ("Fail as the exit code says", 1)]
    assert "drmigrate, version" in run.steps[0][2]
    installed = subprocess.run([str(runner.python_dir / "python"), "-c", "import drmigrate; print(drmigrate.__file__)"],
                               capture_output=True, text=True, cwd=runner.temp, check=True).stdout
    assert installed.startswith(str(runner.python_dir.parent)), installed  # the action installed it
    log = run.steps[1][2]
    annotations = [line for line in log.splitlines() if line.startswith("::warning ")]
    assert len(annotations) == 3
    assert annotations[0].startswith("::warning file=js/checkout.js,line=1,col=28,")
    assert run.outputs == {"exit-code": "1", "findings": "3", "sarif-file": "drmigrate.sarif"}
    sarif = json.loads((runner.workspace / "drmigrate.sarif").read_text())
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert len(sarif["runs"][0]["results"]) == 3
    assert run.uses == [("github/codeql-action/upload-sarif@v3", {"sarif_file": "drmigrate.sarif",
                                                                  "category": "drmigrate"})]
    assert "3 findings remain" in run.summary


def test_a_clean_repository_passes_and_uploads_nothing_unasked(runner: Runner) -> None:
    _commit(runner.workspace, {"js/ok.js": "var x = 1;\n", "README.md": "createSource in prose\n"})
    run = runner.run({})
    assert [(name, code) for name, code, _ in run.steps] == [
        ("Install drmigrate", 0), ("Check", 0), ("Fail as the exit code says", 0)]
    assert run.outputs["exit-code"] == "0" and run.outputs["findings"] == "0"
    assert run.uses == []  # neither setup-python nor the upload was asked for
    assert "nothing to report" in run.summary


def test_arguments_and_hostile_inputs(runner: Runner) -> None:
    _commit(runner.workspace, {"a b/checkout.js": LEGACY, "other.js": LEGACY})
    run = runner.run({"paths": "other.js\n$(touch pwned)", "args": "--select DR101 --exit-zero",
                      "sarif-file": "out/report.sarif", "python-version": "3.11"})
    assert not (runner.workspace / "pwned").exists()  # an input is data, never code
    assert run.uses[0] == ("actions/setup-python@v5", {"python-version": "3.11"})
    check = run.steps[1]
    # `$(touch pwned)` is two paths that do not exist: an error, exit 2, named in the log
    assert "::error file=$(touch,title=drmigrate::no such file or directory" in check[2]
    assert run.outputs["exit-code"] == "2" and (runner.workspace / "out" / "report.sarif").is_file()
    assert run.steps[-1][1] == 2
    run = runner.run({"paths": "other.js", "args": "--select DR101 --exit-zero", "sarif-file": "report.sarif"})
    assert run.outputs == {"exit-code": "0", "findings": "2", "sarif-file": "report.sarif"}  # amount, currency
    assert [code for _, code, _ in run.steps] == [0, 0, 0]


def test_the_action_declares_what_it_uses() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        for value in (step.get("run") or "",):
            # inputs reach scripts through env only (no `${{ inputs.* }}` spliced into code)
            assert "${{" not in value, step.get("name")
    assert shutil.which("bash")
