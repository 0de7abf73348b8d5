"""Refresh the linter's release tables: print what would change (a maintainer's tool).

Reads https://endoflife.date/api/<product>.json for each runtime in ``knowledge.RUNTIMES`` and
compares each release's end ("eol", or "eoes" for Debian LTS) and newest patch ("latest") with
``knowledge.py`` and ``tags.EXACT_VERSIONS``. Then it asks each image's registry for its tag list
(the distribution API's ``/v2/<name>/tags/list``, paginated with ``Link``, with the anonymous
Bearer token its ``WWW-Authenticate`` challenge names) and reports every tag the linter would
suggest that the registry does not publish. It prints the differences; it does not rewrite the
modules (the facts are edited by hand, with their sources). Not shipped in the wheel.

Usage: python scripts/refresh_knowledge.py [--base-url URL] [--registry-url URL] [--timeout SECONDS]

``--registry-url`` sends every registry's requests to one address (the tests' server on
127.0.0.1); by default ``docker.io`` names go to ``https://registry-1.docker.io`` and others to
``https://<their host>``.
"""

from __future__ import annotations

import argparse
import re
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


_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_PAGES = 200


def registry_base(repository: str, override: str | None) -> tuple[str, str]:
    """The registry's base URL and the repository's path on it, for a canonical name."""
    host, _, path = repository.partition("/")
    if override is not None:
        return override.rstrip("/"), path
    return ("https://registry-1.docker.io" if host == "docker.io" else f"https://{host}"), path


def published_tags(session: requests.Session, base: str, path: str, timeout: float) -> set[str]:
    """Every tag of ``path`` on the registry at ``base``: anonymous first, then with the Bearer
    token the challenge's realm gives for pulling it; pages followed through ``Link``."""
    url = f"{base}/v2/{path}/tags/list?n=1000"
    headers: dict[str, str] = {}
    tags: set[str] = set()
    for _ in range(MAX_PAGES):
        response = session.get(url, headers=headers, timeout=timeout)
        challenge = response.headers.get("WWW-Authenticate", "")
        if response.status_code == 401 and challenge.lower().startswith("bearer") and not headers:
            fields = dict(_CHALLENGE.findall(challenge))
            params = {
                "service": fields.get("service", ""),
                "scope": fields.get("scope", f"repository:{path}:pull"),
            }
            token = session.get(fields["realm"], params=params, timeout=timeout)
            token.raise_for_status()
            answer = token.json()
            headers = {"Authorization": f"Bearer {answer.get('token') or answer.get('access_token')}"}
            continue
        response.raise_for_status()
        tags.update(tag for tag in response.json().get("tags") or () if isinstance(tag, str))
        following = _NEXT.search(response.headers.get("Link", ""))
        if following is None:
            return tags
        url = following.group(1) if following.group(1).startswith("http") else base + following.group(1)
    raise ValueError(f"{path}: more than {MAX_PAGES} pages of tags")


def missing_suggestions(repository: str, published: set[str]) -> list[str]:
    """The exact tags ``tags.EXACT_VERSIONS`` would suggest for ``repository`` that are not published."""
    wanted = sorted(set(EXACT_VERSIONS.get(repository, {}).values()))
    return [f"{repository}: suggested tag {tag} is not published" for tag in wanted if tag not in published]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="https://endoflife.date")
    parser.add_argument("--registry-url", default=None)
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
        for repository in EXACT_VERSIONS:
            base, path = registry_base(repository, args.registry_url)
            try:
                published = published_tags(session, base, path, args.timeout)
            except (requests.RequestException, ValueError, KeyError) as error:
                print(f"{repository}: could not read its tags: {error}", file=sys.stderr)
                return 2
            for line in missing_suggestions(repository, published):
                changed = True
                print(line)
    if not changed:
        print("the tables are current")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
