"""Readers: ledger files and DataFrames to canonical pandas frames, with every parse problem recorded.

CSV files are decoded with the encoding the mapping names, or detected: UTF-8 with BOM, UTF-8, then
GB18030 (a superset of GBK and GB2312, the usual encodings of Chinese ERP exports). The encoding
used is reported; a file that none of them decodes raises an error asking for the encoding, and a
file whose lines are in different encodings (a UTF-8 line pasted into a GBK export) is refused, so
text is never silently garbled.

Parsing never drops or changes a row: a value that does not parse is recorded as a failure
(file, table, column, row, rule, value) and the ledger is rejected by :mod:`segkit.ledger.validation`.
Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2. The rules
for single values and their limits are in :mod:`segkit.ledger.values`.
"""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from segkit.exceptions import MappingError, SchemaError
from segkit.ledger.coerce import RawTable, coerce
from segkit.ledger.debit_credit import sign_engine
from segkit.ledger.excel import read_xlsx
from segkit.ledger.mapping import TableSource
from segkit.ledger.schema import BOOL, DATE, FLOAT, STRING, TABLES
from segkit.ledger.validation import failures_error, one_failure

__all__ = [
    "RawTable",
    "read_source",
    "read_parquet_engine",
    "from_frame",
    "detect_encoding",
    "SUFFIXES",
]

SUFFIXES = (".csv", ".parquet", ".xlsx")
_ENCODINGS = ("utf-8", "gb18030")
_NUL = "\ue000"  # stands for NUL while pandas parses the text (its C parser ends strings at NUL)
_LINE = re.compile(r"line (\d+)")


def detect_encoding(path: Path, encoding: str = "auto") -> str:
    """Return the encoding that decodes ``path``: the one given, or the first that works.

    Raises
    ------
    MappingError
        If the named encoding fails, or no candidate decodes the whole file.
    """
    return _decode(path.read_bytes(), path, encoding)[1]


def _decode(data: bytes, path: Path, encoding: str = "auto") -> tuple[str, str, str | None]:
    auto = encoding in (None, "auto")
    if auto and data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig", None
    candidates = _ENCODINGS if auto else (encoding,)
    tried = []
    for candidate in candidates:
        try:
            text = data.decode(candidate)
            return (
                _likelier(data, text) if auto and candidate == "utf-8" else (text, candidate, None)
            )
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            tried.append(f"{candidate} (line {line})")
        except LookupError:
            tried.append(f"{candidate} (unknown encoding)")
    raise MappingError(
        f"{path}: cannot decode the file as {', '.join(tried)}; name its encoding in the mapping "
        "file (encoding: gbk, big5, latin-1, ...)"
    )


def _share(text: str, low: str, high: str) -> float:
    """The share of the non-ASCII characters of ``text`` from ``low`` to ``high``."""
    wide = [c for c in text if ord(c) > 127]
    return sum(low <= c <= high for c in wide) / len(wide) if wide else 0.0


def _likelier(data: bytes, text: str) -> tuple[str, str, str | None]:
    """UTF-8, unless the bytes read as Chinese in GB18030 and as stray letters in UTF-8.

    GBK bytes are at times valid UTF-8 (实业 reads ʵҵ, IPA and Cyrillic letters). The file is read
    as GB18030 when its UTF-8 reading has no character beyond U+07FF, at least half of them from
    U+0250 to U+07FF (IPA, Greek, Cyrillic ...) and nine tenths of its GB18030 reading are CJK
    ideographs; a note says so with both shares. When the GB18030 reading is as Chinese but the
    UTF-8 one plausible (``Café``), UTF-8 is kept and a note says the other reading exists.
    ``encoding:`` in the mapping settles it either way.
    """
    if text.isascii() or any(ord(c) > 0x7FF for c in text):
        return text, "utf-8", None
    try:
        other = data.decode("gb18030")
    except UnicodeDecodeError:
        return text, "utf-8", None
    chinese = _share(other, "\u4e00", "\u9fff")
    if chinese < 0.9:
        return text, "utf-8", None
    stray = _share(text, "\u0250", "\u07ff")
    shares = (
        f"its non-ASCII text is {chinese:.0%} CJK ideographs in GB18030 and {stray:.0%} IPA, "
        "Greek, Cyrillic or other letters in UTF-8; set encoding: in the mapping to choose"
    )
    if stray >= 0.5:
        return other, "gb18030", f"read as gb18030, not utf-8: {shares}"
    return text, "utf-8", f"read as utf-8, though it also reads as gb18030: {shares}"


