"""The language server's notebook documents (LSP 3.17 notebook sync) end to end: a real LSP client
(pytest-lsp) opens a notebook, whose code cells are linted as the notebook file is and whose
diagnostics are published on each cell, with ranges in that cell."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient
from test_server import _apply, _next_publish, _published, _start, _summary, _utf16

from valohai_image_lint.server import NotebookLayout, Positions

EMOJI = "# 🐍 données "
FIRST = "import valohai\n"
CALL = 'note = "🐍 données"; valohai.prepare(step="train", image="python:latest")'
SECOND = f"{EMOJI}\n{CALL}\n"
MARKDOWN = "# Training 🚀"


@pytest_asyncio.fixture
async def client() -> AsyncIterator[LanguageClient]:
    started = await _start()
    yield started
    await started.shutdown_session()
    await started.stop()


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "no-docker-config").mkdir()
    return tmp_path / "analysis.ipynb"


def _cell_uri(path: Path, index: int) -> str:
    return f"vscode-notebook-cell:{path.as_posix()}#W{index}sZmlsZQ%3D%3D"


def _open_notebook(client: LanguageClient, path: Path, cells: list[tuple[str, str]]) -> list[str]:
    """Open a notebook of ``cells`` (language, text): the cell URIs."""
    uris = [_cell_uri(path, index) for index in range(len(cells))]
    kinds = [
        lsp.NotebookCellKind.Markup if language == "markdown" else lsp.NotebookCellKind.Code
        for language, _ in cells
    ]
    client.notebook_document_did_open(
        lsp.DidOpenNotebookDocumentParams(
            notebook_document=lsp.NotebookDocument(
                uri=path.as_uri(),
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    lsp.NotebookCell(kind=kind, document=uri) for kind, uri in zip(kinds, uris, strict=True)
                ],
            ),
            cell_text_documents=[
                lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
                for uri, (language, text) in zip(uris, cells, strict=True)
            ],
        )
    )
    return uris


def _edit_cell(client: LanguageClient, path: Path, uri: str, text: str, version: int) -> None:
    client.notebook_document_did_change(
        lsp.DidChangeNotebookDocumentParams(
            notebook_document=lsp.VersionedNotebookDocumentIdentifier(version=version, uri=path.as_uri()),
            change=lsp.NotebookDocumentChangeEvent(
                cells=lsp.NotebookDocumentCellChanges(
                    text_content=[
                        lsp.NotebookDocumentCellContentChanges(
                            document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                            changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
                        )
                    ]
                )
            ),
        )
    )


def test_the_server_declares_notebook_sync() -> None:
    from valohai_image_lint.server import build_server

    server = build_server()
    sync = server._notebook_document_sync
    assert sync is not None and sync.save
    assert any(
        isinstance(f.notebook, lsp.NotebookDocumentFilterPattern) and f.notebook.pattern == "**/*.ipynb"
        for f in sync.notebook_selector
    )


def test_the_layout_maps_positions_both_ways_through_json_escapes() -> None:
    layout = NotebookLayout(
        [("a", "code", 'x = "\\t\\"é🐍"\r\ny = 1'), ("b", "markdown", "# t"), ("c", "code", "")]
    )
    import json

    assert json.loads(layout.text)["cells"][0]["source"] == ['x = "\\t\\"é🐍"\r\n', "y = 1"]
    for line, text in ((1, 'x = "\\t\\"é🐍"'), (2, "y = 1")):
        for column in range(1, len(text) + 2):
            at = layout.text_position(0, line, column)
            assert at is not None
            assert layout.place(*at) == (0, line, column)
    assert layout.text_position(2, 1, 1) is None


@pytest.mark.asyncio
async def test_a_notebooks_cells_get_their_diagnostics_and_edits_clear_them(
    client: LanguageClient, notebook: Path
) -> None:
    uris = _open_notebook(client, notebook, [("python", FIRST), ("markdown", MARKDOWN), ("python", SECOND)])
    second = await _next_publish(client, uris[2], 0)
    start = _utf16(CALL[: CALL.index("python:latest")])
    assert start == CALL.index("python:latest") + 1  # the emoji: one character, two UTF-16 units
    assert _summary(list(second.diagnostics)) == [("VIL103", 1, start, 1, start + len("python:latest"))]
    assert second.version == 1
    (found,) = second.diagnostics
    assert found.message.startswith('image "python:latest"')
    # the other cells are published too, empty; the range is the cell's (UTF-16)
    assert not (await _next_publish(client, uris[0], 0)).diagnostics
    assert not (await _next_publish(client, uris[1], 0)).diagnostics
    positions = Positions(SECOND)
    assert positions.position(2, CALL.index("python:latest") + 1) == found.range.start

    seen = len(_published(client, uris[2]))
    _edit_cell(client, notebook, uris[2], SECOND.replace("python:latest", "python:3.12.4-slim"), 2)
    cleared = await _next_publish(client, uris[2], seen)
    assert not cleared.diagnostics and cleared.version == 2

    seen = len(_published(client, uris[2]))
    client.notebook_document_did_close(
        lsp.DidCloseNotebookDocumentParams(
            notebook_document=lsp.NotebookDocumentIdentifier(uri=notebook.as_uri()),
            cell_text_documents=[lsp.TextDocumentIdentifier(uri=uri) for uri in uris],
        )
    )
    assert not (await _next_publish(client, uris[2], seen)).diagnostics


@pytest.mark.asyncio
async def test_a_quick_fix_edits_its_cell_and_close_clears(client: LanguageClient, notebook: Path) -> None:
    text = f'{EMOJI}\nimport valohai\nvalohai.prepare(step="t", image="index.docker.io/library/python:3.12.4-slim")\n'
    uris = _open_notebook(client, notebook, [("python", "x = 1\n"), ("markdown", MARKDOWN), ("python", text)])
    published = await _next_publish(client, uris[2], 0)
    (found,) = [d for d in published.diagnostics if d.code == "VIL205"]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uris[2]),
            range=found.range,
            context=lsp.CodeActionContext(diagnostics=[found]),
        )
    )
    assert actions is not None
    fixes = [a for a in actions if isinstance(a, lsp.CodeAction) and a.is_preferred]
    assert len(fixes) == 1
    assert not any(isinstance(a, lsp.CodeAction) and a.title.startswith("Suppress") for a in actions)
    edit = fixes[0].edit
    assert edit is not None and edit.changes is not None and list(edit.changes) == [uris[2]]
    fixed = _apply(text, list(edit.changes[uris[2]]))
    assert fixed == text.replace(
        "index.docker.io/library/python:3.12.4-slim", "docker.io/library/python:3.12.4-slim"
    )

    # applied: the cell's diagnostic goes
    seen = len(_published(client, uris[2]))
    _edit_cell(client, notebook, uris[2], fixed, 2)
    assert [d.code for d in (await _next_publish(client, uris[2], seen)).diagnostics] == []

    # fix all over the notebook
    _edit_cell(client, notebook, uris[2], text, 3)
    seen = len(_published(client, uris[2]))
    await _next_publish(client, uris[2], seen)
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uris[0]),
            range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
            context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll.valohai-image-lint"]),
        )
    )
    assert actions is not None and len(actions) == 1
    (fix_all,) = actions
    assert (
        isinstance(fix_all, lsp.CodeAction) and fix_all.edit is not None and fix_all.edit.changes is not None
    )
    assert list(fix_all.edit.changes) == [uris[2]]
    assert _apply(text, list(fix_all.edit.changes[uris[2]])) == fixed

    # hover on the image in the cell
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uris[2]), position=found.range.start)
    )
    assert hover is not None and hover.range == found.range

    seen = len(_published(client, uris[2]))
    client.notebook_document_did_close(
        lsp.DidCloseNotebookDocumentParams(
            notebook_document=lsp.NotebookDocumentIdentifier(uri=notebook.as_uri()),
            cell_text_documents=[lsp.TextDocumentIdentifier(uri=uri) for uri in uris],
        )
    )
    assert not (await _next_publish(client, uris[2], seen)).diagnostics


@pytest.mark.asyncio
async def test_added_and_removed_cells(client: LanguageClient, notebook: Path) -> None:
    uris = _open_notebook(
        client,
        notebook,
        [("python", "import valohai\n"), ("python", 'valohai.prepare(step="a", image="python:latest")\n')],
    )
    assert [d.code for d in (await _next_publish(client, uris[1], 0)).diagnostics] == ["VIL103"]
    new = _cell_uri(notebook, 9)
    seen = len(_published(client, uris[1]))
    # remove the second cell, add one in its place
    client.notebook_document_did_change(
        lsp.DidChangeNotebookDocumentParams(
            notebook_document=lsp.VersionedNotebookDocumentIdentifier(version=2, uri=notebook.as_uri()),
            change=lsp.NotebookDocumentChangeEvent(
                cells=lsp.NotebookDocumentCellChanges(
                    structure=lsp.NotebookDocumentCellChangeStructure(
                        array=lsp.NotebookCellArrayChange(
                            start=1,
                            delete_count=1,
                            cells=[lsp.NotebookCell(kind=lsp.NotebookCellKind.Code, document=new)],
                        ),
                        did_open=[
                            lsp.TextDocumentItem(
                                uri=new,
                                language_id="python",
                                version=1,
                                text='valohai.prepare(step="b", image="ubuntu")\n',
                            )
                        ],
                        did_close=[lsp.TextDocumentIdentifier(uri=uris[1])],
                    )
                )
            ),
        )
    )
    assert not (await _next_publish(client, uris[1], seen)).diagnostics
    added = await _next_publish(client, new, 0)
    assert [d.code for d in added.diagnostics] and all(d.range.start.line == 0 for d in added.diagnostics)
