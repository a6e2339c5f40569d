"""Frequentist statistics shared by the experiments.

Counting experiments (Poisson, known background b, n observed):

* ``classical``: the Neyman upper limit of PDG Review "Statistics" (2024), eq. (40.64):
  mu_up = ½ F⁻¹_χ²(CL; 2(n+1)), s_up = mu_up - b (clipped at 0).
* ``cls``: the CLs limit (Read, J. Phys. G 28 (2002) 2693): the s with
  P(N ≤ n | s+b) / P(N ≤ n | b) = 1 - CL.
* ``no_background``: the classical limit ignoring b (conservative).

Profile likelihoods are exchanged as -2ΔlnL tables; ``counting_delta_m2lnl`` gives the one for a
counting experiment, with the best fit restricted to s ≥ 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq
from scipy.stats import chi2, poisson

COUNTING_METHODS = ("classical", "cls", "no_background")


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
    mu_up = 0.5 * chi2.ppf(cl, 2 * (n_observed + 1))
    if method == "no_background":
        return float(mu_up)
    if method == "classical":
        return float(max(mu_up - background, 0.0))
    if method == "cls":
        p_b = poisson.cdf(n_observed, background)

        def excess(s: float) -> float:
            return poisson.cdf(n_observed, s + background) / p_b - (1.0 - cl)

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
    for _ in range(iterations):
        mu = signal + theta @ backgrounds
        ratio = data / mu
        grad = (1.0 - ratio) @ backgrounds.T + (theta - 1.0) * inv_var
        weight = data / mu**2
        hess = (weight[:, None, :] * backgrounds[None, :, :]) @ backgrounds.T + eye * inv_var
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


def solve_increasing(function, target: float, lo: NDArray[np.float64], hi: NDArray[np.float64],  # noqa: ANN001
                     iterations: int = 40) -> NDArray[np.float64]:
    """x with function(x) = target for each problem, by bisection in log x (function increasing)."""
    log_lo, log_hi = np.log(lo), np.log(hi)
    for _ in range(iterations):
        mid = 0.5 * (log_lo + log_hi)
        above = function(np.exp(mid)) > target
        log_hi = np.where(above, mid, log_hi)
        log_lo = np.where(above, log_lo, mid)
    return np.exp(0.5 * (log_lo + log_hi))
