"""Which file holds which table of a ledger folder, and every file a ledger is read from."""

from __future__ import annotations

from pathlib import Path

from segkit.exceptions import MappingError
from segkit.ledger.io import SUFFIXES
from segkit.ledger.mapping import Mapping, TableSource, load_mapping
from segkit.ledger.schema import TABLES


def ledger_files(path: str | Path, mapping: str | Path | None = None) -> list[Path]:
    """The files :func:`read_ledger` reads for ``path`` and ``mapping``: mapping, tables, rates.

    Raises
    ------
    MappingError
        As :func:`read_ledger`, when files are missing or ambiguous.
    """
    path = Path(path)
    if mapping is None and path.suffix.lower() in (".yaml", ".yml"):
        mapping, path = path, path.parent
    files = [Path(mapping)] if mapping is not None else []
    loaded = load_mapping(mapping) if mapping is not None else None
    if loaded is not None and loaded.engine is not None:
        return files  # the tables are in an engine: see segkit.ledger.engines.fingerprint
    if not path.exists():
        raise MappingError(f"ledger not found: {path}")
    rates = [loaded.currency["rates"]["file"]] if loaded and "rates" in loaded.currency else []
    return files + [file for _, file in _locate(path, loaded)] + rates


def _locate(folder: Path, mapping: Mapping | None) -> list[tuple[TableSource, Path]]:
    """The file of each table: with a mapping, only the tables it names; else by name."""
    sources = dict(mapping.sources) if mapping else {}
    found = []
    for table in TABLES:
        if mapping is not None and table not in sources:
            continue
        source = sources.get(table) or TableSource(table=table)
        file = source.file or _find(folder, table)
        if file is None:
            if table == "invoices":
                raise MappingError(
                    f"{folder}: no invoices file found; expected one of "
                    f"{[f'invoices{s}' for s in SUFFIXES]} or a mapping file naming it"
                )
            continue
        found.append((source, file))
    return found


def _find(folder: Path, table: str) -> Path | None:
    if folder.is_file():
        return None
    candidates = [folder / f"{table}{s}" for s in SUFFIXES]
    matches = [c for c in candidates if c.is_symlink() or c.exists()]  # read_source says why not
    if len(matches) > 1:
        raise MappingError(
            f"{folder}: several files for table '{table}': {[m.name for m in matches]}; keep one"
        )
    return matches[0] if matches else None
