"""The experiments dmcombine runs and the models that connect their planes: one line each.

An experiment ``<name>`` is the package ``dmcombine.experiments.<name>`` (its planning code
``plan.py``, its command ``command.py``, its physics, ``schema.yaml``, ``config.yaml`` and
``inputs.yaml``), the rule file ``workflows/<name>.smk``, the data folder it reads, its page
``docs/<name>.md`` and its tests ``tests/experiments/test_<name>.py``. Everything shared (the
workflow, summaries, combinations, exports, the REANA spec) finds experiments here and nowhere
else; see docs/adding-an-experiment.md. A model ``<name>`` is the package ``dmcombine.models.<name>``
(the same shape: physics, plan, command, schema and config; see :mod:`dmcombine.models`).

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


# The models that translate results between planes (src/dmcombine/models/<name>/): one line each.
MODELS = (
    "spin1_mediator",
    "higgs_portal",
)


def _package(name: str, registered: tuple[str, ...], folder: str, what: str) -> str:
    if name not in registered:
        raise KeyError(f"unknown {what} {name!r}; registered: {', '.join(registered)}")
    return f"dmcombine.{folder}.{name}"


def package(name: str) -> str:
    """The package of a registered experiment."""
    return _package(name, EXPERIMENTS, "experiments", "experiment")


def model_package(name: str) -> str:
    """The package of a registered model."""
    return _package(name, MODELS, "models", "model")


def module(name: str, part: str) -> ModuleType:
    """``dmcombine.experiments.<name>.<part>`` (``plan`` or ``command``)."""
    return importlib.import_module(f"{package(name)}.{part}")


def model_module(name: str, part: str) -> ModuleType:
    """``dmcombine.models.<name>.<part>`` (``plan``, ``command`` or ``physics``)."""
    return importlib.import_module(f"{model_package(name)}.{part}")
