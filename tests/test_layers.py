"""Dependencies point downwards only (docs/DESIGN.md, "Layers").

The order lives in pyproject.toml (``[tool.importlinter]``) and is checked by import-linter,
which reads every import, function-local ones included. ``make lint`` runs the same check;
this test makes ``make test`` fail on a new upward import as well.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the pyproject.toml of ``project`` (whose packages it imports from there)."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )


def test_no_lower_layer_imports_a_higher_one():
    result = _lint_imports(ROOT)
    broken_at = result.stdout.find("Broken contracts")
    report = result.stdout[broken_at:] if broken_at >= 0 else result.stdout + result.stderr
    assert result.returncode == 0, "upward imports (see docs/DESIGN.md, Layers):\n" + report


def _toy_package(tmp_path: Path, helpers_source: str) -> None:
    """A package ``layered`` with an ``upper`` and a ``base`` context and a contract like peerlend's."""
    package = tmp_path / "layered"
    for name in ("base", "upper"):
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "upper" / "things.py").write_text("from layered.base import helpers\n")
    (package / "base" / "helpers.py").write_text(textwrap.dedent(helpers_source))
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.importlinter]
        root_package = "layered"

        [[tool.importlinter.contracts]]
        name = "layered"
        type = "layers"
        containers = ["layered"]
        exhaustive = true
        layers = ["upper", "base"]
    """))


def test_the_check_catches_a_function_local_upward_import(tmp_path):
    """The check is not vacuous: a base module reaching up, even inside a function, is reported."""
    _toy_package(tmp_path, """
        def reach_up():
            from layered.upper import things

            return things
    """)
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "layered.base.helpers -> layered.upper.things" in result.stdout


def test_a_module_outside_every_layer_is_reported(tmp_path):
    """The contract is exhaustive: a new app (or top-level module) has to be given its layer."""
    _toy_package(tmp_path, "VALUE = 1\n")
    assert _lint_imports(tmp_path).returncode == 0
    (tmp_path / "layered" / "newcomer.py").write_text("")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "layered.newcomer" in result.stdout
