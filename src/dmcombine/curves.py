"""Curves for the plots, built from limit files' own metadata (experiment, variant, kind, CL,
channel); no experiment or variant is named here."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from dmcombine import plotting
from dmcombine.errors import ConfigError
from dmcombine.planes import PLANES

# the plane each plot style draws
STYLE_PLANE = {"si": "si", "sd": "sd", "sigmav": "sigmav", "sigmav_plane": "sigmav", "mediator": "mediator", "axion": "axion"}


def check_plane(path: str, doc: dict[str, Any], style: str) -> None:
    """A file drawn in a plot must be of the plot's plane (parameter and units)."""
    plane = PLANES[STYLE_PLANE[style]]
    poi, x = doc["parameter_of_interest"], doc["x"]
    if poi["unit"] != plane.poi_unit or x["unit"] != plane.x_unit or (style in ("mediator", "axion") and poi["name"] != plane.poi):
        raise ConfigError(f"{path}: the {plane.name} plot needs {plane.poi} [{plane.poi_unit}] versus x in "
                          f"[{plane.x_unit}]; this file has {poi['name']} [{poi['unit']}] versus [{x['unit']}]")


def _xy(doc: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(doc["limit"]["x"], dtype=float), np.asarray(doc["limit"]["value"], dtype=float)


def cross_section_curves(docs: list[tuple[str, dict[str, Any]]]) -> list[plotting.Curve]:
    """SI or SD plane: '<experiment> [<variant>]', with the statistic and exposure of a projection."""
    curves = []
    for _, doc in docs:
        label = f"{doc['experiment']} [{doc['model']['variant']}]"
        kind = doc["result"]["kind"]
        if kind in ("projected", "discovery"):
            cl = doc["result"]["confidence_level"]
            exposure = doc["model"]["assumptions"].get("exposure_t_yr")
            what = f"{cl:.0%} CL median" if kind == "projected" else f"{norm.isf(1 - cl):.0f}σ discovery"
            label += f" {what}" + (f", {exposure:g} t·yr" if exposure else "")
        curves.append(plotting.Curve(label, *_xy(doc), True))
    return curves


def sigmav_curves(docs: list[tuple[str, dict[str, Any]]], by_channel_label: bool = False) -> list[tuple[str, plotting.Curve]]:
    """(channel, curve) of each ⟨σv⟩ file, labelled by experiment and variant (or, for the plot of
    one experiment, by experiment and channel)."""
    curves = []
    for _, doc in docs:
        combined = doc["result"]["method"]["name"] == "sum_of_profile_likelihoods"
        channel = doc["model"]["assumptions"].get("channel", "?")
        cl = f"{100 * doc['result']['confidence_level']:g}% CL"
        kind = "" if doc["result"]["kind"] == "observed" else f"{doc['result']['kind']}, "
        if by_channel_label:
            label = f"{doc['experiment']} {plotting.channel_label(channel)} ({doc['model']['variant']}, {kind}{cl})"
        else:
            label = f"{doc['experiment']} ({'combined' if combined else doc['model']['variant']}, {kind}{cl})"
        curves.append((channel, plotting.Curve(label, *_xy(doc), True)))
    return curves


def axion_curves(docs: list[tuple[str, dict[str, Any]]]) -> list[plotting.Curve]:
    curves = []
    for _, doc in docs:
        label = f"{doc['experiment']} {doc['model']['variant']} ({doc['result']['kind']})"
        curves.append(plotting.Curve(label, *_xy(doc), True))
        for aux in doc.get("auxiliary_limits", []):
            curves.append(plotting.Curve(f"{doc['experiment']} {doc['model']['variant']}: {aux['label']}",
                                         np.asarray(aux["x"]), np.asarray(aux["value"]), False))
    return curves


def mediator_curves(docs: list[tuple[str, dict[str, Any]]]) -> list[tuple]:
    curves = []
    for path, doc in docs:
        if not doc.get("auxiliary_limits"):
            raise ConfigError(f"{path}: a mediator-plane file carries the smallest excluded mass as an auxiliary limit")
        label = f"{doc['experiment']} {doc['model']['variant']} ({doc['result']['kind']})"
        x, upper = _xy(doc)
        lower = np.asarray(doc["auxiliary_limits"][0]["value"], dtype=float)
        curves.append((label, doc["result"]["kind"] == "observed", x, lower, upper))
    return curves


def draw(style: str, title: str, docs: list[tuple[str, dict[str, Any]]], context: list[plotting.Curve],
         pdf: str, png: str) -> None:
    """The plot of ``style`` with our limit files ``docs`` and published ``context`` curves."""
    for path, doc in docs:
        check_plane(path, doc, style)
    if style in ("si", "sd"):
        plotting.si_summary(cross_section_curves(docs) + context, pdf, png, title)
    elif style == "sigmav":
        plotting.sigmav_summary([c for _, c in sigmav_curves(docs, by_channel_label=True)] + context, pdf, png, title)
    elif style == "sigmav_plane":
        by_channel: dict[str, list[plotting.Curve]] = {}
        for channel, curve in sigmav_curves(docs):
            by_channel.setdefault(channel, []).append(curve)
        plotting.sigmav_plane(by_channel, pdf, png, title)
    elif style == "axion":
        plotting.axion_summary(axion_curves(docs) + context, pdf, png, title)
    elif style == "mediator":
        plotting.mediator_summary(mediator_curves(docs), pdf, png, title)
    else:  # pragma: no cover - the card schema lists the styles
        raise ConfigError(f"unknown plot style {style!r}")
