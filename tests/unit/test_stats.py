"""Poisson upper limits against the standard tables."""

from __future__ import annotations

import numpy as np
import pytest

from dmcombine.stats import counting_delta_m2lnl, poisson_upper_limit


@pytest.mark.parametrize(
    ("n", "expected"),
    # PDG Statistics review, Table 40.3 (90% CL upper limits, b = 0)
    [(0, 2.30), (1, 3.89), (2, 5.32), (3, 6.68), (4, 7.99), (10, 15.41)],
)
def test_classical_limits_match_pdg_table(n: int, expected: float) -> None:
    assert poisson_upper_limit(n, 0.0, 0.9) == pytest.approx(expected, abs=0.006)


def test_classical_subtracts_known_background() -> None:
    assert poisson_upper_limit(0, 0.09, 0.9) == pytest.approx(-np.log(0.1) - 0.09, rel=1e-12)
    assert poisson_upper_limit(0, 5.0, 0.9) == 0.0  # clipped: the classical limit can go negative


def test_cls_with_zero_observed_is_background_free() -> None:
    assert poisson_upper_limit(0, 3.0, 0.9, "cls") == pytest.approx(-np.log(0.1), rel=1e-9)


def test_cls_is_more_conservative_than_classical() -> None:
    for n, b in [(1, 0.5), (3, 2.0), (5, 5.0)]:
        assert poisson_upper_limit(n, b, 0.95, "cls") >= poisson_upper_limit(n, b, 0.95, "classical")


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="observed events"):
        poisson_upper_limit(-1, 0.0, 0.9)
    with pytest.raises(ValueError, match="confidence level"):
        poisson_upper_limit(0, 0.0, 1.5)
    with pytest.raises(ValueError, match="unknown counting method 'fc'"):
        poisson_upper_limit(0, 0.0, 0.9, "fc")


def test_counting_profile() -> None:
    s = np.array([0.0, 1.0, 2.0])
    assert np.allclose(counting_delta_m2lnl(s, 0, 0.09), 2 * s)
    # with n > b the minimum sits at s = n - b
    prof = counting_delta_m2lnl(np.array([0.0, 2.0, 4.0]), 3, 1.0)
    assert prof[1] == pytest.approx(0.0, abs=1e-12) and prof[0] > 0 and prof[2] > 0
