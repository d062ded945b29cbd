"""The README and docs/: links resolve, the imports they show work, the layout they describe holds."""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "segkit"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_relative_link_resolves(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = target.split("#")[0]
        if path and not (page.parent / path).exists():
            broken.append(target)
    assert broken == []


def _imports(page: Path) -> list[str]:
    statements = []
    for block in FENCE.findall(page.read_text(encoding="utf-8")):
        try:
            tree = ast.parse(block)
        except SyntaxError:  # a block with "..." placeholders: take its import lines alone
            tree = ast.parse(
                "\n".join(
                    line for line in block.splitlines() if line.startswith(("import ", "from "))
                )
            )
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or node.names[0].name
                if module.split(".")[0] == "segkit":
                    statements.append(ast.unparse(node))
    return statements


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_segkit_import_shown_works(page):
    for statement in _imports(page):
        exec(statement, {})  # raises ImportError naming the missing module or name


def test_the_readme_shows_imports_and_stays_short():
    readme = ROOT / "README.md"
    assert _imports(readme), "the quick start imports segkit"
    assert len(readme.read_text(encoding="utf-8").splitlines()) <= 400


def test_every_public_name_of_the_top_level_imports():
    segkit = importlib.import_module("segkit")
    for name in segkit.__all__:
        assert getattr(segkit, name) is not None, name
    assert callable(segkit.classify) and not isinstance(segkit.classify, type(segkit))


def test_architecture_page_names_every_folder_and_top_level_module():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    folders = sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__main__.py")
    missing = [f"{f}/" for f in folders if f"`{f}/`" not in page]
    missing += [m for m in modules if f"`{m}`" not in page and m != "__init__.py"]
    assert missing == []


def test_one_folder_per_concept_keeps_modules_small():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 8, top
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_the_readme_shows_the_committed_benchmark_results():
    """The "Measured" table is written from benchmarks/results/, never by hand."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import readme_table
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table.render(readme, readme_table.table()) == readme
    assert "| `segkit validate data/sample` |" in readme
