"""Curves for the plots, built from limit files' own metadata (experiment, variant, kind, CL,
channel); no experiment or variant is named here."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from dmcombine import limitfile, plotting
from dmcombine.errors import ConfigError
from dmcombine.planes import PLANES
from dmcombine.planning.paths import display_path

# the plane each plot style draws
STYLE_PLANE = {"si": "si", "sd": "sd", "sigmav": "sigmav", "sigmav_plane": "sigmav", "mediator": "mediator", "axion": "axion"}


def check_plane(path: str, doc: dict[str, Any], style: str) -> None:
    """A file drawn in a plot must be of the plot's plane (parameter and units)."""
    plane = PLANES[STYLE_PLANE[style]]
    poi, x = doc["parameter_of_interest"], doc["x"]
    if poi["unit"] != plane.poi_unit or x["unit"] != plane.x_unit or (style in ("mediator", "axion", "sd") and poi["name"] != plane.poi):
        raise ConfigError(f"{path}: the {plane.name} plot needs {plane.poi} [{plane.poi_unit}] versus x in "
                          f"[{plane.x_unit}]; this file has {poi['name']} [{poi['unit']}] versus [{x['unit']}]")


def _xy(doc: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(doc["limit"]["x"], dtype=float), np.asarray(doc["limit"]["value"], dtype=float)


def _curve(label: str, path: str, doc: dict[str, Any], styles: dict[str, Any], **extra: Any) -> plotting.Curve:
    return plotting.Curve(label, *_xy(doc), True, styles.get(display_path(path)), doc["result"]["kind"],
                          doc["result"]["confidence_level"], extra)


def cross_section_curves(docs: list[tuple[str, dict[str, Any]]], styles: dict[str, Any]) -> list[plotting.Curve]:
    """SI or SD plane: '<experiment> [<variant>]', with the statistic and exposure of a projection."""
    curves = []
    for path, doc in docs:
        label = f"{doc['experiment']} [{doc['model']['variant']}]"
        kind = doc["result"]["kind"]
        if kind in ("projected", "discovery"):
            cl = doc["result"]["confidence_level"]
            exposure = doc["model"]["assumptions"].get("exposure_t_yr")
            what = f"{cl:.0%} CL median" if kind == "projected" else f"{NormalDist().inv_cdf(cl):.0f}σ discovery"
            label += f" {what}" + (f", {exposure:g} t·yr" if exposure else "")
        curves.append(_curve(label, path, doc, styles))
    return curves


def sigmav_curves(docs: list[tuple[str, dict[str, Any]]], styles: dict[str, Any]) -> list[tuple[str, plotting.Curve]]:
    """(channel, curve) of each ⟨σv⟩ file, labelled by experiment and variant (livetime, dwarf
    set) or 'combined'; the channel is the panel."""
    curves = []
    for path, doc in docs:
        combined = doc["result"]["method"]["name"] == "sum_of_profile_likelihoods"
        channel = doc["model"]["assumptions"].get("channel", "?")
        label = f"{doc['experiment']} ({'combined' if combined else doc['model']['variant']})"
        curves.append((channel, _curve(label, path, doc, styles)))
    return curves


def axion_curves(docs: list[tuple[str, dict[str, Any]]], styles: dict[str, Any]) -> list[plotting.Curve]:
    curves = []
    for path, doc in docs:
        curves.append(_curve(f"{doc['experiment']} {doc['model']['variant']}", path, doc, styles))
        base = styles.get(display_path(path))
        for aux in doc.get("auxiliary_limits", []):
            style = {**base, "key": f"{base['key']} {aux['label']}", "line": "short_dash", "width": 1.2} if base else None
            curves.append(plotting.Curve(f"{doc['experiment']} {doc['model']['variant']}: {aux['label']}",
                                         np.asarray(aux["x"]), np.asarray(aux["value"]), True, style,
                                         doc["result"]["kind"], doc["result"]["confidence_level"]))
    return curves


def mediator_curves(docs: list[tuple[str, dict[str, Any]]], styles: dict[str, Any],
                    published: bool = False) -> list[plotting.Curve]:
    """The mediator plane's curves: a collider result (or a joint exclusion) with the smallest
    excluded mass as its first auxiliary limit, drawn as a band; a direct-detection limit translated
    by the model excludes every M_med below its line (drawn as a line)."""
    curves = []
    for path, doc in docs:
        translated = limitfile.is_translated(doc)
        if published:
            curve = published_curve(path, doc, styles)
            curves.append(plotting.Curve(curve.label, curve.x, curve.y, False, curve.style, curve.kind, curve.cl,
                                         {"lower": None}))
            continue
        if not translated and not doc.get("auxiliary_limits"):
            raise ConfigError(f"{path}: a mediator-plane file carries the smallest excluded mass as an auxiliary limit")
        joint = doc["result"]["method"]["name"] == "joint_signal_strength_test"
        lower = None if translated else np.asarray(doc["auxiliary_limits"][0]["value"], dtype=float)
        label = (f"{doc['experiment']} (joint)" if joint else
                 f"{doc['experiment']} {doc['model']['variant']}" + (" (translated)" if translated else ""))
        curves.append(_curve(label, path, doc, styles, lower=lower, frame_y=not (translated or joint)))
        if joint:  # each member alone under the same test: thin, in the member's colour
            components = {c["experiment"]: c["file"] for c in doc["model"]["assumptions"].get("components", [])}
            for aux in doc["auxiliary_limits"][1:]:
                member = styles.get(components.get(aux["label"].split(" alone")[0], ""))
                style = ({**member, "key": f"{member['key']} {aux['label']}", "line": "short_dash", "width": 1.2, "marker": ""}
                         if member else None)
                curves.append(plotting.Curve(aux["label"], np.asarray(aux["x"]), np.asarray(aux["value"]), True, style,
                                             doc["result"]["kind"], doc["result"]["confidence_level"], {"lower": None}))
    return curves


def published_curve(path: str, doc: dict[str, Any], styles: dict[str, Any]) -> plotting.Curve:
    """An imported (published) limit file as a context curve: its label, thin, never "ours"."""
    label = doc["model"]["assumptions"].get("label") or f"{doc['experiment']} {doc['analysis']}"
    if limitfile.is_translated(doc):
        label += ", translated"
    return plotting.Curve(label, *_xy(doc), False, styles.get(display_path(path)), doc["result"]["kind"],
                          doc["result"]["confidence_level"], {"assumptions": doc["model"]["assumptions"]})


def licence_notes(docs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """One line per licence of the published curves drawn, with who compiled them (a translated
    curve keeps its source's licence)."""
    found: dict[str, set] = {}
    for _, doc in docs:
        licence = limitfile.licence_of(doc) if limitfile.is_published(doc) else None
        if licence:
            found.setdefault(licence[0], set()).add(licence[1])
    return [f"published curves compiled by {', '.join(sorted(who))}: {licence}" for licence, who in sorted(found.items())]


def read_reference(path: str) -> dict[str, Any]:
    """A model's reference curve (a relic line: results/models/<model>/<benchmark>/relic_line.json)."""
    from dmcombine.planning.strict import MIB, load_json

    doc = load_json(path, "reference curve", 16 * MIB, ConfigError)
    if not isinstance(doc, dict) or not isinstance(doc.get("branches"), list) or "label" not in doc:
        raise ConfigError(f"{path}: a reference curve is a JSON object with a label and a list of branches")
    return doc


def draw(style: str, title: str, docs: list[tuple[str, dict[str, Any]]], pdf: str, png: str,
         styles: dict[str, Any] | None = None, x_range: list[float] | None = None,
         references: list[dict[str, Any]] | None = None) -> None:
    """The plot of ``style`` of our limit files and imported (published) ones in ``docs``, in the
    styles of the run's style table (by path); ``x_range`` fixes the x axis, ``references`` are
    model curves drawn as reference lines (relic lines)."""
    styles = styles or {}
    for path, doc in docs:
        check_plane(path, doc, style)
    ours = [(p, d) for p, d in docs if not limitfile.is_published(d)]
    published = [(p, d) for p, d in docs if limitfile.is_published(d)]
    notes = licence_notes(docs)
    if style in ("si", "sd"):
        plane = PLANES[style]
        ylabel = (rf"{'SI' if style == 'si' else 'SD'} WIMP-nucleon cross-section "
                  rf"$\sigma_{{\mathrm{{{style.upper()}}}}}$ [cm$^2$]")
        curves = cross_section_curves(ours, styles) + [published_curve(p, d, styles) for p, d in published]
        if style == "sd":  # a proton panel and a neutron panel; a result for both nucleons in each
            panels = {f"WIMP-{n}": [c for c in curves if c.extra.get("assumptions", {}).get("nucleon", n) == n]
                      for n in ("proton", "neutron")}
        else:
            panels = {"": curves}
        plotting.cross_section_plane(panels, pdf, png, title or plane.title, ylabel, notes, x_range=x_range)
    elif style in ("sigmav", "sigmav_plane"):
        by_channel: dict[str, list[plotting.Curve]] = {}
        for channel, curve in sigmav_curves(ours, styles):
            by_channel.setdefault(channel, []).append(curve)
        for path, doc in published:
            channel = doc["model"]["assumptions"].get("channel", "?")
            if channel in by_channel:  # context only in the panels of our channels
                by_channel[channel].append(published_curve(path, doc, styles))
        plotting.sigmav_plane(by_channel, pdf, png, title, notes=notes)
    elif style == "axion":
        plotting.axion_plane(axion_curves(ours, styles) + [published_curve(p, d, styles) for p, d in published],
                             pdf, png, title)
    elif style == "mediator":
        plotting.mediator_plane(mediator_curves(ours, styles) + mediator_curves(published, styles, published=True),
                                pdf, png, title, references or [], notes)
    else:  # pragma: no cover - the card schema lists the styles
        raise ConfigError(f"unknown plot style {style!r}")
