"""The language server end to end: a real LSP client (pytest-lsp) starts
``python -m valohai_image_lint server`` and talks to it over stdio. Nothing here leaves the machine."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from registry_harness import Registry, registry_module

from valohai_image_lint.cli import main

_FIXTURES = (registry_module,)  # the real registry on 127.0.0.1, used by name

SERVER = [sys.executable, "-m", "valohai_image_lint", "server"]
WAIT = 10.0  # seconds a publish may take, at most

LATEST = "- step:\n    name: train\n    image: python:latest\n    command: python train.py\n"
CLEAN = LATEST.replace("python:latest", "python:3.12.1-slim")


def _record(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]


def _accept_registration(client: LanguageClient, params: lsp.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


def _make_client() -> LanguageClient:
    """pytest-lsp's client, which also keeps every publish in order (``published``) and accepts
    the server's file watchers."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    features: dict[str, Any] = dict(DEFAULT_CLIENT_FEATURES)
    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[lsp.CLIENT_REGISTER_CAPABILITY] = _accept_registration
    register_lsp_features(client, features)
    return client


async def _start(command: list[str] = SERVER) -> LanguageClient:
    client: LanguageClient = await ClientServerConfig(
        server_command=command, client_factory=_make_client
    ).start()
    await client.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"), process_id=os.getpid())
    )
    return client


@pytest_asyncio.fixture
async def client() -> AsyncIterator[LanguageClient]:
    started = await _start()
    yield started
    await started.shutdown_session()
    await started.stop()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root: no config above it counts."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "no-docker-config").mkdir()
    return tmp_path


def _published(client: LanguageClient, uri: str) -> list[lsp.PublishDiagnosticsParams]:
    return [params for params in client.published if params.uri == uri]  # type: ignore[attr-defined]


async def _next_publish(client: LanguageClient, uri: str, seen: int) -> lsp.PublishDiagnosticsParams:
    """The first publish for ``uri`` after the ``seen`` ones already received."""
    deadline = time.monotonic() + WAIT
    while len(_published(client, uri)) <= seen:
        assert time.monotonic() < deadline, f"no diagnostics published for {uri}"
        await asyncio.sleep(0.01)
    return _published(client, uri)[seen]


