"""What an experiment's planning code is given: the validated configuration, the inputs
catalogue, and helpers that record problems instead of raising, so that one run of the planner
reports every mistake in the configuration at once, each naming its key."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

from dmcombine.planning.model import Input
from dmcombine.planning.paths import is_safe_component


def merge(base: Dict[str, Any], override: Dict[str, Any]) -> Dict[str, Any]:
    """``override`` merged into a copy of ``base``: mappings key by key, everything else replaced.

    >>> merge({"halo": {"rho": 0.3, "v0": 220}, "grid": [1, 2]}, {"halo": {"rho": 0.4}, "grid": [3]})
    {'halo': {'rho': 0.4, 'v0': 220}, 'grid': [3]}
    """
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def number_label(value: float) -> str:
    """The label of a number in a file name: shortest form that keeps every digit (200, 1000,
    10000.01, 2.5e-05), so that two different values never share an output name.

    >>> [number_label(v) for v in (200, 1000.0, 10000.01, 10000.02, 2.5e-05)]
    ['200', '1000', '10000.01', '10000.02', '2.5e-05']
    """
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Context:
    """The planner's view of the run: ``config`` (validated, defaults applied), ``catalogue``
    (DID -> catalogue entry), ``source`` (embedded or rucio) and the problems found so far."""

    def __init__(self, config: Dict[str, Any], catalogue: Dict[str, Any], catalogue_source: str) -> None:
        self.config = config
        self.catalogue = catalogue
        self.catalogue_source = catalogue_source
        self.problems: List[str] = []

    def problem(self, where: str, message: str) -> None:
        """Record a problem at config key ``where``."""
        self.problems.append(f"{where}: {message}")

    def did(self, did: str, where: str) -> Input:
        """An input named at config key ``where``; a DID missing from the catalogue is a problem."""
        if did not in self.catalogue:
            self.problem(where, f"DID {did} is not in the inputs catalogue {self.catalogue_source}")
        return Input(did, where)

    def grid(self, spec: Dict[str, Any], where: str) -> None:
        """A {min, max, points} grid must not be empty."""
        if spec["min"] > spec["max"]:
            self.problem(where, f"min ({spec['min']}) is larger than max ({spec['max']})")
        elif spec["points"] == 1 and spec["min"] != spec["max"]:
            self.problem(where, f"a single point needs min == max, got min={spec['min']}, max={spec['max']}")

    def interval(self, pair: List[float], where: str) -> None:
        """A [lower, upper] window must not be empty."""
        if pair[0] >= pair[1]:
            self.problem(where, f"[{pair[0]}, {pair[1]}] is empty; expected lower < upper")

    def names(self, chosen: List[str], defined: Dict[str, Any], where: str, of: str) -> List[str]:
        """The names in ``chosen`` that are defined in ``defined`` (config key ``of``); others are problems."""
        for name in chosen:
            if name not in defined:
                self.problem(where, f"{name!r} is not defined in {of} (defined: {', '.join(sorted(defined))})")
        return [name for name in chosen if name in defined]

    def labels(self, values: List[float], where: str) -> Dict[str, float]:
        """label -> value for numbers that name output files; two values with one label are a problem."""
        labels: Dict[str, float] = {}
        for value in values:
            label = number_label(value)
            if label in labels and labels[label] != value:
                self.problem(where, f"{labels[label]} and {value} would share the output name {label!r}")
            labels[label] = value
        return labels

    def safe(self, value: str, where: str) -> Optional[str]:
        """``value`` if it can name a folder, else a problem (and None)."""
        if not is_safe_component(value):
            self.problem(where, f"{value!r} cannot name an output folder; use letters, digits, '_' and '-'")
            return None
        return value
