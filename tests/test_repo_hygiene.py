"""The repository names no machine: no absolute paths of this or any developer's machine, and no file outside the
checkout other than ../shared (found relatively or through JOURNEYHUB_SHARED_DIR)."""

from __future__ import annotations

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