def _open(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8") if text is None else text
    language = "python" if path.suffix == ".py" else "yaml"
    item = lsp.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
    return uri


def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def _open_and_wait(client: LanguageClient, path: Path, text: str | None = None) -> list[lsp.Diagnostic]:
    uri = path.as_uri()
    seen = len(_published(client, uri))
    _open(client, path, text)
    return list((await _next_publish(client, uri, seen)).diagnostics)


def _summary(diagnostics: list[lsp.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diagnostics
    ]


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """LSP text edits applied to ``text`` (UTF-16 positions; lines break at \\r\\n, \\r, \\n)."""
    import re

    starts = [0] + [m.end() for m in re.finditer(r"\r\n|[\r\n]", text)]

    def offset(position: lsp.Position) -> int:
        start = starts[position.line]
        units = 0
        index = start
        while units < position.character:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cli_json(capsys: pytest.CaptureFixture[str], *paths: Path) -> list[dict[str, Any]]:
    capsys.readouterr()
    main(["--output-format", "json", "--no-cache", *map(str, paths)])
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return found


def _as_lsp(record: dict[str, Any], text: str) -> tuple[str, int, int, int, int]:
    """A CLI diagnostic's span (1-based characters) in LSP's UTF-16 units, computed here on its own."""
    import re

    lines = re.split(r"\r\n|[\r\n]", text.removeprefix("\ufeff"))

    def units(line: int, column: int) -> int:
        before = lines[line - 1][: column - 1]
        return _utf16(before) + (1 if line == 1 and text.startswith("\ufeff") else 0)

    return (
        record["code"],
        record["line"] - 1,
        units(record["line"], record["column"]),
        record["end_line"] - 1,
        units(record["end_line"], record["end_column"]),
    )


# -- diagnostics -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_open_publishes_the_diagnostics_with_ranges_codes_and_the_rule_page(
    client: LanguageClient, repo: Path
) -> None:
    path = repo / "valohai.yaml"
    path.write_text(LATEST, encoding="utf-8")
    (found,) = await _open_and_wait(client, path)
    assert _summary([found]) == [("VIL103", 2, 11, 2, 24)]
    assert found.severity == lsp.DiagnosticSeverity.Error
    assert found.source == "valohai-image-lint"
    assert found.message.startswith('image "python:latest" uses a moving "latest" tag')
    assert found.code_description is not None
    page = found.code_description.href
    assert page.startswith("file://") and page.endswith("/VIL103.md")
    from pygls.uris import to_fs_path

    page_text = Path(to_fs_path(page)).read_text(encoding="utf-8")
    assert page_text.startswith("# VIL103 latest-tag\n")
    assert "## What it does" in page_text


@pytest.mark.asyncio
async def test_an_image_used_through_an_anchor_lists_its_places_as_related_information(
    client: LanguageClient, repo: Path
) -> None:
    text = (
        "- step:\n    name: train\n    image: &img python:latest\n"
        "- step:\n    name: serve\n    image: *img\n"
        "- step:\n    <<: {image: *img}\n    name: merged\n"
    )
    path = repo / "valohai.yaml"
    (found,) = await _open_and_wait(client, path, text)
    assert _summary([found]) == [("VIL103", 2, 16, 2, 29)]
    related = found.related_information or []
    assert [(r.message, r.location.range.start.line, r.location.range.start.character) for r in related] == [
        ('used by step "train"', 2, 4),
        ('used by step "serve"', 5, 4),
        ('used by step "merged"', 7, 4),  # the merging mapping: its first character
    ]
    assert all(r.location.uri == found_uri(path) for r in related)


def found_uri(path: Path) -> str:
    from pygls.uris import from_fs_path

    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


@pytest.mark.asyncio
async def test_positions_are_utf16_code_units_after_emoji_cjk_a_bom_and_crlf(
    client: LanguageClient, repo: Path
) -> None:
    line = '- step: {name: "🚀 训练 🐍", image: python:latest, command: python train.py}'
    path = repo / "valohai.yaml"
    (found,) = await _open_and_wait(client, path, "\ufeff" + line + "\r\n")
    start = _utf16("\ufeff" + line[: line.index("python:latest")])
    assert _summary([found]) == [("VIL103", 0, start, 0, start + len("python:latest"))]
    assert start == line.index("python:latest") + 1 + 2  # the BOM, and two emoji of two units each
    python = repo / "train.py"
    source = 'import valohai\n# 🚀🚀 漢字\nx = "😀"; valohai.prepare(step="train", image="python:latest")\n'
    (found,) = await _open_and_wait(client, python, source)
    third = source.splitlines()[2]
    start = _utf16(third[: third.index("python:latest")])
    assert _summary([found]) == [("VIL103", 2, start, 2, start + len("python:latest"))]


@pytest.mark.asyncio
async def test_the_same_diagnostics_as_the_cli_on_every_corpus_file(
    client: LanguageClient, shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    sources = sorted(
        path
        for path in (shared_dir / "corpus").rglob("*")
        if path.suffix in (".yaml", ".yml") and path.is_file()
    )
    assert len(sources) > 100
    copies: list[Path] = []
    for index, source in enumerate(sources):
        folder = tmp_path / f"{index:03d}"
        folder.mkdir()
        copy = folder / "valohai.yaml"
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    expected: dict[str, list[tuple[str, int, int, int, int]]] = {str(copy): [] for copy in copies}
    messages: dict[str, list[str]] = {str(copy): [] for copy in copies}
    texts = {str(copy): copy.read_text(encoding="utf-8") for copy in copies}
    for record in _cli_json(capsys, *copies):
        expected[record["path"]].append(_as_lsp(record, texts[record["path"]]))
        messages[record["path"]].append(record["message"])
    for copy in copies:
        _open(client, copy, texts[str(copy)])
    for copy in copies:
        received = list((await _next_publish(client, copy.as_uri(), 0)).diagnostics)
        assert sorted(_summary(received)) == sorted(expected[str(copy)]), copy
        assert sorted(d.message for d in received) == sorted(messages[str(copy)]), copy


@pytest.mark.asyncio
async def test_changes_are_debounced_into_one_publish_of_the_last_text(
    client: LanguageClient, repo: Path
) -> None:
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    assert len(await _open_and_wait(client, path, LATEST)) == 1
    for version in range(2, 7):
        _change(client, uri, CLEAN if version == 6 else LATEST.replace("latest", f"3.{version}"), version)
    last = await _next_publish(client, uri, 1)
    assert last.version == 6 and list(last.diagnostics) == []
    await asyncio.sleep(0.5)
    assert len(_published(client, uri)) == 2  # the four changes before the last made no publish


@pytest.mark.asyncio
async def test_close_clears_and_a_file_that_is_no_valohai_config_gets_nothing(
    client: LanguageClient, repo: Path
) -> None:
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    assert len(await _open_and_wait(client, path, LATEST)) == 1
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    assert list((await _next_publish(client, uri, 1)).diagnostics) == []
    compose = repo / "docker-compose.yml"
    _open(client, compose, "services:\n  app:\n    image: python:latest\n")
    _open(client, path, LATEST, version=2)  # a publish for this one proves the other was skipped
    await _next_publish(client, uri, 2)
    assert _published(client, compose.as_uri()) == []


@pytest.mark.asyncio
async def test_a_half_typed_document_gives_vil001_where_the_cli_says_and_the_server_goes_on(
    client: LanguageClient, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = '- step:\n    name: "train\n    image: python:latest\n'
    path = repo / "valohai.yaml"
    path.write_text(broken, encoding="utf-8")
    expected = [_as_lsp(record, broken) for record in _cli_json(capsys, path)]
    found = await _open_and_wait(client, path)
    assert [d[0] for d in expected] == ["VIL001"]
    assert _summary(found) == expected
    _change(client, path.as_uri(), LATEST, 2)
    assert _summary(list((await _next_publish(client, path.as_uri(), 1)).diagnostics))[0][0] == "VIL103"


@pytest.mark.asyncio
async def test_a_file_over_the_size_limit_is_refused_with_a_diagnostic(
    client: LanguageClient, repo: Path
) -> None:
    (repo / ".valohai-image-lint.toml").write_text("max-file-size = 1000\n", encoding="utf-8")
    path = repo / "valohai.yaml"
    text = LATEST + "# padding\n" * 200
    (found,) = await _open_and_wait(client, path, text)
    assert found.code is None and found.severity == lsp.DiagnosticSeverity.Error
    assert found.message == (
        "the editor's text is more than 1000 bytes, over the 1000-byte limit; not linted "
        "(raise max-file-size in the config or --max-file-size)"
    )
    path.write_text(text, encoding="utf-8")
    code = main(["--no-cache", str(path)])
    assert code == 2  # the CLI refuses the same file


BOOM = """
import sys
from valohai_image_lint import linter

def explode(parsed, options):
    if parsed.site.value == "python:latest":
        raise ZeroDivisionError("boom")
    yield from ()

linter.ALL_RULES = tuple(r._replace(check=explode) if r.code == "VIL103" else r for r in linter.ALL_RULES)
from valohai_image_lint.cli import main
sys.exit(main(["server"]))
"""


@pytest.mark.asyncio
async def test_a_rule_that_raises_is_one_vil999_and_a_log_message_never_a_dead_server(repo: Path) -> None:
    """The failing rule is a real rule made to raise, in the server's own process (no input
    makes a shipped rule fail)."""
    client = await _start([sys.executable, "-c", BOOM])
    try:
        path = repo / "valohai.yaml"
        found = await _open_and_wait(client, path, LATEST)
        assert [d.code for d in found] == ["VIL999"]
        assert "ZeroDivisionError: boom" in found[0].message
        assert any("ZeroDivisionError: boom" in m.message for m in client.log_messages)
        _change(client, path.as_uri(), CLEAN, 2)
        assert list((await _next_publish(client, path.as_uri(), 1)).diagnostics) == []
    finally:
        await client.shutdown_session()
        await client.stop()


# -- settings follow their files -------------------------------------------------------------------


def _watched(client: LanguageClient, path: Path, kind: lsp.FileChangeType) -> None:
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=path.as_uri(), type=kind)])
    )


