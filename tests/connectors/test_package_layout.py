"""The shape of connectors/: one module set per vendor, the import rules of docs/architecture.md, size limits, and
the sandbox using only the connectors' public API. Read from the source with ``ast``, so nothing here needs a vendor.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONNECTORS = REPO / "connectors"
SHARED_PACKAGES = ("core", "raw")
VENDOR_MODULES = {"__init__", "config", "client", "catalog", "readers", "connector"}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def vendor_packages() -> list[Path]:
    return sorted(p for p in CONNECTORS.iterdir() if (p / "__init__.py").is_file() and p.name not in SHARED_PACKAGES)


def modules(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, at any depth of the file (lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from connectors import google_ads`` imports the package connectors.google_ads
            found.update(f"{node.module}.{a.name}" for a in node.names if node.module == "connectors")
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def test_there_are_vendor_packages() -> None:
    assert {p.name for p in vendor_packages()} >= {"hubspot", "mailchimp", "meta", "google_ads", "segment"}


@pytest.mark.parametrize("package", vendor_packages(), ids=lambda p: p.name)
def test_every_vendor_package_has_the_same_module_set(package: Path) -> None:
    present = {p.stem for p in package.glob("*.py")}
    assert present == VENDOR_MODULES, (
        f"{package.name}: missing {VENDOR_MODULES - present}, extra {present - VENDOR_MODULES}"
    )
    assert not [p for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"], "no sub-packages"


@pytest.mark.parametrize("package", vendor_packages(), ids=lambda p: p.name)
def test_a_vendor_init_is_its_public_api_only(package: Path) -> None:
    """Re-exports, ``__all__`` and a docstring with a usage example: no code of its own to copy around."""
    tree = ast.parse((package / "__init__.py").read_text())
    doc = ast.get_docstring(tree) or ""
    assert "Usage" in doc and "::" in doc, f"{package.name}/__init__.py: its docstring needs a usage example"
    allowed = (ast.Import, ast.ImportFrom, ast.Expr, ast.Assign)
    code = [type(n).__name__ for n in tree.body if not isinstance(n, allowed)]
    assert not code, f"{package.name}/__init__.py defines {code}"
    assigned = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    assert assigned == ["__all__"], f"{package.name}/__init__.py assigns {assigned}"


@pytest.mark.parametrize("package", vendor_packages(), ids=lambda p: p.name)
def test_a_vendor_config_is_built_by_the_shared_settings_builder(package: Path) -> None:
    import importlib

    from connectors.core.settings import EnvConfig, Setting

    config = importlib.import_module(f"connectors.{package.name}.config")
    classes = [
        v for v in vars(config).values() if isinstance(v, type) and issubclass(v, EnvConfig) and v is not EnvConfig
    ]
    assert len(classes) == 1, f"{package.name}/config.py: one EnvConfig subclass, found {classes}"
    (cls,) = classes
    assert "from_env" not in vars(cls), f"{cls.__name__}.from_env is hand-written"
    assert "__repr__" not in vars(cls) or cls.__repr__ is EnvConfig.__repr__, f"{cls.__name__}.__repr__ hand-written"
    assert cls.SETTINGS and all(isinstance(s, Setting) for s in cls.SETTINGS)
    assert any(s.secret for s in cls.SETTINGS), f"{cls.__name__}: no secret setting"


def test_no_module_over_600_lines_and_no_function_over_120_lines() -> None:
    problems = []
    for path in modules(CONNECTORS):
        text = path.read_text()
        name = path.relative_to(REPO)
        if len(text.splitlines()) > MAX_MODULE_LINES:
            problems.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert not problems, "\n".join(problems)


STDLIB = set(sys.stdlib_module_names)
# docs/architecture.md, "Folders and what each may import"
CORE_MAY_IMPORT = {"requests", "urllib3", "orjson"}
RAW_MAY_IMPORT = {"duckdb", "orjson", "filelock"}
VENDOR_MAY_IMPORT = {"requests"}
# A vendor that is not an HTTP API: Segment's export is read from a folder or, with boto3, a bucket.
VENDOR_EXTRA_IMPORTS = {"segment": {"boto3", "botocore"}}


def test_connectors_import_only_what_the_architecture_allows() -> None:
    problems = []
    for path in modules(CONNECTORS):
        part = path.relative_to(CONNECTORS).parts
        for module in imported_modules(path):
            if top(module) in STDLIB or module == "__future__":
                continue
            if top(module) != "connectors":
                allowed = {"core": CORE_MAY_IMPORT, "raw": RAW_MAY_IMPORT}.get(
                    part[0], VENDOR_MAY_IMPORT | VENDOR_EXTRA_IMPORTS.get(part[0], set())
                )
                ok = top(module) in allowed
            elif part[0] == "core":
                ok = module.startswith("connectors.core")
            elif part[0] == "raw":
                ok = module.startswith(("connectors.core", "connectors.raw"))
            elif len(part) > 1:  # a vendor: the plumbing, the raw layer, the Connector base, its own modules
                own = f"connectors.{part[0]}"
                ok = module.startswith(("connectors.core", "connectors.raw", own)) or module == "connectors.base"
            else:  # base.py, registry.py, __main__.py tie everything together
                ok = True
            if not ok:
                problems.append(f"{path.relative_to(REPO)} imports {module}")
    assert not problems, "\n".join(problems)


def test_nothing_in_connectors_imports_dagster_pipelines_or_sandbox() -> None:
    bad = {"dagster", "dagster_dbt", "pipelines", "sandbox"}
    hits = [f"{p.relative_to(REPO)}: {m}" for p in modules(CONNECTORS) for m in imported_modules(p) if top(m) in bad]
    assert not hits


def test_only_the_raw_layer_states_the_duplicate_rule() -> None:
    """Every vendor shapes pages through connectors.raw.records.shape_page, which quarantines duplicate keys."""
    hits = [
        str(p.relative_to(REPO))
        for p in modules(CONNECTORS)
        if "DUPLICATE_PRIMARY_KEY" in p.read_text() and p.relative_to(CONNECTORS).parts[0] != "raw"
    ]
    assert not hits, f"duplicate checks outside connectors/raw: {hits}"


def test_one_per_stream_sync_loop() -> None:
    """run_stream_sync is called in one place (connectors.base.sync_streams); the CLI and Dagster both use that."""
    callers = []
    for folder in ("connectors", "pipelines", "reverse_etl", "benchmarks", "sandbox"):
        for path in modules(REPO / folder):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    fn = node.func
                    name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                    if name == "run_stream_sync":
                        callers.append(str(path.relative_to(REPO)))
    assert callers == ["connectors/base.py"], callers


# -- the sandbox and the connectors' public API ---------------------------------------------------------------------


def _public_modules() -> set[str]:
    """What the sandbox may import from: each vendor package's root, the plumbing, the raw layer, the registry."""
    shared = {
        f"connectors.{pkg}.{p.stem}"
        for pkg in SHARED_PACKAGES
        for p in (CONNECTORS / pkg).glob("*.py")
        if p.stem != "__init__"
    }
    return {f"connectors.{p.name}" for p in vendor_packages()} | shared | {"connectors.registry"}


