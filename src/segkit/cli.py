"""The ``segkit`` command: parse arguments, call one package function, print a short summary.

Every :class:`~segkit.exceptions.SegkitError` reaches the user as a one-paragraph message on
stderr and exit code 1, never as a traceback; so does a file that cannot be written, and so does
a usage error (an unknown option, a value of the wrong type). An interrupt (Ctrl-C) exits 130
with one line. Before any work, ``--lang`` must be a report language, ``--jobs`` at least 1,
``--as-of`` an ISO date in the ledger's date range (1900-01-01 to 2199-12-31) and ``--out`` a
place that can be written (a file for ``features`` and ``classify``, a folder for ``report``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import tempfile
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from segkit.exceptions import ConfigError, SegkitError


class _Commands(TyperGroup):
    """The command group: a usage error (an unknown option, ``--jobs x``) exits 1, as all errors."""

    def make_context(self, *args, **kwargs):
        with _usage_exits_1():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _usage_exits_1():
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_exits_1():
    try:
        yield
    except (click.UsageError, typer.TyperException) as exc:  # typer >= 0.24 bundles its click
        if getattr(exc, "exit_code", None) == 2:
            exc.exit_code = 1
        raise


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Customer classification for finance teams, from a receivables / sales ledger.",
)

Data = Annotated[
    Path,
    typer.Argument(help="Ledger folder (invoices, customers, payments files) or a mapping file."),
]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", "-m", help="YAML mapping file for a foreign export.")
]
AsOf = Annotated[str, typer.Option("--as-of", help="Observation date, ISO 8601 (e.g. 2025-12-31).")]


def friendly(func):
    """Check ``as_of`` and ``out`` first; turn errors into a clean message and exit code 1.

    ``as_of`` is parsed by :func:`segkit.checks.as_date` (ISO 8601 only) and passed on in ISO
    form; ``out`` is checked by :func:`check_out`. An interrupt exits 130.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        interrupted = []
        previous = signal.signal(signal.SIGINT, lambda *_: _interrupt(interrupted))
        try:
            _check_arguments(func.__name__, kwargs)
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(code=130) from None
        except SegkitError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from None
        except OSError as exc:
            if interrupted:
                typer.echo("interrupted", err=True)
                raise typer.Exit(code=130) from None
            typer.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            raise typer.Exit(code=1) from None
        except Exception as exc:
            if interrupted:  # an interrupt surfacing as another error (e.g. in a kernel client)
                typer.echo("interrupted", err=True)
                raise typer.Exit(code=130) from None
            if os.environ.get("SEGKIT_DEBUG"):
                raise
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {exc} (set SEGKIT_DEBUG=1 to see where)",
                err=True,
            )
            raise typer.Exit(code=1) from None
        finally:
            signal.signal(signal.SIGINT, previous)

    return wrapper


def _interrupt(flag: list) -> None:
    flag.append(True)
    raise KeyboardInterrupt


def _check_arguments(command: str, kwargs: dict) -> None:
    from segkit.checks import as_date, check_int, check_lang

    if "lang" in kwargs:
        check_lang(kwargs["lang"])
    if kwargs.get("jobs") is not None:
        check_int("--jobs", kwargs["jobs"], 1)
    if kwargs.get("as_of") is not None:
        kwargs["as_of"] = as_date(kwargs["as_of"], "--as-of").isoformat()
    if kwargs.get("out") is not None and command != "sample":
        check_out(kwargs["out"], folder=command == "report")