def _utf8_lines(data: bytes, encoding: str) -> list[int]:
    """Line numbers that are UTF-8 text in a file decoded with another encoding.

    A line counts when its non-ASCII bytes decode as UTF-8 and, for the multi-byte encodings of
    East Asia, every character they give is CJK (what a pasted UTF-8 line holds; GBK text read as
    UTF-8 by chance gives Latin, Greek or Cyrillic letters).
    """
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig", "ascii"):
        return []
    wide = encoding.lower().replace("-", "").replace("_", "") in (
        "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "shiftjis", "cp932", "euckr", "cp936",
    )  # fmt: skip
    found = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not wide or all(ord(c) >= 0x2E80 for c in text if not c.isascii()):
            found.append(number)
    return found


def _mixed_error(origin: str, table: str, data: bytes, encoding: str, utf8: list[int]):
    """Name the odd lines out: the UTF-8 ones, or the others when most lines are UTF-8."""
    lines = data.split(b"\n")
    wide = [n for n, line in enumerate(lines, start=1) if not line.isascii()]
    if len(utf8) * 2 > len(wide):
        odd = [n for n in wide if n not in set(utf8)]
        rule = f"one encoding per file (the file is UTF-8; these lines are not, {encoding}?)"
        codec = encoding
    else:
        odd, codec = utf8, "utf-8"
        rule = f"one encoding per file (the file reads as {encoding}; these lines are UTF-8)"
    return failures_error(
        [{"file": origin, "table": table, "column": None, "row": n, "rule": rule,
          "value": lines[n - 1].decode(codec, "replace").strip()[:60], "count": len(odd)}
         for n in odd[:5]]
    )  # fmt: skip


def read_source(source: TableSource, path: Path | None = None) -> RawTable:
    """Read one table from a file (CSV, Excel or Parquet) and coerce it to canonical columns.

    Raises
    ------
    MappingError
        When the file does not exist or its encoding is unknown.
    SchemaError
        When the file cannot be read as a table (a directory, a broken link, an empty or corrupt
        file, an unknown sheet, mixed encodings, repeated column names).
    """
    path = Path(path or source.file)
    _check_readable(path, source.table)
    suffix = path.suffix.lower()
    encoding, header, stray, note = None, None, [], None
    if suffix == ".csv":
        header, frame, encoding, note = _read_csv(path, source)
    elif suffix == ".xlsx":
        try:
            header, frame, stray = read_xlsx(path, source.sheet)
        except ValueError as exc:
            raise one_failure(path.name, source.table, "a readable .xlsx sheet", str(exc)) from None
    elif suffix == ".parquet":  # read_ledger opens Parquet in the engine; this serves direct calls
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            raise one_failure(
                path.name, source.table, "a readable Parquet file", str(exc)
            ) from None
    else:
        raise MappingError(f"{path}: unsupported file type {suffix!r}; use one of {SUFFIXES}")
    rows = np.arange(1, len(frame) + 1) if header is None else frame.index.to_numpy()
    raw = coerce(frame, source, origin=path.name, rows=rows, header=header)
    raw.encoding, raw.path = encoding, path
    for cell in stray:
        raw.failures.append(
            {"file": path.name, "table": source.table, "column": cell["column"],
             "row": cell["row"],
             "rule": cell.get("rule", "a value under a header (column outside the table)"),
             "value": cell["value"]}
        )  # fmt: skip
    if encoding:
        raw.notes.append(f"{path.name}: {note or f'read as {encoding}'}")
    return raw


def _check_readable(path: Path, table: str) -> None:
    try:
        path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise one_failure(
                path.name, table, "a readable file", "a broken symbolic link"
            ) from None
        raise MappingError(f"table '{table}': file not found: {path}") from None
    except OSError as exc:  # a symbolic link loop, a name too long, no permission
        raise one_failure(path.name, table, "a readable file", exc.strerror or str(exc)) from None
    if path.is_dir():
        raise one_failure(path.name, table, "a readable file", "a directory") from None
    if not path.is_file():
        raise one_failure(path.name, table, "a readable file", "not a regular file") from None


def _read_csv(path: Path, source: TableSource) -> tuple[list, pd.DataFrame, str, str | None]:
    """The header cells, the records (indexed by row number; blank lines are not records), the
    encoding and the note on how it was chosen."""
    data = path.read_bytes()
    text, encoding, note = _decode(data, path, source.encoding)
    mixed = _utf8_lines(data, encoding)
    if mixed:
        raise _mixed_error(path.name, source.table, data, encoding, mixed)
    if not text.strip():
        raise one_failure(path.name, source.table, "a header row", "an empty file")
    has_nul = "\0" in text
    try:
        frame = pd.read_csv(
            io.StringIO(text.replace("\0", _NUL) if has_nul else text),
            header=None, dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True, skip_blank_lines=False,
        )  # fmt: skip
    except pd.errors.ParserError as exc:
        found = _LINE.search(str(exc))
        row = int(found.group(1)) if found else None
        raise one_failure(
            path.name, source.table, "a table of CSV records", str(exc), row=row
        ) from None
    if has_nul:
        frame = frame.apply(lambda c: c.str.replace(_NUL, "\0", regex=False))
    header = frame.iloc[0].tolist()
    frame = frame.iloc[1:]
    frame.index = frame.index + 1  # the header is row 1
    return header, frame[frame.notna().any(axis=1)], encoding, note


