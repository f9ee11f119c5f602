"""`drmigrate server` end to end: a real LSP client (pytest-lsp, on pygls) speaking JSON-RPC over
stdio to the real server process, in a real project directory with a configuration file."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from drmigrate.runner import fix_text

pytestmark = pytest.mark.asyncio

INLINE = """var cart = getCart();
digitalriver.createSource({
    type: 'payPal',
    amount: cart.total,
    currency: cart.currency,
    payPal: {returnUrl: '/ok'}
});
"""
BUILDER = "export function buildPayload(cart) {\n  return {type: 'payPal', amount: cart.total, payPal: {returnUrl: '/r'}};\n}\n"
CALLER = ("import {buildPayload} from './payload';\n"
          "export function pay(cart) {\n  return digitalriver.createSource(buildPayload(cart));\n}\n")
TIMEOUT = 60


class Client:
    """A test client that keeps every diagnostics notification, in order."""

    def __init__(self, lsp: LanguageClient, root: Path) -> None:
        self.lsp = lsp
        self.root = root
        self.published: list[types.PublishDiagnosticsParams] = []
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}

    def uri(self, name: str) -> str:
        uri = from_fs_path(str(self.root / name))
        assert uri is not None
        return uri

    async def diagnostics(self, uri: str, version: int | None) -> list[types.Diagnostic]:
        """The diagnostics the server publishes for `version` of `uri`."""
        async def wait() -> list[types.Diagnostic]:
            while True:
                found = [p for p in self.published if p.uri == uri and (version is None or p.version == version)]
                if found:
                    return list(found[-1].diagnostics)
                await asyncio.sleep(0.02)
        return await asyncio.wait_for(wait(), TIMEOUT)

    async def open(self, name: str) -> list[types.Diagnostic]:
        uri = self.uri(name)
        text = (self.root / name).read_text("utf-8")
        self.versions[uri], self.texts[uri] = 1, text
        self.lsp.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="javascript", version=1, text=text)))
        return await self.diagnostics(uri, 1)

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.lsp.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    async def apply(self, uri: str, action: types.CodeAction) -> list[types.Diagnostic]:
        """Apply a code action's edit as an editor does (the edits on the buffer, then didChange)."""
        assert action.edit is not None and action.edit.document_changes
        change = action.edit.document_changes[0]
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == self.versions[uri]
        text = apply_edits(self.texts[uri], change.edits)
        return await self.diagnostics(uri, self.change(uri, text))

    async def actions(self, uri: str, diagnostic: types.Diagnostic,
                      only: list[str] | None = None) -> list[types.CodeAction]:
        found = await asyncio.wait_for(self.lsp.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only))), TIMEOUT)
        return [a for a in found or [] if isinstance(a, types.CodeAction)]


