"""The models in the default run: what each translation records, the joint ATLAS + DarkSide-50
exclusion against its members, the relic line, the Higgs-portal point, and the plots that draw
them (curves and layers counted from each PNG's manifest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dmcombine import limitfile
from dmcombine.plotting import manifest_of
from dmcombine.provenance import sha256_file

pytestmark = pytest.mark.workflow

V2 = "results/models/spin1_mediator/V2"
JOINT = "results/combination/mediator_vector_gq0p1_gl0p01_gchi1/limit.json"


def _at(doc: dict, x: float) -> float:
    """A file's limit at x (log-log interpolation)."""
    return float(np.exp(np.interp(np.log(x), np.log(doc["limit"]["x"]), np.log(doc["limit"]["value"]))))


def test_a_translation_records_its_model_formula_constants_and_source(default_run: Path) -> None:
    doc = limitfile.read(default_run / V2 / "darkside50_published.json")
    assert limitfile.version_of(doc) == 3 and doc["result"]["method"]["name"] == "translation"
    t = doc["translation"]
    assert t["model"] == "spin1_mediator" and t["benchmark"] == "V2" and t["parameters"]["g_q"] == 0.1
    assert "9/pi" in t["formula"] and t["constants"]["nucleon_mass_gev"] == pytest.approx(0.93827208816)
    source = default_run / "results/darkside50/published/limit.json"
    assert t["source"]["file"] == "results/darkside50/published/limit.json" and t["source"]["sha256"] == sha256_file(source)
    assert doc["provenance"]["inputs"] == limitfile.read(source)["provenance"]["inputs"]
    assert doc["likelihood"]["type"] == "poisson_counting_grid"  # DarkSide-50's own count, on the grid
    published = limitfile.read(default_run / V2 / "imported_si_lz_2024.json")
    assert limitfile.is_published(published) and published["translation"]["source"]["licence"]
    higgs = limitfile.read(default_run / "results/models/higgs_portal/scalar/atlas_run2.json")
    assert higgs["translation"]["source"]["kind"] == "fact" and limitfile.is_published(higgs)


def test_the_round_trip_atlas_to_sigma_si(default_run: Path) -> None:
    # ATLAS's excluded M_med translated to sigma_SI, and back, is ATLAS's curve
    from dmcombine.models.spin1_mediator import physics

    atlas = limitfile.read(default_run / "results/atlas_dilepton/V2/mediator_observed.json")
    si = limitfile.read(default_run / V2 / "atlas_dilepton_V2_mediator_observed.json")
    back = physics.excluded_mediator_mass("vector", 0.1, 1.0, si["limit"]["value"], si["limit"]["x"])
    np.testing.assert_allclose(back, atlas["limit"]["value"], rtol=1e-12)


def test_the_joint_exclusion_beside_each_member(default_run: Path) -> None:
    joint = limitfile.read(default_run / JOINT)
    method = joint["result"]["method"]
    assert method["name"] == "joint_signal_strength_test" and "exact distribution" in method["description"]
    alone = {a["label"].split(" alone")[0]: a for a in joint["auxiliary_limits"][1:]}
    assert set(alone) == {"ATLAS", "DarkSide-50"}
    atlas = limitfile.read(default_run / "results/atlas_dilepton/V2/mediator_observed.json")
    ds50 = limitfile.read(default_run / V2 / "darkside50_published.json")
    # at 1 GeV DarkSide-50 sees nothing: the joint is ATLAS, and ATLAS alone reproduces its own file
    # (read off its 100-point grid: within one grid step, 3.3 %)
    assert _at(joint, 1.0) == pytest.approx(_at({"limit": alone["ATLAS"]}, 1.0), rel=1e-9)
    assert _at(joint, 1.0) == pytest.approx(_at(atlas, 1.0), rel=0.035)
    # at 500 GeV the joint excludes more than either alone; DarkSide-50 alone at 95% excludes less
    # than its own 90% CL translation
    j, a, d = _at(joint, 500.0), _at({"limit": alone["ATLAS"]}, 500.0), _at({"limit": alone["DarkSide-50"]}, 500.0)
    assert j > d > a and d < _at(ds50, 500.0)


