"""The registry of rules, in code order. Adding a rule: write its module, add it here."""

from __future__ import annotations

from ..rule import Rule
from . import (
    floating_tag,
    image_placeholder,
    invalid_reference,
    latest_tag,
    missing_digest,
    missing_image,
    missing_tag,
    non_string_image,
    yaml_syntax_error,
)

ALL_RULES: tuple[Rule, ...] = (
    yaml_syntax_error.RULE,
    missing_image.RULE,
    non_string_image.RULE,
    image_placeholder.RULE,
    invalid_reference.RULE,
    missing_tag.RULE,
    latest_tag.RULE,
    floating_tag.RULE,
    missing_digest.RULE,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}
