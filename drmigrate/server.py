"""The language server (`drmigrate server`, LSP over stdio, with pygls): drmigrate in the editor.

Diagnostics come from the same run as `drmigrate check` on the file: the configuration found from
the file (`.drmigrate.toml` / `pyproject.toml`, resolved and validated as the CLI does),
`pipeline.process_paths`, and the project flow (a payload built in another file gets its builder's
verdict; a builder gets the findings its callers' seeds give it). The editor's unsaved buffers
stand for their files (`overlay`), this one's and the other open ones'. A finding's way from its
builder to the call is the diagnostic's related information; the code's `explain` text is its
hover.

Code actions: the fix of one finding (the file fixed as if every other finding were suppressed,
proven by the fix guard like any fix), "fix all" for the file (`source.fixAll.drmigrate` too, for
fix-on-save: the run `check --format json` makes, fixes computed and proven, done only when code
actions are asked for, so a diagnostic costs one analysis), and "suppress with a reason" (the
`drmigrate-ignore` comment `--add-noqa` writes, proven the same way).

Responsiveness: the analysis runs in a worker thread, never on the loop that reads messages; a
change waits a short moment for the next keystroke (the newest version wins), and a result for a
version the editor has moved past is dropped, never published.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from drmigrate.escape import printable
from drmigrate.model import FileResult, Finding
from drmigrate.report.common import help_text

DEBOUNCE_SECONDS = 0.15  # a change waits this long for the next keystroke before it is analysed
SOURCE = "drmigrate"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.drmigrate"
SUPPRESS_REASON = "reviewed in the editor; say why here"


@dataclass
class Snapshot:
    """The analysis of one version of one document."""

    version: int | None
    text: str
    result: FileResult | None
    config: Any = None  # the file's runner Config, for the code actions' checks
    error: str = ""  # a configuration that cannot be used: why
    path: str = ""
    overlay: dict[str, str] = field(default_factory=dict)  # the other open buffers it was run with
    fixes: FileResult | None = None  # the same run with the fixes computed: on demand (code actions)


@dataclass
class _Document:
    snapshot: Snapshot | None = None
    task: asyncio.Task[None] | None = None
    generation: int = 0


@dataclass
class State:
    documents: dict[str, _Document] = field(default_factory=dict)
    root: str | None = None


class DrmigrateServer(LanguageServer):
    def __init__(self) -> None:
        from drmigrate.report.common import tool_version

        super().__init__("drmigrate", tool_version())
        self.state = State()
        # one worker: analyses of one server run one after the other, and the loop stays free
        self.analyser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drmigrate-analysis")
        self.debounce = DEBOUNCE_SECONDS


server = DrmigrateServer()


def _path(uri: str) -> str | None:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) if uri.startswith("file:") else None


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(os.path.abspath(path)) or path


# --- analysis (in the worker thread) --------------------------------------------------------------

def analyse(path: str, text: str, overlay: dict[str, str], *, fixes: bool = False) -> Snapshot:
    """The run `check` makes on this one file, with the editor's buffers; with `fixes`, the run
    `check --format json` makes (the fixes computed and proven, not written): what the code
    actions need, computed only when they are asked for, so diagnostics cost one analysis."""
    from drmigrate import cli
    from drmigrate.pipeline import file_config, process_paths
    from drmigrate.runner import result_for

    try:
        table = cli._load_table(None)
        settings = cli.resolve_settings([path], None)
        cfg = cli.build_config(settings, table)
    except Exception as exc:  # noqa: BLE001 - a bad configuration is shown, never a crash
        message = getattr(exc, "message", None) or str(exc)
        return Snapshot(None, text, None, error=message)
    per_file = file_config(cfg, settings, path)
    if not os.path.exists(path):  # a buffer not saved yet: the file on its own
        return Snapshot(None, text, result_for(path, text, per_file, fix=False, diff=fixes), per_file,
                        path=path, overlay=overlay)
    results = process_paths([path], cfg, settings, fixing=False, want_fixes=fixes, jobs=1, show_progress=False,
                            cache=None, overlay={**overlay, os.path.abspath(path): text})
    mine = os.path.abspath(path)
    result = next((r for r in results if os.path.abspath(r.path) == mine), None)
    return Snapshot(None, text, result, per_file, path=path, overlay=overlay)


def with_fixes(snap: Snapshot) -> FileResult | None:
    """The snapshot's result with the fixes computed (once, in the worker)."""
    if snap.fixes is None and snap.path and not snap.error:
        snap.fixes = analyse(snap.path, snap.text, snap.overlay, fixes=True).result
    return snap.fixes


