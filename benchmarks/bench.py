#!/usr/bin/env python3
"""Cold-start benchmarks: valohai-image-lint against yamllint, valohai-yaml and ruamel.yaml alone.

Every command runs as a whole new process of the interpreter that runs this script
(``sys.executable``); the time is the wall clock around the subprocess, so it includes interpreter
start-up and imports, as a pre-commit hook or a CI step pays them. Each command gets one untimed
warm-up run (which also checks its exit code and fills the page cache and ``__pycache__``); the
timed runs then go round-robin over the commands of a table, so drift hits them all alike.

With ``--baseline REF`` the start-up section also times the package as it is at git REF (exported
with ``git archive``), side by side; it checks, under ``-X importtime``, that an offline run imports
nothing of the online checks. The online section times ``--online`` against Debian's real
``docker-registry`` on 127.0.0.1 (started through tests/registry_harness.py), and skopeo.

Usage: python benchmarks/bench.py [--runs N] [--quick] [--baseline REF] [--only SECTION,...] [--images N]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("examples") / "valohai.yaml"  # relative to REPO_ROOT, where every command runs
PYTHON = sys.executable
INSTALL_HINT = "pip install -e '.[bench]'"
OURS = "valohai-image-lint"

DEFAULT_RUNS = 15
QUICK_RUNS = 5
MAIN_STEPS = 5_000
GROWTH_STEPS = (1_000, 5_000, 20_000)
SMALL_FILES = 1_000

# Every command runs with this environment: ours, less PYTHONDONTWRITEBYTECODE, so that the warm-up
# run leaves bytecode in __pycache__ as an installed package has it (pip compiles on install).
# Without that, every run would compile each module changed since __pycache__ was last written.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}

# ruamel.yaml alone, two ways a user would read the file with it:
# - load: YAML(typ='safe').load, which uses libyaml's C parser when ruamel.yaml.clib is installed;
# - pure compose: YAML(typ='safe', pure=True).compose_all, ruamel's pure-Python parser and composer
#   (what our linter did before it read libyaml's events).
RUAMEL_LOAD = "ruamel.yaml load"
RUAMEL_COMPOSE = "ruamel.yaml pure compose"
RUAMEL_SNIPPETS = {
    RUAMEL_LOAD: (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "with open(sys.argv[1], encoding='utf-8') as f:\n"
        "    text = f.read()\n"
        "YAML(typ='safe').load(text)\n"
    ),
    RUAMEL_COMPOSE: (
        "import sys\n"
        "from ruamel.yaml import YAML\n"
        "with open(sys.argv[1], encoding='utf-8') as f:\n"
        "    text = f.read()\n"
        "list(YAML(typ='safe', pure=True).compose_all(text))\n"
    ),
}

# A mix of what the rules look at: pinned versions and digests, floating tags, latest, no tag.
IMAGES = (
    "python:3.12.1-slim",
    "python:3.9",
    "nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04",
    "tensorflow/tensorflow:latest-gpu",
    "ghcr.io/acme/trainer@sha256:" + "0123456789abcdef" * 4,
    "python",
    "registry.example.com:5000/ml/tools:2.4.1",
    "pytorch/pytorch:2.1",
    "ubuntu:latest",
    "valohai/prophet:0.5.2",
)


class BenchFailure(Exception):
    """A command crashed or exited with a code that means failure."""


@dataclass(frozen=True)
class Command:
    label: str
    argv: tuple[str, ...]
    ok_codes: frozenset[int]  # exit codes that mean "ran to the end" (findings are not failures)
    before: Callable[[], None] | None = None  # run, untimed, before each run (edits a file)
    env: Mapping[str, str] | None = field(default=None, compare=False)  # None: ENV
    cwd: Path | None = None  # None: REPO_ROOT


@dataclass(frozen=True)
class Timing:
    command: Command
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package, e.g. "ruamel" for "ruamel.yaml"
        return False


def _run(command: Command, *, capture_stdout: bool = False) -> tuple[float, str]:
    """Run ``command`` once from the repository root; return its wall-clock seconds and stdout."""
    if command.before is not None:
        command.before()
    start = time.perf_counter()
    proc = subprocess.run(
        command.argv,
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode not in command.ok_codes or "Traceback (most recent call last)" in stderr:
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise BenchFailure(f"{command.label}: exit code {proc.returncode}\n{tail}".rstrip())
    stdout = proc.stdout.decode("utf-8", "replace") if capture_stdout else ""
    return elapsed, stdout


def measure(commands: Sequence[Command], runs: int, *, warmup: bool = True) -> tuple[list[Timing], list[str]]:
    """Time each command ``runs`` times, round-robin, after one warm-up run each if ``warmup``.

    Returns the timings of the commands that worked and the failure messages of those that did not.
    """
    failures: list[str] = []
    working: list[Command] = []
    for command in commands:
        try:
            if warmup:
                _run(command)
        except BenchFailure as exc:
            failures.append(str(exc))
        else:
            working.append(command)
    samples: dict[Command, list[float]] = {command: [] for command in working}
    for _ in range(runs):
        for command in list(samples):
            try:
                samples[command].append(_run(command)[0])
            except BenchFailure as exc:  # flaky: report it and drop the command
                failures.append(str(exc))
                del samples[command]
    return [Timing(command, tuple(times)) for command, times in samples.items()], failures


def peak_rss_mib(command: Command) -> float | None:
    """Peak resident set size of one run of ``command``, in MiB (None where it cannot be measured).

    ``os.wait4`` returns the rusage of that one child, so the figure is not polluted by earlier,
    bigger children the way ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (a maximum over all of them) is.
    """
    if not hasattr(os, "wait4"):
        return None
    proc = subprocess.Popen(
        command.argv,
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in command.ok_codes:
        return None
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return usage.ru_maxrss / per_mib


def write_config(path: Path, steps: int, first: int = 0) -> int:
    """Write a valohai.yaml with ``steps`` steps, numbered from ``first``; return its number of lines."""
    lines: list[str] = [f"# generated by benchmarks/bench.py: {steps} steps"]
    for i in range(first, first + steps):
        lines += [
            "- step:",
            f"    name: train-{i:05d}",
            f"    image: {IMAGES[i % len(IMAGES)]}",
            "    command: [pip install -r requirements.txt, 'python train.py {parameters}']",
            "    parameters:",
            f"      - {{name: epochs, type: integer, default: {i % 50 + 1}}}",
            "      - {name: learning_rate, type: float, default: 0.001}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def write_monorepo(root: Path, count: int) -> list[Path]:
    """``count`` project folders under ``root``, each with a small valohai.yaml of 2 to 5 steps."""
    paths: list[Path] = []
    for i in range(count):
        folder = root / f"project-{i:04d}"
        folder.mkdir(parents=True)
        paths.append(folder / "valohai.yaml")
        write_config(paths[-1], 2 + i % 4, first=i)
    return paths


def baseline_command() -> Command:
    return Command("python -c pass", (PYTHON, "-c", "pass"), frozenset({0}))


CACHED = f"{OURS} (results cached)"


def ours_command(*paths: Path | str, label: str = OURS, cached: bool = False) -> Command:
    """Our CLI on ``paths``: with ``--no-cache`` (every file parsed and every rule run, the
    reference grammar imported) unless ``cached``, when a run after the warm-up answers each file
    from the result cache (an unchanged file, as in a repeat pre-commit or CI run)."""
    # 1 means "findings", which the example and the generated files have on purpose; 2 is an error.
    flags = () if cached else ("--no-cache",)
    return Command(label, (PYTHON, "-m", "valohai_image_lint", *flags, *map(str, paths)), frozenset({0, 1}))


EDITED = f"{OURS} (file edited: results miss, references cached)"


def edited_command(folder: Path) -> Command:
    """Our CLI on a copy of the example in ``folder`` whose last line changes before every run:
    the usual pre-commit run after an edit, where the file's result is not cached but the image
    references it names are (the warm-up run stores them)."""
    copy = folder / "valohai.yaml"
    text = (REPO_ROOT / EXAMPLE).read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def edit() -> None:
        copy.write_text(f"{text}# edit {next(edits)}\n", encoding="utf-8")

    argv = (PYTHON, "-m", "valohai_image_lint", str(copy))
    return Command(EDITED, argv, frozenset({0, 1}), before=edit)


def console_script_command(path: Path | str, cached: bool = False) -> Command | None:
    """Our console script (what pre-commit and a shell run), where it is installed beside PYTHON."""
    script = shutil.which(OURS, path=str(Path(PYTHON).parent))
    if script is None:
        return None
    label = f"{OURS} (console script{', results cached' if cached else ''})"
    flags = () if cached else ("--no-cache",)
    return Command(label, (script, *flags, str(path)), frozenset({0, 1}))


def print_ratios(label: str, timings: Sequence[Timing], targets: Targets) -> None:
    """The ratios of one more of our rows (a cached run, the console script) to the others'."""
    mine = next((t for t in timings if t.command.label == label), None)
    if mine is None:
        return
    others = [t for t in timings if not t.command.label.startswith(OURS)]
    if not others:
        return
    print(f"  ratios of medians, {label}:")
    name_width = max(len(t.command.label) for t in others)
    for other in others:
        ratio = mine.median / other.median
        marks = _target_marks(targets.get(other.command.label, []), ratio)
        print(f"    / {other.command.label:<{name_width}} = {ratio:5.2f}x{marks}")


