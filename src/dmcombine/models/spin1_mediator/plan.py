"""Spin-1 mediator planning: what the model translates in this run, chosen from the limit files'
metadata (plane, kind, couplings), never from experiment names. Standard library only.

Per benchmark: every mediator-plane result of this run with the benchmark's couplings (ATLAS's
observed exclusion) becomes a σ_SI (vector) or σ_SD (axial) curve; every configured
direct-detection limit of the right plane becomes a curve in the benchmark's mediator plane (a
translated result of ours with a likelihood joins the benchmark's joint exclusion); and the
benchmark's thermal-relic line is drawn on its mediator plot.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from dmcombine.planning.context import Context
from dmcombine.planning.model import LimitOutput, ReferenceOutput, Translation

MODEL = "spin1_mediator"
DD_PLANE = {"vector": "si", "axial": "sd"}


def couplings_key(benchmark: Dict[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    """What identifies a benchmark in limit-file metadata (the mediator plane's defining assumptions)."""
    return tuple(sorted((k, benchmark[k]) for k in ("kind", "g_q", "g_l", "g_chi")))


def slug(path: str) -> str:
    """A short name for a source file: results/imported/si_lz_2024/limit.json -> imported_si_lz_2024."""
    stem = path[len("results/"):] if path.startswith("results/") else path
    stem = stem[:-len("/limit.json")] if stem.endswith("/limit.json") else stem[:-len(".json")]
    return stem.replace("/", "_")


def translations(section: Dict[str, Any], ctx: Context, available: Dict[str, Tuple[LimitOutput, bool, str]],
                 notes: List[str]) -> List[Translation]:
    """``available``: public path -> (limit output, whether it is an import, its label)."""
    ctx.grid(section["mediator_grid_gev"], f"{MODEL}.mediator_grid_gev")
    planned: List[Translation] = []
    for name, benchmark in sorted(section["benchmarks"].items()):
        kind = benchmark["kind"]
        key = couplings_key(benchmark)
        folder = f"results/models/{MODEL}/{name}"
        base = {"model": MODEL, "benchmark": name, "couplings": benchmark}
        # the mediator-plane results with these couplings -> sigma_SI / sigma_SD
        for path, (output, imported, _label) in sorted(available.items()):
            if output.plane != "mediator" or imported:
                continue
            if dict(output.tags).get("benchmark") == name and dict(output.defining) != dict(key):
                ctx.problem(f"{MODEL}.benchmarks.{name}", f"{path} is a {name} result with the couplings "
                                                          f"{dict(output.defining)}, not this benchmark's {benchmark}; "
                                                          "one name, one set of couplings")
            if output.kind != "observed" or dict(output.defining) != dict(key):
                continue
            role = f"{MODEL}.{name}.{slug(path)}"
            planned.append(Translation(
                role, {**base, "what": "to_direct_detection", "source": path},
                LimitOutput(f"{folder}/{slug(path)}.json", pattern=f"{folder}/{slug(path)}.json",
                            experiment=output.experiment, plane=DD_PLANE[kind], kind="observed", combinable=False,
                            tags=(("model", MODEL),)),
                depends=[path]))
        # direct-detection limits -> the benchmark's mediator plane
        for i, path in enumerate(section["to_mediator"].get(kind, [])):
            where = f"{MODEL}.to_mediator.{kind}[{i}]"
            if path not in available:
                notes.append(f"{where}: {path} is not written by this run (its experiment or import layer is off); skipped")
                continue
            output, imported, label = available[path]
            if output.plane != DD_PLANE[kind]:
                ctx.problem(where, f"{path} is a limit in the {output.plane or 'no'} plane; a {kind} benchmark translates "
                                   f"{DD_PLANE[kind]} limits")
                continue
            ours_with_likelihood = not imported and output.combinable and output.kind == "observed"
            role = f"{MODEL}.{name}.{slug(path)}"
            planned.append(Translation(
                role, {**base, "what": "to_mediator", "source": path, "mediator_grid_gev": section["mediator_grid_gev"]},
                LimitOutput(f"{folder}/{slug(path)}.json", pattern=f"{folder}/{slug(path)}.json",
                            experiment=output.experiment, plane="mediator", kind=output.kind,
                            representative=ours_with_likelihood, combinable=ours_with_likelihood, defining=key,
                            tags=(("benchmark", name),)),
                depends=[path], published_label=label if imported else None))
        planned.append(Translation(
            f"{MODEL}.{name}.relic_line", {**base, "what": "relic_line", "relic": section["relic"]},
            ReferenceOutput(f"{folder}/relic_line.json", pattern=f"{folder}/relic_line.json", plane="mediator",
                            tags=(("benchmark", name),))))
    return planned