# --- positions ------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return text.split("\n")


def _position(ls: LanguageServer, lines: list[str], line: int, column: int) -> types.Position:
    """1-based line and code-point column -> an LSP position in the client's units."""
    row = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[row] if lines else ""
    return ls.workspace.position_codec.position_to_client_units(
        lines, types.Position(line=row, character=min(max(column - 1, 0), len(text))))


def _range(ls: LanguageServer, lines: list[str], line: int, column: int, end_line: int,
           end_column: int) -> types.Range:
    start = _position(ls, lines, line, column)
    end = _position(ls, lines, max(end_line, line), end_column if end_line else column)
    return types.Range(start=start, end=end)


# --- diagnostics ----------------------------------------------------------------------------------

def diagnostics(ls: LanguageServer, uri: str, snap: Snapshot) -> list[types.Diagnostic]:
    lines = _lines(snap.text)
    if snap.error:
        return [types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                                   end=types.Position(line=0, character=0)),
                                 message=f"drmigrate cannot run: {printable(snap.error)}",
                                 severity=types.DiagnosticSeverity.Error, source=SOURCE)]
    r = snap.result
    if r is None:
        return []
    if r.status == "error":
        return [types.Diagnostic(range=_range(ls, lines, 1, 1, 1, 1),
                                 message=f"drmigrate cannot read this file: {printable(r.reason)}",
                                 severity=types.DiagnosticSeverity.Information, source=SOURCE)]
    from drmigrate.rules import bundled_table

    table = bundled_table()
    out = []
    for index, f in enumerate(r.findings):
        related = [types.DiagnosticRelatedInformation(
            location=types.Location(uri=_uri(step.path) if step.path else uri,
                                    range=_step_range(ls, lines, step, own=not step.path)),
            message=printable(step.what)) for step in f.related]
        unused = f.code.startswith("DR3")
        out.append(types.Diagnostic(
            range=_range(ls, lines, f.line, f.column, f.end_line, f.end_column),
            message=f"{printable(f.message)}\nhelp: {printable(help_text(f))}",
            severity=types.DiagnosticSeverity.Hint if unused else types.DiagnosticSeverity.Warning,
            code=f.code,
            code_description=types.CodeDescription(href=table.source_url),
            source=SOURCE,
            tags=[types.DiagnosticTag.Unnecessary] if unused else None,
            related_information=related or None,
            data={"index": index, "code": f.code, "fixable": f.fix_applicable}))
    for line, column, text in r.notes:
        out.append(types.Diagnostic(range=_range(ls, lines, line, column, line, column),
                                    message=printable(text), severity=types.DiagnosticSeverity.Information,
                                    source=SOURCE, code="note"))
    return out


def _step_range(ls: LanguageServer, lines: list[str], step: Any, *, own: bool) -> types.Range:
    if own:
        return _range(ls, lines, step.line, step.column, step.line, step.column)
    # a place in another file: its line and column are code points there, as most editors count
    # them for ASCII code; the other file's text is not at hand here
    position = types.Position(line=max(step.line - 1, 0), character=max(step.column - 1, 0))
    return types.Range(start=position, end=position)


def _publish(ls: LanguageServer, uri: str, version: int | None, found: list[types.Diagnostic]) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found,
                                                                        version=version))


async def _run(ls: DrmigrateServer, uri: str, generation: int, wait: float) -> None:
    if wait:
        await asyncio.sleep(wait)
    document = ls.state.documents.get(uri)
    path = _path(uri)
    if document is None or document.generation != generation or path is None:
        return
    doc = ls.workspace.get_text_document(uri)
    version, text = doc.version, doc.source
    overlay = {}
    for other_uri in ls.state.documents:
        other_path = _path(other_uri)
        if other_uri != uri and other_path is not None:
            overlay[os.path.abspath(other_path)] = ls.workspace.get_text_document(other_uri).source
    loop = asyncio.get_running_loop()
    snap = await loop.run_in_executor(ls.analyser, analyse, path, text, overlay)
    current = ls.state.documents.get(uri)
    if current is None or current.generation != generation or ls.workspace.get_text_document(uri).version != version:
        return  # the editor moved on while this ran: a newer analysis is coming
    snap.version = version
    current.snapshot = snap
    _publish(ls, uri, version, diagnostics(ls, uri, snap))


