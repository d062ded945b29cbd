"""Paths that resolve from the project root, so notebooks run the same from any folder."""

from __future__ import annotations

from pathlib import Path

__all__ = ["project_root", "resolve"]


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) holding
    ``pyproject.toml`` and ``notebooks/``; the working directory when there is none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return here


def resolve(path: str | Path) -> Path:
    """An absolute path: as given when it exists or is absolute, else relative to the project root."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path.resolve()
    return project_root() / path
