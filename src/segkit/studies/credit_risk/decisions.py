"""The credit study's decision sections: exposure against limits, the limits, the provision.

Each function takes the :class:`~segkit.studies.credit_risk.report.CreditReport` and returns
the objects of one section for ``display(*...)``. The decisions themselves are made once, in
:func:`segkit.credit.propose_limits` and :func:`segkit.credit.provision.provision_matrix`;
the sentences come from :func:`segkit.credit.advice.limit_reasons`.
"""

from __future__ import annotations

import pandas as pd

from segkit.credit.advice import limit_reasons
from segkit.credit.exposure import (
    DECISION_VIEW,
    exposure_summary,
    group_exposure,
    limit_decisions,
)
from segkit.credit.limits import DEFAULT_LIMIT_POLICY
from segkit.credit.worklist import short_name
from segkit.studies.credit_risk import tables
from segkit.studies.display import header
from segkit.text.amounts import format_amount

__all__ = ["exposure_section", "limits_section", "provision_section"]

_LIST = 10


def _measures(report, values: pd.Series, kind: str) -> pd.DataFrame:
    rows = [(report.t(k, kind), v) for k, v in values.items()]
    return pd.DataFrame(rows, columns=["measure", "value"])


def _money(report, value) -> str:
    return format_amount(float(value), report.lang, report.currency)


def exposure_section(report) -> list:
    """What customers owe against their limits on file: totals, over-limit, no limit, groups."""
    scored = report.scored
    if "credit_limit" not in scored.columns:
        return [report.heading("exposure"), report.md("exposure_no_limits")]
    summary = exposure_summary(scored)
    fields = {k: _money(report, summary[k]) for k in ("over_limit_amount", "no_limit_amount")}
    out = [report.heading("exposure"), report.md("exposure", over=summary["over_limit"],
                                                 none=summary["no_limit"], **fields)]  # fmt: skip
    out.append(report.show(_measures(report, summary, "exposure_row"),
                           formats={"value": "{:,.0f}"}))  # fmt: skip
    columns = ["name", "grade", "open_balance", "overdue_balance", "credit_limit", "over_limit",
               "limit_action"]  # fmt: skip
    over = scored[scored.get("over_limit", pd.Series(0.0, index=scored.index)).fillna(0) > 0]
    if report.months_over is not None:
        over = over.assign(months_over_limit=report.months_over.reindex(over.index))
        columns.insert(columns.index("over_limit") + 1, "months_over_limit")
    if len(over):
        top = over.sort_values("over_limit", ascending=False, kind="stable").head(_LIST)
        out += [report.md("exposure_over", n=min(_LIST, len(over)), total=len(over)),
                report.show(top[[c for c in columns if c in top.columns]])]  # fmt: skip
    owing = scored[(scored["open_balance"] > 0) & ~(scored["credit_limit"] > 0)]
    if len(owing):
        top = owing.sort_values("open_balance", ascending=False, kind="stable").head(_LIST)
        keep = [
            "name",
            "grade",
            "open_balance",
            "overdue_balance",
            "limit_proposed",
            "limit_action",
        ]
        out += [report.md("exposure_none", n=min(_LIST, len(owing)), total=len(owing)),
                report.show(top[[c for c in keep if c in top.columns]])]  # fmt: skip
    groups = group_exposure(scored)
    if len(groups):
        out += [report.md("exposure_groups"), report.show(groups.head(5))]
    return out


def limits_section(report) -> list:
    """The policy, the impact in totals, then the customers that need a decision, with why."""
    scored = report.scored
    impact = tables.limit_impact(scored)
    policy = DEFAULT_LIMIT_POLICY
    out = [report.heading("limits"),
           report.md("limits_policy", grace=policy["grace_days"],
                     unit=f"{policy['rounding_unit']:,.0f}"),
           report.show(_policy_rows(report)), report.show(_size_rows(report)),
           report.md("limits_impact"),
           report.show(_measures(report, impact, "limit_impact"), formats={"value": "{:,.0f}"})]  # fmt: skip
    decisions = limit_decisions(scored, n=5)
    reasons = limit_reasons(scored.loc[decisions.index], report.lang, report.currency,
                            grace_days=policy["grace_days"])  # fmt: skip
    decisions = decisions[[c for c in DECISION_VIEW if c in decisions.columns]]
    decisions = decisions.assign(limit_reason=reasons)
    if "name" in decisions.columns:  # one line per name, so the reason keeps its room
        decisions["name"] = decisions["name"].map(short_name)
    decisions["decision"] = decisions["decision"].map(lambda d: report.t(d, "limit_decision"))
    return [*out, report.md("limits_list"), report.show(decisions)]


def _policy_rows(report) -> pd.DataFrame:
    """The policy per grade, grades across (two rows: the factor, the action in arrears)."""
    grades = tables.policy_by_grade()
    rows = {
        header("grade_factor", report.lang): grades["grade_factor"].map("{:.2f}".format),
        report.t("in_arrears", "limit_policy_row"): grades["limit_action"].map(
            lambda a: report.t(a, "limit_action")
        ),
    }
    return pd.DataFrame(rows).T.rename_axis(None, axis=1)


def _size_rows(report) -> pd.DataFrame:
    """The cap and the revenue read as each size, sizes across."""
    sizes = tables.policy_by_size()
    sizes.index = sizes.index.map(lambda s: report.t(s, "credit_size"))
    cap, low = sizes["cap"], sizes["revenue_from"]
    rows = {
        header("cap", report.lang, report.currency): cap.map("{:,.0f}".format),
        header("revenue_from", report.lang, report.currency): low.map(
            lambda v: "–" if pd.isna(v) else f"{v:,.0f}"
        ),
    }
    return pd.DataFrame(rows).T.rename_axis(None, axis=1)


def provision_section(report) -> list:
    """The provision matrix, the allowance beside the expected loss, the write-off list."""
    provision = report.provision
    out = [report.heading("provision")]
    if provision is None:
        return [*out, report.md("provision_none", reason=report.provision_reason or "")]
    matrix = provision.matrix.copy()
    matrix.index = matrix.index.map(lambda b: report.t(b, "provision_bucket"))
    fields = {
        "allowance": _money(report, provision.allowance),
        "balance": _money(report, provision.balance),
        "share": provision.allowance / provision.balance if provision.balance else 0.0,
        "first": provision.snapshots[0].isoformat(),
        "last": provision.snapshots[-1].isoformat(),
        "months": provision.outcome_months,
        "adjustment": provision.forward_adjustment,
        "years": provision.write_off_days // 365,
    }
    out += [report.md("provision", **fields), report.show(matrix, formats=_MATRIX_FORMATS)]
    if report.fitted:
        loss = float(report.scored["expected_loss"].sum())
        out.append(report.md("provision_vs_el", loss=_money(report, loss), **fields))
    write_offs = provision.write_offs
    if len(write_offs):
        total = _money(report, write_offs["open_amount"].sum())
        top = write_offs.head(_LIST).set_index("invoice_id")
        out += [report.md("provision_write_offs", n=len(write_offs), total=total, **fields),
                report.show(top)]  # fmt: skip
    else:
        out.append(report.md("provision_no_write_offs", **fields))
    return out


_MATRIX_FORMATS = {
    **dict.fromkeys(("open_history", "unpaid_after", "balance", "allowance"), "{:,.0f}"),
    **dict.fromkeys(("historical_rate", "rate"), "{:.1%}"),
}
