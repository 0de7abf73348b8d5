"""``--watch``: lint, report, and lint again whenever a linted file or a config file changes.

Changes are found by polling: every ``INTERVAL`` seconds the watched paths are ``stat``-ed and
compared by modification time, size, inode and kind (no busy loop, no new dependency, and it
works on every system and file system). Watched are the paths given (a folder's own time changes
when an entry is added or removed), each linted file and its folder, and every place a config
file could be for it (the config names in each folder up to the repository root, existing or
not, so a new config is noticed) and ``--config``'s file; at most ``MAX_WATCHED`` of them.

Each round makes a new ``Workspace``: one kept across rounds would answer from the texts it has
read; the result and reference caches on disk make the rounds after the first fast. The screen
is cleared before each round when the output is a terminal. Ctrl-C ends it, exit code 0.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .command import EXIT_CLEAN
from .command import error as _error

if TYPE_CHECKING:
    from .workspace import RunResult, Workspace

INTERVAL = 0.5  # seconds between two looks at the files
MAX_WATCHED = 10_000
CLEAR = "\x1b[2J\x1b[H"

Snapshot = tuple[tuple[int, int, int, int] | None, ...]


def watch(
    args: Any,
    make_workspace: Callable[[], Workspace],
    report: Callable[[RunResult], None],
    out: TextIO,
    err: TextIO,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Lint ``args.paths`` and report, again after each change, until Ctrl-C; exit code 0."""
    watched: list[str] = list(args.paths or ["."])
    try:
        while True:
            if hasattr(out, "isatty") and out.isatty():
                out.write(CLEAR)
                out.flush()
            # What the last round watched, as it was before this round read it: a change made
            # while the round ran is seen by comparing with it, and linted again at once.
            before_round = dict(zip(watched, snapshot(watched), strict=True))
            watched = _bounded(_lint_once(args, make_workspace(), report, err), err)
            linted = snapshot(watched)
            if any(before_round.get(path, now) != now for path, now in zip(watched, linted, strict=True)):
                continue
            err.write(f"Watching {len(watched)} files for changes; press Ctrl-C to stop.\n")
            err.flush()
            while snapshot(watched) == linted:
                sleep(INTERVAL)
    except KeyboardInterrupt:
        return EXIT_CLEAN


def _lint_once(
    args: Any, workspace: Workspace, report: Callable[[RunResult], None], err: TextIO
) -> list[str]:
    """One round: the paths to watch for the next."""
    from .config.errors import ConfigError

    watched = list(args.paths or ["."])
    if args.config:
        watched.append(args.config)
    try:
        workspace.load_config()
        result = workspace.lint_paths(args.paths)
    except ConfigError as exc:
        _error(err, str(exc))
        return [*watched, *_config_places(watched)]
    workspace.save()
    report(result)
    for path in result.linted:
        watched += (path, os.path.dirname(path) or ".")
    return [*watched, *_config_places(result.linted or watched)]


def _config_places(paths: Iterable[str]) -> list[str]:
    """Where a config file for ``paths`` could be: each config name in each folder from theirs
    up to the repository root."""
    from .config.location import CONFIG_FILES
    from .reading import folders_up

    folders: dict[str, None] = {}
    for path in paths:
        start = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        for folder in folders_up(os.path.abspath(start)):
            if folder in folders:
                break
            folders[folder] = None
    return [os.path.join(folder, name) for folder in folders for name in CONFIG_FILES]


def _bounded(paths: Sequence[str], err: TextIO) -> list[str]:
    unique = list(dict.fromkeys(paths))
    if len(unique) > MAX_WATCHED:
        _error(err, f"{len(unique)} paths to watch; watching the first {MAX_WATCHED}")
    return unique[:MAX_WATCHED]


def snapshot(paths: Sequence[str]) -> Snapshot:
    """What each path looks like now (None: it does not exist)."""
    seen: list[tuple[int, int, int, int] | None] = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            seen.append(None)
            continue
        seen.append((status.st_mtime_ns, status.st_size, status.st_ino, status.st_mode))
    return tuple(seen)
