"""The project layer: module resolution, skeletons, and the payload flow's promises across files.

Each scenario is a real tree in a fresh git repository, run through the command line: what is
reported, what is written (and, as important, what is not), on whole-tree and pre-commit-sized runs.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.project.index import ProjectIndex
from drmigrate.project.modules import ModuleResolver, ProjectFiles, ReadText
from drmigrate.project.skeleton import read_skeleton

DR = "const digitalriver = new DigitalRiver('pk');\n"
WRAPPER = DR + "export function pay(payload) {\n  return digitalriver.createSource(payload);\n}\n"
LEGACY = "{type: 'wireTransfer', amount: cart.total, currency: 'EUR', wireTransfer: {}}"


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def _run(root: Path, *args: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def _json(root: Path, *paths: str) -> dict[str, Any]:
    code, out = _run(root, "check", "--no-cache", "--format", "json", *(paths or (".",)))
    assert code in (0, 1), out
    data: dict[str, Any] = json.loads(out)
    return data


def _codes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["path"].removeprefix("./"), f["code"]) for f in doc["findings"]]


# -- module resolution --------------------------------------------------------------------------

@pytest.mark.parametrize(("files", "specifier", "importer", "expected"), [
    pytest.param(["src/a.js", "src/b.js"], "./b", "src/a.js", "src/b.js", id="relative"),
    pytest.param(["src/a.js", "lib/b.ts"], "../lib/b", "src/a.js", "lib/b.ts", id="parent-typescript"),
    pytest.param(["src/a.ts", "src/b.ts"], "./b.js", "src/a.ts", "src/b.ts", id="ts-imports-emitted-js"),
    pytest.param(["src/a.js", "src/lib/index.js"], "./lib", "src/a.js", "src/lib/index.js", id="folder-index"),
    pytest.param(["src/a.js", "node_modules/x/index.js"], "x", "src/a.js", None, id="package-outside"),
    pytest.param(["src/a.js"], "./missing", "src/a.js", None, id="missing"),
    pytest.param(["a.js", "c/cartridge/scripts/h.js"], "*/cartridge/scripts/h", "a.js", "c/cartridge/scripts/h.js",
                 id="sfcc-cartridge-path"),
    pytest.param(["c/cartridge/controllers/C.js", "c/cartridge/scripts/h.js"], "~/cartridge/scripts/h",
                 "c/cartridge/controllers/C.js", "c/cartridge/scripts/h.js", id="sfcc-own-cartridge"),
    pytest.param(["../up.js"], "../up", "a.js", None, id="never-above-the-root"),
])
def test_specifiers_resolve_to_project_files(tmp_path: Path, files: list[str], specifier: str, importer: str,
                                             expected: str | None) -> None:
    resolver = ModuleResolver(ProjectFiles.of(tmp_path, files), ReadText(tmp_path))
    assert resolver.resolve(specifier, importer) == expected


def test_requirejs_aliases_magento_modules_and_package_names(tmp_path: Path) -> None:
    files = {
        "app/code/Shop/Pay/registration.php":
            "<?php ComponentRegistrar::register(ComponentRegistrar::MODULE, 'Shop_Pay', __DIR__);",
        "app/code/Shop/Pay/view/frontend/requirejs-config.js":
            "var config = {map: {'*': {shopPayload: 'Shop_Pay/js/payload'}}, paths: {drHelper: 'Shop_Pay/js/helper'}};",
        "app/code/Shop/Pay/view/frontend/web/js/payload.js": "define([], function () { return {}; });",
        "app/code/Shop/Pay/view/frontend/web/js/helper.js": "define([], function () { return {}; });",
        "packages/sdk/package.json": '{"name": "@shop/sdk", "main": "src/main.js"}',
        "packages/sdk/src/main.js": "export const x = 1;",
        "packages/sdk/src/pay.js": "export const y = 1;",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    resolver = ModuleResolver(ProjectFiles.of(tmp_path, files), ReadText(tmp_path))
    assert resolver.resolve("shopPayload", "x.js") == "app/code/Shop/Pay/view/frontend/web/js/payload.js"
    assert resolver.resolve("drHelper", "x.js") == "app/code/Shop/Pay/view/frontend/web/js/helper.js"
    assert resolver.resolve("Shop_Pay/js/payload", "x.js") == "app/code/Shop/Pay/view/frontend/web/js/payload.js"
    assert resolver.resolve("Other_Module/js/payload", "x.js") is None
    assert resolver.resolve("@shop/sdk", "x.js") == "packages/sdk/src/main.js"
    assert resolver.resolve("@shop/sdk/src/pay", "x.js") == "packages/sdk/src/pay.js"


def test_skeleton_reads_every_module_form() -> None:
    text = ("import a, {b as c} from './x';\nimport * as ns from './y';\nconst r = require('./r');\n"
            "const {p} = require('./pq');\ndefine(['jquery', './amd'], function ($, amd) {});\n"
            "export {q as qq} from './q';\nexport * from './star';\nexport function build() {}\n"
            "module.exports.z = 1;\n")
    skeleton = read_skeleton("m.js", text)
    got = {(i.local, i.specifier, i.imported) for i in skeleton.imports if i.local}
    assert got == {("a", "./x", "default"), ("c", "./x", "b"), ("ns", "./y", "*"), ("r", "./r", "*"),
                   ("p", "./pq", "p"), ("$", "jquery", "*"), ("amd", "./amd", "*")}
    assert ("qq", "./q", "q") in skeleton.reexports and ("*", "./star", "*") in skeleton.reexports
    assert {"build", "z"} <= set(skeleton.exports)
    assert read_skeleton("s.js", "function drPay(p) {}\nvar cfg = {};\n").globals == ("drPay", "cfg")


# -- the flow's promises --------------------------------------------------------------------------

def test_a_wrapper_reading_a_field_keeps_it_at_the_builder(tmp_path: Path) -> None:
    """The wrapper in one module reads `amount`: the builder in another keeps it, saying where."""
    root = _tree(tmp_path / "shop", {
        "pay.js": DR + "export function pay(p) {\n  track(p.amount);\n  return digitalriver.createSource(p);\n}\n",
        "checkout.js": f"import {{pay}} from './pay';\nexport const go = (cart) => pay({LEGACY});\n",
    })
    doc = _json(root)
    kept = [f for f in doc["findings"] if f["code"] == "DR202"]
    assert kept and "pay.js" in kept[0]["message"] and "p.amount" in kept[0]["message"]
    assert ("checkout.js", "DR101") in _codes(doc)  # currency still goes
    _run(root, "fix", "--no-cache", ".")
    assert "amount: cart.total" in (root / "checkout.js").read_text("utf-8")
    assert "currency" not in (root / "checkout.js").read_text("utf-8")


def test_a_builder_another_module_reads_is_kept(tmp_path: Path) -> None:
    """`buildPayload` also feeds an order summary that reads `.amount`: its literal stays."""
    root = _tree(tmp_path / "shop", {
        "pay.js": DR + "import {buildPayload} from './payload';\n"
                       "export const go = (cart) => digitalriver.createSource(buildPayload(cart));\n",
        "payload.js": f"export function buildPayload(cart) {{\n  return {LEGACY};\n}}\n",
        "summary.js": "import {buildPayload} from './payload';\nexport const total = (c) => buildPayload(c).amount;\n",
    })
    doc = _json(root)
    assert any(f["code"] == "DR202" and "summary.js" in f["message"] for f in doc["findings"])
    before = (root / "payload.js").read_text("utf-8")
    _run(root, "fix", "--no-cache", ".")
    assert "amount: cart.total" in (root / "payload.js").read_text("utf-8")
    assert (root / "payload.js").read_text("utf-8") != before  # the session id still goes in


def test_a_named_call_file_never_writes_the_builder_outside_the_run(tmp_path: Path) -> None:
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "checkout.js": f"import {{pay}} from './pay';\nexport const go = (cart) => pay({LEGACY});\n",
    })
    code, out = _run(root, "fix", "--no-cache", "--format", "concise", "pay.js")
    assert code == 1 and "outside the paths checked" in out and "checkout.js:2" in out
    assert "amount" in (root / "checkout.js").read_text("utf-8")


def test_a_named_builder_is_checked_against_the_calls_that_reach_it(tmp_path: Path) -> None:
    """A pre-commit run that names only the builder: its callers are found around it."""
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "payload.js": f"export const build = (cart) => ({LEGACY});\n",
        "checkout.js": "import {pay} from './pay';\nimport {build} from './payload';\n"
                       "export const go = (cart) => pay(build(cart));\n",
        "unrelated.js": "export const labels = {type: 'wireTransfer', title: 'Wire'};\n",
    })
    doc = _json(root, "payload.js")
    assert _codes(doc) == [("payload.js", "DR100"), ("payload.js", "DR101"), ("payload.js", "DR101")]
    _run(root, "fix", "--no-cache", "payload.js")
    assert "amount" not in (root / "payload.js").read_text("utf-8")
    assert "DRMIGRATE_TODO_SESSION_ID" not in (root / "checkout.js").read_text("utf-8")
    assert _codes(_json(root, "unrelated.js")) == []  # a UI list with a type is no payload


def test_an_exported_wrapper_nothing_calls_is_a_note_not_a_finding(tmp_path: Path) -> None:
    root = _tree(tmp_path / "sdk", {"index.js": WRAPPER})
    code, out = _run(root, "check", "--no-cache", ".")
    assert code == 0 and "note: a wrapper for callers outside this tree" in out
    doc = _json(root)
    assert doc["findings"] == [] and doc["files"][0]["notes"][0]["line"] == 3


def test_a_page_global_nobody_calls_stays_dr200(tmp_path: Path) -> None:
    """A script's global may be called from pages the server prints: never green on a guess."""
    root = _tree(tmp_path / "shop", {
        "pay.js": "function drPay(p) { return digitalriver.createSource(p); }\n",
        "other.js": "var drPayLabel = 'pay'; function drPayments() {}\n",
    })
    doc = _json(root)
    assert [f["code"] for f in doc["findings"]] == ["DR200"]
    assert "no script or page of this project calls" in doc["findings"][0]["message"]


