"""The KM3NeT/ARCA230 instrument response (KM3NeT Collaboration, arXiv:2402.08363), read as the
collaboration describes its files (data/km3net_arca230/README.md), and the sky geometry it needs.

Two selections, each one file of every kind: ``track`` (ν_μ CC selected as tracks) and ``shower``
(ν_e CC selected as showers); ν̄ shares the ν response and the effective area is the ν/ν̄ average,
so it multiplies the ν + ν̄ flux of the selection's flavour.

* Effective area A(E_ν, cos θ) [m²] per cos-zenith band of width 0.05 (cos θ = 1 is down-going).
  A source's mean area is the time-weighted sum over the bands, the weights being the fraction
  of a sidereal day it spends in each (:func:`band_time_fractions`); merging bands averages them.
* PSF dP/dΩ [sr⁻¹] on a grid of log10(ψ/deg), one curve per true-energy band: the fraction within
  a cone of radius R is ∫₀ᴿ dP/dΩ 2π sin ψ dψ (ψ in rad).
* Energy response dP/dlog10(E_reco) per true-energy bin. The rows are not normalised (their sums
  over the reco bins × 0.35 are 28–160); we normalise each row with any entry to a probability per
  reconstructed-energy bin, i.e. every event of a true-energy bin gets a reconstructed energy in
  [10 GeV, 100 PeV].
* Background rate [s⁻¹] per sin δ band of width 0.05 and reco bin, summed over right ascension:
  a region of solid angle Ω inside a band takes Ω / (2π Δsin δ) of it (:func:`cone_band_solid_angles`
  splits a cone over the bands it touches).

Readers check each file's header, that its rows form the full, ordered grid of contiguous bins,
that values are finite and non-negative, and (:func:`check_consistent`) that the files of one
selection share their binning: a truncated or re-binned table stops with a message naming it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.grids import gauss_legendre

SELECTIONS = {"track": "mu", "shower": "e"}  # selection -> flavour it selects (CC interactions)
ROLES = ("aeff", "psf", "eresp", "bkg")  # input roles per selection: arca230_<role>_<selection>
# ARCA site, 36°16' N: 0.633407 rad in the collaboration's worked example (SOURCES.md).
LATITUDE_RAD = 0.633407
PSF_NORM_TOLERANCE = 0.01  # a PSF curve must integrate to 1 within this over the sphere
# The released PSF curves dip slightly below zero beyond ψ ≈ 100° (smoothing; down to -2e-4 sr⁻¹,
# 0.1% of the probability): such values are read as zero, anything more negative is refused.
PSF_NEGATIVE_FLOOR = -1e-3

_E_TRUE = ("log10(nu_E [GeV]) low", "log10(nu_E [GeV]) center", "log10(nu_E [GeV]) high")
_E_RECO = ("log10(reco_E [GeV]) low", "log10(reco_E [GeV]) center", "log10(reco_E [GeV]) high")
HEADERS = {
    "aeff": (*_E_TRUE, "cos(zen) low", "cos(zen) center", "cos(zen) high", "aeff [m^2]"),
    "bkg": (*_E_RECO, "sin(dec) low", "sin(dec) center", "sin(dec) high", "rate [s^-1]"),
    "eresp": (*_E_TRUE, *_E_RECO, "dP/dlog10(nu_E [GeV])"),
    "psf": (*_E_TRUE, "log10(psi [degrees])", "dP/dOmega"),
}


@dataclass(frozen=True)
class EffectiveArea:
    log10_energy_edges: NDArray[np.float64]  # true ν energy, log10(E/GeV)
    cos_zenith_edges: NDArray[np.float64]
    area_m2: NDArray[np.float64]  # [energy, cos zenith]


@dataclass(frozen=True)
class PointSpread:
    log10_energy_edges: NDArray[np.float64]  # bands, log10(E/GeV)
    log10_psi_deg: NDArray[np.float64]  # grid of angular distances
    density_sr: NDArray[np.float64]  # [band, psi]


@dataclass(frozen=True)
class EnergyResponse:
    log10_energy_edges: NDArray[np.float64]  # true
    log10_reco_edges: NDArray[np.float64]
    probability: NDArray[np.float64]  # P(reco bin | true bin), each row sums to 1 or is all zero


@dataclass(frozen=True)
class Background:
    log10_reco_edges: NDArray[np.float64]
    sin_dec_edges: NDArray[np.float64]
    rate_s: NDArray[np.float64]  # [reco, sin dec band], summed over right ascension


@dataclass(frozen=True)
class Selection:
    name: str
    flavour: str
    aeff: EffectiveArea
    psf: PointSpread
    eresp: EnergyResponse
    bkg: Background


def _rows(data: bytes, source: str, kind: str, negative_floor: float = 0.0) -> NDArray[np.float64]:
    text = data.decode("utf-8", errors="replace")
    first, _, body = text.partition("\n")
    header = tuple(h.strip() for h in first.split(","))
    if header != HEADERS[kind]:
        raise InputFormatError(f"{source}: the header is {first.strip()!r}; an ARCA230 {kind} table has the columns "
                               f"{', '.join(HEADERS[kind])}")
    try:
        rows = np.loadtxt(io.StringIO(body), delimiter=",", ndmin=2)
    except ValueError as exc:
        raise InputFormatError(f"{source}: a row is not {len(header)} numbers ({exc})") from None
    if rows.shape[1] != len(header) or len(rows) == 0:
        raise InputFormatError(f"{source}: expected rows of {len(header)} numbers, got shape {rows.shape}")
    if not np.all(np.isfinite(rows)):
        raise InputFormatError(f"{source}: a value is not a finite number")
    if np.any(rows[:, -1] < negative_floor):
        raise InputFormatError(f"{source}: column {header[-1]!r} has a negative value {rows[:, -1].min():g}")
    return rows


def _edges(lo: NDArray[np.float64], hi: NDArray[np.float64], name: str, source: str) -> NDArray[np.float64]:
    """Contiguous, increasing bin edges from the distinct (lo, hi) pairs of a column pair."""
    pairs = np.unique(np.stack([lo, hi], axis=1), axis=0)
    if np.any(pairs[:, 1] <= pairs[:, 0]) or not np.allclose(pairs[1:, 0], pairs[:-1, 1], atol=1e-6):
        raise InputFormatError(f"{source}: the {name} bins are not contiguous increasing intervals")
    return np.append(pairs[:, 0], pairs[-1, 1])


def _grid(rows: NDArray[np.float64], outer: int, inner: int, names: tuple[str, str], source: str
          ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(outer edges, inner edges, values [outer, inner]) of a table of rows ordered outer-major."""
    a = _edges(rows[:, outer], rows[:, outer + 2], names[0], source)
    b = _edges(rows[:, inner], rows[:, inner + 2], names[1], source)
    n_a, n_b = len(a) - 1, len(b) - 1
    if len(rows) != n_a * n_b:
        raise InputFormatError(f"{source}: {len(rows)} rows, but its {n_a} {names[0]} × {n_b} {names[1]} bins "
                               f"need {n_a * n_b} (a truncated table?)")
    expect_a, expect_b = np.repeat(a[:-1], n_b), np.tile(b[:-1], n_a)
    if not (np.allclose(rows[:, outer], expect_a, atol=1e-6) and np.allclose(rows[:, inner], expect_b, atol=1e-6)):
        raise InputFormatError(f"{source}: the rows are not the full {names[0]} × {names[1]} grid in order")
    return a, b, rows[:, -1].reshape(n_a, n_b)