def yamllint_command(*paths: Path | str) -> Command:
    argv = (PYTHON, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", *map(str, paths))
    return Command("yamllint", argv, frozenset({0, 1}))


def ruamel_commands(path: Path | str, suffix: str = "") -> list[Command]:
    """ruamel.yaml alone on ``path``: the safe load and the pure compose (see RUAMEL_SNIPPETS)."""
    return [
        Command(label + suffix, (PYTHON, "-c", snippet, str(path)), frozenset({0}))
        for label, snippet in RUAMEL_SNIPPETS.items()
    ]


def comparison_commands(
    path: Path | str, *, linters: bool, with_ruamel: bool
) -> tuple[list[Command], list[str]]:
    """The other tools on ``path``, and the skip messages for those that are not installed."""
    commands: list[Command] = []
    skipped: list[str] = []
    if linters:
        if _installed("yamllint"):
            commands.append(yamllint_command(path))
        else:
            skipped.append(f"skipped: yamllint not installed ({INSTALL_HINT})")
        if _installed("valohai_yaml"):
            # valohai-yaml's own CLI (the `valohai-yaml` console script): schema validation, then
            # parse + lint.
            argv = (PYTHON, "-m", "valohai_yaml", str(path))
            commands.append(Command("valohai-yaml", argv, frozenset({0, 1})))
        else:
            skipped.append(f"skipped: valohai-yaml not installed ({INSTALL_HINT})")
    if with_ruamel:
        commands += ruamel_commands(path)
    return commands, skipped


# Targets for our median over another command's median, from benchmarks/README.md, by table.
Targets = dict[str, list[tuple[str, float]]]  # label -> [(when, at most this ratio)]
EXAMPLE_TARGETS: Targets = {"python -c pass": [("target", 4.0)], "yamllint": [("target", 0.5)]}
BIG_FILE_TARGETS: Targets = {RUAMEL_LOAD: [("target", 1.5)], RUAMEL_COMPOSE: [("target", 1.5)]}
SMALL_FILES_TARGETS: Targets = {"yamllint": [("target", 0.3)]}
# Linear growth: our cost per 1,000 steps on the largest file over that on the smallest.
LINEAR_TARGET = 1.5


def _target_marks(targets: list[tuple[str, float]], ratio: float) -> str:
    if not targets:
        return ""
    marks = ", ".join(
        f"{when} <= {limit:g}x {'met' if ratio <= limit else 'not met'}" for when, limit in targets
    )
    return f"   ({marks})"


def print_table(title: str, timings: Sequence[Timing], runs: int, targets: Targets, ours: str = OURS) -> None:
    print(f"\n== {title}: {runs} timed runs each")
    width = max([len("command"), *(len(t.command.label) for t in timings)])
    print(f"  {'command':<{width}}  {'median s':>9}  {'min s':>9}")
    for timing in timings:
        print(f"  {timing.command.label:<{width}}  {timing.median:>9.3f}  {timing.minimum:>9.3f}")
    mine = next((t for t in timings if t.command.label == ours), None)
    if mine is None:
        return
    others = [t for t in timings if t is not mine and not t.command.label.startswith(OURS)]
    if others:
        print("  ratios of medians:")
        name_width = max(len(t.command.label) for t in others)
        for other in others:
            ratio = mine.median / other.median
            marks = _target_marks(targets.get(other.command.label, []), ratio)
            print(f"    {ours} / {other.command.label:<{name_width}} = {ratio:5.2f}x{marks}")


def print_growth(rows: Sequence[tuple[int, int, dict[str, Timing]]], cold_start: float | None) -> None:
    """Our CLI and ruamel alone by file size; ``rows`` are (steps, lines, timings by label).

    ``cold_start`` is our median on the small example: start-up and imports, the fixed cost.
    """
    print("\n== growth: by file size (medians)")
    header = f"  {'steps':>7}  {'lines':>8}  {OURS + ' s':>22}  {'ms per 1k steps':>16}"
    header += "".join(f"  {'/ ' + label:>28}" for label in RUAMEL_SNIPPETS)
    print(header)
    per_k: dict[int, float] = {}
    for steps, lines, timings in rows:
        ours = timings.get(OURS)
        if ours is None:
            continue
        line = f"  {steps:>7,}  {lines:>8,}  {ours.median:>22.3f}"
        if cold_start is not None:
            per_k[steps] = (ours.median - cold_start) / steps * 1e6
            line += f"  {per_k[steps]:>16.1f}"
        else:
            line += f"  {'':>16}"
        for label in RUAMEL_SNIPPETS:
            other = timings.get(label)
            line += f"  {ours.median / other.median:>27.2f}x" if other else f"  {'':>28}"
        print(line)
    if cold_start is not None:
        print("  (ms per 1k steps: our median minus our median on the example, per 1,000 steps)")
    if len(per_k) >= 2 and per_k[min(per_k)] > 0:
        growth = per_k[max(per_k)] / per_k[min(per_k)]
        verdict = "linear" if growth <= LINEAR_TARGET else "not linear"
        print(
            f"  cost per step, {max(per_k):,} over {min(per_k):,} steps: {growth:.2f}x "
            f"(target <= {LINEAR_TARGET:g}x: {verdict})"
        )


# -- offline imports and the baseline ---------------------------------------------------------------

# What only an online run may import: the HTTP stack, the thread pool, and our online modules. An
# offline run (the default) must import none of them: its start-up must not grow with the online
# checks.
ONLINE_ONLY_MODULES = (
    "requests",
    "urllib3",
    "certifi",
    "charset_normalizer",
    "idna",
    "http.client",
    "ssl",
    "concurrent.futures",
    "valohai_image_lint.registry_client",
    "valohai_image_lint.lookups",
    "valohai_image_lint.credentials",
    "valohai_image_lint.cache.facts",
)


def imported_modules(command: Command) -> list[str]:
    """The modules one run of ``command`` (a ``python ...`` command) imports, in order, read from
    ``-X importtime``'s report on stderr."""
    argv = (command.argv[0], "-X", "importtime", *command.argv[1:])
    proc = subprocess.run(
        argv,
        cwd=command.cwd or REPO_ROOT,
        env=ENV if command.env is None else command.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode not in command.ok_codes or "Traceback (most recent call last)" in stderr:
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise BenchFailure(f"{command.label} -X importtime: exit code {proc.returncode}\n{tail}".rstrip())
    prefix = "import time:"
    names = [line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith(prefix)]
    return [name for name in names if name != "package"]  # the header line: "self [us] | ... | package"


def check_offline_imports(commands: Sequence[Command]) -> list[str]:
    """Print how many modules each offline command imports and which online-only ones; return a
    failure for each online-only module our current CLI imports offline."""
    print(f"\n== offline imports (one run each under -X importtime): {EXAMPLE}")
    failures: list[str] = []
    for command in commands:
        try:
            modules = imported_modules(command)
        except BenchFailure as exc:
            failures.append(str(exc))
            continue
        online = [name for name in ONLINE_ONLY_MODULES if name in modules]
        print(
            f"  {command.label}: {len(modules)} modules; online-only imported: {', '.join(online) or 'none'}"
        )
        if online and command.label == OURS:
            failures.append(f"an offline run imports online-only modules: {', '.join(online)}")
    print(f"  (online-only: {', '.join(ONLINE_ONLY_MODULES)})")
    return failures


def export_ref(ref: str, folder: Path) -> str:
    """Write the package ``valohai_image_lint`` as it is at git ``ref`` into ``folder``; return the
    ref's short commit name and subject."""

    def git(*args: str) -> bytes:
        done = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, check=False)
        if done.returncode != 0:
            raise BenchFailure(f"git {' '.join(args)}: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done.stdout

    commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    archive = git("archive", "--format=tar", commit, "valohai_image_lint")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(folder, filter="data")
        else:  # Python < 3.10.12 / 3.11.4: git archive writes plain files and folders only
            tar.extractall(folder)
    return git("log", "-1", "--format=%h %s", commit).decode().strip()


def baseline_commands(folder: Path, cache: Path, short: str) -> tuple[list[Command], Command]:
    """Our CLI as exported into ``folder``, on the example, from the repository root like ours: the
    cold row and the results-cached one (with a cache folder of its own, whose format may differ),
    and a command that prints which package the baseline imports.

    ``-P`` (Python 3.11+) keeps the current folder (which holds today's package) off ``sys.path``,
    so that PYTHONPATH, the export, comes first; before 3.11 a ``-c`` bootstrap puts it first."""
    env = {**ENV, "PYTHONPATH": str(folder), "VALOHAI_IMAGE_LINT_CACHE_DIR": str(cache)}
    if sys.version_info >= (3, 11):
        start: tuple[str, ...] = (PYTHON, "-P", "-m", "valohai_image_lint")
        probe = (PYTHON, "-P", "-c", "import valohai_image_lint as p; print(p.__file__)")
    else:
        boot = f"import sys, runpy; sys.path[0:1] = [{str(folder)!r}]; "
        start = (PYTHON, "-c", boot + "runpy.run_module('valohai_image_lint', run_name='__main__')")
        probe = (PYTHON, "-c", boot + "import valohai_image_lint as p; print(p.__file__)")
    label = f"{OURS} @ {short.split()[0]}"
    rows = [
        Command(label, (*start, "--no-cache", str(EXAMPLE)), frozenset({0, 1}), env=env),
        Command(f"{label} (results cached)", (*start, str(EXAMPLE)), frozenset({0, 1}), env=env),
    ]
    return rows, Command(f"{label} (which package)", probe, frozenset({0}), env=env)


# The start-up of an offline run against the baseline ref's: at most this ratio (noise aside).
BASELINE_TARGET = 1.05


def print_baseline(timings: Sequence[Timing], pairs: Sequence[tuple[str, str]]) -> None:
    """Our medians over the baseline's, for each (ours, baseline) pair of labels."""
    by_label = {t.command.label: t for t in timings}
    for ours, theirs in pairs:
        if ours in by_label and theirs in by_label:
            ratio = by_label[ours].median / by_label[theirs].median
            marks = _target_marks([("target", BASELINE_TARGET)], ratio)
            print(f"    {ours} / {theirs} = {ratio:5.2f}x{marks}")


# -- online lookups ---------------------------------------------------------------------------------

DEFAULT_IMAGES = 20
ONLINE_COLD = f"{OURS} --online --no-cache"
ONLINE_WARM = f"{OURS} --online (facts cached)"
ONLINE_OFFLINE = f"{OURS} --no-cache (offline, for scale)"
SKOPEO = "skopeo inspect, once per image"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def online_section(runs: int, images: int) -> list[str]:
    """Time the online checks against Debian's real ``docker-registry`` on 127.0.0.1 (through
    tests/registry_harness.py), with ``images`` images pushed; return the failures."""
    print(f"\n== online lookups: {images} images in a local docker-registry")
    if shutil.which("docker-registry") is None:
        print("  skipped: docker-registry is not installed (Debian: apt-get install docker-registry)")
        return []
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    try:
        import registry_harness
    except ImportError as exc:  # pytest, requests, cryptography: the test extra
        print(f"  skipped: tests/registry_harness.py needs {exc.name} (pip install -e '.[test]')")
        return []
    finally:
        sys.path.remove(str(REPO_ROOT / "tests"))
    with tempfile.TemporaryDirectory(prefix="vil-bench-online-") as tmp:
        folder = Path(tmp)
        with registry_harness.start_registry(folder) as registry:
            proxy = registry_harness.FrontProxy(registry)
            try:
                return _online(runs, images, folder, registry, proxy)
            finally:
                proxy.stop()


def _online(runs: int, images: int, folder: Path, registry: object, proxy: object) -> list[str]:
    from registry_harness import FrontProxy, Registry

    assert isinstance(registry, Registry) and isinstance(proxy, FrontProxy)
    names: list[str] = []
    multi = 0
    for i in range(images):
        repository, tag = f"bench/app-{i:02d}", f"1.{i}.0"
        platforms = ("linux/amd64", "linux/arm64") if i % 4 == 0 else ("linux/amd64",)
        multi += len(platforms) > 1
        registry.push(repository, tag, platforms=platforms, media="docker" if i % 3 == 1 else "oci")
        names.append(f"{proxy.host}/{repository}:{tag}")  # looked up through the counting proxy
    config = folder / "valohai.yaml"
    config.write_text(
        "".join(
            f"- step:\n    name: step-{i:02d}\n    image: {name}\n    command: python train.py\n"
            for i, name in enumerate(names)
        ),
        encoding="utf-8",
    )
    print(
        f"  {images} images ({multi} multi-platform: linux/amd64 and linux/arm64), pushed to {registry.url},"
    )
    print(f"  named in {config.name} through a request-counting proxy at {proxy.url}")

    # Only 127.0.0.1: no proxy settings, no user credentials, a cache folder of the section's own.
    docker_config = folder / "docker"
    docker_config.mkdir()
    env = {
        name: value
        for name, value in ENV.items()
        if name.lower() not in PROXY_VARIABLES and name != "REGISTRY_AUTH_FILE"
    }
    env.update(
        NO_PROXY="127.0.0.1,localhost",
        DOCKER_CONFIG=str(docker_config),
        REGISTRY_AUTH_FILE=str(docker_config / "auth.json"),
        VALOHAI_IMAGE_LINT_CACHE_DIR=str(folder / "cache"),
    )
    lint = (PYTHON, "-m", "valohai_image_lint", "--online")
    cold = Command(ONLINE_COLD, (*lint, "--no-cache", str(config)), frozenset({0, 1}), env=env)
    warm = Command(ONLINE_WARM, (*lint, str(config)), frozenset({0, 1}), env=env)
    offline = Command(ONLINE_OFFLINE, (*lint[:-1], "--no-cache", str(config)), frozenset({0, 1}), env=env)
    commands = [cold, warm, offline]
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        print("  skopeo row skipped: skopeo is not installed (Debian: apt-get install skopeo)")
    else:
        each = " ".join(shlex.quote(f"docker://{name}") for name in names)
        inspect = f"{shlex.quote(skopeo)} inspect --tls-verify=false"
        loop = f'for image in {each}; do {inspect} "$image" >/dev/null || exit 1; done'
        commands.append(Command(SKOPEO, ("/bin/sh", "-c", loop), frozenset({0}), env=env))

    failures: list[str] = []
    try:
        _, output = _run(cold, capture_stdout=True)
    except BenchFailure as exc:
        return [str(exc)]
    wrong = [line for line in output.splitlines() if ": VIL4" in line]
    if wrong:  # every image exists and runs on linux/amd64: no online finding is expected
        return ["online: findings where the registry has every image:\n" + "\n".join(wrong[:5])]

    timings, failed = measure(commands, runs)  # the warm-up run fills the facts cache
    failures += failed
    print_table(f"online lookups, {images} images", timings, runs, {}, ours=ONLINE_COLD)
    print_ratios(ONLINE_WARM, timings, {})

    # One more run of each, untimed, counting what reaches the registry.
    print("  requests per run, counted by the proxy:")
    for timing in timings:
        before = len(proxy.requests)
        try:
            _run(timing.command)
        except BenchFailure as exc:
            failures.append(str(exc))
            continue
        count = len(proxy.requests) - before
        print(f"    {timing.command.label:<{max(len(t.command.label) for t in timings)}}  {count:>4}")
        if timing.command is warm and count:
            failures.append(f"{ONLINE_WARM}: {count} requests with every fact cached (expected none)")

    # lookups.py: "a warm run makes no request. requests is imported here only when a lookup has
    # to be made". Reported, not failed: the request count above is the requirement.
    try:
        modules = imported_modules(warm)
    except BenchFailure as exc:
        failures.append(str(exc))
    else:
        online = [name for name in ONLINE_ONLY_MODULES if name in modules]
        http = [name for name in ("requests", "urllib3", "ssl") if name in modules]
        verdict = f"imports {', '.join(http)} with no request to make" if http else "no HTTP stack imported"
        print(f"  {ONLINE_WARM}, imports (-X importtime): {len(modules)} modules; {verdict}")
        print(f"    online-only imported: {', '.join(online) or 'none'}")
    return failures


# startup: the example file (and the offline imports, and --baseline); files: the generated files
# (one big, the growth series, 1,000 small ones, peak RSS); online: lookups against a local registry.
SECTIONS = ("startup", "files", "online")


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"sections are {', '.join(SECTIONS)}, not {text!r}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"timed runs per command on the small example (default {DEFAULT_RUNS}, {QUICK_RUNS} with "
        "--quick); the big files get about a third of that, at least 3",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer runs; no yamllint or valohai-yaml on the big file, no 1k and 20k step growth series",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also time the offline start-up of the package as it is at git REF (e.g. a3e3edf, the "
        "commit before the online checks), side by side with today's",
    )
    parser.add_argument(
        "--only",
        type=_sections,
        default=SECTIONS,
        metavar="SECTION[,SECTION]",
        help=f"run only these sections, of {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--images",
        type=int,
        default=DEFAULT_IMAGES,
        help=f"images in the online section's registry (default {DEFAULT_IMAGES})",
    )
    args = parser.parse_args(argv)
    runs: int = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if args.images < 1:
        parser.error("--images must be at least 1")
    big_runs = min(runs, max(3, runs // 3))

    # A cache folder of the run's own: the user's cache is neither read nor written.
    cache = tempfile.mkdtemp(prefix="vil-bench-cache-")
    ENV["VALOHAI_IMAGE_LINT_CACHE_DIR"] = cache
    try:
        return _main(args, runs, big_runs)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _main(args: argparse.Namespace, runs: int, big_runs: int) -> int:
    print(f"python {platform.python_version()} ({PYTHON}) on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"repository: {REPO_ROOT}")
    clib = "installed" if _installed("_ruamel_yaml") else "not installed (pure-Python parser)"
    print(f"ruamel.yaml.clib: {clib}")
    failures: list[str] = []
    skipped: list[str] = []
    ours_cold: float | None = None
    if "startup" in args.only:
        skipped, ours_cold = _startup(args.baseline, runs, failures)
    if "files" in args.only and not failures:
        _files(args.quick, big_runs, skipped, ours_cold, failures)
    if "online" in args.only:
        failures += online_section(runs, args.images)
    return _report_failures(failures)


def _startup(ref: str | None, runs: int, failures: list[str]) -> tuple[list[str], float | None]:
    """1. Start-up: the example file, where start-up and imports dominate; the offline imports; and
    with a ``ref``, the same offline runs of the package as it was at that ref. Returns the skip
    messages printed and our median."""
    others, skipped = comparison_commands(EXAMPLE, linters=True, with_ruamel=False)
    for message in skipped:
        print(message)
    found = (console_script_command(EXAMPLE), console_script_command(EXAMPLE, cached=True))
    scripts = [script for script in found if script is not None]
    import_ruamel = Command("import ruamel.yaml", (PYTHON, "-c", "import ruamel.yaml"), frozenset({0}))
    ours = ours_command(EXAMPLE)
    cached = ours_command(EXAMPLE, label=CACHED, cached=True)
    scratch = Path(tempfile.mkdtemp(prefix="vil-bench-startup-"))
    try:
        then: list[Command] = []
        if ref is not None:
            try:
                short = export_ref(ref, scratch / "baseline")
                then, probe = baseline_commands(scratch / "baseline", scratch / "baseline-cache", short)
                _, where = _run(probe, capture_stdout=True)
            except BenchFailure as exc:
                failures.append(f"--baseline {ref}: {exc}")
                return skipped, None
            if not Path(where.strip()).is_relative_to(scratch / "baseline"):
                failures.append(f"--baseline {ref}: the baseline runs imported {where.strip()}")
                return skipped, None
            print(f"baseline: {short if len(short) <= 100 else short[:99] + '…'}")
        (scratch / "edited").mkdir()
        edited = edited_command(scratch / "edited")
        commands = [baseline_command(), ours, cached, *then, edited, *scripts, *others]
        commands.append(import_ruamel)  # for scale: what importing all of ruamel.yaml costs
        timings, failed = measure(commands, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failures += failed
    print_table(
        f"start-up: {EXAMPLE} ({len((REPO_ROOT / EXAMPLE).read_text().splitlines())} lines)",
        timings,
        runs,
        EXAMPLE_TARGETS,
    )
    for extra in (cached, edited, *scripts):
        print_ratios(extra.label, timings, EXAMPLE_TARGETS)
    if then:
        print(f"  against {then[0].label.removeprefix(OURS + ' ')} (the offline start-up must not grow):")
        print_baseline(timings, [(ours.label, then[0].label), (cached.label, then[1].label)])
    failures += check_offline_imports([ours, *then[:1]])
    return skipped, next((t.median for t in timings if t.command.label == OURS), None)


def _files(
    quick: bool, big_runs: int, skipped: Sequence[str], ours_cold: float | None, failures: list[str]
) -> None:
    """2 to 5: generated files (a big one, the growth series, many small ones, peak RSS)."""
    with tempfile.TemporaryDirectory(prefix="vil-bench-") as tmp:
        # The generator repeats every len(IMAGES) steps: a small sample shows whether it writes valid YAML.
        sample = Path(tmp) / "sample.yaml"
        write_config(sample, 2 * len(IMAGES))
        try:
            _, output = _run(ours_command(sample), capture_stdout=True)
        except BenchFailure as exc:
            failures.append(f"generated sample: {exc}")
        else:
            if "VIL001" in output:
                failures.append(f"the generated file is not valid YAML:\n{output.strip()}")
        if failures:
            return

        sizes: dict[int, int] = {}  # steps -> lines
        paths: dict[int, Path] = {}
        for steps in (MAIN_STEPS,) if quick else GROWTH_STEPS:
            paths[steps] = Path(tmp) / f"valohai-{steps}.yaml"
            sizes[steps] = write_config(paths[steps], steps)

        # 2. The big file: parsing and rules dominate. No warm-up runs here: the example already
        # compiled our modules, and a warm-up of seconds would buy nothing against runs of seconds.
        big = paths[MAIN_STEPS]
        others, big_skipped = comparison_commands(big, linters=not quick, with_ruamel=True)
        for message in big_skipped:
            if message not in skipped:
                print(message)
        timings, failed = measure([baseline_command(), ours_command(big), *others], big_runs, warmup=False)
        failures += failed
        print_table(
            f"generated valohai.yaml, {MAIN_STEPS:,} steps ({sizes[MAIN_STEPS]:,} lines)",
            timings,
            big_runs,
            BIG_FILE_TARGETS,
        )
        growth: dict[int, dict[str, Timing]] = {
            MAIN_STEPS: {t.command.label: t for t in timings if t.command.label in (OURS, *RUAMEL_SNIPPETS)}
        }

        # 3. How the cost grows with the file, against ruamel alone on each size.
        if not quick:
            by_command: dict[Command, tuple[int, str]] = {}
            for steps in GROWTH_STEPS:
                if steps == MAIN_STEPS:
                    continue
                suffix = f" ({steps:,} steps)"
                ours = ours_command(paths[steps], label=OURS + suffix)
                for command in (ours, *ruamel_commands(paths[steps], suffix)):
                    by_command[command] = (steps, command.label.removesuffix(suffix))
            measured, failed = measure(list(by_command), min(big_runs, 3), warmup=False)
            failures += failed
            for timing in measured:
                steps, label = by_command[timing.command]
                growth.setdefault(steps, {})[label] = timing
            print_growth([(s, sizes[s], growth[s]) for s in sorted(growth)], ours_cold)

        # 4. Many small files in one invocation: a monorepo's `pre-commit run --all-files`.
        small = write_monorepo(Path(tmp) / "monorepo", SMALL_FILES)
        small_commands = [ours_command(*small), ours_command(*small, label=CACHED, cached=True)]
        if _installed("yamllint"):
            small_commands.append(yamllint_command(*small))
        timings, failed = measure(small_commands, big_runs)  # the warm-up fills the result cache
        failures += failed
        print_table(
            f"{SMALL_FILES:,} small valohai.yaml files (2 to 5 steps each), all in one invocation",
            timings,
            big_runs,
            SMALL_FILES_TARGETS,
        )
        print_ratios(CACHED, timings, SMALL_FILES_TARGETS)

        # 5. Memory on the largest file.
        largest = max(paths)
        print(f"\n== peak RSS on the {largest:,}-step file ({sizes[largest]:,} lines), one run each")
        for command in (baseline_command(), ours_command(paths[largest]), *ruamel_commands(paths[largest])):
            rss = peak_rss_mib(command)
            shown = "not measured (needs os.wait4 and exit 0 or 1)" if rss is None else f"{rss:.1f} MiB"
            print(f"  {command.label:<28}  {shown}")


def _report_failures(failures: Sequence[str]) -> int:
    """Print the failures, if any; return the exit code."""
    if not failures:
        return 0
    print("\nFAILED:")
    for message in failures:
        print("  " + message.replace("\n", "\n    "))
    return 1


if __name__ == "__main__":
    sys.exit(main())
