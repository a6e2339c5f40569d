"""Plots of limit files beside published context curves, as PDF and PNG, in one visual language.

Styles come from the run's style table (:mod:`dmcombine.planning.styles`, carried by each plot's
card): a result keeps its colour, line and marker in every plot; ours thick, published context thin
or filled and labelled "published"; observed solid, projections dashed, discovery reaches
dash-dotted. Legends sit outside the axes; axis ranges are fitted to the curves drawn; the CL and
the kind join a label when they differ within a plot. Each PNG carries a manifest of what it draws
(text chunk ``dmcombine:curves``: per axes its ranges and per curve label, key, colour, line, marker,
width and data range), which the tests read to check these rules on every plot the workflow makes.
Metadata that would carry a date is removed so reruns give the same files.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_hex
from numpy.typing import NDArray

from dmcombine.fileio import atomic_write_bytes
from dmcombine.planning.styles import COMBINATION, OKABE_ITO

LINES: dict[str, Any] = {
    "solid": "-", "dashed": (0, (5, 2)), "long_dash": (0, (9, 3)), "short_dash": (0, (2.5, 1.5)),
    "dash_dot": (0, (6, 2, 1.5, 2)), "dash_dotdot": (0, (6, 2, 1.5, 2, 1.5, 2)),
}
REFERENCE = "#555555"  # reference lines (thermal relic, M_med = 2 m_chi, axion models)
FALLBACK = (*OKABE_ITO, COMBINATION)  # a curve without a style (a plot made outside the workflow)
MANIFEST_KEY = "dmcombine:curves"
DPI = 150  # of the PNG (the PDF is vector)
THERMAL_RELIC_LABEL = ("thermal relic 2.2e-26 cm$^3$ s$^{-1}$ (s-wave, self-conjugate; "
                       "Steigman, Dasgupta, Beacom 2012, $m_\\chi \\gtrsim 10$ GeV)")
# fixed panel order of annihilation channels: quarks, bosons, leptons, neutrinos
CHANNEL_ORDER = ("bb", "cc", "qq", "tt", "gg", "ww", "zz", "hh", "ee", "mumu", "tautau", "nunu")
CHANNEL_LABELS = {
    "bb": r"$b\bar{b}$", "tautau": r"$\tau^+\tau^-$", "ww": r"$W^+W^-$", "mumu": r"$\mu^+\mu^-$",
    "ee": r"$e^+e^-$", "tt": r"$t\bar{t}$", "zz": r"$ZZ$", "hh": r"$hh$", "gg": r"$gg$", "cc": r"$c\bar{c}$",
    "qq": r"$q\bar{q}$", "nunu": r"$\nu\bar{\nu}$",
}


@dataclass
class Curve:
    """One curve on a plot: ``style`` from the run's style table (None: a fallback colour)."""

    label: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    ours: bool
    style: dict[str, Any] | None = None
    kind: str = ""
    cl: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def channel_label(channel: str) -> str:
    """LaTeX label of an annihilation channel."""
    return CHANNEL_LABELS.get(channel, channel)


def channel_order(channels: list[str]) -> list[str]:
    """The fixed order of panels: known channels first in CHANNEL_ORDER, others after, sorted."""
    known = [c for c in CHANNEL_ORDER if c in channels]
    return known + sorted(c for c in channels if c not in CHANNEL_ORDER)


def _style(curve: Curve, index: int) -> dict[str, Any]:
    if curve.style:
        return curve.style
    return {"key": curve.label, "color": FALLBACK[index % len(FALLBACK)], "line": "solid" if curve.ours else "short_dash",
            "marker": "", "width": 2.5 if curve.ours else 1.2, "fill": False}


def finish_labels(curves: list[Curve]) -> None:
    """Ours: the CL and the kind join the label when they differ among the plot's results;
    "(this work)" when published curves share the plot. Published: "(published)"."""
    unique = {id(c): c for c in curves}  # a curve drawn in two panels is labelled once
    curves = list(unique.values())
    ours = [c for c in curves if c.ours]
    cls = {c.cl for c in ours if c.cl is not None}
    kinds = {c.kind for c in ours if c.kind}
    with_context = any(not c.ours for c in curves)
    for curve in curves:
        if not curve.ours:
            if "(published)" not in curve.label:
                curve.label += " (published)"
            continue
        extra = []
        if len(kinds) > 1 and curve.kind and curve.kind not in curve.label:
            extra.append(curve.kind)
        if len(cls) > 1 and curve.cl is not None and curve.kind != "discovery" and f"{curve.cl * 100:g}% CL" not in curve.label:
            extra.append(f"{curve.cl * 100:g}% CL")
        if extra:
            curve.label += f" ({', '.join(extra)})"
        if with_context:
            curve.label += " (this work)"


