"""The HTML report, rendered by a real headless Chromium: the DOM it builds, with and without
JavaScript, filtering and sorting through the URL fragment, a merged page, and a screenshot.

`DRMIGRATE_UPDATE_SCREENSHOT=1 python -m pytest tests/test_html_report.py -k screenshot` rewrites
`docs/report.png`, the README's picture of the bundled example's report; look at it before
committing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from tests.browser import Element, dump_dom, screenshot
from tests.fixturelib import ROOT

EXAMPLE = ROOT / "examples" / "checkout"
SCREENSHOT = ROOT / "docs" / "report.png"
SCREENSHOT_MAX_BYTES = 150_000


def drmigrate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture()
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled example's report, written from inside a copy of it (paths read `js/...`)."""
    shutil.copytree(EXAMPLE, tmp_path / "checkout")
    monkeypatch.chdir(tmp_path / "checkout")
    code, out = drmigrate("check", "--format", "html", "--output-file", str(tmp_path / "report.html"), ".")
    assert code == 1, out
    return tmp_path / "report.html"


def rows_of(table: Element) -> list[list[str]]:
    body = table.one("tbody")
    return [[" ".join(c.text.split()) for c in row.all("td") + row.all("th")] for row in body.all("tr")]


def test_page_is_self_contained(example: Path) -> None:
    page = example.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for needle in ("<link", "<img", " src=", "@import", "url(", "<iframe", "fetch(", "XMLHttpRequest"):
        assert needle not in page, needle
    external = re.findall(r'href="(https?://[^"]+)"', page)
    assert external and all("docs.digitalriver.com" in url for url in external)  # doc links only
    assert "default-src 'none'" in page  # and the page forbids itself any request


def test_rendered_status_files_and_findings(example: Path) -> None:
    dom = dump_dom(example)
    body = dom.one("body")
    assert body.attrs.get("data-ready") == "true"  # the script ran without an error
    assert "hidden" not in dom.by_id("controls").attrs

    status = dom.by_id("status").one("table", "status")
    rows = {r[-1]: r[:-1] for r in rows_of(status)}  # row header (the method) comes last here
    assert rows["creditCard"][1:] == ["0", "1", "0", "0"]
    assert rows["payPal"][1:] == ["0", "1", "0", "0"]
    assert rows["total"][1:] == ["0", "3", "0", "0"]
    segments = status.all("span", "seg")
    assert segments and all("s-remaining" in s.classes for s in segments)
    assert all(s.attrs["style"] == "width:100.000%" for s in segments)

    files = rows_of(dom.by_id("files").one("table", "files"))
    assert [r[0] for r in files] == ["js/checkout.js", "js/klarna.js"]  # the Stripe file is left out
    assert files[0][3:] == ["0", "2", "0", "0", "7", "7", "0", "0"]
    assert "1 other file without payloads or findings." in dom.by_id("files").text

    findings = dom.all("article", "finding")
    assert len(findings) == 13 and not any("hidden" in f.attrs for f in findings)
    amount = next(f for f in findings if f.attrs["data-code"] == "DR101" and f.attrs["data-method"] == "payPal")
    assert "js/checkout.js:16:13" in amount.one("a", "loc").text
    frame = amount.one("pre", "frame")
    assert frame.one("mark").text == '"amount": cart.total'
    assert frame.one("span", "ln").text == "16"
    help_line = amount.one("p", "help")
    assert help_line.text == "help: Remove amount" and help_line.one("code").text == "amount"
    diff = amount.one("pre", "diff")
    assert any(line.text.startswith('-            "amount"') for line in diff.all("span", "del"))
    assert any("sessionId" in line.text for line in diff.all("span", "add"))
    link = amount.one("p", "doc").one("a")
    assert link.attrs["href"].startswith("https://docs.digitalriver.com/")
    items = next(f for f in findings if "payPal.items" in f.text)
    assert [ln.text for ln in items.one("pre", "frame").all("span", "ln")] == ["21", "22", "23"]


def test_readable_without_javascript(example: Path) -> None:
    dom = dump_dom(example, javascript=False)
    assert "data-ready" not in dom.one("body").attrs
    assert "hidden" in dom.by_id("controls").attrs  # the filters need the script: not shown
    findings = dom.all("article", "finding")
    assert len(findings) == 13 and not any("hidden" in f.attrs for f in findings)
    assert len(dom.by_id("status").all("span", "seg")) == 4
    assert all(f.all("pre", "frame") for f in findings)


@pytest.mark.parametrize(("fragment", "shown"), [
    pytest.param("code=DR102", 6, id="code"),
    pytest.param("method=klarnaCredit", 6, id="method"),
    pytest.param("state=fixable&code=DR100", 3, id="state-and-code"),
    pytest.param("q=taxamount", 1, id="search"),
    pytest.param("q=nothing-like-this", 0, id="search-none"),
])
def test_filters_from_the_fragment(example: Path, fragment: str, shown: int) -> None:
    dom = dump_dom(example, fragment)
    visible = [f for f in dom.all("article", "finding") if "hidden" not in f.attrs]
    assert len(visible) == shown
    assert dom.by_id("shown").text == f"{shown} of 13 findings"
    key, _, value = fragment.partition("&")[0].partition("=")
    if key == "code":
        assert {f.attrs["data-code"] for f in visible} == {value}
    for section in dom.all("section", "file"):  # a file with nothing left to show is hidden too
        has_visible = any("hidden" not in f.attrs for f in section.all("article", "finding"))
        assert ("hidden" in section.attrs) is not has_visible


