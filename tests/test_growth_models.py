"""BG/NBD and Gamma-Gamma: published CDNOW estimates, recovery from a simulated ledger, and the
closed-form expectations against Monte Carlo."""

from __future__ import annotations

import importlib.metadata

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy.stats import gamma as gamma_dist
from sklearn.exceptions import NotFittedError

from segkit.exceptions import ConfigError, SchemaError
from segkit.growth import BetaGeo, GammaGamma, clv, repeat_summary
from segkit.growth.value import DAYS_PER_MONTH


def cdnow_summary() -> pd.DataFrame:
    """The CDNOW cohort summary (2,357 customers, 39 weeks) shipped in the lifetimes wheel.

    Read from the installed distribution's files, without importing lifetimes.
    """
    files = importlib.metadata.files("lifetimes") or []
    name = "cdnow_customers_summary_with_transactions.csv"
    path = next(f for f in files if f.name == name and f.parent.name == "datasets")
    frame = pd.read_csv(path.locate()).set_index("ID")
    return frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="module")
def cdnow():
    return cdnow_summary()


def test_bgnbd_reproduces_the_published_cdnow_estimates(cdnow):
    # Fader, Hardie & Lee (2005), section 4: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
    # LL = -9582.4.
    model = BetaGeo().fit(cdnow)
    published = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    np.testing.assert_allclose(model.params_[published.index], published, rtol=0.01)
    assert model.loglik_ == pytest.approx(-9582.4, abs=0.1)
    assert model.n_customers_ == len(cdnow) == 2357


def test_gamma_gamma_reproduces_the_documented_cdnow_estimates(cdnow):
    # lifetimes' documentation on the same data: p = 6.25, q = 3.74, v = 15.45.
    model = GammaGamma().fit(cdnow)
    documented = pd.Series({"p": 6.25, "q": 3.74, "v": 15.45})
    np.testing.assert_allclose(model.params_[documented.index], documented, rtol=0.02)
    assert model.n_customers_ == int((cdnow["frequency"] > 0).sum())
    # a customer with no repeat purchase is expected to spend the population mean p v / (q - 1)
    first = cdnow[cdnow["frequency"] == 0].head(1)
    assert model.expected_spend(first).iloc[0] == pytest.approx(model.population_mean())


