"""VIL203 malformed-registry-path

## What it does
Reports an image on a well-known registry written in a shape that registry cannot serve:

- Amazon ECR: a host that looks like ECR but is not
  `<12-digit account>.dkr.ecr.<region>.amazonaws.com` (or `.amazonaws.com.cn`, or
  `dkr.ecr-fips`); public ECR (`public.ecr.aws`) is fine;
- Google Container Registry (`gcr.io`, `us.gcr.io`, `eu.gcr.io`, `asia.gcr.io`) without a
  project: `gcr.io/<project>/<image>`;
- Artifact Registry (`<location>-docker.pkg.dev`) without a project, a repository and an image;
- Azure Container Registry (`<name>.azurecr.io`) with a name that is not 5 to 50 letters and
  digits;
- GitHub (`ghcr.io`) or Quay (`quay.io`) without an owner: `ghcr.io/<owner>/<image>`.

## Why is this bad?
The reference is valid, so Docker tries it, but the registry has nothing at that address: the
pull fails on the worker, after the execution has been queued, with an error about
authentication or a missing manifest rather than about the name.

## Example
```yaml
- step:
    name: train
    image: gcr.io/trainer:1.0.3
    command: python train.py
```

## Use instead
```yaml
- step:
    name: train
    image: gcr.io/acme-ml/trainer:1.0.3
    command: python train.py
```

## Options
None.

## Fix safety
No fix: the missing project, owner or account is not something the linter can know.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Finding, ParsedSite, Severity
from ..reference import split_host_port
from ..rule import Rule, RuleOptions

_ECR_HOST = re.compile(r"[0-9]{12}\.dkr\.ecr(?:-fips)?\.[a-z]{2}(?:-[a-z]+)+-[0-9]+\.amazonaws\.com(?:\.cn)?")
_ECR_SHAPE = "<12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>"
_GCR_HOSTS = frozenset({"gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"})
_ARTIFACT_REGISTRY_HOST = re.compile(r"[a-z0-9-]+-docker\.pkg\.dev")
_ACR_NAME = re.compile(r"[a-zA-Z0-9]{5,50}")
_OWNER_HOSTS = {"ghcr.io": "GitHub Container Registry", "quay.io": "Quay"}


def _problem(host: str, path: str) -> tuple[str, str] | None:
    """The registry and the shape it expects, when ``host``/``path`` does not fit it."""
    components = path.count("/") + 1
    if ".dkr.ecr" in host or (host.endswith(("amazonaws.com", "amazonaws.com.cn")) and "ecr" in host):
        return None if _ECR_HOST.fullmatch(host) else ("Amazon ECR", _ECR_SHAPE)
    if host in _GCR_HOSTS:
        return None if components >= 2 else ("Google Container Registry", f"{host}/<project>/<image>")
    if _ARTIFACT_REGISTRY_HOST.fullmatch(host):
        shape = f"{host}/<project>/<repository>/<image>"
        return None if components >= 3 else ("Artifact Registry", shape)
    if host.endswith(".azurecr.io"):
        name = host.removesuffix(".azurecr.io")
        shape = "<name>.azurecr.io/<repository>, the name 5 to 50 letters and digits"
        return None if _ACR_NAME.fullmatch(name) else ("Azure Container Registry", shape)
    registry = _OWNER_HOSTS.get(host)
    if registry is not None and components < 2:
        return registry, f"{host}/<owner>/<image>"
    return None


def check(parsed: ParsedSite, options: RuleOptions) -> Iterator[Finding]:
    ref = parsed.ref
    if ref is None:
        return
    host, _ = split_host_port(ref.domain)
    problem = _problem(host.lower(), ref.path)
    if problem is None:
        return
    registry, shape = problem
    yield Finding(
        f'image "{parsed.site.value}" is not a valid {registry} image; write it as {shape}',
        parsed.site.span,
    )


RULE = Rule(
    code="VIL203",
    name="malformed-registry-path",
    severity=Severity.WARNING,
    summary="An image on a well-known registry is not written in the shape that registry serves",
    doc=__doc__ or "",
    check=check,
)
