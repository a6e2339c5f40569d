"""Joint exclusions of model points (dmcombine.joint): the approximate likelihood reproduces the
limits it is built from under the exact test; sums of synthetic likelihoods and the exact p-value
against analytic answers; a count alone gives its classical limit; the grids of two members
joined; mixed likelihood types refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from dmcombine.combination import CombinationError, Member, check_comparable, one_sided_threshold
from dmcombine.joint import Terms, exact_p_values, gaussian_from_limits, joint_exclusion
from dmcombine.stats import poisson_upper_limit

T95 = one_sided_threshold(0.95)  # 2.7055
Z95 = 1.6448536269514722  # Phi^-1(0.95)


@pytest.mark.parametrize("mu_obs, mu_exp", [(2.0, 1.0), (1.0, 1.0), (0.6, 1.0), (0.2, 1.0), (3.5, 0.4)])
def test_the_gaussian_reproduces_observed_and_expected_limits(mu_obs: float, mu_exp: float) -> None:
    # the one-sided limit of a Gaussian estimate mu_hat with width sigma: mu_hat + z sigma
    mu_hat, sigma = gaussian_from_limits(np.array([mu_obs]), np.array([mu_exp]), T95)
    assert float(mu_hat[0] + Z95 * sigma[0]) == pytest.approx(mu_obs, rel=1e-12)
    assert float(Z95 * sigma[0]) == pytest.approx(mu_exp, rel=1e-12)  # the Asimov data set: mu_hat = 0


@pytest.mark.parametrize("mu_obs", [0.2, 0.999, 1.001, 2.0])
def test_the_exact_test_of_mu_one_excludes_exactly_where_the_observed_limit_is_below_one(mu_obs: float) -> None:
    mu_hat, sigma = gaussian_from_limits(np.array([mu_obs]), np.array([0.8]), T95)
    terms = Terms((1,))
    terms.add_gaussian(mu_hat, sigma)
    p, how = exact_p_values(terms)
    assert how == "exact" and bool(p[0] < 0.05) == (mu_obs < 1.0)
    # p = Phi((mu_hat - 1)/sigma), by hand
    from math import erf, sqrt
    assert float(p[0]) == pytest.approx(0.5 * (1 + erf((float(mu_hat[0]) - 1) / float(sigma[0]) / sqrt(2))), rel=1e-9)


def test_two_gaussians_add_as_the_weighted_mean() -> None:
    (m1, s1), (m2, s2) = (0.4, 0.5), (0.9, 0.3)
    terms = Terms((1,))
    terms.add_gaussian(np.array([m1]), np.array([s1]))
    terms.add_gaussian(np.array([m2]), np.array([s2]))
    a = 1 / s1**2 + 1 / s2**2
    mean = (m1 / s1**2 + m2 / s2**2) / a  # 0.7676..., >= 0
    assert float(terms.best_fit()[0]) == pytest.approx(mean, rel=1e-9)
    assert float(terms.q_of_one()[0]) == pytest.approx((1 - mean) ** 2 * a, rel=1e-3)


def test_a_gaussian_and_an_empty_poisson_count_by_hand() -> None:
    # Q(mu) = a (mu - m)^2 + 2 mu s (n = 0, b = 0): minimum at mu* = m - s/a (here 0.65, inside [0, 1])
    m, sigma, s = 0.8, 0.5, 0.6
    a = 1 / sigma**2
    star = m - s / a
    expected = a * (1 - m) ** 2 + 2 * s - (a * (star - m) ** 2 + 2 * star * s)
    terms = Terms((1,))
    terms.add_gaussian(np.array([m]), np.array([sigma]))
    terms.add_count(np.array([s]), 0, 0.0)
    assert float(terms.best_fit()[0]) == pytest.approx(star, rel=1e-9)
    assert float(terms.q_of_one()[0]) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("n, b", [(0, 0.0), (0, 0.09), (2, 0.5), (5, 1.2)])
def test_a_poisson_count_alone_reproduces_its_classical_limit(n: int, b: float) -> None:
    # the classical (Neyman) 95% upper limit on s, not the asymptotic one (2 s = 2.71 for n = 0)
    s_up = poisson_upper_limit(n, b, 0.95)
    terms = Terms((2,))
    terms.add_count(np.array([0.99 * s_up, 1.01 * s_up]), n, b)
    p, _ = exact_p_values(terms)
    assert list(p < 0.05) == [False, True]
    if n == 0 and b == 0:
        assert s_up == pytest.approx(-np.log(0.05), rel=1e-9)  # 2.996 events, where Wilks would say 1.353


def test_the_exact_p_value_of_a_gaussian_and_a_count_by_summation() -> None:
    # p = sum_n Pois(n; s + b) P(g' <= g*(n)), checked against a brute-force sum over a fine grid of g'
    mu_hat, sigma, s, n_obs, b = 0.3, 0.6, 1.5, 1, 0.4
    terms = Terms((1,))
    terms.add_gaussian(np.array([mu_hat]), np.array([sigma]))
    terms.add_count(np.array([s]), n_obs, b)
    p, how = exact_p_values(terms)
    q_obs = float(terms.q_of_one()[0])
    brute = 0.0
    g = np.linspace(1 - 12 * sigma, 1 + 12 * sigma, 48001)
    density = np.exp(-0.5 * ((g - 1) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi)) * (g[1] - g[0])
    for n in range(40):
        t = Terms((g.size,))
        t.add_gaussian(g, np.full(g.size, sigma))
        t.add_count(np.full(g.size, s), n, b)
        pois = np.exp(-(s + b)) * (s + b) ** n / np.prod(np.arange(1, n + 1, dtype=float))
        brute += pois * float(np.sum(density[t.q_of_one() >= q_obs]))
    assert how == "exact" and float(p[0]) == pytest.approx(brute, rel=1e-3)


def _gaussian_grid(x, grid, mu_hat, sigma):
    return {"type": "gaussian_signal_strength_grid", "construction": "test", "x_values": list(x),
            "grid": {"name": "mediator_mass", "unit": "GeV", "label": "M", "values": list(grid)},
            "mu_hat": mu_hat.tolist(), "sigma_mu": sigma.tolist()}


def test_two_members_on_different_grids() -> None:
    # member A excludes M < 1000 GeV at every x (mu_obs = (M/1000)^4 x 0.999); member B is a count
    # with s = (500/M)^4 x 10 on a grid that covers only x >= 10
    xa, ga = np.array([1.0, 10.0, 100.0]), np.geomspace(100.0, 10000.0, 41)
    mu_obs = np.tile((ga / 1000.0) ** 4 * 0.999, (3, 1))
    mu_hat, sigma = gaussian_from_limits(mu_obs, mu_obs, T95)
    a = _gaussian_grid(xa, ga, mu_hat, sigma)
    xb, gb = np.array([10.0, 100.0]), np.geomspace(50.0, 20000.0, 61)
    b = {"type": "poisson_counting_grid", "x_values": list(xb),
         "grid": {"name": "mediator_mass", "unit": "GeV", "label": "M", "values": list(gb)},
         "observed_events": 0, "expected_background_events": 0.0, "signal_per_mu": np.tile(10 * (500.0 / gb) ** 4, (2, 1)).tolist()}
    result = joint_exclusion([a, b], T95)
    assert list(result["x"]) == [1.0, 10.0, 100.0]
    _, hi_a, any_a = result["alone"][0]
    _, hi_b, any_b = result["alone"][1]
    _, hi_j, any_j = result["joint"]
    assert np.allclose(hi_a, 1000.0, rtol=0.02)  # A alone: its own limit
    # B alone: its classical 95% limit, s = -ln 0.05 = 2.996 events (n = 0, b = 0)
    assert not any_b[0] and np.allclose(hi_b[1:], 500.0 * (10 / -np.log(0.05)) ** 0.25, rtol=0.02)
    assert hi_j[0] == pytest.approx(hi_a[0], rel=1e-9)  # where B knows nothing, the joint is A
    assert np.all(hi_j[1:] > hi_a[1:]) and np.all(hi_j[1:] > hi_b[1:])


def _doc(likelihood_type: str, experiment: str, model: str = "m") -> dict:
    like = {"type": likelihood_type}
    return {"experiment": experiment, "parameter_of_interest": {"name": "mediator_mass", "unit": "GeV"},
            "x": {"name": "dm_mass", "unit": "GeV"}, "result": {"kind": "observed"}, "model": {"name": model, "assumptions": {}},
            "likelihood": like, "provenance": {"inputs": []}}


def test_a_grid_and_a_profile_are_not_combined() -> None:
    members = [Member("a.json", _doc("gaussian_signal_strength_grid", "A")), Member("b.json", _doc("profile_table", "B"))]
    with pytest.raises(CombinationError, match=r"a\.json and b\.json: field /likelihood/type"):
        check_comparable(members)


def test_two_models_are_not_combined() -> None:
    members = [Member("a.json", _doc("gaussian_signal_strength_grid", "A", "vector")),
               Member("b.json", _doc("poisson_counting_grid", "B", "axial"))]
    with pytest.raises(CombinationError, match="different model"):
        check_comparable(members)
