"""Every rule's page (its module docstring): the sections, and examples that do what they say."""

from __future__ import annotations

import importlib
import re
import sys

import pytest

from valohai_image_lint import LintConfig, lint_text
from valohai_image_lint.config.files import FileSettings
from valohai_image_lint.config.keys import validate
from valohai_image_lint.config.resolve import resolve
from valohai_image_lint.facts import ImageFacts, LookupKey, Manifest, Platform, Status, lookup_key
from valohai_image_lint.linter import image_refs, lint_python, step_images
from valohai_image_lint.option_reader import CommandLine
from valohai_image_lint.rule import Rule
from valohai_image_lint.rules import ALL_RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Fix safety",
)
IDS = [rule.code for rule in ALL_RULES]


def _section(doc: str, heading: str) -> str:
    """The text under ``heading``, up to the next ``## `` heading."""
    lines = doc.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end])


def _block(doc: str, heading: str, language: str) -> str | None:
    match = re.search(rf"^```{language}\n(.*?)^```$", _section(doc, heading), re.DOTALL | re.MULTILINE)
    return match.group(1) if match is not None else None


def _yaml_block(doc: str, heading: str) -> str:
    block = _block(doc, heading, "yaml")
    assert block is not None, f"no ```yaml block under {heading!r}"
    return block


def _config(rule: Rule) -> LintConfig:
    """The default rules and this one, with the settings of the page's ```toml block under Options, if any
    (rules such as VIL201 do nothing until configured)."""
    match = re.search(r"^```toml\n(.*?)^```$", _section(rule.doc, "## Options"), re.DOTALL | re.MULTILINE)
    values: dict[str, object] = {}
    if match is not None:
        data = tomllib.loads(match.group(1))
        values = validate(data.get("tool", {}).get("valohai-image-lint", data), f"{rule.code} page: ")
    return resolve(FileSettings(None, values), CommandLine(extend_select=(rule.code,)))[0]


AMD64, ARM64 = Platform("linux", "amd64"), Platform("linux", "arm64")
DIGEST_1, DIGEST_2 = (f"sha256:{'0' * 63}{n}" for n in (1, 2))


def _single(platform: Platform, digest: str = DIGEST_2) -> Manifest:
    return Manifest(digest, "application/vnd.oci.image.manifest.v1+json", platform=platform, size=1000)


# What the registry says of each online rule's examples (the state each page describes above its
# example): the online rules judge the facts of an online run, which these stand for. Their end
# to end tests, against a real registry, are tests/test_online.py.
ONLINE_FACTS = {
    ("VIL401", "## Example"): lambda key: ImageFacts(key, Status.MISSING_TAG),
    ("VIL401", "## Use instead"): lambda key: ImageFacts(key, Status.FOUND, manifest=_single(AMD64)),
    ("VIL402", "## Example"): lambda key: ImageFacts(key, Status.FOUND, manifest=_single(ARM64)),
    ("VIL402", "## Use instead"): lambda key: ImageFacts(key, Status.FOUND, manifest=_single(AMD64)),
    ("VIL403", "## Example"): lambda key: ImageFacts(
        key, Status.FOUND, manifest=_single(AMD64, DIGEST_1), tag_manifest=_single(AMD64), tag_digest=DIGEST_2
    ),
    ("VIL403", "## Use instead"): lambda key: ImageFacts(
        key, Status.FOUND, manifest=_single(AMD64), tag_manifest=_single(AMD64), tag_digest=DIGEST_2
    ),
    ("VIL404", "## Example"): lambda key: ImageFacts(key, Status.FAILED, reason="timed out after 20 s"),
    ("VIL404", "## Use instead"): lambda key: ImageFacts(key, Status.FOUND, manifest=_single(AMD64)),
}


def _facts(rule: Rule, heading: str, yaml: str) -> dict[LookupKey, ImageFacts] | None:
    make = ONLINE_FACTS.get((rule.code, heading))
    if make is None:
        return None
    return {lookup_key(ref): make(lookup_key(ref)) for ref in image_refs(yaml, "valohai.yaml")}


