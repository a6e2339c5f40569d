"""The experiments dmcombine runs: one line each.

An experiment ``<name>`` is the package ``dmcombine.experiments.<name>`` (its planning code
``plan.py``, its command ``command.py``, its physics, ``schema.yaml``, ``config.yaml`` and
``inputs.yaml``), the rule file ``workflows/<name>.smk``, the data folder it reads, its page
``docs/<name>.md`` and its tests ``tests/experiments/test_<name>.py``. Everything shared (the
workflow, summaries, combinations, exports, the REANA spec) finds experiments here and nowhere
else; see docs/adding-an-experiment.md.

Standard library only: the planning layer imports this inside REANA's Snakemake engine.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXPERIMENTS = (
    "darkside50",
    "fermi_dwarfs",
    "xlzd",
    "atlas_dilepton",
    "madmax",
    "km3net",
)


def package(name: str) -> str:
    """The package of a registered experiment."""
    if name not in EXPERIMENTS:
        raise KeyError(f"unknown experiment {name!r}; registered: {', '.join(EXPERIMENTS)}")
    return f"dmcombine.experiments.{name}"


def module(name: str, part: str) -> ModuleType:
    """``dmcombine.experiments.<name>.<part>`` (``plan`` or ``command``)."""
    return importlib.import_module(f"{package(name)}.{part}")