def test_page_globals_link_scripts_and_templates(tmp_path: Path) -> None:
    root = _tree(tmp_path / "shop", {
        "js/pay.js": "var dr = new DigitalRiver('pk');\nfunction drPay(p) { return dr.createSource(p); }\n",
        "checkout.html": f"<html><body><script>\nfunction onPay(cart) {{ drPay({LEGACY}); }}\n</script></body></html>\n",
    })
    doc = _json(root)
    assert _codes(doc) == [("checkout.html", "DR100"), ("checkout.html", "DR101"), ("checkout.html", "DR101")]
    followed = [s for f in doc["files"] for s in f.get("followed", [])]
    assert followed and followed[0]["builders"][0]["path"].endswith("checkout.html")


def test_a_shadowing_local_is_not_the_import(tmp_path: Path) -> None:
    """Calls of a local `pay` that shadows the imported wrapper are not its callers."""
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "checkout.js": "import {pay} from './pay';\n"
                       f"export function other(cart) {{\n  const pay = (x) => x;\n  return pay({LEGACY});\n}}\n"
                       "export const go = (cart) => pay({type: 'wireTransfer', sessionId: cart.sid, wireTransfer: {}});\n",
    })
    doc = _json(root)
    assert _codes(doc) == []  # the shadowed call's literal is not a payload; the real one is migrated
    followed = [s for f in doc["files"] for s in f.get("followed", [])]
    assert [s["state"] for s in followed] == ["migrated"]