@pytest.mark.asyncio
async def test_a_config_file_change_relints_the_open_documents(client: LanguageClient, repo: Path) -> None:
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    assert [d.code for d in await _open_and_wait(client, path, LATEST)] == ["VIL103"]
    config = repo / "pyproject.toml"
    config.write_text('[tool.valohai-image-lint]\nignore = ["VIL103"]\n', encoding="utf-8")
    _watched(client, config, lsp.FileChangeType.Created)
    assert list((await _next_publish(client, uri, 1)).diagnostics) == []
    # saved in the editor, without a file watcher: the same
    config.write_text("[tool.valohai-image-lint]\nignore = []\n", encoding="utf-8")
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=config.as_uri()))
    )
    assert [d.code for d in (await _next_publish(client, uri, 2)).diagnostics] == ["VIL103"]


@pytest.mark.asyncio
async def test_a_python_files_vil304_follows_its_valohai_yaml(client: LanguageClient, repo: Path) -> None:
    config = repo / "valohai.yaml"
    config.write_text(CLEAN, encoding="utf-8")
    python = repo / "train.py"
    source = 'import valohai\nvalohai.prepare(step="train", image="python:3.11.7-slim")\n'
    assert [d.code for d in await _open_and_wait(client, python, source)] == ["VIL304"]
    config.write_text(LATEST.replace("latest", "3.11.7-slim"), encoding="utf-8")
    _watched(client, config, lsp.FileChangeType.Changed)
    assert list((await _next_publish(client, python.as_uri(), 1)).diagnostics) == []