def test_relic_lines_and_higgs_portal_point(default_run: Path) -> None:
    line = json.loads((default_run / V2 / "relic_line.json").read_text())
    above = [b for b in line["branches"] if b["branch"] == "above the resonance"]
    m200 = [float(np.interp(200.0, b["m_chi_gev"], b["m_med_gev"])) for b in above if b["m_chi_gev"][0] <= 200 <= b["m_chi_gev"][-1]]
    assert m200 and m200[0] == pytest.approx(963.2, rel=0.01)  # tests/models/test_relic.py pins the physics
    scalar = limitfile.read(default_run / "results/models/higgs_portal/scalar/atlas_run2.json")
    # 8 Gamma_inv m_N^4 f_N^2 / (m_h^3 v^2 beta (m + m_N)^2) at 50 GeV (tests/models/test_higgs_portal.py): 6.076e-46
    assert _at(scalar, 50.0) == pytest.approx(6.0758e-46, rel=0.01)
    labels = [a["label"] for a in scalar["auxiliary_limits"]]
    assert labels == ["f_N minus 1 sigma (0.29)", "f_N plus 1 sigma (0.326)", "Briefing Book notebook constants"]


def _curves(plot: dict) -> list[dict]:
    return [c for ax in plot["axes"] for c in ax["curves"]]


def test_each_model_plot_counts_its_curves_and_layers(default_run: Path) -> None:
    v2 = _curves(manifest_of(default_run / "results/summary/mediator_V2_summary.png"))
    keys = [c["key"] for c in v2]
    # ATLAS observed and expected, DarkSide-50 translated, the joint and each member alone; relic
    # line (two branches, one legend entry) and the on-shell threshold; XLZD, LZ and XENONnT lie beyond the frame
    alone = [k for k in keys if "alone" in k]
    assert len(alone) == 2 and sum(k.startswith("combination") for k in keys) == 1
    assert sum(k.startswith("atlas_dilepton") for k in keys if k not in alone) == 2
    assert sum(k.startswith("darkside50") for k in keys if k not in alone) == 1
    assert any(k.startswith("reference:thermal relic") for k in keys) and "reference:threshold" in keys
    higgs = _curves(manifest_of(default_run / "results/summary/higgs_portal_summary.png"))
    translated = [c for c in higgs if "translated" in c["label"]]
    assert len(translated) == 8  # ATLAS, CMS, HL-LHC, FCC-ee x scalar, Majorana (expected limits not drawn)
    assert any("LZ 2024" in c["label"] for c in higgs) and any("Neutrino fog" in c["label"] for c in higgs)
    assert any(c["label"].startswith("DarkSide-50 [published]") for c in higgs) and any(c["label"].startswith("XLZD") for c in higgs)


def test_the_sd_axion_and_a2_plots_count_their_curves_and_layers(default_run: Path) -> None:
    from ..conftest import default_plan

    imports = default_plan().config["imports"]
    sd = manifest_of(default_run / "results/summary/sd_summary.png")
    assert len(sd["axes"]) == 2  # a proton and a neutron panel
    for ax, nucleon in zip(sd["axes"], ("proton", "neutron"), strict=True):
        published = [c for c in ax["curves"] if c["label"].endswith("(published)")]
        expected = [n for n, spec in imports.items() if spec["plane"] == "sd" and spec["assumptions"]["nucleon"] == nucleon]
        assert len(published) == len(expected), (nucleon, [c["label"] for c in published])
        assert sum(c["label"].startswith("ATLAS [A2]") for c in ax["curves"]) == 1  # the translation, in both panels
    axion = _curves(manifest_of(default_run / "results/summary/axion_summary.png"))
    layer = [n for n, spec in imports.items() if spec["layer"] == "axionlimits"]
    assert len({c["key"] for c in axion if c["label"].endswith("(published)")}) == len(layer)
    a2 = manifest_of(default_run / "results/summary/mediator_A2_summary.png")
    keys = [c["key"] for c in _curves(a2)]
    translated = [k for k in keys if k.startswith("translation mediator")]
    # LZ, XENONnT (SD-neutron) and PICO-60 (SD-proton) translated into A2, all inside the frame
    assert len(translated) == 3, keys
    assert sum(k.startswith("atlas_dilepton") for k in keys) == 2 and "reference:threshold" in keys
