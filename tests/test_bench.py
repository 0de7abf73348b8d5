"""benchmarks/bench.py runs: a smoke run of its start-up and online sections with one timed run
each and three images (times are not asserted: benchmarks/ measures, tests do not), which checks
that an offline run imports nothing of the online checks, that the --baseline export runs, and
that a warm facts cache makes no request."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"


def _has_git_history() -> bool:
    if shutil.which("git") is None:
        return False
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, check=False)
    return done.returncode == 0


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["bench"]
    return module


def test_the_import_check_sees_an_online_module() -> None:
    """Not vacuous: a run that imports requests is reported, and fails the benchmark."""
    bench = _bench_module()
    importer = bench.Command(bench.OURS, (sys.executable, "-c", "import requests"), frozenset({0}))
    failures = bench.check_offline_imports([importer])
    assert len(failures) == 1
    assert failures[0].startswith("an offline run imports online-only modules: requests, urllib3, ")


def test_a_smoke_run_of_the_start_up_and_online_sections() -> None:
    argv = [sys.executable, str(BENCH), "--runs", "1", "--only", "startup,online", "--images", "3"]
    baseline = _has_git_history()
    if baseline:
        argv += ["--baseline", "HEAD"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in done.stderr, done.stderr

    # The offline run on the example imports none of the online checks.
    assert re.search(r"^  valohai-image-lint: \d+ modules; online-only imported: none$", out, re.M), out
    if baseline:
        short = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert re.search(rf"^  valohai-image-lint @ {short}\s+\d+\.\d{{3}}\s", out, re.M), out
        assert f"valohai-image-lint / valohai-image-lint @ {short} = " in out
        assert re.search(
            rf"^  valohai-image-lint @ {short}: \d+ modules; online-only imported: none$", out, re.M
        )

    if shutil.which("docker-registry") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but docker-registry is missing: tests/install-system-packages installs it")
        assert "skipped: docker-registry is not installed" in out
        return
    counts = dict(re.findall(r"^    (valohai-image-lint [^\n]*?|skopeo [^\n]*?)\s+(\d+)$", out, re.M))
    assert int(counts["valohai-image-lint --online --no-cache"]) >= 3  # at least a HEAD per image
    assert counts["valohai-image-lint --online (facts cached)"] == "0"
    assert counts["valohai-image-lint --no-cache (offline, for scale)"] == "0"
    if shutil.which("skopeo") is None:
        assert "skopeo row skipped: skopeo is not installed" in out
    else:
        assert int(counts["skopeo inspect, once per image"]) >= 3


def test_a_smoke_run_of_the_server_section() -> None:
    """Three changes and two documents: the latency rows and our memory row are printed (times are
    not asserted); efm-langserver's and yaml-language-server's rows, or why they were skipped."""
    pytest.importorskip("pygls", reason="the server section needs the server extra")
    argv = [sys.executable, str(BENCH), "--only", "server", "--changes", "3", "--documents", "2"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in done.stderr, done.stderr

    assert "== language server: write to publishDiagnostics read, 3 timed changes each (ms)" in out
    assert re.search(r"^  valohai\.yaml of 204 lines \(29 steps\), [1-9]\d* diagnostics;", out, re.M), out
    number = r"\d+\.\d"
    target = r"\(median target <= 10 ms (met|not met)\)"
    for row in (
        r"didChange -> publish, debounce 0",
        r"didChange -> publish, less the 150 ms debounce",
        r"didSave -> publish \(no debounce\)",
    ):
        assert re.search(
            rf"^  {row}\s+-?{number}\s+-?{number}\s+-?{number}\s+-?{number}\s+{target}$", out, re.M
        ), (
            row,
            out,
        )

    assert "== language servers idle: 2 open valohai.yaml of 204 lines each" in out
    memory = rf"\s+{number}\s+{number}\s+{number}\s+"
    assert re.search(rf"^  valohai-image-lint server{memory}2/2$", out, re.M), out
    if shutil.which("efm-langserver") is None:
        assert "efm-langserver row skipped: not installed" in out
    else:
        assert re.search(rf"^  efm-langserver \(docs/editors\.md recipe\){memory}\d/2$", out, re.M), out
    if shutil.which("yaml-language-server") is None:
        assert "yaml-language-server row skipped: not on PATH" in out
    else:
        assert re.search(rf"^  yaml-language-server[ \d.]*{memory}\d/2$", out, re.M), out
