"""The export corpus: every export validates, every study report runs, skipped sections say why.

The exports in ``tests/fixtures/exports/`` are small synthetic ledgers in the shapes ERP systems
export (``make_exports.py`` writes them). ``segkit report`` runs once per export, in a
module-scoped fixture (two at a time: most of the time is kernel start), as of 2025-12-31.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import segkit
from segkit.cli import app
from segkit.ledger.mapping import load_mapping
from segkit.studies import needs, sections
from segkit.text import text

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
NAMES = sorted(p.name for p in EXPORTS.iterdir() if (p / "mapping.yaml").is_file())
AS_OF = "2025-12-31"
#: The studies whose sections are declared here (report names); each must succeed on every export.
OURS = ("market", "segmentation")  # the studies whose sections declare their needs
STUDIES = ("credit_risk", *OURS)


def test_the_corpus_holds_the_shapes_it_promises():
    assert len(NAMES) >= 12
    assert {"sap_line_items", "kingdee_ar", "odoo_invoices", "sales_lines", "ar_settled_usd",
            "usd_master", "six_months", "invoices_only", "regular_buyers", "dormant_consumers",
            "country_names", "retail_returns"} <= set(NAMES)  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_validate_finds_no_problem(name):
    folder = EXPORTS / name
    result = CliRunner().invoke(
        app, ["validate", str(folder), "--mapping", str(folder / "mapping.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


#: An export also reported in Chinese.
ZH = "odoo_invoices"


def _report(name: str, out: Path, lang: str = "en") -> subprocess.CompletedProcess:
    folder = EXPORTS / name
    target = out / (name if lang == "en" else f"{name}_{lang}")
    command = [sys.executable, "-m", "segkit", "report", str(folder), "--mapping", str(folder / "mapping.yaml"),
               "--as-of", AS_OF, "--out", str(target), "--lang", lang]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """Run ``segkit report`` (every study) on each export, and on one in Chinese (key
    ``<name>_zh``); name -> its dated report folder."""
    out = tmp_path_factory.mktemp("exports")
    jobs = [(name, "en") for name in NAMES] + [(ZH, "zh")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda job: _report(job[0], out, job[1]), jobs))
    folders = {}
    for (name, lang), run in zip(jobs, runs, strict=True):
        key = name if lang == "en" else f"{name}_{lang}"
        (out / f"{key}.log").write_text(run.stdout + run.stderr, encoding="utf-8")
        folders[key] = out / key / AS_OF
    return folders


def _status(folder: Path, study: str) -> dict:
    return json.loads((folder / f"{study}.parameters.json").read_text(encoding="utf-8"))


def _plain(page: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?(code|strong|em|b|i|a|span)\b[^>]*>", "", page)  # inline: no space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _note_text(note: str) -> str:
    return " ".join(note.replace("**", "").replace("`", "").split())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("study", STUDIES)
def test_study_succeeds(reports, name, study):
    status = _status(reports[name], study)
    assert status["run"]["status"] == "ok", status["run"].get("error")
    assert (reports[name] / f"{study}.html").is_file()


def test_no_stored_credit_study_or_lock_reaches_a_report(reports):
    for key, folder in reports.items():
        assert folder.is_dir(), key
        left = [p.name for p in folder.rglob("*") if "credit-studies" in str(p) or
                p.suffix in (".pickle", ".lock", ".partial")]  # fmt: skip
        assert left == [], key


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("study", OURS)
def test_each_skipped_section_says_why_and_no_other(reports, name, study):
    folder = EXPORTS / name
    held = sections.holdings(segkit.read_ledger(folder, mapping=folder / "mapping.yaml"), AS_OF)
    page = _plain((reports[name] / f"{study}.html").read_text(encoding="utf-8"))
    for section in (s for s in needs.declared() if s.study == study):
        note = sections.note(section, held, "en")
        title = text("section_title", section.key, "en")
        if note is None:
            assert f"{title} is not shown" not in page
        else:
            assert _note_text(note) in page


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("study", STUDIES)
def test_no_machine_text_in_the_pages(reports, name, study):
    page = _plain((reports[name] / f"{study}.html").read_text(encoding="utf-8"))
    for marker in (" nan ", "nan%", " None ", " True ", " False ", "00:00:00", "**", " -0 "):
        assert marker not in f" {page} ", marker
    for code in ("industry_section_name_en", "region_cn", "aging_current", "hhi_level", "top_n"):
        assert code not in page, code


#: Ledgers in another currency than CNY: no amount on their pages may be written in CNY.
FOREIGN = {"odoo_invoices": "EUR", "ar_settled_usd": "USD", "sales_lines": "GBP",
           "usd_master": "USD", "regular_buyers": "USD", "dormant_consumers": "EUR",
           "country_names": "EUR", "retail_returns": "GBP"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(FOREIGN))
@pytest.mark.parametrize("study", OURS)
def test_no_amount_in_cny_on_a_ledger_in_another_currency(reports, name, study):
    page = _plain((reports[name] / f"{study}.html").read_text(encoding="utf-8"))
    assert not re.search(r"CNY -?[\d.,]+|[\d.,]+ ?(CNY|元)", page), name  # "CNY 2.5m", "7.0万元"
    assert re.search(rf"{FOREIGN[name]} -?[\d.,]+", page), name


@pytest.mark.parametrize("study", OURS)
def test_no_amount_in_yuan_on_the_chinese_pages_of_a_euro_ledger(reports, study):
    page = _plain((reports[f"{ZH}_zh"] / f"{study}.html").read_text(encoding="utf-8"))
    assert not re.search(r"[\d.,]+ ?(万|亿)?(元|CNY)", page)  # "7.0万元", "123元"
    assert re.search(r"[\d.,]+ ?(万|亿)? EUR", page)


def test_currency_of_the_ledger_labels_the_amounts(reports):
    for name, currency in (
        ("odoo_invoices", "EUR"),
        ("ar_settled_usd", "USD"),
        ("sales_lines", "GBP"),
    ):
        page = _plain((reports[name] / "segmentation.html").read_text(encoding="utf-8"))
        assert f"Revenue, last 12 months ({currency})" in page
        assert "(CNY)" not in page


@pytest.mark.parametrize("name", NAMES)
def test_classify_writes_one_row_per_customer(name, tmp_path):
    folder = EXPORTS / name
    out = tmp_path / "classes.csv"
    args = [
        "classify",
        str(folder),
        "--mapping",
        str(folder / "mapping.yaml"),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    ledger = segkit.read_ledger(folder, mapping=folder / "mapping.yaml")
    customers = ledger.customers.count().execute()
    assert len(pd.read_csv(out)) == customers


@pytest.mark.parametrize("study", OURS)
def test_the_chinese_run_reads_in_chinese(reports, study):
    folder = reports[f"{ZH}_zh"]
    assert _status(folder, study)["run"]["status"] == "ok"
    page = _plain((folder / f"{study}.html").read_text(encoding="utf-8"))
    held = sections.holdings(
        segkit.read_ledger(EXPORTS / ZH, mapping=EXPORTS / ZH / "mapping.yaml"), AS_OF
    )
    notes = [sections.note(s, held, "zh") for s in needs.declared() if s.study == study]
    assert any(notes)
    for note in filter(None, notes):
        assert _note_text(note) in page
    words = re.sub(r"(?<![A-Za-z])(customers|invoices|payments)(\.[a-z_]+)?", "", page)
    for english in (
        "**",
        "is not shown",
        "Revenue",
        "Customers",
        "customers",
        "Share of",
        "growth",
    ):
        assert english not in words, english  # the ledger's own column names (removed) may stay
    assert "EUR" in page


def _lead_ins(study: str, held, lang: str) -> list[str]:
    """The lead-ins (memo text under the heading) of the sections ``held`` cannot show."""
    from segkit.studies import market as market_study
    from segkit.studies import segmentation as segmentation_study

    module, kind = {"market": (market_study, "market_memo"),
                    "segmentation": (segmentation_study, "segmentation_memo")}[study]  # fmt: skip
    out = []
    for key, led in module.sections.LEADS.items():
        if not any(module.feeds(k, held) for k in led):
            memo = text(kind, key, lang).splitlines()
            body = " ".join(line for line in memo if not line.lstrip().startswith("#"))
            out.append(" ".join(body.replace("*", "").replace("`", "").split())[:50])
    return out


@pytest.mark.parametrize("name", [*NAMES, f"{ZH}_zh"])
@pytest.mark.parametrize("study", OURS)
def test_no_lead_in_hangs_before_a_skipped_section(reports, name, study):
    lang = "zh" if name.endswith("_zh") else "en"
    folder = EXPORTS / name.removesuffix("_zh")
    held = sections.holdings(segkit.read_ledger(folder, mapping=folder / "mapping.yaml"), AS_OF)
    page = _plain((reports[name] / f"{study}.html").read_text(encoding="utf-8"))
    plain = page.replace("*", "")
    for lead in _lead_ins(study, held, lang):
        assert lead not in plain, lead


def _generator():
    """The corpus's seeded generator, imported from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_exports", EXPORTS / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sap_amounts_are_signed_by_the_debit_credit_indicator():
    folder = EXPORTS / "sap_line_items"
    raw = pd.read_csv(folder / "line_items.csv", dtype=str)
    assert set(raw["S/H"]) == {"S", "H"}
    assert not raw["Betrag in HW"].str.startswith("-").any()  # unsigned in the file
    source = load_mapping(folder / "mapping.yaml").sources["invoices"]
    assert source.columns["amount"] == "Betrag in HW"
    assert source.debit_credit == {"column": "S/H", "debit": ("S",), "credit": ("H",)}
    got = segkit.read_ledger(folder, mapping=folder / "mapping.yaml").invoices.to_pandas()
    got = got.set_index("invoice_id")["amount"].sort_index()
    canonical = _generator()._ledger(1, 45, 24, 320)["invoices"]  # the sap() export's source
    ids = canonical["invoice_id"].str.replace("INV", "18")
    expected = pd.Series(canonical["amount"].to_numpy(), index=ids.to_numpy()).sort_index()
    assert (expected < 0).sum() > 5  # credit notes, written as H
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)


