"""The layers of docs/architecture.md are the contracts that `lint-imports` checks."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"


def _contract_layers() -> dict[str, list[str]]:
    """Container -> its layers, top first, from every layers contract of .importlinter."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    layers = {}
    for section in parser.sections():
        if parser.get(section, "type", fallback="") == "layers":
            container = parser.get(section, "containers").strip()
            lines = [line.strip() for line in parser.get(section, "layers").splitlines()]
            layers[container] = [line for line in lines if line]
    return layers


def _page_layers() -> dict[str, list[str]]:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- layers:.*?-->\n```\n(.*?)```\n<!-- /layers -->", page, re.S)
    assert found, "docs/architecture.md has no layers block"
    layers: dict[str, list[str]] = {}
    container = None
    for line in found.group(1).splitlines():
        if line.endswith(":") and not line.startswith(" "):
            container = line[:-1]
            layers[container] = []
        elif line.strip():
            assert container, line
            layers[container].append(line.strip())
    return layers


def test_the_page_shows_the_layers_of_the_contracts():
    assert _page_layers() == _contract_layers()
    assert _contract_layers()["segkit"][0] == "cli"


def test_every_folder_and_module_of_the_package_has_a_layer():
    listed = {name.strip() for line in _contract_layers()["segkit"] for name in line.split("|")}
    package = ROOT / "src" / "segkit"
    present = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    present |= {p.stem for p in package.glob("*.py")} - {"__init__", "__main__"}
    assert present - listed == set(), "give each one a layer in .importlinter"
    assert listed - present == set()


@pytest.fixture(scope="module")
def lint_imports():
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.fail("lint-imports is missing: pip install -e '.[test]' installs import-linter")
    return exe


def test_the_contracts_hold(lint_imports):
    done = subprocess.run(
        [str(lint_imports), "--no-cache", str(CONFIG)],
        capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_an_upward_import_breaks_the_contracts(lint_imports, tmp_path):
    """The check can fail: a copy of the package whose ledger imports the reports breaks it."""
    import shutil

    copy = tmp_path / "src" / "segkit"
    shutil.copytree(ROOT / "src" / "segkit", copy, ignore=shutil.ignore_patterns("*.ipynb", "data"))
    schema = copy / "ledger" / "schema.py"
    schema.write_text(schema.read_text(encoding="utf-8") + "\nimport segkit.reports.index\n")
    done = subprocess.run(
        [str(lint_imports), "--no-cache", str(CONFIG)],
        capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": ""},
    )  # fmt: skip
    assert done.returncode != 0
    assert "segkit.ledger.schema -> segkit.reports.index" in done.stdout
