"""The architecture DESIGN.md draws, held by checks that name what breaks it.

import-linter holds two contracts: the one-way arrows between apps, and each app's public
surface (models, services, selectors, policy).
"""

import ast
import shutil
import subprocess

from tests.conftest import ROOT

APPS = [
    "config",
    "core",
    "accounts",
    "datasets",
    "exports",
    "evaluation",
    "vendors",
    "guides",
    "labeling",
    "review",
    "synth",
]
LINT = str(ROOT / ".venv" / "bin" / "lint-imports")
SURFACE = "Apps use each other only through their models, services, selectors and policy"


def _lint(cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _lint_with(tmp_path, modules: dict[str, str]) -> subprocess.CompletedProcess:
    """Lint a copy of the project with ``modules`` ({"core/wrong_way.py": source}) added."""
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for name, source in modules.items():
        (tmp_path / name).write_text(source)
    return _lint(tmp_path)


def test_the_project_keeps_its_contracts():
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout
    assert f"{SURFACE} KEPT" in result.stdout


def test_a_wrong_way_import_is_reported_with_the_import_found(tmp_path):
    result = _lint_with(tmp_path, {"core/wrong_way.py": "import labeling.policy\n"})

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "core.wrong_way -> labeling.policy" in result.stdout


def test_reaching_past_an_apps_public_surface_is_reported_with_the_import(tmp_path):
    wrong = {
        "from datasets.api import spec": "datasets.api.spec",
        "from datasets import views": "datasets.views",
        "from datasets.forms import StageForm": "datasets.forms",
        "from datasets.tasks import item_process_task": "datasets.tasks",
        "from datasets.latex import latex_check": "datasets.latex",
        "from datasets.services.taxonomy import axis_create": "datasets.services.taxonomy",
        "from datasets.models.pipeline import Stage": "datasets.models.pipeline",
        "import accounts.api": "accounts.api",
    }
    result = _lint_with(
        tmp_path,
        {
            "exports/reaches_in.py": "\n".join(wrong) + "\n",
            "exports/goes_through.py": (
                "from datasets import models, policy, selectors, services\n"
                "from datasets.models import Dataset\n"
                "from datasets.selectors import stage_get\n"
                "from datasets.services import annotation_validate\n"
            ),
            "config/wiring.py": (
                "from datasets import views\nfrom exports.tasks import export_plan_task\n"
            ),
        },
    )

    assert result.returncode != 0
    assert f"{SURFACE} BROKEN" in result.stdout
    for imported in wrong.values():
        assert f"exports.reaches_in -> {imported} " in result.stdout
    assert "exports.goes_through" not in result.stdout
    assert "config.wiring" not in result.stdout
    # the arrows themselves hold: exports may import datasets, only not past its surface
    assert "→ exports → datasets → accounts → core KEPT" in result.stdout


def test_the_photo_generator_imports_no_django():
    imported = set()
    for path in (ROOT / "synth").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])

    assert "django" not in imported
    assert "synth" in imported  # the walk really read the package
