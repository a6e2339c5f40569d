"""One visual language, checked on every plot the workflow makes (from the manifest each PNG
carries, see dmcombine.plotting): a result keeps its style in every plot, no two curves of one
axes look alike, no curve lies wholly outside its axes, and no legend covers the axes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmcombine.plotting import manifest_of

from ..conftest import REPO

pytestmark = pytest.mark.workflow


def _signature(curve: dict) -> tuple:
    return (curve["color"], curve["line"], curve["marker"], round(curve["width"], 2), curve["fill"])


def _plots(default_run: Path) -> dict[str, dict]:
    plots = {str(p.relative_to(default_run)): manifest_of(p) for p in sorted((default_run / "results").rglob("*.png"))
             if "catalogue" not in p.parts}  # the catalogue holds copies and browser screenshots
    assert len(plots) >= 9, sorted(plots)  # five summary planes, three Fermi-LAT sets, KM3NeT
    return plots


def test_no_two_curves_of_one_axes_look_alike(default_run: Path) -> None:
    for name, plot in _plots(default_run).items():
        for ax in plot["axes"]:
            looks: dict[tuple, str] = {}
            for curve in ax["curves"]:
                other = looks.setdefault(_signature(curve), curve["key"])
                assert other == curve["key"], f"{name} {ax['title']!r}: {other!r} and {curve['key']!r} look the same"


def test_a_result_looks_the_same_in_every_plot(default_run: Path) -> None:
    seen: dict[str, tuple[tuple, str]] = {}
    drawn_twice = set()
    for name, plot in _plots(default_run).items():
        for ax in plot["axes"]:
            for curve in ax["curves"]:
                if not curve["key"] or curve["key"].startswith("reference:"):
                    continue
                first = seen.setdefault(curve["key"], (_signature(curve), name))
                if first[1] != name:
                    drawn_twice.add(curve["key"])
                assert first[0] == _signature(curve), f"{curve['key']}: {first[0]} in {first[1]}, {_signature(curve)} in {name}"
    assert drawn_twice  # e.g. the Fermi-LAT reference set: on the <sigma v> plane and on its own plot


def test_every_curve_is_inside_its_axes_and_legends_cover_nothing(default_run: Path) -> None:
    for name, plot in _plots(default_run).items():
        assert plot["legends_clear_of_axes"], f"{name}: a legend overlaps the axes"
        for ax in plot["axes"]:
            (x0, x1), (y0, y1) = sorted(ax["xlim"]), sorted(ax["ylim"])
            for curve in ax["curves"]:
                inside = curve["x"][1] >= x0 and curve["x"][0] <= x1 and curve["y"][1] >= y0 and curve["y"][0] <= y1
                assert inside, f"{name} {ax['title']!r}: {curve['label']} lies outside the axes"


def test_ours_are_thick_published_thin_and_labelled(default_run: Path) -> None:
    si = manifest_of(default_run / "results/summary/si_summary.png")
    curves = si["axes"][0]["curves"]
    published = [c for c in curves if c["label"].endswith("(published)")]
    ours = [c for c in curves if c["label"].endswith("(this work)")]
    assert len(published) == 8 and len(ours) == 7
    assert all(c["width"] < 1.5 for c in published if not c["fill"]) and all(c["width"] >= 2.5 for c in ours)
    # 90% and 95% CL results share this plot: each label says which
    assert all("CL" in c["label"] or "discovery" in c["label"] for c in ours)
    assert any("thermal relic" in c["label"] and "Steigman" in c["label"]
               for c in manifest_of(default_run / "results/summary/sigmav_summary.png")["axes"][0]["curves"])


def test_the_documentation_shows_the_plot_the_workflow_makes(default_run: Path) -> None:
    """docs/si_summary.png (in the README) is the default run's SI plot, byte for byte: refresh it
    with `cp results/summary/si_summary.png docs/` when the plot changes."""
    made = (default_run / "results/summary/si_summary.png").read_bytes()
    assert (REPO / "docs/si_summary.png").read_bytes() == made, "docs/si_summary.png is stale"