def test_import_cycles_and_recursion_end(tmp_path: Path) -> None:
    root = _tree(tmp_path / "shop", {
        "a.js": "import {b} from './b';\n" + DR +
                "export function a(p, n) {\n  if (n) { return b(p, n - 1); }\n  return digitalriver.createSource(p);\n}\n",
        "b.js": "import {a} from './a';\nexport function b(p, n) { return a(p, n); }\n",
        "c.js": f"import {{a}} from './a';\nexport const go = (cart) => a({LEGACY}, 3);\n",
    })
    doc = _json(root)
    # the legacy field is found through the cycle: as DR101, or as the one DR202 that says why it stays
    assert {("c.js", "DR101"), ("c.js", "DR202")} & set(_codes(doc))


def test_the_wrappers_setting_checks_a_librarys_callers(tmp_path: Path) -> None:
    root = _tree(tmp_path / "shop", {
        ".drmigrate.toml": 'wrappers = ["@acme/dr-sdk:createPaymentSource@1", "DRHelper.pay"]\n',
        "checkout.js": "import {createPaymentSource} from '@acme/dr-sdk';\n"
                       f"export const go = (dr, cart) => createPaymentSource(dr, {LEGACY});\n",
        "page.js": f"DRHelper.pay({LEGACY});\nfunction local() {{ const DRHelper = {{pay() {{}}}}; DRHelper.pay({LEGACY}); }}\n",
        "other.js": f"import {{createPaymentSource}} from './mine';\ncreatePaymentSource(null, {LEGACY});\n",
    })
    doc = _json(root)
    assert sorted({path for path, _ in _codes(doc)}) == ["checkout.js", "page.js"]
    assert [f["line"] for f in doc["findings"] if f["path"].endswith("page.js")] == [1, 1, 1]
    (root / ".drmigrate.toml").write_text('wrappers = ["not a name"]\n', "utf-8")
    code, _ = _run(root, "check", "--no-cache", ".")
    assert code == 2  # `not a name` is refused with one line naming the file


