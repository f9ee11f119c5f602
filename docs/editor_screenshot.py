"""docs/editor.png: drmigrate's diagnostics in a real editor, drawn by the editor itself.

Neovim (Debian's, `apt-get install -y neovim tmux chromium`) runs in a tmux pane of 118x34 cells
with `drmigrate server` attached as its language server, on a copy of the bundled example's
`js/checkout.js`. Once the diagnostics are drawn (virtual text and signs), the cursor goes to the
`amount` finding and Neovim's diagnostic float opens (message, help line); then tmux's capture
of the pane — the characters and the colours Neovim drew, `capture-pane -e` — is turned into an
HTML page cell by cell (nothing added, nothing reworded) and headless Chromium takes its picture.

    python docs/editor_screenshot.py            # writes docs/editor.png
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 118, 34
INIT = r"""
vim.o.termguicolors = true
vim.o.number = true
vim.o.signcolumn = "yes"
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. "I"
vim.cmd("syntax on")
vim.diagnostic.config({signs = true, underline = true, float = {border = "single", source = "always"},
  virtual_text = {prefix = "●", format = function(d) return d.code .. " " .. d.message:gsub("\n.*", "") end}})
vim.api.nvim_create_autocmd("FileType", {pattern = "javascript", callback = function(args)
  local id = vim.lsp.start_client({name = "drmigrate", cmd = {PYTHON, "-m", "drmigrate.cli", "server"},
                                   root_dir = vim.fn.getcwd()})
  vim.lsp.buf_attach_client(args.buf, id)
end})
"""
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
BASE_16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
           "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]


def _colour(codes: list[int], i: int) -> tuple[str | None, int]:
    """An extended colour (`38;2;r;g;b` or `38;5;n`) starting at codes[i+1]."""
    if codes[i + 1] == 2:
        r, g, b = codes[i + 2:i + 5]
        return f"#{r:02x}{g:02x}{b:02x}", i + 5
    n = codes[i + 2]
    if n < 16:
        return BASE_16[n], i + 3
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return f"#{steps[n // 36]:02x}{steps[n // 6 % 6]:02x}{steps[n % 6]:02x}", i + 3
    grey = 8 + (n - 232) * 10
    return f"#{grey:02x}{grey:02x}{grey:02x}", i + 3


def to_html(capture: str) -> str:
    """tmux's `capture-pane -e` output as a page of monospace cells in the colours it names."""
    rows = []
    fg: str | None = None
    bg: str | None = None
    bold = underline = reverse = False
    for line in capture.split("\n")[:HEIGHT]:
        cells = []
        pos = 0
        for match in [*_SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            text = line[pos:end]
            if text:
                f, b = (bg, fg) if reverse else (fg, bg)
                style = f"color:{f or '#d0d0d0'};background:{b or 'transparent'}"
                style += ";font-weight:bold" if bold else ""
                style += ";text-decoration:underline" if underline else ""
                cells.append(f'<span style="{style}">{html.escape(text)}</span>')
            if match is None:
                break
            pos = match.end()
            codes = [int(c) for c in match.group(1).split(";") if c] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg = bg = None
                    bold = underline = reverse = False
                elif c == 1:
                    bold = True
                elif c in (4, 21):
                    underline = True
                elif c == 7:
                    reverse = True
                elif c == 22:
                    bold = False
                elif c == 24:
                    underline = False
                elif c == 27:
                    reverse = False
                elif 30 <= c <= 37:
                    fg = BASE_16[c - 30]
                elif 90 <= c <= 97:
                    fg = BASE_16[c - 90 + 8]
                elif 40 <= c <= 47:
                    bg = BASE_16[c - 40]
                elif 100 <= c <= 107:
                    bg = BASE_16[c - 100 + 8]
                elif c == 39:
                    fg = None
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 1 < len(codes):
                    colour, i = _colour(codes, i)
                    if c == 38:
                        fg = colour
                    else:
                        bg = colour
                    continue
                i += 1
        rows.append("".join(cells) or "&nbsp;")
    body = "".join(f"<div>{row}</div>" for row in rows)  # no newline between rows: `pre` would show it
    return ("<!doctype html><meta charset=utf-8><style>body{margin:0;background:#1c1c1c}"
            "main{font:14px/18px 'DejaVu Sans Mono',monospace;white-space:pre;padding:8px;width:fit-content}"
            "</style><main>" + body + "</main>")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", "drmigrate-shot", *args], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    for tool in ("nvim", "tmux", "chromium"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install -y neovim tmux chromium")
    work = Path(tempfile.mkdtemp(prefix="drmigrate-shot-"))
    project = work / "shop"
    shutil.copytree(ROOT / "examples" / "checkout", project)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    init = work / "init.lua"
    init.write_text(INIT.replace("PYTHON", repr(sys.executable)))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONPATH": str(ROOT)}
    tmux("kill-server") if subprocess.run(["tmux", "-L", "drmigrate-shot", "has-session"],
                                          capture_output=True, check=False).returncode == 0 else None
    subprocess.run(["tmux", "-L", "drmigrate-shot", "new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT),
                    "-c", str(project), f"nvim -u {init} js/checkout.js"], check=True, env=env)
    try:
        deadline = time.monotonic() + 90
        while "● DR10" not in tmux("capture-pane", "-p"):
            if time.monotonic() > deadline:
                sys.exit("no diagnostics were drawn within 90 s:\n" + tmux("capture-pane", "-p"))
            time.sleep(0.5)
        time.sleep(1.0)
        tmux("send-keys", ":16", "Enter")  # the `amount` finding of the PayPal payload
        tmux("send-keys", "14|", "")
        tmux("send-keys", ":lua vim.diagnostic.open_float()", "Enter")
        time.sleep(1.5)
        capture = tmux("capture-pane", "-p", "-e")
    finally:
        subprocess.run(["tmux", "-L", "drmigrate-shot", "kill-server"], capture_output=True, check=False)
    page = work / "editor.html"
    page.write_text(to_html(capture), "utf-8")
    (work / "capture.txt").write_text(capture, "utf-8")
    target = ROOT / "docs" / "editor.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={WIDTH * 9 + 16},{HEIGHT * 18 + 16}", f"--screenshot={target}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    print(f"wrote {target} (the capture: {work / 'capture.txt'})")


if __name__ == "__main__":
    main()
