"""``make lint``'s dependency gate: a known vulnerability fails; an unchecked dependency is never a quiet pass."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "audit_deps", Path(__file__).resolve().parents[2] / "tools" / "audit_deps.py")
assert _spec and _spec.loader
audit_deps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit_deps)

CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE = {"name": "urllib3", "version": "2.0.0", "vulns": [
    {"id": "GHSA-34jh-p97f-mpxf", "fix_versions": ["2.0.7"], "aliases": ["CVE-2023-45803"], "description": "..."}]}
SKIPPED = {"name": "tqdm", "skip_reason": "Dependency not found on PyPI and could not be audited: tqdm (4.70.1)"}


@pytest.mark.parametrize("strict", [False, True])
def test_a_known_vulnerability_fails_and_names_the_fix(strict):
    code, lines = audit_deps.judge({"dependencies": [CLEAN, VULNERABLE]}, strict=strict)
    assert code == 1
    assert "VULNERABLE urllib3 2.0.0: GHSA-34jh-p97f-mpxf (fixed in 2.0.7)" in lines


def test_all_checked_and_clean_passes():
    code, lines = audit_deps.judge({"dependencies": [CLEAN]}, strict=True)
    assert code == 0
    assert lines[-1] == "pip-audit: 1 dependencies checked, no known vulnerabilities"


def test_unchecked_dependencies_are_reported_and_fail_when_strict():
    code, lines = audit_deps.judge({"dependencies": [CLEAN, SKIPPED]}, strict=False)
    assert code == 0
    assert "1 of 2 dependencies could not be checked" in lines[0]
    assert "WARNING only 1 of 2" in lines[-1]
    code, _ = audit_deps.judge({"dependencies": [CLEAN, SKIPPED]}, strict=True)
    assert code == 1


def test_a_pip_audit_failure_is_not_a_pass(monkeypatch):
    class Done:
        returncode, stdout, stderr = 2, "", "usage: pip-audit: error: unrecognized arguments"

    monkeypatch.setattr(audit_deps.subprocess, "run", lambda *a, **k: Done())
    assert audit_deps.main(["--bogus"]) == 2