def _covers(edges: NDArray[np.float64], lo: float, hi: float, name: str, source: str) -> None:
    if abs(edges[0] - lo) > 1e-6 or abs(edges[-1] - hi) > 1e-6:
        raise InputFormatError(f"{source}: the {name} bins span {edges[0]:g} to {edges[-1]:g}; expected {lo:g} to {hi:g}")


def read_aeff(data: bytes, source: str) -> EffectiveArea:
    energy, cos_edges, area = _grid(_rows(data, source, "aeff"), 0, 3, ("log10(nu_E)", "cos(zen)"), source)
    _covers(cos_edges, -1.0, 1.0, "cos(zen)", source)
    return EffectiveArea(energy, cos_edges, area)


def read_background(data: bytes, source: str) -> Background:
    reco, sin_edges, rate = _grid(_rows(data, source, "bkg"), 0, 3, ("log10(reco_E)", "sin(dec)"), source)
    _covers(sin_edges, -1.0, 1.0, "sin(dec)", source)
    return Background(reco, sin_edges, rate)


def read_energy_response(data: bytes, source: str) -> EnergyResponse:
    true, reco, density = _grid(_rows(data, source, "eresp"), 0, 3, ("log10(nu_E)", "log10(reco_E)"), source)
    total = density.sum(axis=1, keepdims=True)
    return EnergyResponse(true, reco, np.where(total > 0, density / np.where(total > 0, total, 1.0), 0.0))


