"""What the Higgs portal's entries of the model_translate job compute: one σ_SI curve per
(BR(h -> inv) limit, spin), with the f_N ± 1σ curves and the Briefing Book notebook's constants
beside it (auxiliary limits)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dmcombine.limitfile import MODEL_VERSION, header
from dmcombine.models.higgs_portal import physics

SI = {"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI WIMP-nucleon cross-section"}
BR = {"name": "br_h_invisible", "unit": "1", "label": "BR(h -> invisible)"}


def br_to_sigma_si(entry: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """The limit file of one entry (no source file: the input is a cited number)."""
    import dataclasses

    limit, spin = entry["limit"], entry["spin"]
    grid = entry["dm_gev"]
    m = np.geomspace(grid["min"], grid["max"], grid["points"])
    constants = physics.constant_set(entry["constants"])
    sigma = physics.sigma_si_from_br(m, limit["br"], spin, constants)
    auxiliary = []
    if constants.f_n_uncertainty:
        for sign, word in ((-1, "minus"), (1, "plus")):
            shifted = dataclasses.replace(constants, f_n=constants.f_n + sign * constants.f_n_uncertainty)
            auxiliary.append({"label": f"f_N {word} 1 sigma ({shifted.f_n:g})",
                              "x": m, "value": physics.sigma_si_from_br(m, limit["br"], spin, shifted)})
    if constants.name != "briefing_book":
        auxiliary.append({"label": "Briefing Book notebook constants",
                          "x": m, "value": physics.sigma_si_from_br(m, limit["br"], spin, "briefing_book")})
    formula = ("sigma_SI = P Gamma_inv m_N^4 f_N^2 / (m_h^3 v^2 beta (m_chi + m_N)^2)" if spin == "scalar" else
               "sigma_SI = P Gamma_inv m_N^4 m_chi^2 f_N^2 / (m_h^5 v^2 beta^3 (m_chi + m_N)^2)")
    formula += ", Gamma_inv = BR/(1 - BR) Gamma_SM, beta = sqrt(1 - 4 m_chi^2/m_h^2) (dmcombine.models.higgs_portal.physics)"
    validity = "m_chi < m_h/2; tree level, zero momentum transfer"
    if spin == "majorana":
        scale = physics.majorana_eft_scale(m, limit["br"], constants)
        validity += (f"; dimension-5 EFT (H^dag H chibar chi / Lambda): Lambda/lambda_hchichi >= {scale.min():.0f} GeV "
                     f"on this grid ({scale[np.argmin(np.abs(m - 50.0))]:.0f} GeV at 50 GeV), valid while Lambda >> m_h")
    description = (f"the {100 * 0.95:g}% CL upper limit BR(h -> inv) < {limit['br']:g} translated to sigma_SI for "
                   f"{spin} dark matter coupled through the Higgs portal ({constants.name} constants)")
    return {
        **header(limit["experiment"], f"BR(h -> inv) < {limit['br']:g} as a Higgs-portal {spin} DM limit",
                 limit["references"] + physics.REFERENCES, limit["kind"], 0.95, "translation", description, MODEL_VERSION),
        "model": {"name": f"Higgs-portal {spin} dark matter", "variant": spin,
                  "assumptions": {"label": f"{limit['label']} ({spin})", "spin": spin, "br_limit": limit["br"],
                                  "constants": constants.name}},
        "parameter_of_interest": SI,
        "x": {"name": "mass", "unit": "GeV", "label": "WIMP mass"},
        "limit": {"x": m, "value": sigma},
        "likelihood": {"type": "not_available", "reason": "a translated upper limit on BR(h -> inv); its likelihood is not public"},
        "auxiliary_limits": auxiliary,
        "provenance": provenance,
        "translation": {
            "model": "higgs_portal", "benchmark": spin, "from": BR, "to": SI, "formula": formula,
            "parameters": {"spin": spin},
            "constants": {k: v for k, v in dataclasses.asdict(constants).items() if k not in ("name", "source")},
            "validity": validity,
            "source": {"kind": "fact", "experiment": limit["experiment"], "method": "published",
                       "description": f"BR(h -> inv) < {limit['br']:g} ({limit['kind']}, 95% CL), cited in the higgs_portal config",
                       "references": limit["references"]},
        },
    }
