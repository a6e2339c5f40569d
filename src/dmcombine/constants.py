"""Physical constants and unit conversions used across the package.

Values are CODATA 2018 (as in the PDG Review of Particle Physics 2024, Table 1.1). Every name
carries its unit.
"""

from __future__ import annotations

SPEED_OF_LIGHT_KM_S = 299_792.458
"""Speed of light in vacuum [km/s] (exact)."""

GEV_C2_IN_KG = 1.782_661_92e-27
"""Mass of 1 GeV/c^2 in kg."""

ATOMIC_MASS_UNIT_GEV = 0.931_494_102_42
"""Unified atomic mass unit u [GeV/c^2]."""

PROTON_MASS_GEV = 0.938_272_088_16
"""Proton mass [GeV/c^2]."""

HBAR_C_GEV_FM = 0.197_326_980_4
"""hbar*c [GeV fm]."""

SECONDS_PER_DAY = 86_400.0
KEV_PER_GEV = 1.0e6
CM_PER_KM = 1.0e5
DAYS_PER_YEAR = 365.25
"""Julian year [days], used for exposures quoted in t*yr."""

SECONDS_PER_YEAR = DAYS_PER_YEAR * SECONDS_PER_DAY
"""Julian year [s]."""

BOLTZMANN_J_K = 1.380_649e-23
"""Boltzmann constant [J/K] (exact)."""

HBAR_GEV_S = 6.582_119_569e-25
"""Reduced Planck constant [GeV s]."""

JOULE_PER_GEV = 1.602_176_634e-10
"""1 GeV in J (exact)."""

ELEMENTARY_CHARGE_C = 1.602_176_634e-19
"""Elementary charge [C] (exact)."""

FINE_STRUCTURE = 7.297_352_5693e-3
"""Fine-structure constant alpha."""

PLANCK_EV_S = 4.135_667_696e-15
"""Planck constant h [eV s] (exact): a photon of energy E has frequency E/h."""

GEV_MINUS2_IN_CM2 = (HBAR_C_GEV_FM * 1.0e-13) ** 2
"""1 GeV^-2 in cm^2: (hbar c)^2 = 0.3893794e-27 GeV^2 cm^2 (cross-sections from natural units)."""