def test_sales_lines_are_summed_into_the_invoices():
    folder = EXPORTS / "sales_lines"
    lines = pd.read_csv(folder / "lines.csv", dtype={"InvoiceNo": str, "CustomerID": str})
    assert lines["InvoiceNo"].value_counts().gt(2).sum() > 50  # several lines per invoice
    lines["amount"] = lines["Quantity"] * lines["UnitPrice"]
    expected = lines.groupby("InvoiceNo")["amount"].sum().sort_index()
    ledger = segkit.read_ledger(folder, mapping=folder / "mapping.yaml")
    invoices = ledger.invoices.to_pandas().set_index("invoice_id").sort_index()
    assert len(invoices) == lines["InvoiceNo"].nunique() < len(lines)
    pd.testing.assert_series_equal(
        invoices["amount"], expected, check_names=False, check_index_type=False, rtol=1e-12
    )
    customers = lines.groupby("InvoiceNo")["CustomerID"].first().sort_index()
    assert (invoices["customer_id"] == customers).all()
    features = segkit.customer_features(ledger, AS_OF, firmographic=False)
    assert features["net_amount"].sum() == pytest.approx(lines["amount"].sum(), rel=1e-12)
    by_customer = lines.groupby("CustomerID")["amount"].sum()
    pd.testing.assert_series_equal(
        features["net_amount"].sort_index(), by_customer.sort_index(), check_names=False,
        check_index_type=False, rtol=1e-9,
    )  # fmt: skip
