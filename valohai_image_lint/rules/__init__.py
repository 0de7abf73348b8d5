"""The registry of rules, in code order. Adding a rule: write its module, add it here."""

from __future__ import annotations

from ..rule import Rule
from . import (
    blanket_suppression,
    code_image_mismatch,
    duplicate_key,
    end_of_life,
    floating_tag,
    image_placeholder,
    inconsistent_tags,
    internal_error,
    invalid_reference,
    invalid_top_level,
    latest_tag,
    legacy_docker_hub_host,
    malformed_registry_path,
    missing_digest,
    missing_image,
    missing_tag,
    non_minimal_image,
    non_string_image,
    private_image_short_name,
    python_syntax_error,
    registry_not_allowed,
    unknown_official_image,
    unknown_top_level_item,
    unreachable_registry,
    unused_suppression,
    yaml_syntax_error,
)

ALL_RULES: tuple[Rule, ...] = (
    yaml_syntax_error.RULE,
    missing_image.RULE,
    non_string_image.RULE,
    image_placeholder.RULE,
    python_syntax_error.RULE,
    invalid_top_level.RULE,
    duplicate_key.RULE,
    unknown_top_level_item.RULE,
    invalid_reference.RULE,
    missing_tag.RULE,
    latest_tag.RULE,
    floating_tag.RULE,
    missing_digest.RULE,
    unknown_official_image.RULE,
    registry_not_allowed.RULE,
    private_image_short_name.RULE,
    malformed_registry_path.RULE,
    unreachable_registry.RULE,
    legacy_docker_hub_host.RULE,
    non_minimal_image.RULE,
    end_of_life.RULE,
    inconsistent_tags.RULE,
    code_image_mismatch.RULE,
    unused_suppression.RULE,
    blanket_suppression.RULE,
    internal_error.RULE,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}
