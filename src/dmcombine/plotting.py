"""Summary plots: our results beside published context curves, as PDF and PNG.

Colours are the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008); our own results are solid
and thick, published context curves thin and dashed, labelled "published". Figures are sized and
lettered for slides. Metadata that would carry a date is removed so reruns give the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from dmcombine.fileio import atomic_write_bytes

# Okabe-Ito without its yellow, which is too pale on white for a thin line
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Curve:
    """One curve on a plot."""

    label: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    ours: bool


def _save(fig: plt.Figure, pdf: Path, png: Path) -> None:
    import io

    for path, fmt, meta in ((pdf, "pdf", {"CreationDate": None, "Producer": None}), (png, "png", {"Software": None})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=meta, dpi=150)
        atomic_write_bytes(path, buffer.getvalue())


def _finish_log_log(fig: plt.Figure, ax: plt.Axes, xlabel: str, ylabel: str, title: str, pdf: str | Path,
                    png: str | Path, legend_outside: bool = False) -> None:
    """Common ending of the single-panel summary plots: log axes, labels, grid, legend, save, close."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if legend_outside:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.legend(loc="upper left", frameon=False)
    _save(fig, Path(pdf), Path(png))
    plt.close(fig)


CHANNEL_LABELS = {
    "bb": r"$b\bar{b}$", "tautau": r"$\tau^+\tau^-$", "ww": r"$W^+W^-$", "mumu": r"$\mu^+\mu^-$",
    "ee": r"$e^+e^-$", "tt": r"$t\bar{t}$", "zz": r"$ZZ$", "hh": r"$hh$", "gg": r"$gg$", "cc": r"$c\bar{c}$",
    "qq": r"$q\bar{q}$", "nunu": r"$\nu\bar{\nu}$",
}


def channel_label(channel: str) -> str:
    """LaTeX label of an annihilation channel."""
    return CHANNEL_LABELS.get(channel, channel)


def sigmav_summary(curves: list[Curve], pdf: str | Path, png: str | Path, title: str,
                   thermal_relic_cm3_s: float = 2.2e-26) -> None:
    """<sigma v> versus mass, log-log, with the thermal-relic cross-section (Steigman et al. 2012)."""
    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 11}):
        fig, ax = plt.subplots(figsize=(10, 6.2), layout="constrained")
        styles = ("-", "--", "-.", ":")
        for i, curve in enumerate(curves):
            ax.plot(curve.x, curve.y, color=OKABE_ITO[i % len(OKABE_ITO)], lw=2.5, ls=styles[(i // len(OKABE_ITO)) % 4],
                    label=curve.label)
        ax.axhline(thermal_relic_cm3_s, color="0.4", lw=1.5, ls=":", label="thermal relic (Steigman et al. 2012)")
        _finish_log_log(fig, ax, r"dark-matter mass $m_\chi$ [GeV]",
                        r"$\langle\sigma v\rangle$ [cm$^3$ s$^{-1}$]", title, pdf, png)


def sigmav_plane(curves_by_channel: dict[str, list[Curve]], pdf: str | Path, png: str | Path, title: str,
                 thermal_relic_cm3_s: float = 2.2e-26) -> None:
    """The ⟨σv⟩ plane: one panel per channel, every result and combination, thermal-relic line."""
    channels = sorted(curves_by_channel)
    ncols = 2 if len(channels) > 1 else 1
    nrows = (len(channels) + ncols - 1) // ncols
    with plt.rc_context({"font.size": 13, "axes.titlesize": 14, "legend.fontsize": 9}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(7 * ncols, 4.8 * nrows), layout="constrained", squeeze=False)
        for ax, channel in zip(axes.flat, channels, strict=False):
            for i, curve in enumerate(curves_by_channel[channel]):
                ax.plot(curve.x, curve.y, color=OKABE_ITO[i % len(OKABE_ITO)], lw=3.0 if curve.ours else 2.0,
                        ls="-" if curve.ours else "--", label=curve.label)
            ax.axhline(thermal_relic_cm3_s, color="0.4", lw=1.5, ls=":", label="thermal relic")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(channel_label(channel))
            ax.set_xlabel(r"$m_\chi$ [GeV]")
            ax.set_ylabel(r"$\langle\sigma v\rangle$ [cm$^3$ s$^{-1}$]")
            ax.grid(True, alpha=0.3)
            ax.legend(loc="upper left", frameon=False)
        for ax in list(axes.flat)[len(channels):]:
            ax.set_visible(False)
        fig.suptitle(title)
        _save(fig, Path(pdf), Path(png))
        plt.close(fig)


def si_summary(curves: list[Curve], pdf: str | Path, png: str | Path, title: str) -> None:
    """SI WIMP-nucleon cross-section versus WIMP mass, log-log."""
    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 10, "svg.hashsalt": "dmcombine"}):
        fig, ax = plt.subplots(figsize=(12, 6.2), layout="constrained")
        ours = [c for c in curves if c.ours]
        context = [c for c in curves if not c.ours]
        for i, curve in enumerate(ours):
            style = ":" if "discovery" in curve.label else "-"
            ax.plot(curve.x, curve.y, color=OKABE_ITO[i % len(OKABE_ITO)], lw=3.0, ls=style, label=f"{curve.label} (dmcombine)")
        fogs = 0
        for j, curve in enumerate(context):
            colour = OKABE_ITO[(len(ours) + j) % len(OKABE_ITO)]
            if "fog" in curve.label.lower():
                ax.fill_between(curve.x, 1e-52, curve.y, color=("0.85", "0.7")[fogs % 2], alpha=0.5, lw=0,
                                label=f"{curve.label} (published)")
                fogs += 1
            else:
                ax.plot(curve.x, curve.y, color=colour, lw=1.5, ls="--", label=f"{curve.label} (published)")
        ax.set_xlim(5.0, 1.0e4)
        ax.set_ylim(1.0e-50, 1.0e-41)
        _finish_log_log(fig, ax, r"WIMP mass $m_\chi$ [GeV]",
                        r"SI WIMP-nucleon cross-section $\sigma_{\mathrm{SI}}$ [cm$^2$]", title, pdf, png, legend_outside=True)


