"""The one-way arrows of DESIGN.md are a contract import-linter checks."""

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


def _lint(cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_project_keeps_its_layers():
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout


def test_a_wrong_way_import_is_reported_with_the_import_found(tmp_path):
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "core" / "wrong_way.py").write_text("import labeling.policy\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "core.wrong_way -> labeling.policy" in result.stdout


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
