"""The lighter variant of a heavy image, as VIL301 suggests it: which ``knowledge.Lighter``
entry applies to an image, and the image text it suggests. The online stage asks the registry
about the suggestion too, to compare compressed sizes."""

from __future__ import annotations

import re
from typing import NamedTuple

from .knowledge import Lighter, family_of, name_matches
from .reference import ImageRef, split_name


class Suggestion(NamedTuple):
    """The entry that applies, and the lighter image written as the original was (its host and
    path kept), or None when the lighter image has no tag of the same version."""

    lighter: Lighter
    image: str | None


def lighter_image(ref: ImageRef, written: str, endpoint: bool) -> Suggestion | None:
    """The lighter variant of ``ref`` (written ``written``), for a step or, when ``endpoint``,
    an endpoint; None when its family has none for it."""
    family = family_of(ref.name)
    if family is None:
        return None
    tag = ref.tag or ""
    for lighter in family.lighter:
        if (lighter.steps_only and endpoint) or not name_matches(ref.name, lighter.names):
            continue
        match = re.search(lighter.tag, tag)
        if match is None:
            continue
        if lighter.replacement is None:
            return Suggestion(lighter, None)
        name, _ = split_name(written)
        if lighter.repository is not None:
            name = name.rsplit("/", 1)[0] + "/" + lighter.repository
        new_tag = tag[: match.start()] + match.expand(lighter.replacement) + tag[match.end() :]
        if new_tag == tag and lighter.repository is None:
            continue
        return Suggestion(lighter, name + (f":{new_tag}" if new_tag else ""))
    return None