def draw_curve(ax: plt.Axes, curve: Curve, index: int, floor: float | None = None, label: bool = True) -> None:
    """One curve in its style (a band is filled down to ``floor``)."""
    style = _style(curve, index)
    text = curve.label if label else None
    if style["fill"]:
        bottom = floor if floor is not None else float(np.nanmin(curve.y)) / 10
        ax.fill_between(curve.x, bottom, curve.y, color=style["color"], alpha=0.45, lw=0, label=text, gid=style["key"])
        return
    marker = style["marker"] or None
    ax.plot(curve.x, curve.y, color=style["color"], lw=style["width"], ls=LINES[style["line"]], marker=marker,
            markevery=0.1 if marker else None, ms=6, label=text, gid=style["key"])


def fit_log_range(values: list[NDArray[np.float64]], pad_decades: float = 0.15) -> tuple[float, float]:
    """The range of positive values, padded by ``pad_decades`` on a log axis."""
    finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values if len(v)] or [np.array([1.0, 10.0])])
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        lo, hi = lo / 10, hi * 10
    return lo / 10**pad_decades, hi * 10**pad_decades


def _within(curve: Curve, xlim: tuple[float, float]) -> NDArray[np.float64]:
    inside = (curve.x >= xlim[0]) & (curve.x <= xlim[1])
    return curve.y[inside]


def fit_axes(ax: plt.Axes, curves: list[Curve], y_from_ours_only: bool = False,
             x_range: list[float] | None = None) -> None:
    """Log axes framed on the results, or on ``x_range`` (published curves clipped to the mass range)."""
    ours = [c for c in curves if c.ours] or curves
    xlim = tuple(x_range) if x_range else fit_log_range([c.x for c in ours], 0.05)
    ys = [_within(c, xlim) for c in (ours if y_from_ours_only else curves) if not (_style(c, 0)["fill"])]
    ax.set_xlim(*xlim)
    ax.set_ylim(*fit_log_range(ys))


def _legends_clear_of_axes(fig: plt.Figure) -> bool:
    """Whether every legend lies outside every visible axes (so it covers no data)."""
    fig.canvas.draw()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    boxes = [ax.get_window_extent() for ax in fig.axes if ax.get_visible()]
    return not any(legend.get_window_extent().overlaps(box) for legend in legends for box in boxes)


def _manifest(fig: plt.Figure) -> dict[str, Any]:
    clear = _legends_clear_of_axes(fig)
    axes = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        curves = []
        for line in ax.get_lines():
            if line.get_label().startswith("_") and not line.get_gid():
                continue
            x, y = (np.asarray(v, dtype=float) for v in line.get_data())
            if line.get_transform() != ax.transData:  # axhline: x spans the axes
                x = np.asarray(ax.get_xlim(), dtype=float)
            curves.append({"label": line.get_label(), "key": line.get_gid() or "", "color": to_hex(line.get_color()),
                           "line": str(line.get_linestyle()) + str(getattr(line, "_dash_pattern", "")),
                           "marker": str(line.get_marker()), "width": float(line.get_linewidth()), "fill": False,
                           "x": [float(np.nanmin(x)), float(np.nanmax(x))], "y": [float(np.nanmin(y)), float(np.nanmax(y))]})
        for collection in ax.collections:
            if not collection.get_gid():
                continue
            paths = [p.vertices for p in collection.get_paths() if len(p.vertices)]
            vertices = np.concatenate(paths) if paths else np.zeros((1, 2))
            curves.append({"label": collection.get_label(), "key": collection.get_gid(),
                           "color": to_hex(collection.get_facecolor()[0]), "line": "fill", "marker": "None",
                           "width": 0.0, "fill": True,
                           "x": [float(vertices[:, 0].min()), float(vertices[:, 0].max())],
                           "y": [float(vertices[:, 1].min()), float(vertices[:, 1].max())]})
        axes.append({"title": ax.get_title(), "xlim": [float(v) for v in ax.get_xlim()],
                     "ylim": [float(v) for v in ax.get_ylim()], "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
                     "curves": curves})
    return {"legends_clear_of_axes": clear, "axes": axes}


