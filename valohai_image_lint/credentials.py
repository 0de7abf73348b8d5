"""Where Docker keeps a user's registry credentials, read as the Docker CLI reads them: the one
module that knows ``config.json``, ``credHelpers``, ``credsStore`` and the credential helpers.

The config is ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``, read as a regular
file of at most ``MAX_CONFIG_BYTES`` (a FIFO, a link to ``/dev/zero`` or a huge file is a warning,
never a hang). For one registry the CLI asks, in this order (``docker/cli``,
``cli/config/configfile/file.go``: ``GetCredentialsStore``, ``getConfiguredCredentialStore``):

1. ``DOCKER_AUTH_CONFIG``, when set: a JSON text of the config's shape whose ``auths`` come first,
   the rest below being the fallback (``memory.NewInMemoryStore(..., WithFallbackStore(store))``);
2. the helper ``credHelpers`` names for the host, else the one ``credsStore`` names for all
   hosts. A helper's answer is final: when it has nothing ("credentials not found") the CLI does
   not use the ``auths`` entry (``nativeStore.Get`` reads the file store only for the e-mail and
   overwrites its user name and password with the helper's empty ones), and neither does this;
3. else the ``auths`` entry whose key is the server address, or whose key normalizes to it
   (``ConvertToHostname``: ``https://ghcr.io/v2/`` is ``ghcr.io``).

Docker Hub's server address is ``https://index.docker.io/v1/``: that is what a helper is asked
for, and the ``auths`` key looked for first; entries under ``index.docker.io``, ``docker.io`` or
``registry-1.docker.io`` count for it too. A helper is the program ``docker-credential-<name>``
in an absolute folder of ``PATH`` (never one of the repository being linted), run without a shell
as ``[program, "get"]`` with the server address on standard input, under a timeout and with its
output bounded. Its problems become one-line ``warnings``
that never quote what it printed (which might be a secret).

No HTTP here: the registry client takes a ``Credential`` and does the talking.
"""

from __future__ import annotations

import os
import threading

from .escape import one_line
from .facts import DOCKER_HUB_HOSTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping

MAX_CONFIG_BYTES = 2**20
"""The largest ``config.json`` (or ``DOCKER_AUTH_CONFIG``) read."""
MAX_HELPER_OUTPUT = 64 * 2**10
"""The most a credential helper may print: more is a failure, and the helper is stopped."""
DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
"""The server address the Docker CLI keys Docker Hub's credentials by."""
TOKEN_USERNAME = "<token>"
"""The user name a helper answers with when the secret is an identity token."""
_HELPER_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class Credential:
    """A user name and a secret for one registry. ``identity_token`` is True when the secret is an
    identity (OAuth refresh) token rather than a password: an ``identitytoken`` in ``auths``, or a
    helper's answer with the user name ``<token>`` (kept as it is). The secret is never shown."""

    __slots__ = ("identity_token", "secret", "username")

    def __init__(self, username: str, secret: str, identity_token: bool = False) -> None:
        self.username = username
        self.secret = secret
        self.identity_token = identity_token

    def __repr__(self) -> str:
        token = ", identity_token=True" if self.identity_token else ""
        return f"Credential(username={self.username!r}, secret=<hidden>{token})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credential):
            return NotImplemented
        return (self.username, self.secret, self.identity_token) == (
            other.username,
            other.secret,
            other.identity_token,
        )

    def __hash__(self) -> int:
        return hash((self.username, self.secret, self.identity_token))


def hostname(key: str) -> str:
    """A server key as a host (and port), as Docker's ``ConvertToHostname`` makes it:
    ``https://index.docker.io/v1/`` -> ``index.docker.io``, ``ghcr.io/owner`` -> ``ghcr.io``."""
    text = key.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
        for end in "/?#":
            text = text.split(end, 1)[0]
        text = text.rsplit("@", 1)[-1]
    return text.split("/", 1)[0].lower()


def server_address(registry: str) -> str:
    """What Docker calls a registry's server: ``https://index.docker.io/v1/`` for Docker Hub, else
    the host as written in the reference (lower case)."""
    host = hostname(registry)
    return DOCKER_HUB_SERVER if host in DOCKER_HUB_HOSTS else host


def _same_server(key: str, server: str) -> bool:
    host = hostname(key)
    return host in DOCKER_HUB_HOSTS if server == DOCKER_HUB_SERVER else host == server


def _pick(table: Mapping[str, object], server: str) -> object | None:
    """The value under ``server`` exactly, else under the first key that normalizes to it (for
    Docker Hub, in the order of ``DOCKER_HUB_HOSTS``)."""
    if server in table:
        return table[server]
    matches = [key for key in table if _same_server(key, server)]
    if server == DOCKER_HUB_SERVER:
        matches.sort(key=lambda key: DOCKER_HUB_HOSTS.index(hostname(key)))
    return table[matches[0]] if matches else None


