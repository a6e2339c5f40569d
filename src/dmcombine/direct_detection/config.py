"""Build the shared direct-detection objects (halo, target, couplings) from a config block."""

from __future__ import annotations

from typing import Any

from dmcombine.constants import ATOMIC_MASS_UNIT_GEV
from dmcombine.direct_detection.halo import StandardHaloModel
from dmcombine.direct_detection.nuclear import FormFactor, Isotope, Target
from dmcombine.direct_detection.rates import Couplings
from dmcombine.errors import ConfigError


def halo_from_config(block: dict[str, Any], where: str) -> StandardHaloModel:
    """``{rho_gev_cm3, v0_km_s, vesc_km_s, vearth_km_s}`` -> :class:`StandardHaloModel`."""
    try:
        return StandardHaloModel(
            rho_gev_cm3=float(block["rho_gev_cm3"]),
            v0_km_s=float(block["v0_km_s"]),
            vesc_km_s=float(block["vesc_km_s"]),
            vearth_km_s=float(block["vearth_km_s"]),
        )
    except KeyError as exc:
        raise ConfigError(f"{where}.halo: missing key {exc.args[0]}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}.halo: {exc}") from None


def target_from_config(block: dict[str, Any], where: str) -> Target:
    """``{name, isotopes: [{mass_number, atomic_number, mass_u, mass_fraction}]}`` -> :class:`Target`."""
    try:
        isotopes = tuple(
            Isotope(
                mass_number=float(iso["mass_number"]),
                atomic_number=int(iso["atomic_number"]),
                mass_gev=float(iso["mass_u"]) * ATOMIC_MASS_UNIT_GEV,
                mass_fraction=float(iso.get("mass_fraction", 1.0)),
            )
            for iso in block["isotopes"]
        )
        return Target(str(block["name"]), isotopes)
    except KeyError as exc:
        raise ConfigError(f"{where}.target: missing key {exc.args[0]}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}.target: {exc}") from None


def couplings_from_config(block: dict[str, Any]) -> Couplings:
    """``{fn_over_fp}`` -> :class:`Couplings`."""
    return Couplings(fn_over_fp=float(block.get("fn_over_fp", 1.0)))


def form_factor_from_config(block: dict[str, Any] | None, where: str) -> FormFactor:
    """``{name: helm|none, skin_fm, a_fm}`` -> :class:`FormFactor` (Helm with Lewin-Smith numbers by default)."""
    block = block or {}
    try:
        return FormFactor(str(block.get("name", "helm")), float(block.get("skin_fm", 0.9)), float(block.get("a_fm", 0.52)))
    except ValueError as exc:
        raise ConfigError(f"{where}.form_factor: {exc}") from None