def simulate(n, params, seed, start="2023-01-01", days=730):
    """Invoices of ``n`` customers drawn from the BG/NBD and Gamma-Gamma processes.

    First purchases fall on the first ``days // 2`` days; each later purchase follows after an
    exponential wait (rate lambda ~ Gamma(r, alpha)), after which the customer drops out with
    probability p ~ Beta(a, b); spends are Gamma(p, nu) with nu ~ Gamma(q, v).
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    drop = rng.beta(params["a"], params["b"], n)
    nu = rng.gamma(params["q"], 1 / params["v"], n)
    first = rng.integers(0, days // 2, n)
    rows = []
    for i in range(n):
        t, times = 0.0, [0.0]
        while (t := t + rng.exponential(1 / lam[i])) + first[i] <= days:
            times.append(t)
            if rng.random() < drop[i]:
                break
        rows += [(f"C{i:05d}", first[i] + int(s), rng.gamma(params["p"], 1 / nu[i])) for s in times]
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    frame["invoice_date"] = pd.Timestamp(start) + pd.to_timedelta(frame.pop("day"), unit="D")
    table = ibis.memtable(frame).mutate(invoice_date=ibis._.invoice_date.cast("date"))
    return table, (pd.Timestamp(start) + pd.Timedelta(days=days)).date()


TRUTH = {"r": 0.6, "alpha": 30.0, "a": 0.8, "b": 3.0, "p": 6.0, "q": 4.0, "v": 15.0}


@pytest.fixture(scope="module")
def simulated():
    table, as_of = simulate(5000, TRUTH, seed=0)
    return table, as_of, repeat_summary(table, as_of)


def test_known_parameters_are_recovered_from_a_simulated_ledger(simulated):
    _, _, summary = simulated
    bg = BetaGeo().fit(summary).params_
    gg = GammaGamma().fit(summary).params_
    # a and b (p and v) trade off against each other; what the data pin down are the purchase
    # rate (r, alpha), the mean dropout a / (a + b) and the mean spend p v / (q - 1).
    # Whole-day dates merge a few same-day purchases, which nudges alpha up a little.
    assert bg["r"] == pytest.approx(TRUTH["r"], rel=0.10)
    assert bg["alpha"] == pytest.approx(TRUTH["alpha"], rel=0.15)
    assert bg["a"] / (bg["a"] + bg["b"]) == pytest.approx(0.8 / 3.8, rel=0.10)
    assert gg["q"] == pytest.approx(TRUTH["q"], rel=0.10)
    assert gg["p"] * gg["v"] / (gg["q"] - 1) == pytest.approx(6.0 * 15.0 / 3.0, rel=0.05)


def test_weeks_and_days_give_the_same_model(simulated):
    table, as_of, days = simulated
    weeks = repeat_summary(table, as_of, time_unit="W")
    by_day, by_week = BetaGeo().fit(days), BetaGeo().fit(weeks)
    assert by_day.params_["alpha"] / by_week.params_["alpha"] == pytest.approx(7.0, rel=1e-3)
    np.testing.assert_allclose(
        by_day.expected_purchases(70.0, days), by_week.expected_purchases(10.0, weeks), rtol=1e-3
    )


def fitted_beta_geo(params: dict) -> BetaGeo:
    model = BetaGeo()
    model.params_ = pd.Series(params)
    model.converged_ = True
    return model


def test_expected_purchases_of_a_new_customer_match_simulation():
    params = {"r": 0.6, "alpha": 30.0, "a": 0.8, "b": 3.0}
    rng = np.random.default_rng(1)
    n, horizon = 200_000, 180.0
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    drop = rng.beta(params["a"], params["b"], n)
    counts, clock = np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock[alive] += rng.exponential(1 / lam[alive])
        alive &= clock <= horizon
        counts += alive
        alive &= rng.random(n) >= drop
    expected = fitted_beta_geo(params).expected_purchases_new(horizon)
    standard_error = counts.std() / np.sqrt(n)
    assert abs(counts.mean() - expected) < 4 * standard_error


HISTORIES = pd.DataFrame(
    {
        "frequency": [0, 1, 4, 10],
        "recency": [0.0, 50.0, 300.0, 120.0],
        "T": [200.0, 100.0, 320.0, 400.0],
    },
    index=["none", "one", "recent", "lapsed"],
)


def test_conditional_expectations_match_posterior_monte_carlo():
    # Draw (lambda, p) from the prior and weight each draw by the likelihood of the history:
    # L = (1-p)^x lam^x e^(-lam T) [alive] + p (1-p)^(x-1) lam^x e^(-lam t_x) [dropped at t_x].
    params = {"r": 0.6, "alpha": 30.0, "a": 0.8, "b": 3.0}
    model, horizon = fitted_beta_geo(params), 90.0
    rng = np.random.default_rng(2)
    lam = rng.gamma(params["r"], 1 / params["alpha"], 400_000)
    drop = rng.beta(params["a"], params["b"], 400_000)
    p_alive, purchases = model.p_alive(HISTORIES), model.expected_purchases(horizon, HISTORIES)
    for name, (x, t_x, big_t) in HISTORIES.iterrows():
        alive = (1 - drop) ** x * lam**x * np.exp(-lam * big_t)
        dead = drop * (1 - drop) ** (x - 1) * lam**x * np.exp(-lam * t_x) if x > 0 else 0.0
        weight = alive + dead
        mc_alive = np.sum(alive) / np.sum(weight)
        future = (1 - np.exp(-lam * drop * horizon)) / drop  # E[Y(t) | lambda, p, alive]
        mc_purchases = np.sum(alive * future) / np.sum(weight)
        assert p_alive[name] == pytest.approx(mc_alive, rel=0.02), name
        assert purchases[name] == pytest.approx(mc_purchases, rel=0.03), name
    assert p_alive["none"] == 1.0


def test_expected_spend_matches_posterior_monte_carlo():
    model = GammaGamma()
    model.params_ = pd.Series({"p": 6.0, "q": 4.0, "v": 15.0})
    summary = pd.DataFrame({"frequency": [1, 5, 20], "monetary_value": [40.0, 12.0, 30.0]})
    nu = gamma_dist(4.0, scale=1 / 15.0).rvs(400_000, random_state=3)
    for i, (x, m) in summary.iterrows():
        # likelihood of x spends with mean m, up to a constant: nu^(p x) e^(-nu x m)
        log_weight = 6.0 * x * np.log(nu) - nu * x * m
        weight = np.exp(log_weight - log_weight.max())
        mc = np.sum(weight * 6.0 / nu) / np.sum(weight)
        assert model.expected_spend(summary).iloc[i] == pytest.approx(mc, rel=0.02)


def test_clv_is_the_discounted_sum_of_monthly_value():
    beta_geo = fitted_beta_geo({"r": 0.6, "alpha": 30.0, "a": 0.8, "b": 3.0})
    gamma_gamma = GammaGamma()
    gamma_gamma.params_ = pd.Series({"p": 6.0, "q": 4.0, "v": 15.0})
    summary = HISTORIES.assign(monetary_value=[0.0, 25.0, 31.0, 18.0])
    spend = gamma_gamma.expected_spend(summary)
    one = beta_geo.expected_purchases(DAYS_PER_MONTH, summary)
    two = beta_geo.expected_purchases(2 * DAYS_PER_MONTH, summary)
    monthly = 1.2 ** (1 / 12) - 1
    by_hand = 0.3 * spend * (one / (1 + monthly) + (two - one) / (1 + monthly) ** 2)
    got = clv(beta_geo, gamma_gamma, summary, horizon_months=2, margin=0.3, discount_rate=0.2)
    pd.testing.assert_series_equal(got, by_hand.rename("clv"))
    undiscounted = clv(beta_geo, gamma_gamma, summary, horizon_months=12, discount_rate=0.0)
    year = beta_geo.expected_purchases(12 * DAYS_PER_MONTH, summary)
    pd.testing.assert_series_equal(undiscounted, (spend * year).rename("clv"))


@pytest.mark.parametrize(
    ("summary", "error", "match"),
    [
        (pd.DataFrame({"frequency": [1]}), SchemaError, r"lacks the columns \['recency', 'T'\]"),
        (
            pd.DataFrame({"frequency": [1.5], "recency": [1.0], "T": [2.0]}),
            SchemaError,
            "'frequency' must be whole >= 0",
        ),
        (
            pd.DataFrame({"frequency": [1], "recency": [3.0], "T": [2.0]}),
            SchemaError,
            r"'recency' must be in \[0, T\]",
        ),
        (
            pd.DataFrame({"frequency": [1], "recency": [np.nan], "T": [2.0]}),
            SchemaError,
            "'recency' must hold finite numbers",
        ),
    ],
    ids=["columns", "fractional", "recency", "missing"],
)
def test_bad_summaries(summary, error, match):
    with pytest.raises(error, match=match):
        BetaGeo().fit(summary)


def test_bad_parameters_and_unfitted_models(cdnow):
    with pytest.raises(ConfigError, match="penalizer must be a number >= 0; got -1"):
        BetaGeo(penalizer=-1).fit(cdnow)
    with pytest.raises(SchemaError, match="monetary_value must be > 0 where frequency > 0"):
        GammaGamma().fit(cdnow.assign(monetary_value=0.0))
    with pytest.raises(ConfigError, match="t must be a number > 0; got 0"):
        BetaGeo().fit(cdnow).expected_purchases(0, cdnow)
    with pytest.raises(ConfigError, match="margin must be in"):
        clv(BetaGeo().fit(cdnow), GammaGamma().fit(cdnow), cdnow, margin=1.5)
    with pytest.raises(ConfigError, match="horizon_months must be an int >= 1; got 0"):
        clv(BetaGeo().fit(cdnow), GammaGamma().fit(cdnow), cdnow, horizon_months=0)
    with pytest.raises(
        SchemaError, match=r"needs customers with repeat purchases \(frequency > 0\)"
    ):
        BetaGeo().fit(cdnow.assign(frequency=0, recency=0.0))
    with pytest.raises(NotFittedError, match="not fitted"):
        BetaGeo().p_alive(cdnow)


def test_the_cdnow_fits_pass_every_check(cdnow):
    from segkit.growth.diagnostics import check_purchases, check_spend

    model = BetaGeo().fit(cdnow)
    recent = cdnow["frequency"] + 1.0  # every purchase of the 39 weeks is in the window
    check = check_purchases(model, cdnow, recent, horizon=39.0, window=39.0)
    assert check.ok and check.sentence("en") == ""
    assert model.converged_
    assert check_spend(GammaGamma().fit(cdnow), cdnow).ok


def test_forecasts_stay_finite_and_positive_where_the_fit_runs_off():
    # the parameters of a collapsed fit on regular buyers: r 2e5, alpha 7e6, a ~ 0, b 5e11
    model = fitted_beta_geo({"r": 2e5, "alpha": 7e6, "a": 1e-6, "b": 5e11})
    summary = pd.DataFrame(
        {"frequency": [13.0, 40.0], "recency": [350.0, 1000.0], "T": [365.0, 1010.0]}
    )
    for unit in (1.0, 7.0):  # days and weeks
        model.params_["alpha"] = 7e6 / unit
        got = model.expected_purchases(365.0 / unit, summary / [1, unit, unit])
        # without dropout the forecast is the gamma-Poisson rate (r + x) / (alpha + T) x t
        rate = (2e5 + summary["frequency"]) / (7e6 / unit + summary["T"] / unit) * 365.0 / unit
        np.testing.assert_allclose(got, rate, rtol=1e-4)
    assert model.p_alive(summary).between(0, 1).all()


def _regular_ledger(seed=1, n=40, years=3):
    """Customers invoiced on their own cycle of three to six weeks; none stops."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        gap = int(rng.integers(20, 42))
        day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, gap)))
        while day <= pd.Timestamp("2025-12-31"):
            rows.append((f"C{i}", day, float(rng.lognormal(7, 0.2))))
            day += pd.Timedelta(days=gap + int(rng.integers(-3, 4)))
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_date", "amount"])
    frame["invoice_date"] = frame["invoice_date"].dt.date
    return ibis.memtable(frame)


