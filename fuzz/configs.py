"""The settings fuzzing lints under, shared by the atheris harness (``fuzz_lint.py``, run as a
script from this folder) and the hypothesis properties (``tests/test_fuzz.py``, which loads this
file by path): every rule, with options so that the rules that need them (allowed images,
private registries, end of life) have something to do."""

from __future__ import annotations

from valohai_image_lint.config.settings import LintConfig

CONFIGS = (
    LintConfig(select=("ALL",)),
    LintConfig(
        select=("ALL",),
        options={
            "allowed-images": ("docker.io/library/*", "ghcr.io/acme/**", "python:3.1*"),
            "private-registries": ("registry.acme.internal/**", "acme/*"),
        },
        require_digest=True,
        today="2024-06-01",
    ),
    LintConfig(select=("ALL",), suppressions=False, today="2031-01-01"),
)
