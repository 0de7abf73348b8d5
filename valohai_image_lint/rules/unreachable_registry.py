"""VIL204 unreachable-registry

## What it does
Reports an image in a registry that a Valohai worker cannot reach: `localhost` (any port),
loopback, private, link-local and unspecified IPv4 and IPv6 addresses (`127.0.0.1:5000`,
`10.0.0.5`, `[fc00::1]:5000`), names under `.local`, `.internal` and `.localhost`, and Docker
Desktop's `host.docker.internal`.

## Why is this bad?
The registry is on the author's machine or network. Valohai workers run elsewhere, so the pull
fails there, however well the config worked locally.

## Example
```yaml
- step:
    name: train
    image: localhost:5000/trainer:1.0.3
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: ghcr.io/acme/trainer:1.0.3
    command: python train.py
```

## Options
None.

## Fix safety
No fix: the image has to be pushed to a reachable registry first.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..reference import split_host_port
from ..rule import Rule, RuleOptions

_LOCAL_SUFFIXES = (".local", ".internal", ".localhost")


def _address_kind(host: str) -> str | None:
    """What makes an IP address unreachable from elsewhere, or ``None`` (also for a name)."""
    if not host or not (host[0].isdigit() or ":" in host):
        return None  # a host name, not an address: no need to load ipaddress
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local):
        return "a private address"
    return None


def _unreachable(host: str) -> str | None:
    """Why a worker cannot reach ``host``, or ``None``."""
    if host == "localhost" or host.endswith(".localhost"):
        return "this machine"
    if host == "host.docker.internal":
        return "Docker Desktop's name for this machine"
    if host.endswith(_LOCAL_SUFFIXES):
        return "a local network name"
    return _address_kind(host)


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None:
        return
    host, _ = split_host_port(ref.domain)
    why = _unreachable(host.lower())
    if why is None:
        return
    yield Finding(
        f'image "{parsed.site.value}" is in the registry {ref.domain} ({why}), which Valohai workers '
        "cannot reach; push it to a registry they can reach",
        parsed.site.span,
    )


RULE = Rule(
    code="VIL204",
    name="unreachable-registry",
    severity=Severity.ERROR,
    summary="The image is in a registry on a local or private address that workers cannot reach",
    doc=__doc__ or "",
    check=check,
)
