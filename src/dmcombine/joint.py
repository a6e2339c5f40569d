"""Joint exclusions of model points across messengers: the likelihoods of the signal strength of
one model, from several experiments, added on a grid of model points (e.g. (m_chi, M_med) of a
spin-1 mediator benchmark).

At each model point the signal strength mu scales every experiment's prediction (mu = 1 is the
model point itself). Each limit file brings its likelihood on its own grid (limit-file version 3):

* ``gaussian_signal_strength_grid``, the approximate likelihood reinterpretation tools build from a
  search's observed and expected upper limits when its likelihood is not public (the approach of
  SModelS, Alguero et al., arXiv:2112.00769, sect. 3; asymptotics of Cowan, Cranmer, Gross &
  Vitells, arXiv:1007.1727): -2 ln L(mu) = (mu - mu_hat)^2 / sigma_mu^2 with the width from the
  expected limit, mu_exp = sqrt(t) sigma_mu (the median Asimov limit), and mu_hat fixed so that the
  observed limit is reproduced exactly under the same one-sided test with mu >= 0 used here:
  mu_hat = mu_obs - sqrt(t) sigma_mu when that is >= 0, otherwise (a deficit)
  mu_hat = (mu_obs^2 - t sigma_mu^2) / (2 mu_obs) < 0 (:func:`gaussian_from_limits`);
* ``poisson_counting_grid``, exact: -2 ln L(mu) = 2 [mu s + b - n ln(mu s + b)] + const, with s the
  signal per unit mu at the point, b the expected background and n the observed count.

The joint test of a model point (mu = 1) uses the likelihood-ratio statistic
q(1) = Q(1) - min_{0 <= mu <= 1} Q(mu) (q = 0 where the best fit lies above 1), Q the sum of the
members' -2 ln L, and its exact distribution under mu = 1 (a Neyman construction, no toys and no
asymptotic formula): with one Gaussian term (several are one, their weighted mean) and one count,

    p = sum_n Pois(n; s + b) Phi((g*(n) - 1) / sigma),

g*(n) the Gaussian estimate at which q(n, g*) = q_obs (q falls as either n or g grows; the best fit
of one Gaussian and one count is the root of a quadratic), and the point is excluded at CL where
p < 1 - CL. Alone, a Gaussian gives p = Phi((mu_hat - 1)/sigma) and a count p = P(n' <= n_obs),
its classical (Neyman) upper limit, so each member reproduces its own limits exactly; with the
construction above the Gaussian reproduces both the observed and the expected ones. (The
asymptotic threshold t = 2.71 for 95% would, for a count with no event, exclude at s = 1.35 events
where the classical 95% limit is s = 3.0 - b: Wilks's theorem does not hold for so few events.)
With more than one count the sum over their outcomes is not enumerated: the asymptotic threshold
is used instead and the file says so. The members' grids are joined: rows are the union of their x
values, columns the union of their grid values; a member is interpolated bilinearly in (log x,
log grid) (log s for a count, mu_hat and sigma_mu for a Gaussian), and brings no information
outside its grid or where it has none (sigma_mu = 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtrc, ndtr, ndtri, pdtr

from dmcombine.stats import poisson_pmf

CONSTRUCTION = ("approximate Gaussian likelihood of the signal strength from the observed and expected 95% CL limits "
                "(the SModelS construction, arXiv:2112.00769, with the one-sided quantile): sigma_mu = mu_exp/z, "
                "mu_hat = mu_obs - z sigma_mu, z = 1.6449 (one-sided 95%); under the exact test of dmcombine.joint it "
                "reproduces both limits")


def gaussian_from_limits(mu_obs: NDArray[np.float64], mu_exp: NDArray[np.float64], threshold: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(mu_hat, sigma_mu) of the Gaussian that reproduces an observed and an expected upper limit
    on mu: the one-sided test p = Phi((mu_hat - mu)/sigma) reaches 1 - CL at mu_obs, and at mu_exp
    for mu_hat = 0 (``threshold`` = z^2, e.g. 2.7055 for 95%).

    >>> mu_hat, sigma = gaussian_from_limits(np.array([2.0]), np.array([1.0]), 2.7055)
    >>> round(float(sigma[0]), 4), round(float(mu_hat[0]), 4)
    (0.608, 1.0)
    """
    z = np.sqrt(threshold)
    sigma = np.asarray(mu_exp, dtype=float) / z
    return np.asarray(mu_obs, dtype=float) - z * sigma, sigma


