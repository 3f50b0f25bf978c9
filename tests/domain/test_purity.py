"""The domain core must stay free of Django so it runs anywhere (workers, scripts, other services)."""

import ast
import subprocess
import sys
from pathlib import Path

import peerlend.domain

DOMAIN_DIR = Path(peerlend.domain.__file__).parent
MODULES = ["money", "schedule", "allocation", "returns", "validators", "lifecycle", "repayment", "holder_split",
           "prepayment", "credit_limit", "platform_history"]


def test_no_django_import_statements():
    for path in DOMAIN_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "django" or n.startswith("django.") for n in names), f"{path.name} imports Django"


def test_importing_domain_loads_no_django():
    code = (
        "import sys\n"
        + "".join(f"import peerlend.domain.{m}\n" for m in MODULES)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
