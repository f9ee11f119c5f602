"""Attack suite, scale (issue 20): a repository's size must not make the report unusable.

The HTML page of 100,000 findings renders a bounded number of them, keeps a bounded number more
as markup its script turns into elements on demand (a file opened, a filter), and counts the rest,
which the JSON report holds; it loads and filters in a real headless Chromium. Peak memory of a
run over 50,000 findings stays bounded: the JSON report is written finding by finding.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.hostile import PEAK  # the memory probe the hostile-input benchmark runs too
from drmigrate.report import html
from tests.attacklib import env
from tests.browser import dump_dom

CODES = ("DR100", "DR101", "DR102", "DR200")


def _report(findings: int, per_file: int = 20) -> dict[str, Any]:
    """A JSON report of `findings` findings, shaped as drmigrate writes them."""
    items = []
    files = []
    for f in range(findings // per_file):
        path = f"app/module{f // 100:03}/checkout{f:05}.js"
        files.append({"path": path, "status": "findings", "parser": "esprima", "findings": per_file,
                      "sites": {"remaining": per_file // 2}})
        for i in range(per_file):
            code = CODES[(f + i) % len(CODES)]
            items.append({
                "path": path, "line": 10 + i, "column": 9, "end_line": 10 + i, "end_column": 29, "code": code,
                "name": "legacy-amount-currency", "message": f"`amount` on a `payPal` payload is read from the "
                f"payment session; remove it ({f}.{i})", "source_type": "payPal", "fix": "safe",
                "fix_applicable": code != "DR200", "confidence": "high", "fix_title": "Remove `amount`",
                "state": "fixable" if code != "DR200" else "manual", "help": "Remove `amount`",
                "url": "https://docs.digitalriver.com/x",
                "frame": [{"line": 10 + i, "before": "        ", "marked": "amount: cart.total", "after": ","}],
                "fix_diff": f"@@ -{9 + i},3 +{9 + i},2 @@\n     type: 'payPal',\n-    amount: cart.total,\n     payPal: {{}}\n",
            })
    return {"version": 1, "repository": "big", "mode": "check", "files": files, "findings": items,
            "summary": {"findings": len(items)}, "migration_status": {"payPal": {"remaining": len(items) // 2}}}


@pytest.fixture(scope="module")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("html") / "big.html"
    page.write_text(html.page(_report(100_000)), "utf-8")
    return page


def test_a_page_of_100k_findings_is_bounded(big_page: Path) -> None:
    text = big_page.read_text("utf-8")
    size = len(text.encode("utf-8"))
    print(f"page of 100,000 findings: {size / 1e6:.1f} MB")
    assert size < 25_000_000  # 50,000 findings made 80 MB
    assert text.count('<article class="finding"') == html.RENDERED
    data = text[text.index('id="more-findings">') + len('id="more-findings">'):]
    assert len(json.loads(data[:data.index("</script>")])) == html.EMBEDDED
    assert "100000 of 100000 findings" in text
    assert "more files with payloads or findings are not in this table" in text


@pytest.mark.parametrize(("fragment", "words"), [
    pytest.param("", "100000 of 100000 findings", id="all"),
    pytest.param("code=DR200", "of 100000 findings (94500 more are only in the JSON report)", id="code"),
])
def test_a_page_of_100k_findings_loads_and_filters_in_a_browser(big_page: Path, fragment: str, words: str) -> None:
    dom = dump_dom(big_page, fragment)
    body = dom.one("body")
    assert body.attrs.get("data-ready") == "true"
    print(f"page of 100,000 findings ready after {body.attrs.get('data-ready-ms')} ms ({fragment or 'no filter'})")
    assert words in dom.by_id("shown").text
    articles = dom.all("article", "finding")
    if fragment:
        visible = [a for a in articles if "hidden" not in a.attrs]
        assert visible and {a.attrs["data-code"] for a in visible} == {"DR200"}
        assert len(visible) > html.RENDERED // 4  # embedded matches were rendered too
        assert int(dom.by_id("shown").text.split()[0]) == (html.RENDERED + html.EMBEDDED) // 4
    else:
        assert len(articles) == html.RENDERED


def test_a_page_of_100k_findings_reads_without_javascript(big_page: Path) -> None:
    dom = dump_dom(big_page, javascript=False)
    assert len(dom.all("article", "finding")) == html.RENDERED
    more = dom.all("details", "more")
    assert more and "more findings in this file" in more[-1].text


def _peak_kib(tmp_path: Path, *args: str) -> int:
    done = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=tmp_path, capture_output=True, text=True,
                          env=env(), timeout=1800, check=False)
    return int(done.stderr.strip().splitlines()[-1])


def test_the_json_report_is_the_json_of_its_document(tmp_path: Path) -> None:
    """Written finding by finding, it is still exactly what `json.dumps(doc, indent=2)` gives."""
    root = tmp_path / "r"
    payload = "digitalriver.createSource({type: 'wireTransfer', amount: %d, currency: 'EUR', wireTransfer: {}});\n"
    for i in range(3):
        (root / f"f{i}.js").parent.mkdir(parents=True, exist_ok=True)
        (root / f"f{i}.js").write_text("".join(payload % j for j in range(2)))
    (root / "none.js").write_text("var x = 1;\n")
    for args in (("f0.js", "f1.js", "f2.js", "none.js"), ("none.js",)):
        done = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "--no-cache", "--format", "json",
                               *args], cwd=root, capture_output=True, text=True, env=env(), check=False)
        assert done.stdout == json.dumps(json.loads(done.stdout), indent=2, ensure_ascii=False) + "\n"


def test_peak_memory_of_a_report_is_not_a_second_copy_of_the_results(tmp_path: Path) -> None:
    """The JSON report of 25,200 findings is written as it is made: the run's peak memory is that
    of a run that reports nothing (its results), not that plus every finding again as a dict and
    the whole text."""
    payload = "digitalriver.createSource({type: 'wireTransfer', amount: %d, currency: 'EUR', wireTransfer: {}});\n"
    root = tmp_path / "r"
    for i in range(1200):
        path = root / f"m{i // 100:02}" / f"f{i:04}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(payload % j for j in range(7)))
    base = _peak_kib(tmp_path, "--version")
    quiet = _peak_kib(root, "check", "--no-cache", "--jobs", "1", "-q", ".")
    report = _peak_kib(root, "check", "--no-cache", "--jobs", "1", "--format", "json", "-o",
                       str(tmp_path / "r.json"), ".")
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["findings"] == 1200 * 21
    print(f"peak memory: interpreter {base} KiB, 25,200 findings reported quietly {quiet} KiB, "
          f"as JSON {report} KiB")
    assert report - base < 1.5 * (quiet - base)
