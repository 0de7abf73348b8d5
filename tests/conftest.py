"""Shared test fixtures: the ../shared folder (skip without it, fail under CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _reference_cache_in_tmp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI caches parsed references; tests keep that cache out of the user's home."""
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("reference-cache")))
    monkeypatch.delenv("VALOHAI_IMAGE_LINT_NO_CACHE", raising=False)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {SHARED} is missing: CI must have ../shared beside the project")
        pytest.skip(f"{SHARED} is not present (a fresh clone has no ../shared)")
    return SHARED
