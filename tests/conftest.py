"""Shared test fixtures: the ../shared folder (skip without it, fail under CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {SHARED} is missing: CI must have ../shared beside the project")
        pytest.skip(f"{SHARED} is not present (a fresh clone has no ../shared)")
    return SHARED