# -- code actions ----------------------------------------------------------------------------------


async def _actions(
    client: LanguageClient, uri: str, where: lsp.Range, only: list[str] | None = None
) -> list[lsp.CodeAction]:
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=where,
        context=lsp.CodeActionContext(diagnostics=[], only=only),
    )
    result = await client.text_document_code_action_async(params)
    assert result is not None
    return [action for action in result if isinstance(action, lsp.CodeAction)]


LEGACY = "- step:\n    name: train\n    image: index.docker.io/library/python:latest\n    command: python train.py\n"


@pytest.mark.asyncio
async def test_a_quick_fix_edit_applied_makes_its_diagnostic_go(client: LanguageClient, repo: Path) -> None:
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    found = await _open_and_wait(client, path, LEGACY)
    (legacy,) = [d for d in found if d.code == "VIL205"]
    actions = await _actions(client, uri, legacy.range, [lsp.CodeActionKind.QuickFix])
    (fix,) = [a for a in actions if a.is_preferred]
    assert fix.kind == lsp.CodeActionKind.QuickFix
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "VIL205"
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = _apply(LEGACY, list(fix.edit.changes[uri]))
    assert "image: docker.io/library/python:latest" in fixed
    _change(client, uri, fixed, 2)
    after = (await _next_publish(client, uri, 1)).diagnostics
    assert "VIL205" not in [d.code for d in after] and "VIL103" in [d.code for d in after]


