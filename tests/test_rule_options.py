"""Options that rules declare (``Rule.options``): one declaration makes a config key that is
validated, shown by ``--show-settings`` and handed to the rule. The rule with a new option here
is a real rule added to the registry for the test, as a new rule's module would add it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from valohai_image_lint import LintConfig, Severity
from valohai_image_lint import linter as engine
from valohai_image_lint.cli import main
from valohai_image_lint.config import keys
from valohai_image_lint.config.errors import ConfigError
from valohai_image_lint.config.files import ConfigFinder, FileSettings
from valohai_image_lint.config.option import Option, image_patterns
from valohai_image_lint.config.resolve import resolve
from valohai_image_lint.model import Finding, ParsedSite
from valohai_image_lint.option_reader import CommandLine
from valohai_image_lint.rule import Rule, RuleOptions
from valohai_image_lint.rules import ALL_RULES
from valohai_image_lint.rules.missing_platform import PLATFORMS
from valohai_image_lint.rules.private_image_short_name import PRIVATE_REGISTRIES
from valohai_image_lint.rules.registry_not_allowed import ALLOWED_IMAGES


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


MAX_TAG_LENGTH: Option[int] = Option("max-tag-length", "a positive integer", _positive, default=128)


def check_tag_length(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    limit = options.get(MAX_TAG_LENGTH)
    tag = parsed.ref.tag if parsed.ref is not None else None
    if tag is not None and len(tag) > limit:
        yield Finding(f'tag "{tag}" is longer than {limit}', parsed.site.span)


LONG_TAG = Rule(
    "VIL990", "long-tag", Severity.INFO, "A long tag", "", check=check_tag_length, options=(MAX_TAG_LENGTH,)
)
TEXT = "- step:\n    name: a\n    image: python:3.12.1-slim-bookworm\n"


@pytest.fixture
def long_tag_rule(monkeypatch: pytest.MonkeyPatch) -> Iterable[None]:
    """LONG_TAG in the registry, and its option among the keys, as if its module were listed."""
    rules = (*ALL_RULES, LONG_TAG)
    options = keys.declared_options(rules)
    monkeypatch.setattr(engine, "ALL_RULES", rules)
    monkeypatch.setattr(keys, "RULE_OPTIONS", options)
    monkeypatch.setattr(keys, "KEYS", {option.key: option for option in (*keys.RUN_KEYS, *options)})
    engine._options.cache_clear()
    yield
    engine._options.cache_clear()


@pytest.mark.usefixtures("long_tag_rule")
def test_a_declared_option_is_validated() -> None:
    assert keys.validate({"max-tag-length": 5}, "f: ") == {"max-tag-length": 5}
    with pytest.raises(ConfigError) as wrong:
        keys.validate({"max-tag-length": "five"}, "f: ")
    assert str(wrong.value) == "f: \"max-tag-length\" must be a positive integer, not 'five'"
    with pytest.raises(ConfigError) as misspelt:
        keys.validate({"max_tag_length": 5}, "f: ")
    assert str(misspelt.value) == 'f: unknown key "max_tag_length"; did you mean "max-tag-length"?'


@pytest.mark.usefixtures("long_tag_rule")
def test_a_declared_option_reaches_the_rule() -> None:
    lint = CommandLine(select=("VIL990",))
    config, sources = resolve(FileSettings("/p/valohai-image-lint.toml", {"max-tag-length": 5}), lint)
    assert sources["max-tag-length"] == "/p/valohai-image-lint.toml"
    assert [d.message for d in engine.lint_text(TEXT, config=config)] == [
        'tag "3.12.1-slim-bookworm" is longer than 5'
    ]
    default, sources = resolve(FileSettings(None), lint)
    assert sources["max-tag-length"] == "default"
    assert engine.lint_text(TEXT, config=default) == []


@pytest.mark.usefixtures("long_tag_rule")
def test_a_declared_option_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_text(TEXT, encoding="utf-8")
    assert main(["--show-settings", str(tmp_path), "--isolated"]) == 0
    assert "max-tag-length      = 128    # default\n" in capsys.readouterr().out
    (tmp_path / "valohai-image-lint.toml").write_text("max-tag-length = 5\n", encoding="utf-8")
    assert main(["--show-settings", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"max-tag-length      = 5    # {tmp_path / 'valohai-image-lint.toml'}" in lines
    # after the options of the shipped rules, before the run-level keys that follow them
    assert [line.split()[0] for line in lines[2:]].index("max-tag-length") == 10


@pytest.mark.usefixtures("long_tag_rule")
def test_a_declared_option_in_a_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "valohai.yaml").write_text(TEXT, encoding="utf-8")
    (tmp_path / "valohai-image-lint.toml").write_text("max-tag-length = 5\n", encoding="utf-8")
    assert (
        main([str(tmp_path / "valohai.yaml"), "--select", "VIL990", "--no-cache"]) == 0
    )  # info does not fail
    assert 'tag "3.12.1-slim-bookworm" is longer than 5' in capsys.readouterr().out
    (tmp_path / "valohai-image-lint.toml").write_text("max-tag-length = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match='"max-tag-length" must be a positive integer, not 0'):
        ConfigFinder().load(str(tmp_path / "valohai-image-lint.toml"))


@pytest.mark.parametrize("option", keys.RULE_OPTIONS, ids=lambda option: option.key)
def test_every_declared_option_is_a_key_shown_and_handed_to_the_rules(
    option: Option[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert keys.KEYS[option.key] is option
    with pytest.raises(ConfigError, match=f'did you mean "{option.key}"'):
        keys.validate({option.key.upper().replace("-", "_"): None}, "")
    assert engine.rule_options(LintConfig()).values[option.key] == option.read(option.default)
    assert main(["--show-settings", str(tmp_path), "--isolated"]) == 0
    assert f"\n{option.key:<19} = " in capsys.readouterr().out


def test_the_shipped_rules_declare_their_patterns() -> None:
    assert keys.RULE_OPTIONS == (ALLOWED_IMAGES, PRIVATE_REGISTRIES, PLATFORMS)
    config = LintConfig(options={"private-registries": ("docker.io/acme/*",)})
    options = engine.rule_options(config)
    assert [p.text for p in options.get(PRIVATE_REGISTRIES)] == ["docker.io/acme/*"]
    assert options.get(ALLOWED_IMAGES) == ()
    assert engine.rule_options(config) is options  # the patterns are parsed once per settings


def test_a_hand_made_record_gives_the_defaults() -> None:
    assert RuleOptions().get(MAX_TAG_LENGTH) == 128
    assert RuleOptions(values={"max-tag-length": 7}).get(MAX_TAG_LENGTH) == 7


def test_two_options_cannot_share_a_key() -> None:
    twin = Rule("VIL991", "twin", Severity.INFO, "", "", options=(image_patterns("allowed-images"),))
    with pytest.raises(ValueError, match='VIL991 twin declares option "allowed-images"'):
        keys.declared_options((*ALL_RULES, twin))
    run_level = Rule("VIL992", "run-level", Severity.INFO, "", "", options=(image_patterns("exclude"),))
    with pytest.raises(ValueError, match='"exclude", which is already declared'):
        keys.declared_options((run_level,))
    assert (
        keys.declared_options((*ALL_RULES, *ALL_RULES)) == keys.RULE_OPTIONS
    )  # the same option twice is one