def read_psf(data: bytes, source: str) -> PointSpread:
    rows = _rows(data, source, "psf", PSF_NEGATIVE_FLOOR)
    bands = _edges(rows[:, 0], rows[:, 2], "log10(nu_E)", source)
    n_band = len(bands) - 1
    if len(rows) % n_band:
        raise InputFormatError(f"{source}: {len(rows)} rows do not divide into {n_band} energy bands (a truncated table?)")
    per = len(rows) // n_band
    psi = rows[:per, 3]
    if per < 2 or np.any(np.diff(psi) <= 0) or not np.allclose(rows[:, 3], np.tile(psi, n_band), atol=1e-9) \
            or not np.allclose(rows[:, 0], np.repeat(bands[:-1], per), atol=1e-6):
        raise InputFormatError(f"{source}: the rows are not one increasing log10(psi) grid per energy band, band after band")
    density = np.clip(rows[:, 4].reshape(n_band, per), 0.0, None)
    psf = PointSpread(bands, psi, density)
    norm = cone_fraction(psf, np.full(n_band, 180.0))
    bad = [i for i in range(n_band) if density[i].any() and abs(norm[i] - 1.0) > PSF_NORM_TOLERANCE]
    if bad:
        i = bad[0]
        raise InputFormatError(f"{source}: the PSF of energy band {bands[i]:g}-{bands[i + 1]:g} integrates to {norm[i]:.4f} "
                               f"over the sphere (expected 1 within {PSF_NORM_TOLERANCE:g}; a truncated curve?)")
    return psf


READERS = {"aeff": read_aeff, "psf": read_psf, "eresp": read_energy_response, "bkg": read_background}


def _same(a: NDArray[np.float64], b: NDArray[np.float64]) -> bool:
    return a.shape == b.shape and np.allclose(a, b, atol=1e-6)


def check_consistent(sel: Selection, sources: dict[str, str]) -> None:
    """The four files of a selection describe one binning (else one of them was re-binned)."""
    e = sel.aeff.log10_energy_edges
    problems = []
    true = sel.eresp.log10_energy_edges
    if not _same(true[(true >= e[0] - 1e-6) & (true <= e[-1] + 1e-6)], e):
        problems.append(("eresp", "its true-energy bins over the effective area's range are not the effective area's bins"))
    bands = sel.psf.log10_energy_edges
    if not _same(e[e >= bands[0] - 1e-6], bands):
        problems.append(("psf", "its energy bands do not match the effective area's bins"))
    if not _same(sel.eresp.log10_reco_edges, sel.bkg.log10_reco_edges):
        problems.append(("bkg", "its reconstructed-energy bins differ from the energy response's"))
    covered = sel.aeff.area_m2.sum(axis=1) > 0
    centres = 0.5 * (e[:-1] + e[1:])
    psf_lo = sel.psf.log10_energy_edges[0]
    if np.any(covered & (centres < psf_lo)):
        problems.append(("psf", f"it starts at log10(E/GeV) = {psf_lo:g}, above energies where the effective area is not zero"))
    if problems:
        role, why = problems[0]
        other = sources["eresp" if role == "bkg" else "aeff"]
        raise InputFormatError(f"{sources[role]}: {why} in {other} ({sel.name} selection: one of the two "
                               "re-binned, or from another release?)")


def read_selection(name: str, read: Callable[[str], tuple[bytes, str]]) -> Selection:
    """The four IRFs of one selection, each read by ``read(role)`` -> (bytes, source) with roles
    ``arca230_<aeff|psf|eresp|bkg>_<selection>``."""
    if name not in SELECTIONS:
        raise ConfigError(f"km3net.detector.arca230.selections: {name!r} is not one of {sorted(SELECTIONS)}")
    parts, sources = {}, {}
    for role in ROLES:
        data, source = read(f"arca230_{role}_{name}")
        parts[role], sources[role] = READERS[role](data, source), source
    sel = Selection(name, SELECTIONS[name], parts["aeff"], parts["psf"], parts["eresp"], parts["bkg"])
    check_consistent(sel, sources)
    return sel