class Terms:
    """The members' likelihoods on one grid: Gaussian terms (a = 1/sigma^2, mu_hat) and counts (s, n, b)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.gauss: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
        self.counts: list[tuple[NDArray[np.float64], int, float]] = []

    def add_gaussian(self, mu_hat: NDArray[np.float64], sigma: NDArray[np.float64]) -> None:
        informative = np.isfinite(sigma) & (sigma > 0)
        a = np.where(informative, 1.0 / np.where(informative, sigma, 1.0) ** 2, 0.0)
        self.gauss.append((a, np.where(informative, mu_hat, 0.0)))

    def add_count(self, signal: NDArray[np.float64], n: int, b: float) -> None:
        self.counts.append((np.where(np.isfinite(signal), signal, 0.0), int(n), float(b)))

    def m2lnl(self, mu: NDArray[np.float64]) -> NDArray[np.float64]:
        total = np.zeros(self.shape)
        for a, mu_hat in self.gauss:
            total = total + a * (mu - mu_hat) ** 2
        for s, n, b in self.counts:
            rate = mu * s + b
            with np.errstate(divide="ignore", invalid="ignore"):
                log_term = np.where(rate > 0, n * np.log(np.where(rate > 0, rate, 1.0)), 0.0 if n == 0 else -np.inf)
            total = total + 2.0 * (rate - log_term)
        return total

    def slope(self, mu: NDArray[np.float64]) -> NDArray[np.float64]:
        total = np.zeros(self.shape)
        for a, mu_hat in self.gauss:
            total = total + 2.0 * a * (mu - mu_hat)
        for s, n, b in self.counts:
            rate = mu * s + b
            with np.errstate(divide="ignore", invalid="ignore"):
                total = total + 2.0 * s * (1.0 - np.where(rate > 0, n / np.where(rate > 0, rate, 1.0), np.inf if n else 0.0))
        return total

    def best_fit(self) -> NDArray[np.float64]:
        """argmin over mu >= 0 of the (convex) sum: in closed form for Gaussians and at most one
        count (:func:`_best_fit_gauss_count`), else by bisection on its slope."""
        if len(self.counts) <= 1:
            a, g = _one_gaussian(self)
            s, n, b = self.counts[0] if self.counts else (np.zeros(self.shape), 0, 0.0)
            return _best_fit_gauss_count(a, g, s, n, b)
        zero = np.zeros(self.shape)
        lo, hi = zero.copy(), np.ones(self.shape)
        rising = self.slope(zero) >= 0  # the minimum is at the boundary
        for _ in range(200):
            short = ~rising & (self.slope(hi) < 0)
            if not short.any():
                break
            hi = np.where(short, 2.0 * hi, hi)
        flat = ~rising & (self.slope(hi) < 0)  # no information: any mu fits
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            below = self.slope(mid) < 0
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return np.where(rising | flat, 0.0, 0.5 * (lo + hi))

    def q_of_one(self) -> NDArray[np.float64]:
        """q(1) = Q(1) - min_{0 <= mu <= 1} Q(mu) at every point: 0 where the best fit lies above 1
        (a one-sided test) or nothing is known."""
        ones = np.ones(self.shape)
        return np.maximum(self.m2lnl(ones) - self.m2lnl(np.minimum(self.best_fit(), 1.0)), 0.0)


def _axes(like: dict[str, Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(like["x_values"], float), np.asarray(like["grid"]["values"], float)


def _on_grid(like: dict[str, Any], table: NDArray[np.float64], x: NDArray[np.float64], grid: NDArray[np.float64],
             log_values: bool = False) -> NDArray[np.float64]:
    """A member's table interpolated onto (x, grid): bilinear in (log x, log grid); NaN outside."""
    from scipy.interpolate import RegularGridInterpolator

    xs, gs = _axes(like)
    values = np.log(np.where(table > 0, table, np.nan)) if log_values else table
    if len(xs) == 1 or len(gs) == 1:  # a single row or column: exact matches only
        out = np.full((len(x), len(grid)), np.nan)
        ix, ig = np.searchsorted(xs, x), np.searchsorted(gs, grid)
        for i, (j, xv) in enumerate(zip(ix, x, strict=True)):
            for k, (m, gv) in enumerate(zip(ig, grid, strict=True)):
                if j < len(xs) and m < len(gs) and xs[j] == xv and gs[m] == gv:
                    out[i, k] = values[j, m]
    else:
        interp = RegularGridInterpolator((np.log(xs), np.log(gs)), values, bounds_error=False, fill_value=np.nan)
        mesh = np.stack(np.meshgrid(np.log(x), np.log(grid), indexing="ij"), axis=-1)
        out = interp(mesh)
    return np.exp(out) if log_values else out