def manifest_of(png: str | Path) -> dict[str, Any]:
    """The manifest a plot carries (see the module docstring)."""
    from PIL import Image

    with Image.open(png) as image:
        return json.loads(image.text[MANIFEST_KEY])


def _save(fig: plt.Figure, pdf: str | Path, png: str | Path) -> None:
    """Both files from one layout and two renderings: the manifest's draw (Agg, at the PNG's dpi)
    computes the constrained layout, which is then kept, and its pixels are the PNG; only the PDF
    is drawn again. (Three draws, each with its own layout pass, were two thirds of a plot job.)"""
    from PIL import Image, PngImagePlugin

    fig.set_dpi(DPI)
    manifest = json.dumps(_manifest(fig), sort_keys=True)
    fig.set_layout_engine("none")
    info = PngImagePlugin.PngInfo()
    info.add_text(MANIFEST_KEY, manifest)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buffer, format="png", pnginfo=info, dpi=(DPI, DPI))
    atomic_write_bytes(Path(png), buffer.getvalue())
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "Producer": None}, dpi=DPI)
    atomic_write_bytes(Path(pdf), buffer.getvalue())
    plt.close(fig)


def _notes_title(notes: list[str] | None) -> dict[str, Any]:
    """Licences of the published curves drawn (e.g. a non-commercial, share-alike layer), as the
    legend's title: said on the plot, never over the data."""
    return {"title": "\n".join(notes), "title_fontsize": 9, "alignment": "left"} if notes else {}


def _legend_outside(ax: plt.Axes, notes: list[str] | None = None) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **_notes_title(notes))


def _log_axes(ax: plt.Axes, xlabel: str, ylabel: str, title: str = "") -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)


def sigmav_plane(curves_by_channel: dict[str, list[Curve]], pdf: str | Path, png: str | Path, title: str,
                 thermal_relic_cm3_s: float = 2.2e-26, notes: list[str] | None = None) -> None:
    """⟨σv⟩ versus mass: one panel per channel in a fixed order, shared axes, one legend outside
    the panels, the thermal-relic line labelled with its convention."""
    channels = channel_order(list(curves_by_channel))
    every = [c for ch in channels for c in curves_by_channel[ch]]
    finish_labels(every)
    ncols = 2 if len(channels) > 1 else 1
    nrows = (len(channels) + ncols - 1) // ncols
    with plt.rc_context({"font.size": 13, "axes.titlesize": 14, "legend.fontsize": 10}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols + 5.5, 4.0 * nrows + 0.6), layout="constrained",
                                 squeeze=False, sharex=True, sharey=True)
        seen: set[str] = set()
        for ax, channel in zip(axes.flat, channels):
            for i, curve in enumerate(curves_by_channel[channel]):
                draw_curve(ax, curve, i, label=curve.label not in seen)
                seen.add(curve.label)
            ax.axhline(thermal_relic_cm3_s, color=REFERENCE, lw=1.3, ls=":", gid="reference:thermal relic",
                       label=THERMAL_RELIC_LABEL if "relic" not in seen else None)
            seen.add("relic")
            _log_axes(ax, r"$m_\chi$ [GeV]", r"$\langle\sigma v\rangle$ [cm$^3$ s$^{-1}$]", channel_label(channel))
            ax.label_outer()
        for ax in list(axes.flat)[len(channels):]:
            ax.set_visible(False)
        first = axes.flat[0]
        ours = [c for c in every if c.ours] or every
        xlim = fit_log_range([c.x for c in ours], 0.05)
        first.set_xlim(*xlim)
        first.set_ylim(*fit_log_range([_within(c, xlim) for c in every] + [np.array([thermal_relic_cm3_s])]))
        handles, labels = [], []
        for ax in axes.flat:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
        fig.suptitle(title, x=0.02, ha="left")
        fig.legend(handles, labels, loc="outside right upper", frameon=False, **_notes_title(notes))
        _save(fig, pdf, png)