def from_frame(frame: pd.DataFrame, table: str, source: TableSource | None = None) -> RawTable:
    """Coerce an in-memory DataFrame; rows are numbered by position from 0."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            f"table '{table}': expected a pandas DataFrame, got {type(frame).__name__}"
        )
    source = source or TableSource(table=table)
    return coerce(frame, source, origin=f"<{table} DataFrame>", rows=np.arange(len(frame)))


def read_parquet_engine(source: TableSource, path: Path, con) -> tuple[object, list]:
    """Open a Parquet file in the engine, without loading it into Python.

    Columns are renamed per the mapping and cast to the canonical types in the engine; a string
    column that must become a date or number is converted with ``try_cast``, and each value that
    does not convert becomes a failure rule checked with the others. Rows are numbered from 1 in
    the engine's scan order (file order) only when a rule fails.

    Returns
    -------
    (ibis.Table, list of rules)

    Raises
    ------
    MappingError
        When the mapping sums invoice lines (``lines:``), which is done for CSV and Excel
        files only.
    """
    if source.lines is not None:
        raise MappingError(
            f"{path.name}: 'lines:' sums invoice lines from CSV or Excel files; a Parquet "
            f"{source.table} file must hold one row per invoice (sum the lines first, or "
            "export the lines as CSV)"
        )
    _check_readable(path, source.table)
    try:
        table = _open_parquet(path, con)
    except Exception as exc:  # the engine's own error types, one per backend
        first = str(exc).strip().splitlines()[0][:200]
        raise one_failure(path.name, source.table, "a readable Parquet file", first) from None
    reverse = {src: canonical for canonical, src in source.columns.items()}
    wanted = [*reverse, *([source.debit_credit["column"]] if source.debit_credit else [])]
    missing = [src for src in wanted if src not in table.columns]
    if missing:
        raise MappingError(
            f"{path.name}: mapped source column(s) {missing} not found; the file "
            f"has {list(table.columns)}"
        )
    table = table.rename({canonical: src for src, canonical in reverse.items()})
    rules, casts = [], {}
    for column in TABLES[source.table]:
        if column.name not in table.columns:
            continue
        target = {STRING: "string", DATE: "date", FLOAT: "float64", BOOL: "boolean"}[column.dtype]
        current = table[column.name].type()
        if current.is_string() and column.dtype != STRING:
            casts[column.name] = table[column.name].try_cast(target)
            rules.append(_parquet_parse_rule(source.table, column.name, target))
        elif column.dtype == STRING and current.is_floating():  # ids stored as 17850.0
            value = table[column.name]
            whole = value.abs() < 2**53
            whole &= value == value.floor()
            as_int = value.cast("int64").cast("string")
            casts[column.name] = ibis.ifelse(whole, as_int, value.cast("string"))
        elif column.dtype != STRING or not current.is_string():
            casts[column.name] = table[column.name].cast(target)
    table = table.mutate(**{f"_raw_{k}": table[k] for k in casts}).mutate(**casts)
    if source.debit_credit and "amount" in table.columns:
        table, signs = sign_engine(table, source.table, source.debit_credit)
        rules += signs
    return table, rules


#: Characters an engine reads as a file pattern (``*.parquet``, ``led[1]``, ``{a,b}``).
_GLOB = re.compile(r"[*?\[\]{}]")


def _open_parquet(path: Path, con):
    """The Parquet file ``path`` itself in the engine, never the files a pattern would match.

    Engines read a Parquet path as a glob pattern. A path holding a pattern character is opened
    with Arrow (which reads the one file named) and handed to DuckDB as a lazy dataset; another
    engine refuses it.
    """
    if not _GLOB.search(str(path)):
        return con.read_parquet(path)
    if getattr(con, "name", None) != "duckdb":
        raise ValueError(
            f"the path holds a pattern character (* ? [ ] {{ }}) that {con.name} would expand; "
            "rename the file or folder"
        )
    import pyarrow.dataset as ds

    name = f"segkit_parquet_{uuid.uuid4().hex[:12]}"
    con.con.register(name, ds.dataset(str(path), format="parquet"))
    return con.table(name)


def _parquet_parse_rule(table: str, column: str, target: str):
    from segkit.ledger.validation import Rule

    return Rule(
        table, column, f"parse as {target}", table,
        where=lambda t: t[f"_raw_{column}"].notnull() & t[column].isnull(),
        value=lambda t: t[f"_raw_{column}"].cast("string"),
    )  # fmt: skip
