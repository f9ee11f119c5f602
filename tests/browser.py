"""A real headless Chromium for the HTML report tests: the DOM after the page's script ran, and
screenshots. No driver package: `--dump-dom` and `--screenshot` are enough.

Without Chromium the tests are skipped, unless DRMIGRATE_REQUIRE_BROWSER is set (CI sets it, so
the browser tests can never silently stop running there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                  "track", "wbr"})


def chromium() -> str:
    """The browser's path; skips the test when there is none (fails when one is required)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("DRMIGRATE_REQUIRE_BROWSER"):
            pytest.fail("DRMIGRATE_REQUIRE_BROWSER is set but chromium is not installed "
                        "(apt-get install -y chromium)")
        pytest.skip("needs chromium (apt-get install -y chromium)")
    return found


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="drmigrate-chromium-") as profile:
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dump_dom(page: Path, fragment: str = "", *, javascript: bool = True) -> Element:
    """The page's DOM as Chromium has it once loaded (scripts run unless `javascript` is False)."""
    if not javascript:
        # a second policy forbidding scripts (policies combine: each must allow a script);
        # `--blink-settings=scriptEnabled=false` would also stop `--dump-dom` from printing
        markup = page.read_text("utf-8")
        assert "<head>" in markup
        page = page.with_name(page.stem + "-no-script.html")
        page.write_text(markup.replace("<head>", '<head>\n<meta http-equiv="Content-Security-Policy" '
                                                 "content=\"script-src 'none'\">", 1), "utf-8")
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    done = _run(["--dump-dom", url])
    return parse(done.stdout)


def screenshot(page: Path, target: Path, *, width: int = 1100, height: int = 1500) -> Path:
    _run([f"--window-size={width},{height}", f"--screenshot={target}", page.resolve().as_uri()])
    return target


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def walk(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def all(self, tag: str, cls: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.walk() if e.tag == tag and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def one(self, tag: str, cls: str | None = None, **attrs: str) -> Element:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}>"
        return found[0]

    def by_id(self, id_: str) -> Element:
        return next(e for e in self.walk() if e.attrs.get("id") == id_)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(markup: str) -> Element:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    return builder.root
