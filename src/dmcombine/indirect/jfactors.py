"""J-factor tables: log10 J [GeV² cm⁻⁵] and its log-normal width [dex] per target.

Two formats are read:
* ``albert2017_table``: ``Jfactors.dat`` of the Fermi-LAT release of Albert et al. (2017,
  arXiv:1611.03184, Table 1): target names in '# Row NN name' comments, then rows of
  GLon GLat dist log10(J_NFW) sigma ...; targets without a kinematic J have NaN and are skipped.
* ``dmsky``: the YAML J-factor collections of fermiPy/dmsky (MIT), one entry per target and
  profile key, with ``j_integ`` [GeV² cm⁻⁵] and ``j_sigma`` [dex].
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import yaml

from dmcombine.errors import InputFormatError

JTable = dict[str, tuple[float, float]]  # target -> (log10 J [GeV^2 cm^-5], sigma [dex])


def read_albert2017_table(data: bytes, source: str) -> JTable:
    """Kinematic NFW J-factors of ``Jfactors.dat`` (columns 3 and 4: log10 J, sigma)."""
    text = data.decode("utf-8")
    names = re.findall(r"^#\s*Row\s+\d+\s+(\S+)\s*$", text, flags=re.M)
    rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not names or len(names) != len(rows):
        raise InputFormatError(f"{source}: {len(names)} '# Row' names but {len(rows)} data rows")
    table: JTable = {}
    for name, line in zip(names, rows, strict=True):
        try:
            values = np.loadtxt(io.StringIO(line))
        except ValueError as exc:
            raise InputFormatError(f"{source}: row of {name} is not numeric: {exc}") from None
        if values.size < 5:
            raise InputFormatError(f"{source}: row of {name} has {values.size} columns, expected at least 5")
        log_j, sigma = float(values[3]), float(values[4])
        if math.isfinite(log_j) and math.isfinite(sigma):
            table[name] = (log_j, sigma)
    return table


def read_dmsky(data: bytes, source: str, key: str) -> JTable:
    """The ``key`` entry (e.g. ``ackermann2014_nfw``) of each target of a dmsky YAML file."""
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise InputFormatError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise InputFormatError(f"{source}: expected a mapping of targets")
    table: JTable = {}
    for name, entries in doc.items():
        entry = entries.get(key) if isinstance(entries, dict) else None
        if not isinstance(entry, dict):
            continue
        j, sigma = entry.get("j_integ"), entry.get("j_sigma")
        if isinstance(j, (int, float)) and isinstance(sigma, (int, float)) and j > 0 and math.isfinite(sigma):
            table[str(name)] = (math.log10(j), float(sigma))
    if not table:
        raise InputFormatError(f"{source}: no target has a '{key}' entry with j_integ and j_sigma")
    return table
