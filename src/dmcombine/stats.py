"""Frequentist statistics shared by the experiments.

Counting experiments (Poisson, known background b, n observed):

* ``classical``: the Neyman upper limit of PDG Review "Statistics" (2024), eq. (40.64):
  mu_up = ½ F⁻¹_χ²(CL; 2(n+1)), s_up = mu_up - b (clipped at 0).
* ``cls``: the CLs limit (Read, J. Phys. G 28 (2002) 2693): the s with
  P(N ≤ n | s+b) / P(N ≤ n | b) = 1 - CL.
* ``no_background``: the classical limit ignoring b (conservative).
* Feldman–Cousins (Phys. Rev. D 57 (1998) 3873, arXiv:physics/9711021): the unified interval
  that orders n by the likelihood ratio R = P(n | s+b) / P(n | s_best+b), s_best = max(0, n-b);
  its *average* upper limit over background-only experiments,
  s̄(b) = Σ_n P(n | b) s_up(n, b), is the sensitivity behind the model rejection factor
  (Hill & Rawlins, Astropart. Phys. 19 (2003) 393, arXiv:astro-ph/0209350).

Profile likelihoods are exchanged as -2ΔlnL tables; ``counting_delta_m2lnl`` gives the one for a
counting experiment, with the best fit restricted to s ≥ 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, gammaincinv, gammaln, pdtr, pdtrik, xlogy

COUNTING_METHODS = ("classical", "cls", "no_background")


# The distributions from scipy.special, as scipy.stats computes them (its _pmf, _cdf, _ppf), to
# the bit: importing scipy.stats costs a job about a second, more than most jobs compute.
def chi2_quantile(q: float, dof: float) -> float:
    """F⁻¹_χ²(q; dof) = 2 P⁻¹(dof/2, q), P the regularised lower incomplete gamma function.

    >>> round(chi2_quantile(0.9, 1), 4)
    2.7055
    """
    return float(2.0 * gammaincinv(dof / 2, q))


def poisson_pmf(k: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """P(k | μ) = exp(k ln μ - ln k! - μ) (0 ln 0 = 0), clipped to [0, 1]."""
    k = np.asarray(k)
    return np.clip(np.exp(xlogy(k, mu) - gammaln(k + 1) - mu), 0.0, 1.0)


def poisson_cdf(n: float, mu: float) -> float:
    """P(N ≤ n | μ) for an integer n ≥ 0."""
    return float(pdtr(n, mu))


def binomial_cdf(successes: ArrayLike, trials: ArrayLike, p: float) -> NDArray[np.float64]:
    """P(X ≤ successes), X ~ Binomial(trials, p): the regularised incomplete beta function
    I_{1-p}(trials - successes, successes + 1), 0 for successes < 0 and 1 for successes ≥ trials
    (scipy.stats.binom.cdf to 1e-12)."""
    successes, trials = np.broadcast_arrays(successes, trials)
    inside = (successes >= 0) & (successes < trials)
    cdf = betainc(np.where(inside, trials - successes, 1), np.where(inside, successes + 1, 1), 1.0 - p)
    return np.where(inside, cdf, np.where(successes < 0, 0.0, 1.0))


def poisson_quantile(q: float, mu: float) -> float:
    """The least n with P(N ≤ n | μ) ≥ q (μ > 0)."""
    n = np.ceil(pdtrik(q, mu))
    below = max(n - 1.0, 0.0)
    return float(below if pdtr(below, mu) >= q else n)


def poisson_upper_limit(n_observed: int, background: float, cl: float, method: str = "classical") -> float:
    """Upper limit on the signal mean s of a Poisson counting experiment.

    >>> round(poisson_upper_limit(0, 0.0, 0.9), 4)
    2.3026
    >>> round(poisson_upper_limit(0, 0.09, 0.9), 4)
    2.2126
    >>> round(poisson_upper_limit(0, 0.09, 0.9, "cls"), 4)
    2.3026
    """
    if n_observed < 0 or int(n_observed) != n_observed:
        raise ValueError(f"observed events must be a non-negative integer, got {n_observed!r}")
    if not background >= 0:
        raise ValueError(f"expected background must be >= 0, got {background!r}")
    if not 0 < cl < 1:
        raise ValueError(f"confidence level must lie in (0, 1), got {cl!r}")
    mu_up = 0.5 * chi2_quantile(cl, 2 * (n_observed + 1))
    if method == "no_background":
        return float(mu_up)
    if method == "classical":
        return float(max(mu_up - background, 0.0))
    if method == "cls":
        p_b = poisson_cdf(n_observed, background)

        def excess(s: float) -> float:
            return poisson_cdf(n_observed, s + background) / p_b - (1.0 - cl)

        from scipy.optimize import brentq  # only here: scipy.optimize costs a job ~0.6 s to import

        return float(brentq(excess, 0.0, mu_up + 10.0, xtol=1e-12, rtol=1e-12))
    raise ValueError(f"unknown counting method {method!r}; expected one of {', '.join(COUNTING_METHODS)}")


def counting_delta_m2lnl(signal: ArrayLike, n_observed: int, background: float) -> NDArray[np.float64]:
    """-2ΔlnL(s) of a Poisson count, relative to the best fit with s ≥ 0.

    -2 ln L(s) = 2 [(s + b) - n ln(s + b)] (+ const); the best fit is s_hat = max(n - b, 0).

    >>> [round(float(v), 3) for v in counting_delta_m2lnl([0.0, 1.0], 0, 0.09)]
    [0.0, 2.0]
    """
    s = np.asarray(signal, dtype=float)
    s_hat = max(n_observed - background, 0.0)

    def m2lnl(x: NDArray[np.float64] | float) -> NDArray[np.float64]:
        mu = np.asarray(x, dtype=float) + background
        log_term = np.where(n_observed > 0, n_observed * np.log(np.where(mu > 0, mu, 1.0)), 0.0)
        return 2.0 * (mu - log_term)

    return m2lnl(s) - m2lnl(s_hat)


# --- binned Poisson likelihood with constrained background normalisations (Asimov) ----------


def profiled_nll(data: NDArray[np.float64], signal: NDArray[np.float64], backgrounds: NDArray[np.float64],
                 rel_unc: NDArray[np.float64], iterations: int = 8) -> NDArray[np.float64]:
    """-lnL of a binned Poisson model, minimised over the background normalisations.

    Model in bin i: mu_i = s_i + sum_k theta_k B_ki, with Gaussian constraints
    (theta_k - 1)² / (2 sigma_k²). ``data`` and ``signal`` are (M, bins): M independent problems
    solved at once by Newton's method on theta (the problem is convex in theta).
    The constant sum_i ln(n_i!) is dropped (it cancels in every likelihood ratio).
    """
    n_problems = signal.shape[0]
    k = backgrounds.shape[0]
    inv_var = 1.0 / rel_unc**2
    theta = np.ones((n_problems, k))
    eye = np.eye(k)
    # the Hessian sum_i w_i B_ki B_li as one matrix product: pairs[i, (k, l)] = B_ki B_li
    pairs = (backgrounds[:, None, :] * backgrounds[None, :, :]).reshape(k * k, -1).T
    for _ in range(iterations):
        mu = signal + theta @ backgrounds
        ratio = data / mu
        grad = (1.0 - ratio) @ backgrounds.T + (theta - 1.0) * inv_var
        weight = data / mu**2
        hess = (weight @ pairs).reshape(n_problems, k, k) + eye * inv_var
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        theta = np.maximum(theta - step, 1e-9)
    mu = signal + theta @ backgrounds
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(data > 0, data * np.log(mu), 0.0)
    return np.sum(mu - log_term, axis=1) + 0.5 * np.sum((theta - 1.0) ** 2 * inv_var, axis=1)


def _nll_at_truth(data: NDArray[np.float64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(mu - np.where(data > 0, data * np.log(mu), 0.0), axis=1)


def asimov_exclusion_q(sigma: NDArray[np.float64], signal_per_poi: NDArray[np.float64], backgrounds: NDArray[np.float64],
                       rel_unc: NDArray[np.float64]) -> NDArray[np.float64]:
    """q(sigma) = -2 ln lambda(sigma) on the background-only Asimov data set (Cowan et al.,
    Eur. Phys. J. C 71 (2011) 1554, arXiv:1007.1727): the median test statistic for excluding
    sigma. ``sigma`` is (M,), ``signal_per_poi`` (M, bins)."""
    data = np.broadcast_to(backgrounds.sum(axis=0), signal_per_poi.shape)
    best = _nll_at_truth(data, data)  # the Asimov data sit at the best fit: s = 0, theta = 1
    return 2.0 * (profiled_nll(data, sigma[:, None] * signal_per_poi, backgrounds, rel_unc) - best)


def asimov_discovery_q0(sigma: NDArray[np.float64], signal_per_poi: NDArray[np.float64], backgrounds: NDArray[np.float64],
                        rel_unc: NDArray[np.float64]) -> NDArray[np.float64]:
    """q0 = -2 ln lambda(0) on the signal-plus-background Asimov data set: the median discovery
    significance is sqrt(q0) (Cowan et al. 2011)."""
    signal = sigma[:, None] * signal_per_poi
    data = signal + backgrounds.sum(axis=0)
    best = _nll_at_truth(data, data)
    return 2.0 * (profiled_nll(data, np.zeros_like(signal), backgrounds, rel_unc) - best)


def feldman_cousins_upper_limits(background: float, cl: float, n_values: ArrayLike) -> NDArray[np.float64]:
    """Feldman–Cousins upper limits on s for each observed count in ``n_values``.

    The acceptance region of each s on a grid (step 0.005, or 0.0025·√b above b = 4) is built by
    adding counts in decreasing order of R until their probability reaches ``cl``; the upper limit
    for n is the largest grid s whose region contains n, plus half a step (FC's Table IV to their
    two decimals for b = 0).

    >>> [round(float(x), 2) for x in feldman_cousins_upper_limits(0.0, 0.9, [0, 1, 2, 3])]
    [2.44, 4.36, 5.91, 7.42]
    >>> round(float(feldman_cousins_upper_limits(0.5, 0.9, [0])[0]), 2)
    1.94
    """
    n_values = np.asarray(n_values, dtype=int)
    b = float(background)
    if not b >= 0 or not 0 < cl < 1:
        raise ValueError(f"need background >= 0 and 0 < cl < 1, got b = {background!r}, cl = {cl!r}")
    n_top = int(n_values.max(initial=0))
    s_max = max(n_top - b, 0.0) + 4.0 * np.sqrt(n_top + 1.0) + 8.0
    step = 0.005 * max(1.0, 0.5 * np.sqrt(b))
    s = np.arange(0.0, s_max + step, step)
    counts = np.arange(int(np.ceil(s_max + b + 7.0 * np.sqrt(s_max + b + 1.0) + 15.0)))
    prob = poisson_pmf(counts[None, :], s[:, None] + b)
    best = poisson_pmf(counts, np.maximum(counts - b, 0.0) + b)
    ratio = prob / best[None, :]
    order = np.argsort(-ratio, axis=1, kind="stable")
    cumulative = np.cumsum(np.take_along_axis(prob, order, axis=1), axis=1)
    k = np.argmax(cumulative >= cl, axis=1)
    last = np.take_along_axis(ratio, np.take_along_axis(order, k[:, None], axis=1), axis=1)
    accepted = ratio >= last  # the counts ranked up to the one that reaches cl
    upper = np.empty(len(n_values))
    for i, n in enumerate(n_values):
        inside = np.nonzero(accepted[:, n])[0]
        upper[i] = s[inside[-1]] + 0.5 * step if len(inside) else 0.0
    return upper


FC_LARGE_BACKGROUND = 100.0
"""Above this background the FC average upper limit is scaled as √b from its value here (the
Gaussian limit of the construction, where every limit is proportional to σ = √b)."""


def fc_average_upper_limit(background: float, cl: float) -> float:
    """Σ_n P(n | b) s_up(n, b): the Feldman–Cousins sensitivity for background b.

    >>> round(fc_average_upper_limit(0.0, 0.9), 2)
    2.44
    """
    b = float(background)
    if b > FC_LARGE_BACKGROUND:
        return fc_average_upper_limit(FC_LARGE_BACKGROUND, cl) * float(np.sqrt(b / FC_LARGE_BACKGROUND))
    n = np.arange(int(poisson_quantile(1.0 - 1e-7, b)) + 2) if b > 0 else np.array([0])
    weights = poisson_pmf(n, b)
    return float(np.sum(weights * feldman_cousins_upper_limits(b, cl, n)) / np.sum(weights))


class FCSensitivityTable:
    """fc_average_upper_limit on a log grid of b, interpolated linearly in log b (built once)."""

    def __init__(self, cl: float, b_min: float = 1e-3, points: int = 26) -> None:
        self.cl = cl
        self.log_b = np.linspace(np.log10(b_min), np.log10(FC_LARGE_BACKGROUND), points)
        self.values = np.array([fc_average_upper_limit(10.0**x, cl) for x in self.log_b])
        self.at_zero = fc_average_upper_limit(0.0, cl)

    def __call__(self, background: ArrayLike) -> NDArray[np.float64]:
        b = np.asarray(background, dtype=float)
        inside = np.interp(np.log10(np.clip(b, 10.0 ** self.log_b[0], None)), self.log_b, self.values)
        out = np.where(b <= 10.0 ** self.log_b[0], self.at_zero + (inside - self.at_zero) * b / 10.0 ** self.log_b[0], inside)
        large = b > FC_LARGE_BACKGROUND
        return np.where(large, self.values[-1] * np.sqrt(np.where(large, b, 1.0) / FC_LARGE_BACKGROUND), out)
