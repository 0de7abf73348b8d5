"""VIL999 internal-error

## What it does
Reports a bug in valohai-image-lint itself: a rule (or the part that reads the file) raised an
exception it should not have. The diagnostic names the rule and the exception, at the image the
rule was checking (or at the top of the file), and asks for a bug report. The other rules still
run on the file, and the other files are still linted; the run exits 2, as for any error the
user did not cause.

It is always on: selecting or ignoring rules, `severity`, and suppression comments do not
apply to it, since it is not a finding about the config.

## Why is this bad?
A crashing rule would otherwise hide every finding after it, or end the run with a traceback
in a pre-commit hook. Reported like this, the rest of the output stays trustworthy, and the
report says exactly what to send us.

## Example
No config triggers it on purpose; this is what one looks like (one line in real output):

```text
valohai.yaml:3:12: VIL999 internal error in VIL103 latest-tag: ValueError: ...;
  a bug in valohai-image-lint: please report it (with the file, if you can)
```

## Use instead
Nothing to change in the config; report the bug, and meanwhile ignore the rule that fails
(`--ignore VIL103`) if it blocks you.

## Options
None.

## Fix safety
No fix.
"""

from __future__ import annotations

from ..model import INTERNAL_ERROR_CODE, Finding, Severity, Span
from ..rule import Failure, Rule

TOP = Span(1, 1, 1, 2)


def check_failure(failure: Failure) -> Finding:
    detail = str(failure.error).strip()
    kind = type(failure.error).__name__
    return Finding(
        f"internal error in {failure.where}: {kind}{': ' + detail[:200] if detail else ''}; a bug in "
        "valohai-image-lint: please report it (with the file, if you can)",
        failure.span or TOP,
    )


RULE = Rule(
    code=INTERNAL_ERROR_CODE,
    name="internal-error",
    severity=Severity.ERROR,
    summary="A bug in the linter: a rule raised an exception (always on; exit 2)",
    doc=__doc__ or "",
    check_failure=check_failure,
)
