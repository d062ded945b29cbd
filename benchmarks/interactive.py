"""What an analyst waits for on the sample ledger: import, validate, classify, the report suite.

Run by hand::

    python benchmarks/interactive.py            # writes results/interactive.json and .md
    python benchmarks/interactive.py --no-report  # skip the report suite (about a minute)

Every figure comes from a fresh Python process, as a user meets it:

- ``import segkit``: time of the import statement inside the process (interpreter start-up
  not included), and the heavy modules it loaded (none is the target);
- ``segkit --help`` and ``segkit validate data/sample``: wall time of the command;
- ``segkit.classify(ledger, as_of)``: time of the call after ``read_ledger`` (first call in
  the process: Ibis compiles its queries, optbinning is imported, the scorecard is fitted),
  and a second call on the same ledger (compiled queries reused); apart, in a fresh process,
  the import of the classification, credit and growth modules and the libraries they fit
  with, which the first call pays;
- ``segkit report data/sample``: wall time of the whole suite of studies.

Each is run ``--repeat`` times (default 1) and the fastest is kept. Besides wall time, the CPU
time (user + system, all threads) of the process is recorded: on a shared machine other work
stretches wall time, while CPU time measures segkit's own work (DuckDB runs 2 threads, so CPU
time can exceed wall time on a quiet machine). The load average at the start and the end is
recorded too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEAVY = ("papermill", "nbconvert", "jupyter_client", "sklearn", "optbinning", "matplotlib")
TARGETS = {"import_s": 1.0, "validate_s": 2.0, "classify_s": 3.0, "report_s": 40.0}

IMPORT = """
import sys, time
start, cpu = time.perf_counter(), time.process_time()
import segkit
took, used = time.perf_counter() - start, time.process_time() - cpu
print({"import_s": took, "import_cpu_s": used,
       "heavy": sorted(m for m in HEAVY if m in sys.modules)})
"""
LIBRARIES = """
import time
import segkit.features, segkit.ledger  # what read_ledger has imported before the first call
start, cpu = time.perf_counter(), time.process_time()
import segkit.classes, segkit.credit, segkit.growth
print({"libraries_s": time.perf_counter() - start, "libraries_cpu_s": time.process_time() - cpu})
"""
CLASSIFY = """
import time
import segkit
def now():
    return time.perf_counter(), time.process_time()
start = now()
ledger = segkit.read_ledger(DATA)
read = now()
segkit.classify(ledger, AS_OF)
first = now()
segkit.classify(ledger, AS_OF)
again = now()
print({"read_ledger_s": read[0] - start[0], "classify_s": first[0] - read[0],
       "classify_cpu_s": first[1] - read[1], "classify_again_s": again[0] - first[0],
       "classify_again_cpu_s": again[1] - first[1]})
"""


def _python(code: str, **names) -> dict:
    prelude = "".join(f"{k} = {v!r}\n" for k, v in names.items())
    done = _run([sys.executable, "-c", prelude + code])
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own child's dict


def _run(command: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{done.stderr[-3000:]}")
    return done


def _wall(command: list[str], key: str) -> dict:
    """Wall time of a command, and the CPU time (user + system) of its processes."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    _run(command)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {f"{key}_s": wall, f"{key}_cpu_s": cpu}


def _study_times(folder: Path) -> dict:
    """Seconds each study of a report ran (its parameters record), with the studies side by side."""
    from datetime import datetime

    times = {}
    for record in sorted(folder.glob("*.parameters.json")):
        run = json.loads(record.read_text(encoding="utf-8"))["run"]
        took = datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])
        times[f"study_{record.name.split('.')[0]}_s"] = took.total_seconds()
    return times


def measure(args) -> dict:
    cli = [sys.executable, "-m", "segkit"]
    data = str(Path(args.data))
    steps = {
        "import": lambda: _python(IMPORT, HEAVY=HEAVY),
        "help": lambda: _wall([*cli, "--help"], "help"),
        "validate": lambda: _wall([*cli, "validate", data], "validate"),
        "classify": lambda: _python(CLASSIFY, DATA=data, AS_OF=args.as_of),
        "libraries": lambda: _python(LIBRARIES),
    }
    if args.report:
        out = tempfile.mkdtemp(prefix="segkit-bench-report-")
        report = [*cli, "report", data, "--as-of", args.as_of, "--out", out]
        steps["report"] = lambda: _wall(report, "report") | _study_times(Path(out) / args.as_of)
    result: dict = {}
    for name, step in steps.items():
        runs = [step() for _ in range(args.repeat)]
        key = next(k for k in runs[0] if k.endswith("_s"))
        best = min(runs, key=lambda r: r[key])
        result |= best
        print(f"{name}: {best}", flush=True)
    return result


def write_markdown(run: dict, path: Path) -> Path:
    rows = [
        ("`import segkit`", "import_s", "≤ 1 s"),
        ("`segkit --help`", "help_s", "-"),
        ("`segkit validate data/sample`", "validate_s", "≤ 2 s"),
        ("`segkit.read_ledger(data/sample)`", "read_ledger_s", "-"),
        ("`segkit.classify(ledger, as_of)`, first call", "classify_s", "≤ 3 s"),
        ("`segkit.classify(ledger, as_of)`, again", "classify_again_s", "-"),
        (
            "of the first call: importing the models (scikit-learn, SciPy, optbinning)",
            "libraries_s",
            "-",
        ),
        ("`segkit report data/sample` (all studies)", "report_s", "≤ 40 s"),
    ]
    lines = ["| what | wall s | CPU s | target (wall) |", "|---|---|---|---|"]
    figures = run["figures"]
    for label, key, target in rows:
        if key in figures:
            cpu = figures.get(key.replace("_s", "_cpu_s"))
            cpu = "-" if cpu is None else f"{cpu:.1f}"
            lines.append(f"| {label} | {figures[key]:.1f} | {cpu} | {target} |")
    studies = {k[6:-2]: v for k, v in figures.items() if k.startswith("study_")}
    if studies:
        shown = ", ".join(f"{name} {took:.0f} s" for name, took in studies.items())
        lines += ["", f"Within the report, each study ran (side by side): {shown}."]
    heavy = ", ".join(run["figures"].get("heavy", [])) or "none"
    load = run["load_average"]
    lines += [
        "",
        f"Heavy modules loaded by `import segkit`: {heavy}. Load average (1 min) at start "
        f"{load['start'][0]:.1f}, at end {load['end'][0]:.1f} on {os.cpu_count()} cores; "
        f"commit {run['commit']}.",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"))
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--report", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--results-dir", default=str(HERE / "results"))
    args = parser.parse_args(argv)
    start_load = os.getloadavg()
    figures = measure(args)
    run = {
        "figures": figures,
        "targets": TARGETS,
        "as_of": args.as_of,
        "load_average": {"start": start_load, "end": os.getloadavg()},
        "commit": _commit(),
        "python": sys.version.split()[0],
    }
    results = Path(args.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    (results / "interactive.json").write_text(json.dumps(run, indent=2))
    print(write_markdown(run, results / "interactive.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