def terms_on_grid(likelihoods: list[dict[str, Any]], x: NDArray[np.float64], grid: NDArray[np.float64]) -> Terms:
    """The members' likelihoods on the (x, grid) points."""
    terms = Terms((len(x), len(grid)))
    for like in likelihoods:
        if like["type"] == "gaussian_signal_strength_grid":
            sigma = np.asarray(like["sigma_mu"], float)
            informative = _on_grid(like, (sigma > 0).astype(float), x, grid)
            mu_hat = _on_grid(like, np.asarray(like["mu_hat"], float), x, grid)
            width = _on_grid(like, sigma, x, grid)
            keep = np.isfinite(informative) & (informative > 1.0 - 1e-9)
            terms.add_gaussian(np.where(keep, mu_hat, 0.0), np.where(keep, width, 0.0))
        else:
            signal = _on_grid(like, np.asarray(like["signal_per_mu"], float), x, grid, log_values=True)
            terms.add_count(np.nan_to_num(signal, nan=0.0), like["observed_events"], like["expected_background_events"])
    return terms


def common_axes(likelihoods: list[dict[str, Any]]) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[str, str]]:
    """The joined grid: the union of the members' x values and of their grid values."""
    x = np.unique(np.concatenate([_axes(like)[0] for like in likelihoods]))
    grid = np.unique(np.concatenate([_axes(like)[1] for like in likelihoods]))
    return x, grid, {k: likelihoods[0]["grid"][k] for k in ("name", "unit", "label")}


def largest_excluded(grid: NDArray[np.float64], excess: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Per row: the largest and smallest grid value where ``excess`` > 0 (excluded), the largest
    interpolated in log grid to the crossing when the next point is allowed; and whether any is."""
    excluded = excess > 0
    any_ = excluded.any(axis=1)
    hi = np.full(len(excess), np.nan)
    lo = np.full(len(excess), np.nan)
    log_g = np.log(grid)
    for i in np.nonzero(any_)[0]:
        idx = np.nonzero(excluded[i])[0]
        j, lo[i] = idx[-1], grid[idx[0]]
        if j + 1 < len(grid) and np.isfinite(excess[i, j + 1]):
            e0, e1 = min(excess[i, j], 50.0), excess[i, j + 1]
            hi[i] = float(np.exp(log_g[j] + (log_g[j + 1] - log_g[j]) * e0 / (e0 - e1)))
        else:
            hi[i] = grid[j]
    return lo, hi, any_


def _one_gaussian(terms: Terms) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The Gaussian terms as one: (a = sum a_i, g = weighted mean) (a = 0: none)."""
    a = sum((t[0] for t in terms.gauss), np.zeros(terms.shape))
    weighted = sum((t[0] * t[1] for t in terms.gauss), np.zeros(terms.shape))
    return a, np.where(a > 0, weighted / np.where(a > 0, a, 1.0), 0.0)


def _slope_root(a: NDArray[np.float64], g: NDArray[np.float64], s: NDArray[np.float64],
                n: int | NDArray[np.float64], b: float) -> NDArray[np.float64]:
    """Where a > 0 and s > 0: the mu at which a (mu - g)^2 + 2 (mu s + b - n ln(mu s + b)) is
    flat. The slope times the rate, A mu^2 + B mu + C with A = a s, B = a b - a g s + s^2,
    C = s b - a g b - n s, is zero at its larger root (the smaller one has a negative rate),
    taken in the form without cancellation."""
    A, B, C = a * s, a * b - a * g * s + s * s, s * b - a * g * b - n * s
    q = -0.5 * (B + np.copysign(np.sqrt(np.maximum(B * B - 4.0 * A * C, 0.0)), B))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q == 0, 0.0, np.where(B >= 0, C / q, q / A))


