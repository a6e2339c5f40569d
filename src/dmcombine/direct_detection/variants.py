"""Model variants of direct-detection experiments, at planning time (standard library only).

A direct-detection experiment has its own named variants (``<experiment>.variants``) and takes
part in the shared ones (top-level ``dd_variants``); each variant overrides any part of the
experiment's ``model`` (halo, target, couplings, form factor) and gives its own limit file.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from dmcombine.planning.context import Context, merge


def variants(section: Dict[str, Any], ctx: Context, experiment: str) -> List[Tuple[str, Dict[str, Any]]]:
    """(name, complete model) of every variant the experiment runs: its own and the shared ones,
    sorted by name; a name defined in both places is a problem."""
    own, shared = section["variants"], ctx.config["dd_variants"]
    for name in sorted(set(own) & set(shared)):
        ctx.problem(f"{experiment}.variants.{name}", "also defined in dd_variants; give one of them another name")
    models = []
    for name in sorted(set(own) | set(shared)):
        override = own[name] if name in own else shared[name]
        models.append((name, merge(section["model"], override)))
    return models
