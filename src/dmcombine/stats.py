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