def test_a_fit_without_dropout_is_withheld_and_the_recent_rate_forecasts():
    from segkit.growth.diagnostics import RecentRate, fit_models
    from segkit.growth.summary import recent_purchases

    invoices = _regular_ledger()
    summary = repeat_summary(invoices, "2025-12-31")
    recent = recent_purchases(invoices, "2025-12-31")
    year = 12 * DAYS_PER_MONTH
    purchases, spend, checks = fit_models(summary, recent, year, year)
    assert checks[0].reason == "regular" and isinstance(purchases, RecentRate)
    assert "buy regularly and hardly any has stopped" in checks[0].sentence("en")
    assert "几乎无人流失" in checks[0].sentence("zh")
    forecast = purchases.expected_purchases(year, summary)
    pd.testing.assert_series_equal(forecast, (recent * 1.0).rename("expected_purchases"))
    assert purchases.p_alive(summary).isna().all()
    assert checks[1].reason == "bounds" and "Gamma-Gamma" in checks[1].sentence("en")
    own = spend.expected_spend(summary)
    assert (own == summary["monetary_value"]).all()


def test_a_forecast_far_from_history_is_withheld():
    from segkit.growth.diagnostics import check_purchases

    model = fitted_beta_geo({"r": 0.6, "alpha": 30.0, "a": 0.8, "b": 3.0})
    recent = pd.Series(1.0, index=HISTORIES.index)  # one purchase each in the last year
    check = check_purchases(model, HISTORIES, recent * 0.01, horizon=365.0, window=365.0)
    assert check.reason == "ratio"
    assert check.sentence("en").startswith("The purchase model (BG/NBD) forecasts")


def test_a_penalty_moves_the_cdnow_estimates_as_documented(cdnow):
    # docs/growth.md: penalizer 0.001 gives b 1.325 and q 2.45; 0.01 takes q below 1
    light = BetaGeo(penalizer=0.001).fit(cdnow)
    assert light.params_["b"] == pytest.approx(1.325, rel=0.01)
    assert light.loglik_ == pytest.approx(-9593.2, abs=0.2)
    assert GammaGamma(penalizer=0.001).fit(cdnow).params_["q"] == pytest.approx(2.45, rel=0.01)
    assert GammaGamma(penalizer=0.01).fit(cdnow).params_["q"] < 1
