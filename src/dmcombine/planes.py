"""The planes results are drawn and combined in, keyed by the parameter of interest of a limit
file. Summaries, combinations, the provenance table and the HEPData export find a file's plane
here, from the file's own ``parameter_of_interest``; no experiment is named.

Standard library only (the planning layer reads it inside REANA's Snakemake engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple


@dataclass(frozen=True)
class Plane:
    """A plane: its parameter of interest, x variable and the assumptions that define it."""

    name: str
    poi: str
    poi_unit: str
    x_unit: str
    title: str
    # assumptions that change what the parameter means (results differing in one are never combined)
    defining: Tuple[str, ...] = ()
    # the defining assumptions that tell automatic combinations apart (and name them)
    grouping: Tuple[str, ...] = ()

    def group_name(self, defining: Dict[str, Any]) -> str:
        """The name of an automatic combination in this plane, e.g. ``sigmav_tautau``
        (``_dirac`` is added for non-self-conjugate dark matter)."""
        parts = [self.name]
        for key in self.grouping:
            value = defining.get(key)
            if key == "self_conjugate":
                if value is False:
                    parts.append("dirac")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):  # a coupling: gq0p1
                parts.append(f"{key.replace('_', '')}{value:g}".replace(".", "p").replace("-", "m"))
            elif value is not None:
                parts.append(str(value))
        return "_".join(parts)


PLANES = {
    plane.name: plane
    for plane in (
        # a cross-section per nucleon means the same for every target only under the same halo and
        # the same neutron/proton couplings
        Plane("si", "sigma_si_nucleon", "cm^2", "GeV", "Spin-independent WIMP-nucleon scattering", ("halo", "couplings")),
        Plane("sd", "sigma_sd_nucleon", "cm^2", "GeV", "Spin-dependent WIMP-nucleon scattering", ("halo", "couplings")),
        Plane("sigmav", "sigmav", "cm^3/s", "GeV", "Dark-matter annihilation: all results", ("channel", "self_conjugate"),
              ("channel", "self_conjugate")),
        Plane("mediator", "mediator_mass", "GeV", "GeV", "Spin-1 mediators: excluded (M_med, m_chi)",
              ("kind", "g_q", "g_l", "g_chi"), ("kind", "g_q", "g_l", "g_chi")),
        # the local axion density scales the signal power
        Plane("axion", "g_agamma", "GeV^-1", "eV", "Axion dark matter: axion-photon coupling", ("rho_gev_cm3",)),
    )
}
BY_POI = {plane.poi: plane for plane in PLANES.values()}


@dataclass(frozen=True)
class View:
    """One summary plot: the files of a plane whose tags (LimitOutput.tags) allow it. ``allow``:
    per tag, the values a file may have (None: the file has no such tag; e.g. ``model``, the model
    that translated it); ``x_range``: the x axis
    when it should not be framed on the results."""

    name: str
    plane: str
    title: str
    allow: Tuple[Tuple[str, Tuple[Any, ...]], ...] = ()
    x_range: Optional[Tuple[float, float]] = None
    split_by: Optional[str] = None  # one plot per value of this tag, named <view>_<value>

    def shows(self, plane: str, tags: Dict[str, Any]) -> bool:
        return plane == self.plane and all(tags.get(key) in values for key, values in self.allow)


VIEWS = (
    View("si", "si", PLANES["si"].title, (("model", (None, "spin1_mediator")),)),
    View("sd", "sd", PLANES["sd"].title),  # a proton and a neutron panel (the files' nucleon assumption)
    View("sigmav", "sigmav", PLANES["sigmav"].title),
    View("mediator", "mediator", PLANES["mediator"].title, split_by="benchmark"),  # one plot per benchmark
    View("axion", "axion", PLANES["axion"].title),
    # the Higgs portal's translations beside the direct-detection limits, below m_h/2 and a little above
    View("higgs_portal", "si", "Higgs portal: BR(h -> inv) limits as SI WIMP-nucleon cross-sections",
         (("model", (None, "higgs_portal")),), (1.0, 1000.0)),
)


def plane_of(poi: str) -> Optional[Plane]:
    """The plane of a parameter of interest, or None.

    >>> plane_of("sigmav").name, plane_of("unknown")
    ('sigmav', None)
    """
    return BY_POI.get(poi)


def defining_assumptions(poi: str) -> Tuple[str, ...]:
    """The assumptions that define a parameter of interest (empty for an unknown one)."""
    plane = BY_POI.get(poi)
    return plane.defining if plane else ()
