"""An installed segkit carries what it reads at run time: the study notebooks, the text
catalogue, the standards' tables and the collection strategy (`pip install .` then
`segkit report DATA` works without the project folder)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "segkit"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy, so the build leaves nothing in the project folder
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("segkit-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "pattern",
    [
        "studies/notebooks/*.ipynb",
        "text/catalogue/*.yaml",
        "data/*.csv",
        "cash/*.yaml",
        "reports/templates/*/*",
        "py.typed",
    ],
)
def test_the_wheel_carries_every_data_file(wheel_names, pattern):
    files = sorted(p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.glob(pattern))
    assert files, pattern
    assert [f for f in files if f not in wheel_names] == []