@pytest.mark.asyncio
async def test_fix_all_is_what_the_cli_fix_writes(
    client: LanguageClient, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = LEGACY + LEGACY.replace("train", "serve")
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    await _open_and_wait(client, path, text)
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
    (action,) = await _actions(client, uri, whole, ["source.fixAll"])
    assert action.kind == "source.fixAll.valohai-image-lint"
    assert action.title == "Fix all safe problems in this file"
    assert action.edit is not None and action.edit.changes is not None
    fixed = _apply(text, list(action.edit.changes[uri]))
    path.write_text(text, encoding="utf-8")
    main(["--fix", "--no-cache", str(path)])
    capsys.readouterr()
    assert fixed == path.read_text(encoding="utf-8") != text


@pytest.mark.asyncio
async def test_suppress_on_this_line_inserts_the_comment_and_the_diagnostic_goes(
    client: LanguageClient, repo: Path
) -> None:
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    (found,) = await _open_and_wait(client, path, LATEST)
    actions = await _actions(client, uri, found.range)
    (suppress,) = [a for a in actions if a.title == "Suppress VIL103 on this line"]
    assert suppress.edit is not None and suppress.edit.changes is not None
    suppressed = _apply(LATEST, list(suppress.edit.changes[uri]))
    assert "image: python:latest  # valohai-image-lint: ignore[VIL103] reason: TODO\n" in suppressed
    _change(client, uri, suppressed, 2)
    assert list((await _next_publish(client, uri, 1)).diagnostics) == []


# -- hover -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hover_on_an_image_shows_its_canonical_name_tag_and_digest(
    client: LanguageClient, repo: Path
) -> None:
    digest = "sha256:" + "a" * 64
    text = LATEST.replace("python:latest", f"python:3.12.1@{digest}")
    path = repo / "valohai.yaml"
    uri = path.as_uri()
    await _open_and_wait(client, path, text)
    params = lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=2, character=15)
    )
    hover = await client.text_document_hover_async(params)
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert f"**docker.io/library/python:3.12.1@{digest}**" in hover.contents.value
    assert "- tag: `3.12.1`" in hover.contents.value
    assert f"- digest: `{digest}`" in hover.contents.value
    assert hover.range == lsp.Range(
        start=lsp.Position(line=2, character=11),
        end=lsp.Position(line=2, character=11 + len(f"python:3.12.1@{digest}")),
    )
    nowhere = lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=1, character=4)
    )
    assert await client.text_document_hover_async(nowhere) is None