def test_sorting_from_the_fragment(example: Path) -> None:
    table = dump_dom(example, "sort=findings").by_id("files").one("table", "files")
    assert [r[0] for r in rows_of(table)] == ["js/klarna.js", "js/checkout.js"]
    assert table.one("th", data_key="findings").attrs["aria-sort"] == "ascending"
    table = dump_dom(example, "sort=-findings").by_id("files").one("table", "files")
    assert [r[0] for r in rows_of(table)] == ["js/checkout.js", "js/klarna.js"]


def test_merged_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("shop-a", "shop-b"):
        shutil.copytree(EXAMPLE, tmp_path / name)
    monkeypatch.chdir(tmp_path / "shop-b")
    drmigrate("fix", "--session-id", "sid", "js/klarna.js")
    for name in ("shop-a", "shop-b"):
        monkeypatch.chdir(tmp_path / name)
        drmigrate("check", "--format", "json", "--repository", name, "-o", str(tmp_path / f"{name}.json"), ".")
    monkeypatch.chdir(tmp_path)
    code, out = drmigrate("report", "merge", "shop-a.json", "shop-b.json", "--format", "html", "-o", "all.html")
    assert code == 0, out
    dom = dump_dom(tmp_path / "all.html")
    tables = dom.by_id("status").all("table", "status")
    by_repo = {r[-1]: r[:-1] for r in rows_of(tables[-1])}
    assert by_repo["shop-a"][1:] == ["0", "3", "0", "0"] and by_repo["shop-b"][1:] == ["1", "2", "0", "0"]
    files = rows_of(dom.by_id("files").one("table", "files"))
    assert [r[:2] for r in files] == [["shop-a", "js/checkout.js"], ["shop-a", "js/klarna.js"],
                                      ["shop-b", "js/checkout.js"], ["shop-b", "js/klarna.js"]]
    assert len(dom.all("article", "finding")) == 13 + 7
    assert "shop-b: js/checkout.js:16:13" in dom.all("a", "loc")[13 + 2].text
    assert "2 repositories" in dom.one("p", "subtitle").text


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def recompress_png(data: bytes) -> bytes:
    """The same image with its pixel data deflated at the highest level (Chromium writes fast, big PNGs)."""
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        chunks.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    out = [data[:8]]
    wrote_idat = False
    for kind, body in chunks:
        if kind == b"IDAT":
            if wrote_idat:
                continue
            body, wrote_idat = zlib.compress(pixels, 9), True
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    return b"".join(out)


def test_screenshot_of_the_example_report(example: Path, tmp_path: Path) -> None:
    """A picture for a person to look at (printed path); with DRMIGRATE_UPDATE_SCREENSHOT=1 it
    replaces docs/report.png."""
    shot = screenshot(example, tmp_path / "report.png", width=1100, height=1200)
    data = recompress_png(shot.read_bytes())
    assert _png_size(data) == (1100, 1200)
    assert len(data) < SCREENSHOT_MAX_BYTES, len(data)
    if os.environ.get("DRMIGRATE_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(data)
    print(f"screenshot: {shot}")
    assert SCREENSHOT.exists(), "run with DRMIGRATE_UPDATE_SCREENSHOT=1 to create docs/report.png"
    assert _png_size(SCREENSHOT.read_bytes()) == (1100, 1200)
    assert SCREENSHOT.stat().st_size < SCREENSHOT_MAX_BYTES


def test_json_report_carries_what_the_page_needs(example: Path) -> None:
    code, out = drmigrate("check", "--format", "json", ".")
    assert code == 1
    doc = json.loads(out)
    first = doc["findings"][0]
    assert first["frame"] == [{"line": 6, "before": "        ", "marked": "type: 'creditCard'", "after": ","}]
    assert first["fix_title"] == "Add `sessionId` after `type`" and first["state"] == "fixable"
    assert "+        sessionId: 'DRMIGRATE_TODO_SESSION_ID'," in first["fix_diff"]
    assert doc["summary"]["fixable"] == 13 and doc["files"][0]["sites"]["remaining"] == 2


def test_report_text_is_escaped() -> None:
    """Code, messages, paths and names come from the repositories: never markup on the page."""
    from drmigrate.report.html import page as render

    evil = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>'
    doc = {
        "version": 1, "repository": evil, "mode": "check",
        "files": [{"path": evil, "status": "findings", "sites": {"remaining": 1}}],
        "findings": [{"path": evil, "line": 1, "column": 1, "code": evil, "name": evil, "message": evil,
                      "source_type": evil, "fix": "safe", "fix_applicable": True, "help": evil,
                      "url": "javascript:alert(3)", "fix_diff": "+" + evil,
                      "frame": [{"line": 1, "before": evil, "marked": evil, "after": evil}]}],
        "migration_status": {evil: {"remaining": 1, evil: 1}},
    }
    page = render(doc)
    assert "<img" not in page and "alert(2)</script>" not in page and "javascript:" not in page
    assert page.count("<script>") == 1