def _private_connector_members() -> set[str]:
    """Underscored names defined anywhere in connectors/: functions, classes, attributes set on ``self``."""
    names: set[str] = set()
    for path in modules(CONNECTORS):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_the_sandbox_uses_only_the_connectors_public_api() -> None:
    public, private = _public_modules(), _private_connector_members()
    problems = []
    for path in modules(REPO / "sandbox"):
        tree = ast.parse(path.read_text())
        where = path.relative_to(REPO)
        uses_connectors = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and top(node.module) == "connectors":
                uses_connectors = True
                targets = [f"connectors.{a.name}" for a in node.names] if node.module == "connectors" else [node.module]
                problems += [f"{where}: imports {t}" for t in targets if t not in public]
                problems += [f"{where}: imports {a.name}" for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Import) and any(top(a.name) == "connectors" for a in node.names):
                uses_connectors = True
                problems += [f"{where}: imports {a.name}" for a in node.names if a.name not in public]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                if node.attr == "__dataclass_fields__":
                    problems.append(f"{where}:{node.lineno}: reads __dataclass_fields__")
                elif (
                    uses_connectors
                    and node.attr in private
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")
                ):
                    problems.append(f"{where}:{node.lineno}: uses the connectors' private {node.attr}")
    assert not problems, "\n".join(problems)


def test_the_sandbox_loader_has_no_function_over_120_lines() -> None:
    tree = ast.parse((REPO / "sandbox" / "loader.py").read_text())
    long = [
        f"{node.name}: {(node.end_lineno or node.lineno) - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, long
