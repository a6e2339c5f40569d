"""Higgs-portal planning: every configured BR(h -> inv) limit, for every spin, becomes a σ_SI
curve on the Higgs-portal plot (tag model=higgs_portal), drawn as a translated published number
(the expected limits are written, not drawn).
Standard library only."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from dmcombine.planning.context import Context
from dmcombine.planning.model import LimitOutput, Translation

MODEL = "higgs_portal"


def translations(section: Dict[str, Any], ctx: Context, available: Dict[str, Tuple[LimitOutput, bool, str]],
                 notes: List[str]) -> List[Translation]:
    ctx.grid(section["dm_gev"], f"{MODEL}.dm_gev")
    if section["dm_gev"]["max"] >= 62.5:
        ctx.problem(f"{MODEL}.dm_gev.max", f"{section['dm_gev']['max']} GeV: the Higgs decays to dark matter only "
                                            "below m_h/2 = 62.5 GeV")
    planned = []
    for spin in section["spins"]:
        for name, limit in sorted(section["limits"].items()):
            path = f"results/models/{MODEL}/{spin}/{name}.json"
            planned.append(Translation(
                f"{MODEL}.{spin}.{name}",
                {"model": MODEL, "what": "br_to_sigma_si", "benchmark": spin, "spin": spin,
                 "constants": section["constants"], "dm_gev": section["dm_gev"], "name": name, "limit": limit},
                LimitOutput(path, pattern=path, experiment=limit["experiment"], plane="si", kind=limit["kind"],
                            combinable=False, plotted=limit["kind"] != "expected", tags=(("model", MODEL),)),
                published_label=limit["label"]))
    return planned