def apply_edits(text: str, edits: Any) -> str:
    """LSP text edits (UTF-16 positions) applied to `text`, the last first."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[:position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= position.character:
                return before + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return before + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".drmigrate.toml").write_text('session-id = "checkout.payment.session.id"\nignore = ["DR102"]\n')
    (tmp_path / "inline.js").write_text(INLINE)
    (tmp_path / "payload.js").write_text(BUILDER)
    (tmp_path / "checkout.js").write_text(CALLER)

    def factory() -> LanguageClient:
        from pygls.protocol import default_converter

        lsp = LanguageClient(converter_factory=default_converter)

        def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            client.diagnostics[params.uri] = params.diagnostics
            holder.published.append(params)

        register_lsp_features(lsp, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
        return lsp

    config = ClientServerConfig(server_command=[sys.executable, "-m", "drmigrate.cli", "server"],
                                client_factory=factory)
    lsp = await config.start()
    holder = Client(lsp, tmp_path)
    await asyncio.wait_for(lsp.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=from_fs_path(str(tmp_path)))), TIMEOUT)
    yield holder
    await lsp.shutdown_session()


async def test_diagnostics_fix_all_and_they_clear(client: Client) -> None:
    uri = client.uri("inline.js")
    found = await client.open("inline.js")
    assert sorted(str(d.code) for d in found) == ["DR100", "DR101", "DR101"]  # DR102 ignored by the config
    amount = next(d for d in found if "`amount`" in d.message)
    assert (amount.range.start.line, amount.range.start.character) == (3, 4)
    assert (amount.range.end.line, amount.range.end.character) == (3, 22)
    assert amount.source == "drmigrate" and amount.severity == types.DiagnosticSeverity.Warning
    assert "help: Remove `amount`" in amount.message
    actions = await client.actions(uri, amount)
    titles = [a.title for a in actions]
    assert "Remove `amount` (DR101)" in titles
    assert "Suppress DR101 on line 4 with a reason (drmigrate-ignore comment)" in titles
    assert "Fix all drmigrate findings in this file" in titles
    fix_all = next(a for a in actions if a.title == "Fix all drmigrate findings in this file")
    cleared = await client.apply(uri, fix_all)
    assert cleared == []
    # the edit is exactly what `drmigrate fix` writes with the project's configuration
    from drmigrate.cli import build_config, resolve_settings
    from drmigrate.rules import bundled_table

    settings = resolve_settings([str(client.root / "inline.js")], None)
    assert client.texts[uri] == fix_text(INLINE, "inline.js", build_config(settings, bundled_table()))
    assert "sessionId: checkout.payment.session.id" in client.texts[uri]


async def test_one_fix_and_a_suppression(client: Client) -> None:
    uri = client.uri("inline.js")
    found = await client.open("inline.js")
    amount = next(d for d in found if "`amount`" in d.message)
    one = next(a for a in await client.actions(uri, amount) if a.title == "Remove `amount` (DR101)")
    after = await client.apply(uri, one)
    assert sorted(str(d.code) for d in after) == ["DR100", "DR101"]
    assert "amount" not in client.texts[uri]
    currency = next(d for d in after if str(d.code) == "DR101")
    suppress = next(a for a in await client.actions(uri, currency) if a.title.startswith("Suppress DR101"))
    left = await client.apply(uri, suppress)
    assert [str(d.code) for d in left] == ["DR100"]
    assert "    // drmigrate-ignore: DR101 -- reviewed in the editor; say why here\n    currency:" in client.texts[uri]


async def test_hover_is_the_explain_text(client: Client) -> None:
    uri = client.uri("inline.js")
    found = await client.open("inline.js")
    amount = next(d for d in found if "`amount`" in d.message)
    hover = await asyncio.wait_for(client.lsp.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=amount.range.start)), TIMEOUT)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**DR101** (legacy-amount-currency)" in text and "Why" in text and "Example" in text
    assert "(https://docs.digitalriver.com/digital-river-api/payments/payment-sessions" in text
    nothing = await client.lsp.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
    assert nothing is None


async def test_builder_in_another_file_has_related_information(client: Client) -> None:
    found = await client.open("payload.js")
    assert sorted(str(d.code) for d in found) == ["DR100", "DR101"]
    related = found[0].related_information or []
    caller = client.uri("checkout.js")
    assert [(r.location.uri, r.location.range.start.line, r.message) for r in related] == [
        (client.uri("payload.js"), 1, "returned here"),
        (caller, 2, "returned by a call into another file here"),
        (caller, 2, "the `createSource` call"),
    ]
    # the caller, open beside it: its payload is built in the builder (an unsaved buffer counts)
    calls = await client.open("checkout.js")
    assert [str(d.code) for d in calls] == ["DR200"] and "payload.js:2" in calls[0].message
    builder = client.uri("payload.js")
    migrated = BUILDER.replace("amount: cart.total, ", "sessionId: checkout.payment.session.id, ")
    assert await client.diagnostics(builder, client.change(builder, migrated)) == []
    caller_uri = client.uri("checkout.js")
    recheck = client.change(caller_uri, CALLER + "\n")
    assert await client.diagnostics(caller_uri, recheck) == []  # the builder's unsaved buffer is migrated


async def test_stale_versions_are_dropped(client: Client) -> None:
    """Twenty changes in a row: what is published is in version order, ends with the last
    version's findings, and no version the editor had moved past is published after it."""
    uri = client.uri("inline.js")
    await client.open("inline.js")
    start = len(client.published)
    last = 0
    for i in range(20):
        text = INLINE if i % 2 else INLINE.replace("amount: cart.total,\n", "")
        last = client.change(uri, text)
    final = await client.diagnostics(uri, last)
    assert sorted(str(d.code) for d in final) == ["DR100", "DR101", "DR101"]  # i = 19: the payload with amount
    versions = [p.version for p in client.published[start:] if p.uri == uri]
    assert versions == sorted(versions) and versions[-1] == last
    assert len(versions) < 20  # coalesced: not every keystroke was analysed
    await asyncio.sleep(0.5)
    assert [p.version for p in client.published[start:] if p.uri == uri][-1] == last


async def test_a_bad_configuration_is_one_diagnostic(client: Client) -> None:
    (client.root / ".drmigrate.toml").write_text('sesion-id = "x"\n')
    found = await client.open("inline.js")
    assert len(found) == 1 and found[0].severity == types.DiagnosticSeverity.Error
    assert "unknown key `sesion-id` (did you mean `session-id`?)" in found[0].message