def _best_fit_gauss_count(a: NDArray[np.float64], g: NDArray[np.float64], s: NDArray[np.float64], n: int,
                          b: float) -> NDArray[np.float64]:
    """argmin over mu >= 0 of a (mu - g)^2 + 2 (mu s + b - n ln(mu s + b)) (a = 1/sigma^2 of the
    Gaussians as one, a count with signal s at mu = 1): where both inform, :func:`_slope_root`;
    a Gaussian alone: g; a count alone: (n - b) / s; each clipped at 0; no information: 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        alone = np.where(s > 0, (n - b) / np.where(s > 0, s, 1.0), 0.0)
    mu = np.where(a > 0, np.where(s > 0, _slope_root(a, g, s, n, b), g), alone)
    return np.maximum(mu, 0.0)


def _q_gauss_count(a: NDArray[np.float64], g: NDArray[np.float64], s: NDArray[np.float64], b: float,
                   n: NDArray[np.float64]) -> NDArray[np.float64]:
    """q(1) of one Gaussian (a = 1/sigma^2, estimate g) and one count (signal s at mu = 1,
    background b, n observed), best fit on [0, 1] in closed form (a > 0, s > 0)."""
    mu = np.clip(_slope_root(a, g, s, n, b), 0.0, 1.0)

    def m2lnl(m: NDArray[np.float64]) -> NDArray[np.float64]:
        rate = m * s + b
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.where(n > 0, n * np.log(np.where(rate > 0, rate, 1e-300)), 0.0)
        return a * (m - g) ** 2 + 2.0 * (rate - log_term)

    return np.maximum(m2lnl(np.ones_like(mu)) - m2lnl(mu), 0.0)


def exact_p_values(terms: Terms, decided: tuple[float, float] = (1.0, 20.0)) -> tuple[NDArray[np.float64], str]:
    """The p-value of mu = 1 at every point (module docstring) and how it was computed. Points whose
    asymptotic q(1) lies outside ``decided`` are decided without the sum, with the asymptotic p:
    below 1 (p >= 0.16; the exact test, more conservative for few events, excludes less: in the
    default run the exact p of every such point is >= 0.118) and above 20 (asymptotic p < 4e-6; in
    the default run the exact p is <= 4e-5 for 20 < q <= 30 and <= 2.4e-7 above); the exact sum runs
    where the decision is made."""
    q_obs = terms.q_of_one()
    asymptotic = np.where(q_obs > 0, 0.5 * chdtrc(1, q_obs), 1.0)
    if len(terms.counts) > 1:  # the outcomes of several counts are not enumerated
        return asymptotic, "asymptotic (several counts)"
    a, g = _one_gaussian(terms)
    sigma = np.where(a > 0, 1.0 / np.sqrt(np.where(a > 0, a, 1.0)), np.inf)
    p = np.ones(terms.shape)
    if not terms.counts:
        return np.where(a > 0, ndtr((g - 1.0) / sigma), 1.0), "exact"
    s, n_obs, b = terms.counts[0]
    p = np.where((a == 0) & (s > 0), pdtr(n_obs, s + b), p)  # a count alone: P(n' <= n_obs | s + b)
    p = np.where((a > 0) & (s <= 0), ndtr((g - 1.0) / sigma), p)  # a Gaussian alone
    both = (a > 0) & (s > 0)
    p = np.where(both & ((q_obs > decided[1]) | (q_obs < decided[0])), asymptotic, p)
    idx = np.flatnonzero(both & (q_obs >= decided[0]) & (q_obs <= decided[1]))
    lam_all = (s + b).ravel()[idx]
    order = idx[np.argsort(lam_all, kind="stable")]
    flat_p = p.ravel()
    for chunk in np.array_split(order, max(1, len(order) // 1024)):
        if not chunk.size:
            continue
        aa, ss, qq, sg = a.ravel()[chunk], s.ravel()[chunk], q_obs.ravel()[chunk], sigma.ravel()[chunk]
        lam = ss + b
        top = float(lam.max())
        n = np.arange(int(np.ceil(top + 8 * np.sqrt(top) + 8)) + 1, dtype=float)[:, None]  # P(n > n_max) < 1e-9
        lo = np.broadcast_to(1.0 - 40.0 * sg - 4.0 * ss / aa, (n.size, aa.size)).copy()
        hi = np.broadcast_to(1.0 + 40.0 * sg + 4.0 * ss / aa, (n.size, aa.size)).copy()
        for _ in range(32):  # q(n, g) falls with g: bisection for q(n, g*) = q_obs (to 2e-10 of the bracket)
            mid = 0.5 * (lo + hi)
            above = _q_gauss_count(aa, mid, ss, b, n) >= qq
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        flat_p[chunk] = np.sum(poisson_pmf(n, lam[None, :]) * ndtr((0.5 * (lo + hi) - 1.0) / sg), axis=0)
    p = flat_p.reshape(terms.shape)
    return np.where(q_obs > 0, p, 1.0), "exact"


def joint_exclusion(likelihoods: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """The joint and the individual exclusions of the members on their joined grid, by the exact
    test at the CL whose one-sided threshold is ``threshold`` (2.7055: 95%)."""
    x, grid, axis = common_axes(likelihoods)
    z = np.sqrt(threshold)

    def excess(terms: Terms) -> tuple[NDArray[np.float64], str]:
        p, how = exact_p_values(terms)
        with np.errstate(divide="ignore"):
            return -ndtri(np.clip(p, 1e-300, 1.0)) - z, how  # > 0: excluded; in units of Gaussian sigma

    members = [terms_on_grid([like], x, grid) for like in likelihoods]  # each interpolated once
    together = Terms((len(x), len(grid)))
    for terms in members:
        together.gauss += terms.gauss
        together.counts += terms.counts
    joint, how = excess(together)
    alone = [excess(terms)[0] for terms in members]
    return {"x": x, "grid": grid, "axis": axis, "joint": largest_excluded(grid, joint),
            "alone": [largest_excluded(grid, e) for e in alone], "threshold": threshold, "method": how}