def cross_section_plane(panels: dict[str, list[Curve]], pdf: str | Path, png: str | Path, title: str, ylabel: str,
                        notes: list[str] | None = None, x_range: list[float] | None = None) -> None:
    """A WIMP-nucleon cross-section versus WIMP mass, log-log, framed on our results (or on
    ``x_range``); one panel per entry of ``panels`` (e.g. proton and neutron), each with its legend
    outside."""
    every = [c for curves in panels.values() for c in curves]
    finish_labels(every)
    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 10}):
        fig, axes = plt.subplots(len(panels), 1, figsize=(13, 6.4 * len(panels) + (0.4 if notes else 0)),
                                 layout="constrained", squeeze=False)
        for ax, (name, curves) in zip(axes[:, 0], panels.items()):
            fit_axes(ax, curves, x_range=x_range)
            floor = ax.get_ylim()[0] / 10
            for i, curve in enumerate(curves):
                draw_curve(ax, curve, i, floor=floor)
            _log_axes(ax, r"WIMP mass $m_\chi$ [GeV]", ylabel, f"{title}: {name}" if name else title)
            _legend_outside(ax, notes)
        _save(fig, pdf, png)


def axion_plane(curves: list[Curve], pdf: str | Path, png: str | Path, title: str) -> None:
    """|g_aγγ| versus m_a [µeV] framed on the results, with KSVZ, DFSZ and the QCD axion band
    (computed in :mod:`dmcombine.axion.haloscope`, not digitised); results narrower than 3% of the
    mass range get a zoomed panel of their own beside the main one."""
    from dmcombine.axion.haloscope import E_OVER_N, coupling_gev, qcd_band_gev

    finish_labels(curves)
    curves = [Curve(c.label, c.x * 1e6, c.y, c.ours, c.style, c.kind, c.cl, c.extra) for c in curves]  # eV -> µeV
    xlim = fit_log_range([c.x for c in curves], 0.08)
    span = np.log10(xlim[1] / xlim[0])
    narrow = [c for c in curves if c.ours and np.log10(np.nanmax(c.x) / np.nanmin(c.x)) < 0.03 * span]
    with plt.rc_context({"font.size": 14, "axes.titlesize": 14, "legend.fontsize": 10}):
        ncols = 2 if narrow else 1
        fig, axes = plt.subplots(1, ncols, figsize=(8.5 + 5 * ncols, 6.2), layout="constrained", squeeze=False,
                                 width_ratios=[2, 1][:ncols])
        panels = [(axes[0, 0], curves, xlim, "")]
        if narrow:
            zoom = fit_log_range([c.x for c in narrow], 0.01)
            panels.append((axes[0, 1], [c for c in curves if (c.x <= zoom[1]).any() and (c.x >= zoom[0]).any()], zoom,
                           "zoom on the narrow scans"))
        for ax, drawn, frame, subtitle in panels:
            masses = np.geomspace(frame[0], frame[1], 200) * 1e-6
            lo, hi = qcd_band_gev(masses)
            ax.fill_between(masses * 1e6, lo, hi, color="#CCBB99", alpha=0.35, lw=0, gid="reference:QCD axion band",
                            label="QCD axion band (E/N = 5/3 ... 44/3)" if not subtitle else None)
            for (model, e_over_n), ls in zip(E_OVER_N.items(), ("-", "--")):
                ax.plot(masses * 1e6, coupling_gev(masses, e_over_n), color="#8C5A00", lw=1.3, ls=ls,
                        gid=f"reference:{model}", label=f"{model} (E/N = {e_over_n:.3g})" if not subtitle else None)
            for i, curve in enumerate(drawn):
                x = curve.x
                steps = np.diff(np.log(x))
                # separate scanned ranges: no line across a gap much wider than the grid step
                gaps = np.flatnonzero(steps > 5 * np.median(steps)) + 1 if len(steps) else np.array([], dtype=int)
                for j, (xs, ys) in enumerate(zip(np.split(x, gaps), np.split(curve.y, gaps))):
                    piece = Curve(curve.label, xs, ys, curve.ours, curve.style)
                    draw_curve(ax, piece, i, label=j == 0 and not subtitle)
            ax.set_xlim(*frame)
            ys = [_within(c, frame) for c in drawn] + [qcd_band_gev(masses)[0]]
            ax.set_ylim(*fit_log_range(ys, 0.3))
            _log_axes(ax, r"axion mass $m_a$ [$\mu$eV]", r"$|g_{a\gamma\gamma}|$ [GeV$^{-1}$]", subtitle or title)
            if subtitle:  # a narrow range reads better on a linear mass axis
                ax.set_xscale("linear")
                ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
                ax.set_xlim(*frame)
        fig.legend(loc="outside right upper", frameon=False)
        _save(fig, pdf, png)


