"""The repository names no machine: no absolute paths of this or any developer's machine, and no file outside the
checkout other than ../shared (found relatively or through JOURNEYHUB_SHARED_DIR)."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# an absolute path into a machine's home, scratch or work folders; URLs (…://host/home/…) are not paths
MACHINE_PATH = re.compile(r"(?<![\w.:/-])/(?:work|root|home|tmp|Users|opt|mnt|srv)/[\w.-]")
# .gitignore patterns are relative to the repository root
ALLOWED = {".gitignore"}


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    files = []
    for name in names:
        path = REPO / name
        if name in ALLOWED or not path.is_file():
            continue
        try:
            path.read_text()
        except UnicodeDecodeError:
            continue
        files.append(path)
    return files


def test_no_machine_paths_in_the_repository() -> None:
    hits = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}"
        for path in tracked_text_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if MACHINE_PATH.search(line)
    ]
    assert not hits, "absolute machine paths:\n" + "\n".join(hits)


def test_no_references_to_files_beside_the_checkout_except_shared() -> None:
    beside = re.compile(r"(?<![.\w])\.\./(?!shared\b)[A-Za-z]")
    hits = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}"
        for path in tracked_text_files()
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".sql", ".cfg", ".ini"} or path.name == "Makefile"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if beside.search(line) and "](../" not in line  # relative Markdown links inside the repository are fine
    ]
    assert not hits, "references outside the checkout:\n" + "\n".join(hits)


PRODUCTION = (
    "connectors",
    "sandbox",
    "pipelines",
    "attribution",
    "quality",
    "reverse_etl",
    "journey_map",
    "journeyhub",
    "benchmarks",
)
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 600, 120


def test_modules_and_functions_stay_small_enough_to_hold_in_mind() -> None:
    """No production module over 600 lines and no function over 120: split by what the code holds."""
    too_big = []
    for package in PRODUCTION:
        for path in sorted((REPO / package).rglob("*.py")):
            source = path.read_text()
            name = path.relative_to(REPO)
            if source.count("\n") > MAX_MODULE_LINES:
                too_big.append(f"{name}: {source.count(chr(10))} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        too_big.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    assert not too_big, "\n".join(too_big)