def schedule(ls: DrmigrateServer, uri: str, wait: float) -> None:
    document = ls.state.documents.setdefault(uri, _Document())
    document.generation += 1
    if document.task is not None and not document.task.done():
        document.task.cancel()
    document.task = asyncio.get_running_loop().create_task(_run(ls, uri, document.generation, wait))


@server.feature(types.INITIALIZE)
def initialize(ls: DrmigrateServer, params: types.InitializeParams) -> None:
    root = None
    if params.workspace_folders:
        root = _path(params.workspace_folders[0].uri)
    elif params.root_uri:
        root = _path(params.root_uri)
    if root and os.path.isdir(root):
        ls.state.root = root
        os.chdir(root)  # paths in reports (and the project's fallback root) are relative to it


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: DrmigrateServer, params: types.DidOpenTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: DrmigrateServer, params: types.DidChangeTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, ls.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: DrmigrateServer, params: types.DidSaveTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: DrmigrateServer, params: types.DidCloseTextDocumentParams) -> None:
    document = ls.state.documents.pop(params.text_document.uri, None)
    if document is not None and document.task is not None:
        document.task.cancel()
    _publish(ls, params.text_document.uri, None, [])


# --- hover ----------------------------------------------------------------------------------------

def _current(ls: DrmigrateServer, uri: str) -> Snapshot | None:
    """The analysis of the version the editor shows; None while a newer one is pending."""
    document = ls.state.documents.get(uri)
    snap = document.snapshot if document is not None else None
    if snap is None or snap.result is None or snap.version != ls.workspace.get_text_document(uri).version:
        return None
    return snap


def _at(ls: LanguageServer, snap: Snapshot, position: types.Position) -> list[Finding]:
    lines = _lines(snap.text)
    assert snap.result is not None
    out = []
    for f in snap.result.findings:
        r = _range(ls, lines, f.line, f.column, f.end_line, f.end_column)
        if (r.start.line, r.start.character) <= (position.line, position.character) <= (r.end.line, r.end.character):
            out.append(f)
    return out


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: DrmigrateServer, params: types.HoverParams) -> types.Hover | None:
    snap = _current(ls, params.text_document.uri)
    if snap is None:
        return None
    found = _at(ls, snap, params.position)
    if not found:
        return None
    from drmigrate.cli import explain_code_text
    from drmigrate.rules import bundled_table

    table = bundled_table()
    parts = []
    for f in dict.fromkeys(found):
        info = table.codes.get(f.code)
        if info is None:
            continue
        parts.append(f"**{f.code}** ({info.name}): {printable(f.message)}\n\n```text\n"
                     f"{explain_code_text(table, info)}\n```\n\n[{table.source_title}]({table.source_url})")
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


# --- code actions ---------------------------------------------------------------------------------

def _text_edits(ls: LanguageServer, old: str, new: str) -> list[types.TextEdit]:
    """`new` as replacements of whole lines of `old` (so positions are line starts, whatever the
    client counts columns in, but for the end of the text)."""
    import difflib

    a = old.split("\n")
    b = new.split("\n")
    edits = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        replacement = "".join(line + "\n" for line in b[j1:j2])
        start = types.Position(line=i1, character=0)
        if i2 >= len(a):  # up to the end of the text (no newline after the last line)
            end = types.Position(line=len(a) - 1, character=ls.workspace.position_codec.client_num_units(a[-1]))
            if i1 >= len(a):
                start = end
                replacement = "\n" + "\n".join(b[j1:j2])
            else:
                replacement = "\n".join(b[j1:j2])
        else:
            end = types.Position(line=i2, character=0)
        edits.append(types.TextEdit(range=types.Range(start=start, end=end), new_text=replacement))
    return edits


