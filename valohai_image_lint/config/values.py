"""The kinds of TOML value config keys take (lists of strings, sizes, dates), and how a value's
type is named in error messages."""

from __future__ import annotations

from typing import Any


def string_list(value: Any) -> bool:
    """Whether ``value`` is a list of strings."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3}


def as_size(value: Any) -> int | None:
    """A size in bytes: a positive integer, or a string such as ``"50MB"``, ``"10 MiB"`` or
    ``"2048"`` (units B, kB, MB, GB, KiB, MiB, GiB, any case); None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    import re

    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", value)
    if match is None or match.group(2).lower() not in _UNITS:
        return None
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    return size if size > 0 else None


def as_seconds(value: Any, most: float) -> float | None:
    """A duration in seconds: a number more than 0 and at most ``most``; None if it is not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 < value <= most else None


def as_date(value: Any) -> str | None:
    """A TOML date or a YYYY-MM-DD string, as YYYY-MM-DD; None if it is neither."""
    from datetime import date, datetime

    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def type_name(value: Any) -> str:
    """How an error message names the type of a TOML value: "a string", "a table"."""
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
