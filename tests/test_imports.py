"""``import segkit`` stays light: the engine, the models and the report machinery load on use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("papermill", "nbconvert", "jupyter_client", "sklearn", "optbinning", "matplotlib")


def _loaded_after(statement: str) -> set[str]:
    """Top-level modules loaded by a fresh interpreter after running ``statement``."""
    code = f"import sys; {statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    return set(done.stdout.split())


def test_import_segkit_loads_no_heavy_module():
    loaded = _loaded_after("import segkit")
    assert "segkit" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_public_names_load_on_first_use():
    loaded = _loaded_after("import segkit; segkit.CreditScorecard")
    assert {"sklearn", "optbinning"} <= loaded  # the check above can see these modules
    assert not loaded & {"papermill", "nbconvert", "jupyter_client"}
