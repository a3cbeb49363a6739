"""The architecture DESIGN.md draws, held by checks that name what breaks it.

import-linter holds two contracts: the one-way arrows between apps, and each app's public
surface (models, services, selectors, policy). An AST walk holds the third rule: no private
(``_name``) name is imported across a module boundary.
"""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import APPS as DJANGO_APPS
from tests.conftest import ROOT

#: Every package of ours import-linter reads: the apps and the photo generator.
APPS = [*DJANGO_APPS, "synth"]
#: Our own code, whose private names stay inside the module that defines them.
FIRST_PARTY = [*APPS, "tests", "bench"]
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


# No private import across a module boundary -----------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_module(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _source_of(node: ast.ImportFrom, module: str, package: bool) -> str:
    """The absolute module a ``from … import`` reads, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".") if package else module.split(".")[:-1]
    parts = parts[: len(parts) - node.level + 1]
    return ".".join([*parts, node.module] if node.module else parts)


def private_imports(root: Path, paths) -> list[str]:
    """Every private name one of our modules takes from another, as ``file:line what``.

    Caught: ``from a.b import _c``, ``import a._b``, ``from a._b import c``, relative imports
    of the same, and ``b._c`` where ``b`` names one of our modules. Third-party private
    modules (matplotlib's ``_mathtext``, pinned on purpose) are not ours to police here.
    """
    found = []
    for path in sorted(paths):
        where = path.relative_to(root)
        parts = list(where.with_suffix("").parts)
        package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if package else parts)
        tree = ast.parse(path.read_text(), str(path))
        modules: dict[str, str] = {}  # a local name → the module of ours it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] not in FIRST_PARTY:
                        continue
                    if any(map(_private, alias.name.split("."))):
                        found.append(f"{where}:{node.lineno} imports {alias.name}")
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        modules[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                source = _source_of(node, module, package)
                if source.split(".")[0] not in FIRST_PARTY:
                    continue
                if any(map(_private, source.split("."))):
                    found.append(f"{where}:{node.lineno} imports from {source}")
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{where}:{node.lineno} imports {alias.name} from {source}")
                    elif _is_module(root, f"{source}.{alias.name}"):
                        modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and _private(node.attr)):
                continue
            chain, base = [], node.value
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                owner = ".".join([modules[base.id], *chain])
                if _is_module(root, owner):
                    found.append(f"{where}:{node.lineno} uses {node.attr} of {owner}")
    return found


def _our_python_files() -> list[Path]:
    return [path for top in FIRST_PARTY for path in (ROOT / top).rglob("*.py")]


def test_no_private_name_is_imported_across_a_module_boundary():
    paths = _our_python_files()

    assert private_imports(ROOT, paths) == []
    assert len(paths) > 200  # the walk really read the project


@pytest.fixture
def project(tmp_path) -> Path:
    """A small project shaped like ours: datasets.services with spec and items modules."""
    services = tmp_path / "datasets" / "services"
    services.mkdir(parents=True)
    (tmp_path / "datasets" / "__init__.py").write_text("")
    (services / "__init__.py").write_text("from datasets.services.spec import spec_change_record\n")
    (services / "spec.py").write_text("def _spec_changed(): ...\ndef spec_change_record(): ...\n")
    (services / "items.py").write_text("def _refused(): ...\ndef _shown(): ...\n")
    return tmp_path


def test_a_private_import_is_reported_with_its_file_and_name(project):
    services = project / "datasets" / "services"
    (services / "schema.py").write_text("from datasets.services.spec import _spec_changed\n")
    (services / "uploads.py").write_text(
        "from datasets.services.items import _refused, _shown, file_name_check\n"
    )
    (services / "stages.py").write_text(
        "from . import spec\nfrom .spec import _spec_changed\n\nspec._spec_changed()\n"
    )
    (services / "clean.py").write_text(
        "from matplotlib import _mathtext\n"
        "from datasets.services import spec\n"
        "from datasets.services.spec import spec_change_record\n\n"
        "def _own(): ...\n\n"
        "_own()\n"
        "spec.spec_change_record.__name__\n"
    )

    found = private_imports(project, project.rglob("*.py"))

    assert found == [
        "datasets/services/schema.py:1 imports _spec_changed from datasets.services.spec",
        "datasets/services/stages.py:2 imports _spec_changed from datasets.services.spec",
        "datasets/services/stages.py:4 uses _spec_changed of datasets.services.spec",
        "datasets/services/uploads.py:1 imports _refused from datasets.services.items",
        "datasets/services/uploads.py:1 imports _shown from datasets.services.items",
    ]


def test_a_private_module_of_ours_is_reported_too(project):
    (project / "datasets" / "_helpers.py").write_text("def sniff(): ...\n")
    (project / "datasets" / "services" / "items.py").write_text(
        "import datasets._helpers\nfrom datasets._helpers import sniff\n"
    )

    found = private_imports(project, project.rglob("*.py"))

    assert found == [
        "datasets/services/items.py:1 imports datasets._helpers",
        "datasets/services/items.py:2 imports from datasets._helpers",
    ]
