"""Write the README's "Measured" table from ``benchmarks/results/``.

::

    python benchmarks/readme_table.py           # rewrite the table in README.md
    python benchmarks/readme_table.py --check   # exit 1 when README.md differs from the results

The table sits between the markers ``<!-- measured:start -->`` and ``<!-- measured:end -->``;
``run_all.py`` calls this after the benchmarks, and the test suite checks that the README shows
the committed results.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- measured:start -->", "<!-- measured:end -->"


def _load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= target else "missed"


def _seconds(figures: dict, key: str) -> tuple[str, float | None]:
    wall, cpu = figures.get(f"{key}_s"), figures.get(f"{key}_cpu_s")
    if wall is None:
        return "-", None
    return (f"{wall:.1f} s" + (f" ({cpu:.1f} s CPU)" if cpu is not None else "")), wall


def interactive_rows(run: dict | None) -> list[str]:
    """Rows of the sample's figures: what, wall (CPU) seconds, target and verdict."""
    if run is None:
        return []
    figures = run["figures"]
    rows = []
    wanted = (
        ("`import segkit`", "import", 1.0),
        ("`segkit validate data/sample`", "validate", 2.0),
        ('`segkit.classify(ledger, "2025-12-31")`, first call', "classify", 3.0),
        ("the same, again on the same ledger", "classify_again", None),
        ("`segkit report data/sample` (three studies and the index)", "report", 40.0),
    )
    for label, key, target in wanted:
        shown, wall = _seconds(figures, key)
        if target is None:
            rows.append(f"| {label} | {shown} | - |")
        else:
            rows.append(f"| {label} | {shown} | ≤ {target:g} s: {_verdict(wall, target)} |")
    return rows


def engine_rows(results: Path) -> list[str]:
    """Rows of the 10M-invoice runs (segkit's features against the hand-written query and
    Polars, peak memory against the query's) and of the 100M run."""
    rows = []
    tenfold = None
    for shape, name in (
        ("payments", "features_10000000"),
        ("settled dates", "features_10000000_settled"),
    ):
        run = _load(results, name)
        if run is None:
            continue
        contenders, targets = run["contenders"], run["targets"]
        ratio = targets.get("segkit_features_vs_sql_time")
        sql = contenders.get("duckdb_sql", {}).get("wall_s")
        segkit = contenders.get("segkit", {}).get("features_s")
        tenfold = segkit if shape == "payments" else tenfold
        shown = "-" if ratio is None else f"{segkit:.1f} s vs {sql:.1f} s = {ratio:.2f}×"
        rows.append(
            f"| 10M invoices, {shape}: features vs hand-written DuckDB SQL | {shown} "
            f"| ≤ 1.0×: {_verdict(ratio, 1.0)} |"
        )
        polars = contenders.get("polars", {}).get("wall_s")
        if polars is not None and segkit is not None:
            verdict = "met" if segkit < polars else "missed"
            rows.append(
                f"| 10M invoices, {shape}: features vs Polars (lazy) | {segkit:.1f} s vs "
                f"{polars:.1f} s | ahead of Polars: {verdict} |"
            )
        memory = targets.get("segkit_vs_sql_peak_rss")
        if memory is not None:
            peak = contenders["segkit"]["peak_rss_bytes"] / 1e9
            query = contenders["duckdb_sql"]["peak_rss_bytes"] / 1e9
            rows.append(
                f"| 10M invoices, {shape}: peak memory vs the query | {peak:.2f} GB vs "
                f"{query:.2f} GB = {memory:.2f}× | ≤ 1.5×: {_verdict(memory, 1.5)} |"
            )
    rows += _hundred_million(_load(results, "features_100000000"), tenfold)
    return rows


def _hundred_million(run: dict | None, tenfold: float | None) -> list[str]:
    if run is None:
        return []
    segkit = run["contenders"]["segkit"]
    peak, seconds = segkit["peak_rss_bytes"] / 1e9, segkit["features_s"]
    commit = run["machine"].get("segkit_commit")
    at = f", commit {commit}" if commit else ", an earlier engine"
    rows = [
        f"| 100M invoices (8 batches{at}): peak memory | {peak:.2f} GB "
        f"| < 8 GB: {_verdict(peak, 7.999)} |"
    ]
    if tenfold:
        ratio = seconds / tenfold
        rows.append(
            f"| 100M invoices: features time vs the 10M run | {seconds:.0f} s vs "
            f"{tenfold:.1f} s = {ratio:.1f}× | ≤ 12×: {_verdict(ratio, 12.0)} |"
        )
    return rows


def table(results: Path = HERE / "results") -> str:
    """The Markdown block between the markers."""
    run = _load(results, "interactive")
    lines = ["| what | measured | target |", "|---|---|---|"]
    lines += interactive_rows(run) + engine_rows(results)
    if run is not None:
        load = run["load_average"]
        lines += [
            "",
            f"Sample figures from commit {run['commit']}, load average {load['start'][0]:.1f} "
            f"at the start on the benchmark's machine (2 cores); engine figures from "
            "`benchmarks/results/features.md`.",
        ]
    return "\n".join(lines)


def render(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    parser.add_argument("--results-dir", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = render(current, table(Path(args.results_dir)))
    if args.check:
        raise SystemExit(0 if wanted == current else "README.md does not show benchmarks/results/")
    README.write_text(wanted, encoding="utf-8")


if __name__ == "__main__":
    main()