def mediator_plane(curves: list[Curve], pdf: str | Path, png: str | Path, title: str,
                   references: list[dict] | None = None, notes: list[str] | None = None) -> None:
    """The (M_med, m_chi) plane as the LHC DM WG draws it (arXiv:1603.04156, 1703.05703): x the
    mediator mass, y the DM mass, linear; per collider result (or joint exclusion) the excluded
    mediator masses between the smallest and the largest excluded value at each DM mass (filled
    for observed results); a translated direct-detection limit as the line below which every M_med
    is excluded; the model's reference lines (the thermal relic) and the on-shell threshold
    M_med = 2 m_chi. Framed on our observed results."""
    finish_labels(curves)
    notes = list(notes or [])
    top_x, top_y = 0.0, 0.0
    for curve in curves:  # framed on our observed results (collider, joint, translated)
        excluded = np.isfinite(curve.y) & (curve.y > 0)
        if excluded.any() and curve.ours and curve.kind == "observed":
            top_x = max(top_x, float(np.nanmax(curve.y[excluded])))
            if curve.extra.get("frame_y"):  # the collider's m_chi range
                top_y = max(top_y, float(np.nanmax(curve.x[excluded])))
    top_x, top_y = 1.08 * (top_x or 6000.0), 1.25 * (top_y or 3000.0)
    with plt.rc_context({"font.size": 14, "axes.titlesize": 15, "legend.fontsize": 11}):
        fig, ax = plt.subplots(figsize=(12, 6.4), layout="constrained")
        for i, curve in enumerate(curves):
            style = _style(curve, i)
            lo = curve.extra.get("lower")
            excluded = np.isfinite(curve.y) & (curve.y > 0)
            shown = excluded & (curve.x <= top_y)
            if not shown.any() or np.nanmin(curve.y[shown]) > top_x:  # a reach beyond the frame: said, not drawn
                reach = float(np.nanmin(curve.y[shown])) if shown.any() else float("nan")
                notes.append(f"{curve.label}: beyond the frame\n    (excludes M_med < {reach / 1000:.3g} TeV "
                             f"at every m_chi < {top_y:.0f} GeV it covers)")
                continue
            if curve.kind == "observed" and lo is not None:
                ax.fill_betweenx(curve.x, lo, curve.y, where=excluded, color=style["color"], alpha=0.2, lw=0)
            ax.plot(curve.y, curve.x, color=style["color"], lw=style["width"], ls=LINES[style["line"]],
                    marker=style["marker"] or None, markevery=0.1 if style["marker"] else None, gid=style["key"],
                    label=curve.label)
            if lo is not None:
                ax.plot(lo, curve.x, color=style["color"], lw=1.0, ls=LINES[style["line"]])
        for reference in references or []:
            drawn = False
            for branch in reference["branches"]:
                m_med, m_chi = np.asarray(branch["m_med_gev"], float), np.asarray(branch["m_chi_gev"], float)
                inside = (m_med <= top_x) & (m_chi <= top_y)
                if inside.sum() < 2:
                    continue
                ax.plot(np.where(inside, m_med, np.nan), m_chi, color=REFERENCE, lw=1.6, ls="-.",
                        gid=f"reference:{reference['label']}", label=None if drawn else reference["label"])
                drawn = True
            if not drawn:
                notes.append(f"{reference['label']}: beyond the frame")
        masses = np.linspace(0, top_x, 50)
        ax.plot(masses, masses / 2, color=REFERENCE, lw=1.2, ls=":", gid="reference:threshold",
                label=r"$M_{\mathrm{med}} = 2 m_\chi$")
        ax.set_xlim(0, top_x)
        ax.set_ylim(0, top_y)
        ax.set_xlabel(r"mediator mass $M_{\mathrm{med}}$ [GeV]")
        ax.set_ylabel(r"dark-matter mass $m_\chi$ [GeV]")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        _legend_outside(ax, notes)
        _save(fig, pdf, png)