def test_no_follow_reads_each_file_on_its_own(tmp_path: Path) -> None:
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "checkout.js": f"import {{pay}} from './pay';\nexport const go = (cart) => pay({LEGACY});\n",
    })
    code, out = _run(root, "check", "--no-cache", "--no-follow", "--format", "concise", ".")
    assert code == 1 and "DR200" in out and "checkout.js" not in out


def test_the_index_answers_importers_through_barrels(tmp_path: Path) -> None:
    files = {"lib/pay.js": WRAPPER, "lib/index.js": "export * from './pay';\n",
             "app.js": "import {pay} from './lib';\npay({});\n", "other.js": "import {pay} from './lib/pay';\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    index = ProjectIndex(tmp_path, lambda: list(files))
    found = {(rel, imported.local, names) for rel, imported, names in index.importers_through("lib/pay.js", ("pay",))}
    assert ("app.js", "pay", ("pay",)) in found and ("other.js", "pay", ("pay",)) in found
    assert index.origin_of("lib/index.js", ("pay",)) == ("lib/pay.js", ("pay",))


def test_the_index_kept_between_runs_gives_the_same_answers(tmp_path: Path) -> None:
    """Cold, warm, and warm after an importer changed: the same report as without the cache."""
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "payload.js": f"export const build = (cart) => ({LEGACY});\n",
        "checkout.js": "import {pay} from './pay';\nimport {build} from './payload';\n"
                       "export const go = (cart) => pay(build(cart));\n",
    })

    def report(*extra: str) -> str:
        code, out = _run(root, "check", "--format", "json", *extra, ".")
        assert code in (0, 1), out
        return out

    plain = report("--no-cache")
    assert report() == plain and report() == plain
    assert (root / ".drmigrate_cache").is_dir()
    (root / "summary.js").write_text("import {build} from './payload';\nexport const t = (c) => build(c).amount;\n",
                                     "utf-8")
    changed = report("--no-cache")
    assert changed != plain and "summary.js" in changed
    assert report() == changed  # the stored answers were for another tree: not used


IMPORT_FORMS = {
    "tsconfig.json": '{"compilerOptions": {"baseUrl": "src", "paths": {"@pay": ["checkout/payload.js"]}}}\n',
    "requirejs-config.js": "var config = {map: {'*': {payAlias: 'checkout/payload'}}};\n",
    "lib/package.json": '{"name": "shop-lib", "main": "index.js"}\n',
    "lib/index.js": "export const y = 1;\n",
    "src/checkout/payload.js": "export const x = {type: 'payPal'};\n",
    # importers of src/checkout/payload.js, one per way of naming it
    "src/checkout/a.js": "import {x} from './payload';\n",
    "src/b.js": 'import x from "./checkout/payload.js?v=2";\n',
    "src/c.js": "define(['jquery', 'payAlias'], function ($, p) {});\n",
    "src/d.ts": "import {x} from '@pay';\n",
    "src/e.js": "const p = require(`./checkout/payload`);\n",
    "src/f.js": "import x from 'checkout/payload';\n",
    # importers of lib/index.js
    "app.js": "import {y} from './lib';\n",
    "lib/sub/k.js": "import {y} from '../';\n",
    "m.js": "import y from 'shop-lib';\n",
    # look-alikes: the words, in strings that name another file or none
    "src/g.js": "const role = 'payload'; el.dataset.x = 'checkout/payload-x'; const lib = 'lib';\n",
    "src/h.js": "import x from './other/payload';\nimport z from './lib';\n",
    "src/i.html": '<div class="payload" data-lib="lib"></div>\n',
}