def _codes(rule: Rule, heading: str) -> list[str]:
    """The codes reported on the section's example: its ```python block when it has one (linted
    as train.py, with its ```yaml block, if any, as the nearest valohai.yaml), else its ```yaml."""
    python = _block(rule.doc, heading, "python")
    yaml = _block(rule.doc, heading, "yaml")
    if python is not None:
        steps = step_images(yaml, "valohai.yaml") if yaml is not None else None
        return [d.code for d in lint_python(python, "train.py", _config(rule), steps=steps)]
    yaml = _yaml_block(rule.doc, heading)
    return [d.code for d in lint_text(yaml, config=_config(rule), facts=_facts(rule, heading, yaml))]


@pytest.mark.parametrize("rule", ALL_RULES, ids=IDS)
@pytest.mark.parametrize("heading", HEADINGS)
def test_page_has_heading(rule: Rule, heading: str) -> None:
    assert heading in rule.doc.splitlines()


# VIL999 reports a bug in the linter: no input triggers it on purpose (tests/test_internal_error.py
# makes a rule fail to see it).
EXAMPLE_RULES = [rule for rule in ALL_RULES if rule.code != "VIL999"]
EXAMPLE_IDS = [rule.code for rule in EXAMPLE_RULES]


@pytest.mark.parametrize("rule", EXAMPLE_RULES, ids=EXAMPLE_IDS)
def test_example_reports_the_rule(rule: Rule) -> None:
    assert rule.code in _codes(rule, "## Example")


@pytest.mark.parametrize("rule", EXAMPLE_RULES, ids=EXAMPLE_IDS)
def test_use_instead_does_not_report_the_rule(rule: Rule) -> None:
    assert rule.code not in _codes(rule, "## Use instead")


@pytest.mark.parametrize("rule", EXAMPLE_RULES, ids=EXAMPLE_IDS)
def test_use_instead_is_valid(rule: Rule) -> None:
    yaml = _block(rule.doc, "## Use instead", "yaml")
    python = _block(rule.doc, "## Use instead", "python")
    assert yaml is not None or python is not None
    if yaml is not None:
        assert "VIL001" not in [d.code for d in lint_text(yaml, config=LintConfig(select=("VIL001",)))]
    if python is not None:
        assert "VIL005" not in [d.code for d in lint_python(python, config=LintConfig(select=("VIL005",)))]


def test_codes_are_unique() -> None:
    assert len({rule.code for rule in ALL_RULES}) == len(ALL_RULES)


def test_names_are_unique() -> None:
    assert len({rule.name for rule in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=IDS)
def test_code_format(rule: Rule) -> None:
    assert re.fullmatch(r"VIL[0-9]{3}", rule.code)


@pytest.mark.parametrize("rule", ALL_RULES, ids=IDS)
def test_name_is_kebab_case(rule: Rule) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name)


@pytest.mark.parametrize("rule", ALL_RULES, ids=IDS)
def test_module_file_is_the_name_with_underscores(rule: Rule) -> None:
    module = importlib.import_module(f"valohai_image_lint.rules.{rule.name.replace('-', '_')}")
    assert module.RULE is rule
    assert module.__doc__ == rule.doc


def test_rules_are_in_code_order() -> None:
    assert [rule.code for rule in ALL_RULES] == sorted(rule.code for rule in ALL_RULES)


def test_docs_rules_md_is_generated_from_the_pages() -> None:
    """docs/rules.md is `valohai-image-lint rule --all`; regenerate it when a page changes."""
    from pathlib import Path

    from valohai_image_lint.rule_pages import all_pages

    docs = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    assert docs.read_text(encoding="utf-8") == all_pages(), (
        "docs/rules.md is stale: run `valohai-image-lint rule --all > docs/rules.md`"
    )


@pytest.mark.parametrize("rule", ALL_RULES, ids=IDS)
def test_the_options_section_names_every_option_the_rule_declares(rule: Rule) -> None:
    options = _section(rule.doc, "## Options")
    for option in rule.options:
        assert f"`{option.key}`" in options, f"{rule.title}: ## Options does not name `{option.key}`"