def _edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits)])


def one_fix(snap: Snapshot, f: Finding) -> str | None:
    """The text with the fix of `f` alone: the file fixed as if every other finding were
    suppressed (`Options.only`), proven by the fix guard like any fix; None when it changes
    nothing (a finding the project's seeds gave this file: "fix all" has it)."""
    from dataclasses import replace

    from drmigrate.runner import process_text

    if snap.config is None or not f.fix_applicable:
        return None
    cfg = snap.config
    alone = replace(cfg, options=replace(cfg.options, only=frozenset({(f.code, *f.span)})))
    outcome = process_text(snap.text, snap.result.path if snap.result else "", alone, fix=True)
    if outcome.error or outcome.fixed is None or any(x.code == "DR203" for x in outcome.findings):
        return None
    return outcome.fixed


def suppression(snap: Snapshot, f: Finding) -> str | None:
    """The text with a `drmigrate-ignore` directive for `f` (as `--add-noqa` writes it)."""
    from drmigrate import noqa
    from drmigrate.runner import front_end_for

    r = snap.result
    if r is None or snap.config is None:
        return None
    planned, refused = noqa.plan(snap.text, r.path, [f], SUPPRESS_REASON)
    if refused or not planned:
        return None
    new = noqa.apply(snap.text, planned)
    try:
        noqa.verify(front_end_for(r.path, snap.config.template_extensions), snap.text, new, snap.config.settings)
    except noqa.Refused:
        return None
    return new


def code_actions(ls: DrmigrateServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    snap = _current(ls, uri)
    if snap is None or snap.result is None:
        return []
    r = snap.result
    wanted = params.context.only
    lines = _lines(snap.text)
    out: list[types.CodeAction] = []
    fixed = with_fixes(snap) if any(f.fix_applicable for f in r.findings) else None
    fix_all = fixed is not None and fixed.fixed is not None and fixed.original == snap.text
    if not wanted or any(types.CodeActionKind.QuickFix.value.startswith(k) or k == types.CodeActionKind.QuickFix
                         for k in wanted):
        for f in r.findings:
            span = _range(ls, lines, f.line, f.column, f.end_line, f.end_column)
            if span.end.line < params.range.start.line or span.start.line > params.range.end.line:
                continue
            diagnostic = next((d for d in params.context.diagnostics if d.code == f.code and d.range == span), None)
            alone = one_fix(snap, f) if f.fix_applicable else None
            if alone is not None:
                title = f"{f.fix_title.removesuffix(' (unsafe)').strip() or 'Fix'} ({f.code})"
                out.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                                            diagnostics=[diagnostic] if diagnostic else None, is_preferred=True,
                                            edit=_edit(uri, snap.version, _text_edits(ls, snap.text, alone))))
            silenced = suppression(snap, f)
            if silenced is not None:
                out.append(types.CodeAction(
                    title=f"Suppress {f.code} on line {f.line} with a reason (drmigrate-ignore comment)",
                    kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic] if diagnostic else None,
                    edit=_edit(uri, snap.version, _text_edits(ls, snap.text, silenced))))
        if fix_all and fixed is not None and fixed.fixed is not None:
            out.append(types.CodeAction(title="Fix all drmigrate findings in this file",
                                        kind=types.CodeActionKind.QuickFix,
                                        edit=_edit(uri, snap.version, _text_edits(ls, snap.text, fixed.fixed))))
    # asked for by kind (fix on save: `source.fixAll`): the same edit as a source action
    if fix_all and fixed is not None and fixed.fixed is not None and wanted and any(
            FIX_ALL_KIND.startswith(k) for k in wanted):
        out.append(types.CodeAction(title="Fix all drmigrate findings in this file", kind=FIX_ALL_KIND,
                                    edit=_edit(uri, snap.version, _text_edits(ls, snap.text, fixed.fixed))))
    return out


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]))
async def code_action(ls: DrmigrateServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    # the checks of a one-finding fix analyse the file again: in the worker, not on the loop
    return await asyncio.get_running_loop().run_in_executor(ls.analyser, code_actions, ls, params)


def start() -> None:
    """Serve over stdio until the client says exit."""
    server.start_io()