@pytest.mark.parametrize("target", ["src/checkout/payload.js", "lib/index.js"])
def test_importers_are_found_by_their_specifiers_without_parsing_look_alikes(tmp_path: Path, target: str) -> None:
    """Every way of naming a module is an importer; a file whose strings only look like it is not
    parsed. The oracle reads every file's skeleton and resolves each import (no text prefilter)."""
    for name, text in IMPORT_FORMS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    files = list(IMPORT_FORMS)
    resolver = ModuleResolver(ProjectFiles.of(tmp_path, files), ReadText(tmp_path))
    expected = {rel for rel in files if rel.endswith((".js", ".ts")) and rel != target and any(
        resolver.resolve(imported.specifier, rel) == target
        for imported in read_skeleton(rel, IMPORT_FORMS[rel]).imports)}
    assert len(expected) >= 3
    index = ProjectIndex(tmp_path, lambda: files)
    assert {rel for rel, _ in index.importers(target)} == expected
    parsed = set(index._skeletons)  # the files whose skeleton was read to answer
    assert expected <= parsed and not parsed & {"src/g.js", "src/h.js", "src/i.html"}


def test_the_kept_index_sees_a_same_size_edit_with_the_mtime_put_back(tmp_path: Path) -> None:
    """The index's kept skeletons and answers are keyed by size, mtime, ctime and inode: an
    importer rewritten to the same size, its mtime set back, is read again."""
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "pax.js": "export function pay(payload) {\n  return payload;\n}\n",
        "checkout.js": f"import {{pay}} from './pay';\nexport const go = (cart) => pay({LEGACY});\n",
    })
    code, warm = _run(root, "check", "--format", "json", ".")
    assert code == 1 and _run(root, "check", "--format", "json", ".") == (code, warm)
    target = root / "checkout.js"
    before = target.stat()
    target.write_text(target.read_text("utf-8").replace("'./pay'", "'./pax'"), "utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    plain = _run(root, "check", "--format", "json", "--no-cache", ".")
    assert plain != (code, warm)
    assert _run(root, "check", "--format", "json", ".") == plain


def test_the_index_keeps_only_what_it_read_from_settled_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skeletons and answers are kept for the next run, and used there (no skeleton is read
    again), but not from files whose timestamps are too recent to tell two versions apart."""
    import time

    from drmigrate.cache import Cache, StatIndex
    from drmigrate.config import Settings
    from drmigrate.pipeline import process_paths
    from drmigrate.project import index as index_module
    from drmigrate.runner import make_config

    assert index_module.RACY_NS == StatIndex.RACY_NS
    root = _tree(tmp_path / "shop", {
        "pay.js": WRAPPER,
        "checkout.js": f"import {{pay}} from './pay';\nexport const go = (cart) => pay({LEGACY});\n",
        "other.js": "export const x = 1;\n",
    })
    monkeypatch.chdir(root)
    reads: list[str] = []
    real = index_module.read_skeleton
    monkeypatch.setattr(index_module, "read_skeleton", lambda rel, text: reads.append(rel) or real(rel, text))

    def run() -> list[Any]:
        return process_paths(["."], make_config(), Settings(root=root), fixing=False, want_fixes=False, jobs=1,
                             show_progress=False, cache=Cache(tmp_path / "cache"))

    first = run()
    assert reads and any(r.status == "findings" for r in first)
    reads.clear()
    assert run() == first and reads  # the files were just written: nothing was kept
    time.sleep(index_module.RACY_NS / 1e9 + 0.3)
    reads.clear()
    assert run() == first and reads  # read once more, and kept
    reads.clear()
    assert run() == first and reads == []  # warm: the kept skeletons and answers