def axion_summary(curves: list[Curve], pdf: str | Path, png: str | Path, title: str) -> None:
    """|g_agamma| versus m_a [µeV], log-log, with KSVZ, DFSZ and the QCD axion band
    (computed in :mod:`dmcombine.axion.haloscope`, not digitised)."""
    from dmcombine.axion.haloscope import E_OVER_N, coupling_gev, qcd_band_gev

    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 10}):
        fig, ax = plt.subplots(figsize=(11, 6.2), layout="constrained")
        masses = np.geomspace(10e-6, 1e-3, 200)
        lo, hi = qcd_band_gev(masses)
        ax.fill_between(masses * 1e6, lo, hi, color="#E69F00", alpha=0.25, lw=0, label="QCD axion band (E/N = 5/3 ... 44/3)")
        for (model, e_over_n), ls in zip(E_OVER_N.items(), ("-", "--"), strict=True):
            ax.plot(masses * 1e6, coupling_gev(masses, e_over_n), color="#8C5A00", lw=1.5, ls=ls, label=f"{model} (E/N = {e_over_n:.3g})")
        groups: dict[str, int] = {}  # one colour per result: "<result>: <auxiliary curve>" shares it
        for curve in curves:
            colour = OKABE_ITO[groups.setdefault(curve.label.split(":")[0].split(" (")[0], len(groups)) % len(OKABE_ITO)]
            x = curve.x * 1e6
            steps = np.diff(np.log(x))
            # separate scanned ranges: no line drawn across a gap much wider than the grid step
            gaps = np.flatnonzero(steps > 5 * np.median(steps)) + 1 if len(steps) else np.array([], dtype=int)
            for j, (xs, ys) in enumerate(zip(np.split(x, gaps), np.split(curve.y, gaps), strict=True)):
                ax.plot(xs, ys, color=colour, lw=3.0 if curve.ours else 2.0, ls="-" if curve.ours else "--",
                        label=curve.label if j == 0 else None)
        ax.set_xlim(10.0, 1000.0)
        ax.set_ylim(1e-16, 1e-9)
        _finish_log_log(fig, ax, r"axion mass $m_a$ [$\mu$eV]", r"$|g_{a\gamma\gamma}|$ [GeV$^{-1}$]", title, pdf, png,
                        legend_outside=True)


def mediator_summary(curves: list[tuple], pdf: str | Path, png: str | Path, title: str) -> None:
    """The (m_chi, M_med) plane: per result, the excluded mediator masses between the smallest and
    largest excluded value at each DM mass; the line M_med = 2 m_chi marks the on-shell threshold."""
    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 11}):
        fig, ax = plt.subplots(figsize=(10, 6.2), layout="constrained")
        colours: dict[str, str] = {}
        for label, observed, x, lo, hi in curves:
            key = label.rsplit(" (", 1)[0]
            colour = colours.setdefault(key, OKABE_ITO[len(colours) % len(OKABE_ITO)])
            if observed:
                ax.fill_between(x, lo, hi, color=colour, alpha=0.25, lw=0)
            ax.plot(x, hi, color=colour, lw=2.5 if observed else 2.0, ls="-" if observed else "--", label=label)
            ax.plot(x, lo, color=colour, lw=1.0, ls="-" if observed else "--")
        span = np.geomspace(1.0, 3000.0, 50)
        ax.plot(span, 2 * span, color="0.4", lw=1.2, ls=":", label=r"$M_{\mathrm{med}} = 2 m_\chi$")
        ax.set_xscale("log")
        ax.set_xlabel(r"dark-matter mass $m_\chi$ [GeV]")
        ax.set_ylabel(r"mediator mass $M_{\mathrm{med}}$ [GeV] (excluded, 95% CL)")
        ax.set_ylim(0, 6500)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        _save(fig, Path(pdf), Path(png))
        plt.close(fig)