# -- online ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_online_findings_arrive_in_a_second_publish_and_hover_shows_the_registrys_facts(
    registry_module: Registry, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the real docker-registry on 127.0.0.1 (tests/registry_harness.py); the user's Docker
    credentials are never read (an empty DOCKER_CONFIG)."""
    monkeypatch.setenv("DOCKER_CONFIG", str(repo / "no-docker-config"))
    host = registry_module.host
    pushed = registry_module.push("srv/app", "1.0.0")
    (repo / ".valohai-image-lint.toml").write_text('online = true\nselect = ["VIL4"]\n', encoding="utf-8")
    text = LATEST.replace("python:latest", f"{host}/srv/app:9.9.9") + LATEST.replace(
        "python:latest", f"{host}/srv/app:1.0.0"
    ).replace("train", "serve")
    client = await _start()
    try:
        path = repo / "valohai.yaml"
        uri = path.as_uri()
        assert await _open_and_wait(client, path, text) == []  # offline first: no registry asked yet
        second = await _next_publish(client, uri, 1)
        assert [(d.code, d.range.start.line) for d in second.diagnostics] == [("VIL401", 2)]
        where = lsp.Position(line=6, character=14)
        params = lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=where)
        hover = await client.text_document_hover_async(params)
        assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
        shown = hover.contents.value
        assert f"**{host}/srv/app:1.0.0**" in shown
        assert f"- resolved digest: `{pushed.digest}`" in shown
        assert "- platforms: linux/amd64" in shown
        assert "- compressed size" in shown
    finally:
        await client.shutdown_session()
        await client.stop()


# -- the process -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_shutdown_and_exit_end_the_process_cleanly(repo: Path) -> None:
    client = await _start()
    await _open_and_wait(client, repo / "valohai.yaml", LATEST)
    await client.shutdown_session()
    server = client._server
    assert server is not None and server.returncode == 0
    await client.stop()


def test_without_the_extra_it_says_how_to_install_it() -> None:
    """pygls made unimportable (``sys.modules['pygls'] = None``), as in an install without the extra."""
    script = "import sys\nsys.modules['pygls'] = None\nfrom valohai_image_lint.cli import main\nsys.exit(main(['server']))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "valohai-image-lint: the language server needs its extra: pip install 'valohai-image-lint[server]'\n"
    )


def test_server_help_and_a_stray_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: valohai-image-lint server\n")
    assert main(["server", "--stdio"]) == 2
    assert "usage: valohai-image-lint server" in capsys.readouterr().err


def test_the_readmes_language_server_commands_run_as_printed() -> None:
    """The README's commands: the extra it installs is the one pyproject.toml declares, with the
    server's libraries; `valohai-image-lint server --help` runs as printed."""
    import re
    import shlex

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    root = Path(__file__).resolve().parent.parent
    text = (root / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Language server\n")
    section = text[start : text.index("\n## ", start + 1)]
    match = re.search(r"^```sh\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None
    install, run = (shlex.split(line) for line in match.group(1).splitlines())
    assert install[:2] == ["pip", "install"]
    extra = re.fullmatch(r"valohai-image-lint\[(\w+)\]", install[2])
    assert extra is not None
    with (root / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    requirements = project["optional-dependencies"][extra.group(1)]
    assert {re.split(r"[<>=]", r)[0] for r in requirements} == {"pygls", "lsprotocol"}
    assert run[0] == "valohai-image-lint"
    result = subprocess.run(
        [sys.executable, "-m", "valohai_image_lint", *run[1:]], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: valohai-image-lint server\n")
    assert install[2] in result.stdout  # --help names the same install line


@pytest.mark.parametrize(("shutdown", "code"), [(True, 0), (False, 1)])
def test_exit_is_0_after_shutdown_and_1_without(shutdown: bool, code: int) -> None:
    """As the protocol says; spoken over stdio by hand, as an editor that quits would."""
    import json
    import subprocess

    def message(body: dict[str, Any]) -> bytes:
        data = json.dumps(body).encode("utf-8")
        return b"Content-Length: %d\r\n\r\n" % len(data) + data

    capabilities = {"processId": None, "rootUri": None, "capabilities": {}}
    stream = message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": capabilities})
    stream += message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    if shutdown:
        stream += message({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    stream += message({"jsonrpc": "2.0", "method": "exit", "params": None})
    done = subprocess.run(SERVER, input=stream, capture_output=True, timeout=30, check=False)
    assert done.returncode == code, done.stderr


@pytest.mark.asyncio
async def test_a_hover_cannot_be_steered_by_the_value(client: LanguageClient, repo: Path) -> None:
    text = "- step:\n    name: train\n    image: 'py`thon [x](https://evil) **b**'\n"
    path = repo / "valohai.yaml"
    await _open_and_wait(client, path, text)
    params = lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
        position=lsp.Position(line=2, character=14),
    )
    hover = await client.text_document_hover_async(params)
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    # the value is one code span, fenced longer than the backtick it holds: no link, no bold
    assert "``py`thon [x](https://evil) **b**``" in hover.contents.value


def test_an_online_lint_queued_for_an_older_text_is_skipped(tmp_path: Path) -> None:
    """Typing queues an online lint a change; one whose text is no longer the latest asked for
    makes no lookups when its turn comes on the lookup thread."""
    from valohai_image_lint.server import _Document, build_server

    server = build_server(debounce=0.0)
    document = _Document()
    document.online_wanted = "the newer text"
    assert server._online_lint(document, str(tmp_path / "valohai.yaml"), "an older text") is None
