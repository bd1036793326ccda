"""A second real client: pytest-lsp (pygls) drives `scholia lsp` over stdio with VS Code's
client capabilities, on a fresh copy of tests/fixtures/latex-project per test."""

import asyncio
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import SCHOLIA_BIN

PATIENCE_S = 20  # how long to wait for a notification before calling the server hung
ENTRIES = {"lecun2015", "krizhevsky2012", "knuth84", "unused2001"}


SERVER = ClientServerConfig(server_command=[str(SCHOLIA_BIN), "lsp"])


async def initialize(client: LanguageClient, project: Path, capabilities, options=None):
    # VS Code's capabilities offer dynamic registration: the server registers file watchers.
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda _params: None)
    uri = project.as_uri()
    params = types.InitializeParams(
        capabilities=capabilities,
        root_uri=uri,
        workspace_folders=[types.WorkspaceFolder(uri=uri, name=project.name)],
        initialization_options=options,
    )
    async with asyncio.timeout(PATIENCE_S):
        # Kept for the tests that read what the server announced.
        client.initialize_result = await client.initialize_session(params)


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, latex_project: Path):
    await initialize(lsp_client, latex_project, client_capabilities("visual-studio-code"))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def client_without_configuration(lsp_client: LanguageClient, latex_project: Path):
    """A client that never answers workspace/configuration: initializationOptions only."""
    capabilities = client_capabilities("visual-studio-code")
    capabilities.workspace.configuration = False
    await initialize(lsp_client, latex_project, capabilities, {"scholia": {"unusedEntries": False}})
    yield
    await lsp_client.shutdown_session()


async def diagnostics_of(client: LanguageClient, path: Path) -> list[types.Diagnostic]:
    """The diagnostics published for `path`, waiting for the first publication."""
    uri = path.as_uri()
    async with asyncio.timeout(PATIENCE_S):
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def open_file(client: LanguageClient, path: Path) -> list[types.Diagnostic]:
    """Opens `path` and returns the first diagnostics published for it."""
    item = types.TextDocumentItem(uri=path.as_uri(), language_id="latex", version=1, text=path.read_text())
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
    return await diagnostics_of(client, path)


def position_of(path: Path, needle: str, shift: int = 0) -> types.Position:
    """Where `needle` starts in `path` (plus `shift` characters); ASCII fixture text."""
    for line, text in enumerate(path.read_text().splitlines()):
        if needle in text:
            return types.Position(line=line, character=text.index(needle) + shift)
    raise AssertionError(f"{needle!r} not in {path}")


async def test_initialize_announces_the_features(client: LanguageClient):
    result = client.initialize_result
    capabilities = result.capabilities
    assert result.server_info.name == "scholia"
    assert capabilities.hover_provider
    assert {"{", ",", "@"} <= set(capabilities.completion_provider.trigger_characters)
    assert capabilities.definition_provider and capabilities.references_provider
    assert capabilities.document_symbol_provider
    assert types.CodeActionKind.QuickFix in capabilities.code_action_provider.code_action_kinds
    # VS Code 1.65 offers no position encodings, so the LSP default it must be.
    assert capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)


async def test_hover_shows_the_cited_title(client: LanguageClient, latex_project: Path):
    main = latex_project / "main.tex"
    await open_file(client, main)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=main.as_uri()),
            position=position_of(main, "krizhevsky2012", shift=3),
        )
    )
    assert hover is not None
    assert "ImageNet Classification with Deep Convolutional Neural Networks" in hover.contents.value


async def test_completion_offers_every_entry_with_its_title(client: LanguageClient, latex_project: Path):
    main = latex_project / "main.tex"
    await open_file(client, main)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=main.as_uri()),
            position=position_of(main, r"\cite{knuth84}", shift=len(r"\cite{")),
            context=types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character="{"
            ),
        )
    )
    items = result.items if isinstance(result, types.CompletionList) else result
    assert {item.label for item in items} >= ENTRIES
    by_key = {item.label: item for item in items}
    described = f"{by_key['krizhevsky2012'].detail} {by_key['krizhevsky2012'].documentation}"
    assert "ImageNet" in described


async def test_case_mismatch_has_a_quick_fix(client: LanguageClient, latex_project: Path):
    method = latex_project / "sections" / "method.tex"
    diagnostics = await open_file(client, method)
    codes = {d.code for d in diagnostics}
    assert {"undefined-key", "key-case-mismatch"} <= codes, diagnostics
    mismatch = next(d for d in diagnostics if d.code == "key-case-mismatch")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=method.as_uri()),
            range=mismatch.range,
            context=types.CodeActionContext(diagnostics=[mismatch]),
        )
    )
    fixes = [a for a in actions if isinstance(a, types.CodeAction) and a.title == "Change to `knuth84`"]
    assert len(fixes) == 1, actions
    (edit,) = fixes[0].edit.changes[method.as_uri()]
    assert edit.new_text == "knuth84"
    assert edit.range == mismatch.range


async def test_every_announced_command_runs_without_arguments(client: LanguageClient, latex_project: Path):
    await open_file(client, latex_project / "main.tex")
    provider = client.initialize_result.capabilities.execute_command_provider
    announced = provider.commands if provider else []
    for command in announced:
        # An error response raises here and names the command in the failure.
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command))
    print(f"ran {len(announced)} announced command(s): {announced}")


async def test_initialization_options_alone_configure_the_server(
    client_without_configuration: LanguageClient, latex_project: Path
):
    await open_file(client_without_configuration, latex_project / "main.tex")
    codes = {d.code for d in await diagnostics_of(client_without_configuration, latex_project / "refs.bib")}
    assert "duplicate-key" in codes
    assert "unused-entry" not in codes
