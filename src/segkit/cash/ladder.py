"""The dunning ladder as a state machine, and the dispute route beside it.

A plan is an ordered list of steps, each dated by its offset from the due date. The state of an
open invoice is the number of its plan's steps already done; its next action is the first step
not done. A step whose date has passed is not skipped: it stays the next action, an overdue
task with its days overdue, so an invoice reaches a step only through the ones before it (legal
action only after the final notice). A disputed invoice leaves the ladder for the dispute route
(verify delivery, issue a credit note, escalate to sales), timed the same way.

What is done comes from the previous run's worklist when a user keeps it
(:func:`steps_done`): the canonical ledger records payments, which close an invoice, but no
reminder, call or promise to pay, so without a kept worklist no step counts as done.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError

__all__ = ["DISPUTE_STEPS", "TRUE_WORDS", "ladder_state", "steps_done"]

#: The steps of the dispute route, in order.
DISPUTE_STEPS = ("verify_delivery", "credit_note", "escalate_sales")
#: Values of a kept worklist's ``done`` column that mean the step was done.
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "done", "是", "已完成"})


def ladder_state(steps, due: pd.Series, done: pd.Series, as_of) -> pd.DataFrame:
    """Next step of each invoice on one ladder.

    Parameters
    ----------
    steps : sequence of (action, day)
        The ladder, in order; days from the due date, never decreasing.
    due : pandas.Series
        Due dates (datetime64), indexed like ``done``.
    done : pandas.Series
        Number of steps done per invoice (0 to ``len(steps)``).
    as_of : pandas.Timestamp
        The date of the worklist.

    Returns
    -------
    pandas.DataFrame
        Same index: ``step`` (1-based position of the next step; ``len(steps) + 1`` once every
        step is done), ``action`` (the next step, ``follow_up`` once all are done),
        ``action_date`` (its date; ``as_of`` for ``follow_up``) and ``days_overdue`` (days
        since the action date, 0 when not yet due).
    """
    actions = np.array([a for a, _ in steps] + ["follow_up"], dtype=object)
    offsets = np.array([d for _, d in steps] + [0], dtype="int64")
    position = np.clip(done.to_numpy(dtype="int64"), 0, len(steps))
    when = due.to_numpy(dtype="datetime64[ns]") + offsets[position].astype("timedelta64[D]")
    when = np.where(position == len(steps), np.datetime64(as_of, "ns"), when)
    when = pd.DatetimeIndex(when)
    overdue = np.maximum((pd.Timestamp(as_of) - when).days.to_numpy(), 0)
    return pd.DataFrame(
        {"step": position + 1, "action": actions[position], "action_date": when,
         "days_overdue": overdue},
        index=due.index,
    )  # fmt: skip


def steps_done(previous, ladders: dict, plan_of: pd.Series) -> pd.Series:
    """Steps done per invoice, read from the previous run's worklist.

    Parameters
    ----------
    previous : pandas.DataFrame, str, Path or None
        The kept worklist (one row per invoice; a CSV path or a frame): ``invoice_id``,
        ``action`` (the next action that run gave, as a code) and optionally ``done`` (true
        when the collector did it: 1, true, yes, x, done, 是). The steps before ``action`` count
        as done; ``action`` itself when ``done`` says so (``follow_up``: every step).
    ladders : dict
        Ladder (sequence of (action, day)) by plan name; ``"dispute"`` for the dispute route.
    plan_of : pandas.Series
        The plan of each open invoice today (index ``invoice_id``).

    Returns
    -------
    pandas.Series
        Steps done per open invoice (0 without a record). Invoices of the kept worklist that
        are no longer open are left out (paid or written off).

    Raises
    ------
    ConfigError
        When the file or a column is missing, or a row's action is not a step of the
        invoice's ladder today (naming the file, row and value).
    """
    done = pd.Series(0, index=plan_of.index, dtype="int64")
    if previous is None:
        return done
    name = str(previous) if not isinstance(previous, pd.DataFrame) else "the previous worklist"
    table = _read_previous(previous, name)
    for row, (invoice, action, flag) in enumerate(table.itertuples(index=False), start=2):
        if invoice not in done.index or pd.isna(action):
            continue
        codes = [a for a, _ in ladders[plan_of[invoice]]]
        if action not in (*codes, "follow_up"):
            raise ConfigError(
                f"{name}: row {row}, column 'action': {action!r} is not a step of the "
                f"{plan_of[invoice]!r} ladder of invoice {invoice!r}; steps: {codes}."
            )
        if action == "follow_up":  # every step was done
            done[invoice] = len(codes)
        else:
            done[invoice] = codes.index(action) + int(str(flag).strip().lower() in TRUE_WORDS)
    return done


def _read_previous(previous, name) -> pd.DataFrame:
    if not isinstance(previous, pd.DataFrame):
        path = Path(previous)
        if not path.is_file():
            raise ConfigError(f"previous worklist not found: {path}")
        previous = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    table = previous.reset_index() if "invoice_id" not in previous.columns else previous
    missing = [c for c in ("invoice_id", "action") if c not in table.columns]
    if missing:
        raise ConfigError(f"{name} must have the columns invoice_id and action; missing {missing}.")
    flags = table["done"] if "done" in table.columns else pd.Series("", index=table.index)
    return pd.DataFrame(
        {"invoice_id": table["invoice_id"].astype(str), "action": table["action"],
         "done": flags.fillna("")}
    )  # fmt: skip
