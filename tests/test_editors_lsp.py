"""The language server recipes of docs/editors.md, each extracted from the doc as printed.

Emacs eglot and Neovim run for real (batch Emacs, headless Neovim) against ``valohai-image-lint
server`` from this test environment: the test opens a ``valohai.yaml`` and waits for the VIL103
diagnostic at its line and column; in Emacs it also applies the quick fix and sees the diagnostic
go. Each Neovim recipe runs when the Neovim on PATH is a version the recipe is for. Helix, Zed and
VS Code are not installable where the tests run: their snippets are checked as data (they parse,
their command starts this server, their languages are the editor's names for YAML and Python)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from valohai_image_lint.server import FIX_ALL

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
SERVER = ["valohai-image-lint", "server"]
LATEST = "- step:\n    name: train\n    image: python:latest\n    command: python train.py\n"
COMPOSE = "services:\n  web:\n    image: nginx:latest\n"
# docs/editors.md: the languages' default servers in Helix 25.07 (helix-editor/helix, languages.toml
# at tag 25.07), which the recipe's lists must keep, since a list replaces the default one.
HELIX_DEFAULTS = {
    "yaml": ["yaml-language-server", "ansible-language-server"],
    "python": ["ty", "ruff", "jedi", "pylsp"],
}


def _blocks(language: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"^```{language}\n(.*?)^```$", DOC, re.DOTALL | re.MULTILINE)]


def _block(language: str, contains: str) -> str:
    found = [block for block in _blocks(language) if contains in block]
    assert len(found) == 1, f"{len(found)} ```{language} blocks with {contains!r} in docs/editors.md"
    return found[0]


def _section(heading: str) -> str:
    """The text of the doc's ``### heading`` section, up to the next heading."""
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#)", DOC, re.DOTALL | re.MULTILINE)
    assert match is not None, heading
    return match.group(1)