def band_time_fractions(latitude_rad: float, declination_rad: float, cos_edges: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fraction of a sidereal day a source spends in each cos-zenith band.

    cos θ(h) = sin φ sin δ + cos φ cos δ cos h over the hour angle h, uniform in time, so the
    fraction with cos θ ≤ c is 1 - arccos[(c - sin φ sin δ)/(cos φ cos δ)]/π (clipped).

    >>> f = band_time_fractions(0.633407, 0.0, np.array([-1.0, 0.0, 1.0]))  # equator: half the day below
    >>> [round(float(x), 6) for x in f]
    [0.5, 0.5]
    """
    a = np.sin(latitude_rad) * np.sin(declination_rad)
    b = np.cos(latitude_rad) * np.cos(declination_rad)
    edges = np.asarray(cos_edges, dtype=float)
    if b < 1e-12:  # at a pole of the sky: the zenith never changes
        below = (edges >= a).astype(float)
    else:
        below = 1.0 - np.arccos(np.clip((edges - a) / b, -1.0, 1.0)) / np.pi
    below[0], below[-1] = 0.0, 1.0  # the edges -1 and 1 bound every zenith
    return np.diff(below)


def source_area_m2(aeff: EffectiveArea, declination_rad: float, latitude_rad: float = LATITUDE_RAD) -> NDArray[np.float64]:
    """Time-averaged effective area [m²] per true-energy bin for a source at this declination."""
    return aeff.area_m2 @ band_time_fractions(latitude_rad, declination_rad, aeff.cos_zenith_edges)


def cone_band_solid_angles(declination_rad: float, radius_rad: float, sin_edges: NDArray[np.float64],
                           nodes: int = 256) -> NDArray[np.float64]:
    """Solid angle [sr] of a cone of radius R around a direction at declination δ inside each
    sin δ band: ∫₀ᴿ sin ψ dψ Δφ(ψ), with Δφ the azimuth range around the axis whose points
    (sin δ' = sin δ cos ψ + cos δ sin ψ cos φ) fall in the band (Gauss–Legendre in ψ).

    >>> omega = cone_band_solid_angles(0.5, 0.02, np.linspace(-1, 1, 41))
    >>> round(float(omega.sum() / (2 * np.pi * (1 - np.cos(0.02)))), 6)
    1.0
    """
    t, w = gauss_legendre(nodes)
    psi = 0.5 * radius_rad * (t + 1.0)
    weight = 0.5 * radius_rad * w * np.sin(psi)
    s, c = np.sin(declination_rad), np.cos(declination_rad)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (np.asarray(sin_edges)[:, None] - s * np.cos(psi)[None, :]) / (c * np.sin(psi)[None, :])
    below = 2.0 * np.pi - 2.0 * np.arccos(np.clip(np.nan_to_num(x, nan=1.0, posinf=1.0, neginf=-1.0), -1.0, 1.0))
    return np.diff(below, axis=0) @ weight


def cone_band_share(declination_rad: float, radius_rad: float, sin_edges: NDArray[np.float64]) -> NDArray[np.float64]:
    """The share of each sin δ band's background (summed over RA) that falls in the cone:
    Ω(cone ∩ band) / (2π Δsin δ)."""
    edges = np.asarray(sin_edges, dtype=float)
    return cone_band_solid_angles(declination_rad, radius_rad, edges) / (2.0 * np.pi * np.diff(edges))


def _psi_bins(psf: PointSpread) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Edges [rad] of the PSF grid with a first bin from 0, and P per bin [band, bin] (trapezoids)."""
    psi = np.radians(10.0**psf.log10_psi_deg)
    integrand = psf.density_sr * 2.0 * np.pi * np.sin(psi)[None, :]
    inner = psf.density_sr[:, :1] * 2.0 * np.pi * (1.0 - np.cos(psi[0]))  # flat density below the first point
    segments = 0.5 * (integrand[:, 1:] + integrand[:, :-1]) * np.diff(psi)[None, :]
    return np.append(0.0, psi), np.concatenate([inner, segments], axis=1)


def cone_fraction(psf: PointSpread, radius_deg: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """∫₀ᴿ dP/dΩ 2π sin ψ dψ per energy band (linear in the cumulative between grid points)."""
    edges, prob = _psi_bins(psf)
    cumulative = np.concatenate([np.zeros((prob.shape[0], 1)), np.cumsum(prob, axis=1)], axis=1)
    radius = np.broadcast_to(np.radians(np.asarray(radius_deg, dtype=float)), (prob.shape[0],))
    return np.array([np.interp(r, edges, cum) for r, cum in zip(radius, cumulative, strict=True)])


def psf_rings(psf: PointSpread) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(ring centres [deg], P per ring [band, ring]) of the PSF, for folding with an extended source."""
    edges, prob = _psi_bins(psf)
    return np.degrees(0.5 * (edges[1:] + edges[:-1])), prob


def band_index(edges: NDArray[np.float64], log10_energy: NDArray[np.float64]) -> NDArray[np.intp]:
    """Bin of each log10 energy on ``edges`` (-1 outside)."""
    i = np.searchsorted(edges, log10_energy, side="right") - 1
    return np.where((i >= 0) & (i < len(edges) - 1), i, -1)


def check_direction(sin_dec: float, field: str) -> float:
    """The declination [rad] of a sin δ, refused outside [-1, 1]."""
    if not -1.0 <= sin_dec <= 1.0 or not np.isfinite(sin_dec):
        raise ConfigError(f"{field}: sin(declination) = {sin_dec!r} is not in [-1, 1]")
    return float(np.arcsin(sin_dec))
