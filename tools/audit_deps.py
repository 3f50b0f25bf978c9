"""``make lint``'s dependency check: fail on any known vulnerability in the installed dependencies.

Runs pip-audit on the project's environment (the editable ``peerlend`` itself is not on PyPI and
is skipped). pip-audit on its own reports "No known vulnerabilities found" even when its feed
could check nothing (offline, or an index without PyPI's per-release JSON); this wrapper says how
many dependencies were really checked, and with ``PIP_AUDIT_STRICT=1`` an unchecked one fails too.
Extra arguments go to pip-audit, e.g. ``--ignore-vuln GHSA-xxxx`` for an accepted, documented risk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def judge(report: dict[str, Any], *, strict: bool) -> tuple[int, list[str]]:
    """Exit code and the lines to print for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    vulnerable = [d for d in deps if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            lines.append(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    checked = len(deps) - len(skipped)
    if skipped:
        lines.append(f"pip-audit: {len(skipped)} of {len(deps)} dependencies could not be checked, "
                     f"e.g. {skipped[0]['skip_reason']}")
    if vulnerable:
        lines.append(f"pip-audit: {len(vulnerable)} vulnerable dependencies: raise their lower bounds "
                     "in pyproject.toml")
        return 1, lines
    if skipped and strict:
        lines.append("pip-audit: failing because PIP_AUDIT_STRICT=1 and not every dependency was checked")
        return 1, lines
    if skipped:
        lines.append(f"pip-audit: WARNING only {checked} of {len(deps)} dependencies checked, "
                     "no known vulnerabilities among them (PIP_AUDIT_STRICT=1 makes this fail)")
    else:
        lines.append(f"pip-audit: {checked} dependencies checked, no known vulnerabilities")
    return 0, lines


def main(argv: list[str]) -> int:
    cmd = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off", "--format", "json",
           *argv]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        # pip-audit itself failed (feed down with an error, bad arguments): never a silent pass.
        sys.stderr.write(done.stderr or done.stdout)
        return done.returncode or 1
    code, lines = judge(report, strict=os.environ.get("PIP_AUDIT_STRICT") == "1")
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
