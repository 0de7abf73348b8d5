"""Refresh the linter's release tables: print what would change (a maintainer's tool).

Reads https://endoflife.date/api/<product>.json for each runtime in ``knowledge.RUNTIMES`` and
compares each release's end ("eol", or "eoes" for Debian LTS) and newest patch ("latest") with
``knowledge.py`` and ``tags.EXACT_VERSIONS``. It prints the differences; it does not rewrite the
modules (the facts are edited by hand, with their sources). Not shipped in the wheel.

Usage: python scripts/refresh_knowledge.py [--base-url URL] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import requests

from valohai_image_lint.knowledge import RUNTIMES, Runtime
from valohai_image_lint.tags import EXACT_VERSIONS

# runtime key -> (endoflife.date product, the field holding the end we record, our image)
PRODUCTS: dict[str, tuple[str, str, str | None]] = {
    "python": ("python", "eol", "docker.io/library/python"),
    "ubuntu": ("ubuntu", "eol", None),
    "debian": ("debian", "eoes", None),
    "centos": ("centos", "eol", None),
    "alpine": ("alpine-linux", "eol", "docker.io/library/alpine"),
    "node": ("nodejs", "eol", None),
}


def fetch(session: requests.Session, base_url: str, product: str, timeout: float) -> list[dict[str, Any]]:
    response = session.get(f"{base_url.rstrip('/')}/api/{product}.json", timeout=timeout)
    response.raise_for_status()
    cycles = response.json()
    if not isinstance(cycles, list):
        raise ValueError(f"{product}: expected a list of release cycles")
    return [c for c in cycles if isinstance(c, dict)]


def _month(date: str) -> str:
    return date[:7]


def differences(key: str, runtime: Runtime, cycles: list[dict[str, Any]]) -> list[str]:
    _, field, image = PRODUCTS[key]
    ours = {r.version: r for r in runtime.releases}
    exact = EXACT_VERSIONS.get(image or "", {})
    lines = []
    for cycle in cycles:
        version = str(cycle.get("cycle", ""))
        end = cycle.get(field)
        end = end if isinstance(end, str) else None
        release = ours.get(version)
        if release is None:
            lines.append(f"{key}: add release {version} (ended {end or 'not yet'})")
            continue
        # a month-precision fact ("May 2023") matches any day of that month
        if end is not None and release.ended is not None:
            same = release.ended == end or (
                not release.said[:1].isdigit() and _month(release.ended) == _month(end)
            )
            if not same:
                lines.append(f"{key}: {version} ended {release.ended} -> {end}")
        elif end != release.ended and end is not None:
            lines.append(f"{key}: {version} ended {release.ended} -> {end}")
        latest = cycle.get("latest")
        if image is not None and isinstance(latest, str) and version in exact and exact[version] != latest:
            lines.append(f"{key}: newest {version} patch {exact[version]} -> {latest}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="https://endoflife.date")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args(argv)
    changed = False
    with requests.Session() as session:
        for key, (product, _, _) in PRODUCTS.items():
            try:
                cycles = fetch(session, args.base_url, product, args.timeout)
            except (requests.RequestException, ValueError) as error:
                print(f"{key}: could not read {product}: {error}", file=sys.stderr)
                return 2
            for line in differences(key, RUNTIMES[key], cycles):
                changed = True
                print(line)
    if not changed:
        print("the tables are current")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