def check_out(path: Path, folder: bool) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Parameters
    ----------
    path : Path
        The ``--out`` value.
    folder : bool
        True when ``path`` is a folder to write into (``report``), False for one file.

    Raises
    ------
    ConfigError
        When ``path`` is a directory (for a file), a file (for a folder), has an unknown
        extension, or lies in a folder that cannot be written.
    """
    path = Path(path)
    if not folder:
        if path.is_dir():
            raise ConfigError(f"--out {path} is a folder; name a file (.csv, .xlsx or .parquet)")
        if path.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
            raise ConfigError(
                f"--out {path}: extension must be one of ('.csv', '.xlsx', '.parquet'); "
                f"got {path.suffix.lower()!r}"
            )
    elif path.exists() and not path.is_dir():
        raise ConfigError(f"--out {path} is a file; name a folder for the reports")
    where = path if folder else path.parent
    while not where.exists() and where != where.parent:
        where = where.parent
    if not where.is_dir():
        raise ConfigError(f"--out {path}: {where} is a file, not a folder")
    try:
        tempfile.TemporaryFile(dir=where).close()
    except OSError as exc:
        raise ConfigError(
            f"--out {path}: cannot write in {where} ({exc.strerror or exc})"
        ) from None


@app.command()
@friendly
def sample(
    out: Annotated[
        Path, typer.Option(help="Folder to write customers.csv, invoices.csv, payments.csv.")
    ] = Path("data/sample"),
    customers: Annotated[int, typer.Option(help="Number of customers.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2025,
) -> None:
    """Write the seeded synthetic sample ledger."""
    from segkit.sample import write_sample

    paths = write_sample(out, n_customers=customers, seed=seed)
    for name, path in paths.items():
        typer.echo(f"{name:<10} {path}  ({path.stat().st_size / 1e6:.2f} MB)")


@app.command()
@friendly
def validate(data: Data, mapping: MappingOpt = None) -> None:
    """Read and check a ledger; print a data-quality summary (exit 1 listing every problem)."""
    from segkit.ledger.model import read_ledger

    ledger = read_ledger(data, mapping=mapping)
    for table, path in ledger.files.items():
        typer.echo(f"read {table}: {path}")
    typer.echo(_summary_text(ledger.summary()))
    for note in ledger.notes:
        typer.echo(f"note: {note}")
    from segkit.standards.regions import country_warning

    warning = country_warning(ledger)
    if warning:
        typer.echo(f"warning: {warning}")
    typer.echo("no problems found" + (" beyond the warning above" if warning else ""))


def _summary_text(summary) -> str:
    """The ledger summary as text; a table without dates or amounts (a derived customers
    table) shows "–" there, not NaT or NaN."""
    shown = summary.copy()
    for column in shown.columns:
        if hasattr(shown[column], "dt"):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return shown.astype(object).where(shown.notna(), "–").to_string()


@app.command()
@friendly
def features(
    data: Data,
    as_of: AsOf,
    out: Annotated[Path, typer.Option(help="Output file: .csv, .xlsx or .parquet.")],
    mapping: MappingOpt = None,
    batches: Annotated[
        int,
        typer.Option(
            help="Compute customers in this many hash groups, one query each, to "
            "bound engine memory on very large ledgers; same result."
        ),
    ] = 1,
) -> None:
    """Write the customer feature table as of a date."""
    from segkit.features import customer_features
    from segkit.ledger.model import read_ledger
    from segkit.output.export import write_table

    ledger = read_ledger(data, mapping=mapping)
    ledger.check_as_of(as_of, "--as-of")
    table = customer_features(ledger, as_of=as_of, batches=batches)
    write_table(table, out)
    typer.echo(f"{len(table)} customers -> {out}")


@app.command("classify")
@friendly
def classify_cmd(
    data: Data,
    as_of: AsOf,
    out: Annotated[Path, typer.Option(help="Output file: .csv, .xlsx or .parquet (by extension).")],
    config: Annotated[
        Path | None, typer.Option(help="YAML classification config (thresholds, maps, clusters).")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(help="YAML rule file; adds rule_class, rule_id, rule_reason.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of labels and reasons: en or zh.")] = "en",
    labels: Annotated[
        bool, typer.Option("--labels/--codes", help="Write labels instead of class codes.")
    ] = False,
    credit: Annotated[
        bool,
        typer.Option(
            "--credit/--no-credit",
            help="Add PD, grade and limit proposal (fits the credit scorecard).",
        ),
    ] = True,
    mapping: MappingOpt = None,
) -> None:
    """Classify every customer and write one row per customer for loading into an ERP."""
    from segkit.classes.pipeline import classify, resolve_config, with_labels
    from segkit.ledger.model import read_ledger
    from segkit.output.export import write_table

    cfg = resolve_config(config)
    if rules is not None:
        cfg["rules"] = str(rules)
    cfg["credit"]["enabled"] = credit
    ledger = read_ledger(data, mapping=mapping)
    ledger.check_as_of(as_of, "--as-of", recent_months=12)
    table = classify(ledger, as_of, config=cfg, lang=lang)
    write_table(with_labels(table, lang) if labels else table, out)
    typer.echo(f"{len(table)} customers classified as of {as_of} -> {out}")
    for note in table.attrs.get("notes", []):
        typer.echo(f"note: {note}")
    for column in ("freq_class", "rfm_segment", "abc_tier", "grade", "risk_tier"):
        if column not in table.columns:
            continue
        counts = table[column].value_counts().head(6)
        typer.echo(f"  {column}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command()
@friendly
def report(
    data: Data,
    as_of: AsOf,
    out: Annotated[Path, typer.Option(help="Reports folder; output goes to OUT/<as_of>/.")] = Path(
        "reports"
    ),
    study: Annotated[
        list[str] | None, typer.Option("--study", "-s", help="Run only these studies.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Report language: en or zh.")] = "en",
    mapping: MappingOpt = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A study parameter as study.name=value (e.g. credit_risk.horizon_months=6), "
            "checked against the notebook's parameters cell; repeat for more.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Studies run at the same time (default: CPU cores, at most 4).",
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf", help="Also print every page to PDF beside its HTML (needs headless Chromium)."
        ),
    ] = False,
) -> None:
    """Run the studies (parameterized notebooks) and write notebooks, HTML and an index."""
    from segkit.ledger.model import read_ledger
    from segkit.reports import param_options, run_reports
    from segkit.reports.pdf import chromium, print_pages

    browser = chromium() if pdf else None  # no Chromium: say so before any study runs
    params = param_options(param or [], studies=study or None)
    # the ledger and the date are checked once here, before any notebook starts
    read_ledger(data, mapping=mapping).check_as_of(as_of, "--as-of", recent_months=12)
    # Ctrl-C or SIGTERM: run_reports removes the unfinished folder, then exit 130 (friendly)
    result = run_reports(
        data,
        as_of,
        out=out,
        studies=study or None,
        lang=lang,
        mapping=mapping,
        params=params,
        jobs=jobs,
        log=typer.echo,
    )
    if browser:
        pages = [run.html for run in result.studies] + [result.index]
        written = print_pages(pages, browser)
        typer.echo(f"pdf: {len(written)} files printed beside their HTML pages")