def _need(program: str, why: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} is not installed: {why}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _env(tmp_path: Path) -> dict[str, str]:
    # The recipes start `valohai-image-lint server` from PATH: the one installed beside this Python.
    # The editors keep their state and caches in the test's folder.
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        VALOHAI_IMAGE_LINT_NO_CACHE="1",
        HOME=str(tmp_path / "home"),
    )
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / "home" / name.lower())
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with a valohai.yaml pinning nothing, and a docker-compose.yml beside it."""
    folder = tmp_path / "project"
    (folder / ".git").mkdir(parents=True)
    (folder / "no-docker-config").mkdir()
    (folder / "valohai.yaml").write_text(LATEST, encoding="utf-8")
    (folder / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "home").mkdir()
    return folder


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_frames(data: bytes) -> list[dict[str, Any]]:
    messages = []
    while data:
        headers, _, data = data.partition(b"\r\n\r\n")
        (length,) = [
            int(line.split(b":")[1]) for line in headers.split(b"\r\n") if line.startswith(b"Content-Length")
        ]
        messages.append(json.loads(data[:length]))
        data = data[length:]
    return messages


def _initialize(argv: list[str], tmp_path: Path) -> None:
    """The command ``argv`` (a recipe's), found on the PATH the tests give the editors, starts this
    language server: it answers ``initialize`` as valohai-image-lint, offering "fix all", and shuts
    down and exits cleanly."""
    messages = [
        {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"method": "initialized", "params": {}},
        {"id": 2, "method": "shutdown", "params": None},
        {"method": "exit", "params": None},
    ]
    env = _env(tmp_path)
    program = shutil.which(argv[0], path=env["PATH"])
    assert program is not None, argv
    result = subprocess.run(
        [program, *argv[1:]],
        input=b"".join(_frame(m) for m in messages),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    replies = _read_frames(result.stdout)
    (initialized,) = [reply["result"] for reply in replies if reply.get("id") == 1]
    assert initialized["serverInfo"]["name"] == "valohai-image-lint"
    assert FIX_ALL in initialized["capabilities"]["codeActionProvider"]["codeActionKinds"]


# -- Emacs: eglot, for real ----------------------------------------------------------------------

EGLOT_RUN = r"""
(require 'yaml-mode)
(require 'eglot)
(load-file RECIPE)
(defun wait-for (predicate)
  (let ((deadline (+ (float-time) 30)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))))
(with-current-buffer (find-file-noselect "docker-compose.yml")
  (run-hooks 'post-command-hook)
  (princ (format "compose-managed: %s\n" (and (eglot-current-server) t))))
(find-file "valohai.yaml")
(princ (format "mode: %s\n" major-mode))
(run-hooks 'post-command-hook)  ; eglot-ensure connects after the command that visited the file
(princ (format "server: %s\n" (and (eglot-current-server) (eglot--project-nickname (eglot-current-server)))))
(wait-for #'flymake-diagnostics)
(dolist (d (flymake-diagnostics))
  (let ((beg (flymake-diagnostic-beg d)))
    (princ (format "diagnostic: %d:%d:%s:%s\n" (line-number-at-pos beg)
                   (save-excursion (goto-char beg) (1+ (current-column)))
                   (flymake-diagnostic-type d) (flymake-diagnostic-text d)))))
(goto-char (flymake-diagnostic-beg (car (flymake-diagnostics))))
(eglot-code-actions (point) (point) "quickfix" t)
(princ (format "fixed: %s\n" (buffer-substring (line-beginning-position) (line-end-position))))
(save-buffer)
(wait-for (lambda () (null (flymake-diagnostics))))
(princ (format "after: %S\n" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
"""


def test_eglot_recipe(project: Path, tmp_path: Path) -> None:
    emacs = _need("emacs", "tests/run installs emacs-nox, elpa-eglot and elpa-yaml-mode with apt-get")
    recipe = tmp_path / "recipe.el"
    recipe.write_text(_block("elisp", "eglot-server-programs"), encoding="utf-8")
    script = tmp_path / "run.el"
    script.write_text(EGLOT_RUN.replace("RECIPE", json.dumps(str(recipe))), encoding="utf-8")
    # `emacs --batch` reads no init file, but (unlike -Q) the site files that put Debian's elpa-*
    # packages on the load path, as the flycheck test does.
    result = subprocess.run(
        [emacs, "--batch", "-l", str(script)],
        cwd=project,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    if "Cannot open load file" in output:
        message = "eglot or yaml-mode missing: tests/run installs elpa-eglot and elpa-yaml-mode"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert result.returncode == 0, output
    lines = result.stdout.splitlines()
    assert "compose-managed: nil" in lines, output  # the hook starts eglot in valohai.yaml only
    assert "mode: yaml-mode" in lines and "server: project" in lines, output
    diagnostics = [line for line in lines if line.startswith("diagnostic: ")]
    # The CLI says valohai.yaml:3:12 (1-based), the image's first character.
    assert len(diagnostics) == 1, output
    assert diagnostics[0].startswith(
        'diagnostic: 3:12:eglot-error:valohai-image-lint [VIL103]: image "python:latest"'
    )
    # Offline, VIL103's only quick fix is the suppression: applied, saved, and the diagnostic goes.
    assert "fixed:     image: python:latest  # valohai-image-lint: ignore[VIL103] reason: TODO" in lines
    assert "after: nil" in lines, output
    assert "ignore[VIL103]" in (project / "valohai.yaml").read_text(encoding="utf-8")


# -- Neovim, for real ------------------------------------------------------------------------------

# The doc's Neovim recipes: the heading, a string only that recipe's block holds, and the Neovim
# versions it is for ([first, last)).
NEOVIM_RECIPES = {
    "Neovim 0.11 and later": ("vim.lsp.enable(", (0, 11), None),
    "Neovim 0.8 to 0.10": ("vim.lsp.start(", (0, 8), None),
    "Neovim 0.7": ("vim.lsp.start_client(", (0, 7), (0, 11)),
}

NEOVIM_CHECK = r"""
local function clients(buf)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = buf }) end
  return vim.lsp.buf_get_clients(buf)
end
local out = {}
vim.cmd("edit valohai.yaml")
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
table.insert(out, "filetype: " .. vim.bo.filetype)
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format("diagnostic: %d:%d:%d:%s:%s", d.lnum + 1, d.col + 1, d.severity, d.code, d.source))
end
vim.cmd("edit docker-compose.yml")
vim.wait(1500, function() return #vim.diagnostic.get(0) > 0 end, 50)
table.insert(out, "compose-clients: " .. tostring(next(clients(0)) ~= nil))
table.insert(out, "compose-diagnostics: " .. #vim.diagnostic.get(0))
vim.fn.writefile(out, "result.txt")
vim.cmd("qall!")
"""


def _neovim_version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"NVIM v(\d+)\.(\d+)", first)
    assert match is not None, first
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("heading", list(NEOVIM_RECIPES))
def test_neovim_recipe(heading: str, project: Path, tmp_path: Path) -> None:
    marker, first, last = NEOVIM_RECIPES[heading]
    block = _block("lua", marker)
    assert block in _section(heading)
    nvim = _need("nvim", "tests/run installs neovim with apt-get")
    version = _neovim_version(nvim)
    if version < first or (last is not None and version >= last):
        pytest.skip(f"the {heading} recipe is not for Neovim {version[0]}.{version[1]}")
    recipe = tmp_path / "recipe.lua"
    recipe.write_text(block, encoding="utf-8")
    check = tmp_path / "check.lua"
    check.write_text(NEOVIM_CHECK, encoding="utf-8")
    result = subprocess.run(
        [nvim, "--headless", "-u", str(recipe), "-c", f"luafile {check}"],
        cwd=project,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    written = project / "result.txt"
    assert written.exists(), result.stdout + result.stderr
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["filetype: yaml", "diagnostic: 3:12:1:VIL103:valohai-image-lint"], lines
    assert "compose-diagnostics: 0" in lines, lines
    if "vim.lsp.enable(" not in block:  # the older recipes attach to valohai.yaml/.yml buffers only
        assert "compose-clients: false" in lines, lines


def _lua_list(block: str, key: str) -> list[str]:
    match = re.search(rf"\b{key} = \{{([^}}]*)\}}", block)
    assert match is not None, key
    return re.findall(r'"([^"]+)"', match.group(1))


@pytest.mark.parametrize("heading", list(NEOVIM_RECIPES))
def test_neovim_recipes_as_data(heading: str, tmp_path: Path) -> None:
    block = _block("lua", NEOVIM_RECIPES[heading][0])
    assert _lua_list(block, "cmd") == SERVER
    if "vim.lsp.enable(" in block:
        assert _lua_list(block, "filetypes") == ["yaml", "python"]
        names = re.findall(r'vim\.lsp\.(?:config|enable)\("([^"]+)"', block)
        assert len(names) == 2 and names[0] == names[1], names
    else:
        assert _lua_list(block, "pattern") == ["yaml", "python"]
        assert '"valohai.yaml"' in block and '"valohai.yml"' in block
    _initialize(_lua_list(block, "cmd"), tmp_path)


def test_neovim_fix_all_key_asks_for_the_servers_kind() -> None:
    block = _block("lua", "vim.keymap.set")
    assert _lua_list(block, "only") == [FIX_ALL]
    assert "apply = true" in block


# -- Helix, Zed, VS Code: as data ----------------------------------------------------------------


def test_helix_recipe(tmp_path: Path) -> None:
    config = tomllib.loads(_block("toml", "[language-server.valohai-image-lint]"))
    server = config["language-server"]["valohai-image-lint"]
    assert [server["command"], *server["args"]] == SERVER
    _initialize([server["command"], *server["args"]], tmp_path)
    languages = {language["name"]: language["language-servers"] for language in config["language"]}
    # Each list keeps Helix's default servers for the language, then adds this one.
    assert languages == {name: [*defaults, "valohai-image-lint"] for name, defaults in HELIX_DEFAULTS.items()}


def test_vscode_generic_client_recipe(tmp_path: Path) -> None:
    settings = json.loads(_block("json", "glspc.server.command"))
    assert "zsol.vscode-glspc" in _section("VS Code")
    argv = [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]]
    assert argv == SERVER
    _initialize(argv, tmp_path)
    assert settings["glspc.server.languageId"] == ["yaml", "python"]  # VS Code's language ids
    assert settings["editor.codeActionsOnSave"] == {FIX_ALL: "explicit"}


def test_zed_extension_and_settings(tmp_path: Path) -> None:
    manifest = tomllib.loads(_block("toml", "[language_servers.valohai-image-lint]"))
    assert manifest["schema_version"] == 1
    (server_id,) = manifest["language_servers"]
    zed_languages = manifest["language_servers"][server_id]["languages"]
    assert zed_languages == ["YAML", "Python"]  # Zed's names of its built-in languages
    cargo = tomllib.loads(_block("toml", "zed_extension_api"))
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    rust = _block("rust", "language_server_command")
    assert f"`{cargo['lib']['path']}`" in _section("Zed")
    program = re.search(r'\.which\("([^"]+)"\)', rust)
    arguments = re.search(r"args: vec!\[([^\]]*)\]", rust)
    assert program is not None and arguments is not None
    argv = [program.group(1), *re.findall(r'"([^"]+)"\.into\(\)', arguments.group(1))]
    assert argv == SERVER
    _initialize(argv, tmp_path)
    assert "zed::register_extension!(ValohaiImageLint);" in rust
    settings = json.loads(_block("json", '"language_servers"'))
    assert set(settings["languages"]) == set(zed_languages)
    for language in zed_languages:
        # "..." keeps the language's other servers
        assert settings["languages"][language]["language_servers"] == ["...", server_id]