class _Config:
    """What ``config.json`` (or ``DOCKER_AUTH_CONFIG``) says about credentials."""

    def __init__(self) -> None:
        self.auths: dict[str, object] = {}
        self.helpers: dict[str, object] = {}
        self.store: object = None


class DockerCredentials:
    """Each registry's credentials, as the Docker CLI would find them (see the module's docstring).

    ``environ`` stands in for the process's environment (``DOCKER_CONFIG``, ``HOME``,
    ``DOCKER_AUTH_CONFIG``, and ``PATH`` for finding the helpers, which run with it as their
    environment). The config is read on the first lookup; each server's answer is kept for the
    object's life, so a helper runs at most once per host. Safe to call from several threads.
    ``warnings`` collects one-line problems as lookups meet them; no secret is ever in one."""

    def __init__(self, environ: Mapping[str, str] | None = None, helper_timeout: float = 10.0) -> None:
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.helper_timeout = helper_timeout
        self.warnings: list[str] = []
        self._lock = threading.Lock()  # the tables below, and warnings
        self._config_lock = threading.Lock()  # the config, read once
        self._server_locks: dict[str, threading.Lock] = {}
        self._answers: dict[str, Credential | None] = {}
        self._configs: tuple[_Config | None, _Config] | None = None

    def for_registry(self, registry: str) -> Credential | None:
        """The credential for ``registry`` as written in an image reference (``docker.io``,
        ``ghcr.io``, ``127.0.0.1:5000``), or None when there is none (or it cannot be had)."""
        server = server_address(registry)
        with self._lock:
            if server in self._answers:
                return self._answers[server]
            server_lock = self._server_locks.setdefault(server, threading.Lock())
        with server_lock:  # one lookup per server; other servers go on meanwhile
            with self._lock:
                if server in self._answers:
                    return self._answers[server]
            environment, file = self._read_configs()
            answer = self._look_up(server, environment, file)
            with self._lock:
                self._answers[server] = answer
            return answer

    def _read_configs(self) -> tuple[_Config | None, _Config]:
        with self._config_lock:
            if self._configs is None:
                self._configs = (self._environment_config(), self._file_config())
            return self._configs

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)

    # -- the config ----------------------------------------------------------------------------------

    def config_path(self) -> str:
        """``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``."""
        folder = self.environ.get("DOCKER_CONFIG", "")
        if not folder:
            home = self.environ.get("HOME", "") or os.path.expanduser("~")
            folder = os.path.join(home, ".docker")
        return os.path.join(folder, "config.json")

    def _file_config(self) -> _Config:
        from .reading import PathError, read_file

        path = self.config_path()
        if not os.path.lexists(path):
            return _Config()
        try:
            data = read_file(path, MAX_CONFIG_BYTES)
        except PathError as exc:
            self._warn(f"Docker credentials not read: {one_line(str(exc))}")
            return _Config()
        return self._parse(data, one_line(path))

    def _environment_config(self) -> _Config | None:
        text = self.environ.get("DOCKER_AUTH_CONFIG", "")
        if not text:
            return None
        if len(text) > MAX_CONFIG_BYTES:
            self._warn("Docker credentials: DOCKER_AUTH_CONFIG is too long; ignored")
            return None
        config = self._parse(text.encode("utf-8", "surrogatepass"), "DOCKER_AUTH_CONFIG")
        config.helpers, config.store = {}, None  # only its auths count, as in the CLI
        return config

    def _parse(self, data: bytes, where: str) -> _Config:
        import json

        config = _Config()
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            self._warn(f"Docker credentials not read: {where} is not JSON")
            return config
        if not isinstance(document, dict):
            self._warn(f"Docker credentials not read: {where} is not a JSON object")
            return config
        for field, name in (("auths", "auths"), ("credHelpers", "helpers")):
            table = document.get(field)
            if isinstance(table, dict):
                setattr(config, name, table)
            elif table is not None:
                self._warn(f'Docker credentials: "{field}" in {where} is not an object; ignored')
        config.store = document.get("credsStore")
        return config

    # -- one server ----------------------------------------------------------------------------------

    def _look_up(self, server: str, environment: _Config | None, file: _Config) -> Credential | None:
        if environment is not None:
            entry = _pick(environment.auths, server)
            if entry is not None:
                return self._from_entry(entry, server, "DOCKER_AUTH_CONFIG")
        helper = _pick(file.helpers, server)
        if helper is None and file.store not in (None, ""):
            helper = file.store
        if helper is not None:
            return self._from_helper(helper, server)
        entry = _pick(file.auths, server)
        return self._from_entry(entry, server, "config.json") if entry is not None else None

    def _from_entry(self, entry: object, server: str, where: str) -> Credential | None:
        """An ``auths`` entry: ``auth`` (base64 of ``user:password``), or ``username`` and
        ``password``; an ``identitytoken`` is the secret when present."""
        import base64
        import binascii

        shown = one_line(server)
        if not isinstance(entry, dict):
            self._warn(f'Docker credentials: the {where} entry for "{shown}" is not an object; ignored')
            return None
        username, password, token = entry.get("username"), entry.get("password"), entry.get("identitytoken")
        auth = entry.get("auth")
        if auth not in (None, ""):
            try:
                if not isinstance(auth, str):
                    raise ValueError
                decoded = base64.b64decode(auth.strip(), validate=True).decode("utf-8")
            except (ValueError, binascii.Error):  # UnicodeDecodeError is a ValueError
                decoded = ""
            username, separator, password = decoded.partition(":")
            if not separator or not username:
                self._warn(
                    f'Docker credentials: the {where} entry for "{shown}" has an invalid "auth"; ignored'
                )
                return None
            password = password.strip("\x00")
        username = username if isinstance(username, str) else ""
        if isinstance(token, str) and token:
            return Credential(username, token, identity_token=True)
        if isinstance(password, str) and (username or password):
            return Credential(username, password)
        return None

    def _from_helper(self, name: object, server: str) -> Credential | None:
        import json
        import shutil

        if not isinstance(name, str) or not name or not set(name) <= _HELPER_NAME_CHARACTERS:
            shown = one_line(name) if isinstance(name, str) else type(name).__name__
            self._warn(f'Docker credentials: credential helper name "{shown}" is not valid; not run')
            return None
        program = f"docker-credential-{name}"
        found = shutil.which(program, path=_absolute_path(self.environ.get("PATH", os.defpath)))
        if found is not None and not os.path.isabs(found):
            found = None  # Windows' which() looks in the current folder first, whatever PATH says
        if found is None:
            self._warn(f"Docker credentials: credential helper {program} not found on PATH")
            return None
        outcome = self._run(found, server)
        if isinstance(outcome, str):
            self._warn(f"Docker credentials: credential helper {program} {outcome}")
            return None
        status, output = outcome
        if status != 0:
            if b"credentials not found" in output.lower():
                return None
            self._warn(f"Docker credentials: credential helper {program} exited with status {status}")
            return None
        try:
            answer = json.loads(output.decode("utf-8"))
        except (ValueError, RecursionError):
            answer = None
        username = answer.get("Username") if isinstance(answer, dict) else None
        secret = answer.get("Secret") if isinstance(answer, dict) else None
        if not isinstance(username, str) or not isinstance(secret, str):
            self._warn(f"Docker credentials: credential helper {program} gave a malformed answer")
            return None
        if not username and not secret:
            return None
        return Credential(username, secret, identity_token=username == TOKEN_USERNAME)

    def _run(self, program: str, server: str) -> tuple[int, bytes] | str:
        """Run ``[program, "get"]`` with ``server`` on standard input: its exit status and output,
        or what went wrong (``timed out after 10 s``). On POSIX the helper leads a process group of
        its own, all of which is killed when it overruns, so nothing it started keeps the pipe."""
        import subprocess

        posix = os.name == "posix"
        try:
            process = subprocess.Popen(
                [program, "get"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=dict(self.environ),
                close_fds=True,
                start_new_session=posix,
            )
        except OSError as exc:
            return f"could not be run ({one_line(exc.strerror or type(exc).__name__).lower()})"
        assert process.stdin is not None and process.stdout is not None
        output = process.stdout.fileno()
        pieces: list[bytes] = []
        overflow = threading.Event()

        def read() -> None:
            total = 0
            while True:
                try:
                    piece = os.read(output, 2**14)
                except OSError:
                    return
                if not piece:
                    return
                total += len(piece)
                if total > MAX_HELPER_OUTPUT:
                    overflow.set()
                    _kill(process, posix)
                    return
                pieces.append(piece)

        reader = threading.Thread(target=read, name="credential-helper-output", daemon=True)
        reader.start()
        try:
            process.stdin.write(server.encode("utf-8", "surrogatepass") + b"\n")
            process.stdin.close()
        except OSError:
            pass  # it exited, or closed its input without reading it: its status says how it went
        reader.join(self.helper_timeout)
        timed_out = reader.is_alive()
        if timed_out:
            _kill(process, posix)
            reader.join(1.0)
        try:
            status = process.wait(1.0 if timed_out or overflow.is_set() else self.helper_timeout)
        except subprocess.TimeoutExpired:
            _kill(process, posix)
            status = process.wait()
            timed_out = True
        finally:
            if not reader.is_alive():
                process.stdout.close()
        if overflow.is_set():
            return f"printed more than {MAX_HELPER_OUTPUT} bytes"
        if timed_out:
            return f"timed out after {self.helper_timeout:g} s"
        return status, b"".join(pieces)


def _absolute_path(path: str) -> str:
    """``PATH`` without its relative entries (an empty one means the current folder): a helper is
    never found in the folder being linted, which is a repository's to fill. Go's
    ``exec.LookPath``, which the Docker CLI uses, refuses such a program too (``ErrDot``)."""
    return os.pathsep.join(entry for entry in path.split(os.pathsep) if os.path.isabs(entry))


def _kill(process: subprocess.Popen[bytes], posix: bool) -> None:
    import signal

    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except OSError:
        pass
