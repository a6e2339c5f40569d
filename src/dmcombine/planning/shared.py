"""The jobs every run shares, formed from the experiments' jobs and their outputs' metadata (no
experiment is named here): fetching inputs from Rucio, automatic and configured combinations, one
summary plot per plane that has results, the provenance table and the HEPData export."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

from dmcombine.planes import PLANES, VIEWS
from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Output, ReferenceOutput, Resources
from dmcombine.registry import MODELS, model_module

RESOURCES = {
    "fetch_input": Resources(mem_mb=500, runtime_min=10),
    "limitfile_import": Resources(mem_mb=500, runtime_min=5),
    "model_translate": Resources(mem_mb=1000, runtime_min=10),
    "combine": Resources(mem_mb=1000, runtime_min=5),
    "summary_plot": Resources(mem_mb=1000, runtime_min=5),
    "summary_provenance": Resources(mem_mb=500, runtime_min=5),
    "hepdata_export": Resources(mem_mb=1000, runtime_min=5),
    "results_catalogue": Resources(mem_mb=1000, runtime_min=10),
}
PLOT_STYLE = {"sigmav": "sigmav_plane"}  # the ⟨σv⟩ plane has one panel per channel


def _fetch_jobs(jobs: List[Job], ctx: Context) -> List[Job]:
    """Rucio mode: one fetch job per input DID that any job reads."""
    dids = sorted({item.did for job in jobs for item in job.inputs.values() if item.did in ctx.catalogue})
    fetches = []
    for did in dids:
        scope, name = did.split(":", 1)
        sums = ctx.catalogue[did].checksums
        fetches.append(Job(
            rule="fetch_input", kind="fetch", wildcards={"scope": scope, "name": name},
            config={"did": did, "bytes": sums.bytes, "adler32": sums.adler32, "md5": sums.md5,
                    "attempts": ctx.config["inputs"]["rucio_attempts"]},
            outputs={"input": Output(f"resources/inputs/{scope}/{name}")},
        ))
    return fetches


def _import_jobs(ctx: Context) -> List[Job]:
    """One job for every published curve of ``imports`` whose layer is shown: each curve as a
    limit file (role = its name). One process for all: each curve is milliseconds of work, a job of
    its own cost a Python start-up each. The card keeps every curve's spec; each limit file's
    provenance names its own table and spec only."""
    hidden = set(ctx.config["summary"]["hide_layers"])
    shown = {name: spec for name, spec in sorted(ctx.config["imports"].items()) if spec["layer"] not in hidden}
    if not shown:
        return []
    inputs = {name: ctx.did(spec["did"], f"imports.{name}.did") for name, spec in shown.items()}
    outputs = {name: LimitOutput(f"results/imported/{name}/limit.json", pattern=f"results/imported/{name}/limit.json",
                                 experiment=spec["experiment"], plane=spec["plane"],
                                 kind=spec["kind"], plotted=True, representative=False, combinable=False)
               for name, spec in shown.items()}
    return [Job(rule="limitfile_import", kind="import", wildcards={}, config={"curves": shown}, inputs=inputs,
                outputs=outputs)]


def _model_jobs(jobs: List[Job], ctx: Context, notes: List[str]) -> List[Job]:
    """One job for every enabled model's translations (src/dmcombine/models/<name>/plan.py): each
    model picks its sources from the limit outputs planned so far, by their metadata."""
    available = {}
    for job in jobs:
        for role, output in job.outputs.items():
            if isinstance(output, LimitOutput):
                label = job.config["curves"][role]["label"] if job.kind == "import" else output.experiment
                available[output.path] = (output, job.kind == "import", label)
    planned = []
    for name in MODELS:
        if name in ctx.config["models"]:
            planned += model_module(name, "plan").translations(ctx.config[name], ctx, available, notes)
    if not planned:
        return []
    depends = sorted({path for t in planned for path in t.depends})
    return [Job(rule="model_translate", kind="model", wildcards={},
                config={"translations": {t.role: t.spec for t in planned},
                        "published_labels": {t.role: t.published_label for t in planned if t.published_label}},
                outputs={t.role: t.output for t in planned}, depends=depends)]


def _kinds_combine(kinds: List[str]) -> bool:
    """Equal kinds combine; observed data may join projections (the result is a projection)."""
    return len(set(kinds)) == 1 or set(kinds) == {"observed", "projected"}


def _combined_output(name: str, members: List[LimitOutput]) -> LimitOutput:
    kinds = [m.kind for m in members]
    return LimitOutput(
        f"results/combination/{name}/limit.json", experiment=" + ".join(m.experiment for m in members),
        plane=members[0].plane, kind="projected" if "projected" in kinds else kinds[0],
        plotted=any(m.plotted for m in members), representative=False, defining=members[0].defining,
        tags=tuple(sorted(set.intersection(*(set(m.tags) for m in members)))),
    )


def _inputs_of(jobs: List[Job]) -> Dict[str, set]:
    """public path of each limit output -> the DIDs its job read."""
    return {o.path: {i.did for i in job.inputs.values()} for job in jobs for o in job.limit_outputs()}


def _combination_jobs(jobs: List[Job], ctx: Context, notes: List[str]) -> List[Job]:
    section = ctx.config["combination"]
    cl = section["confidence_level"]
    outputs = {o.path: o for job in jobs for o in job.limit_outputs()}
    dids = _inputs_of(jobs)
    groups: Dict[str, List[str]] = {}
    by_key: Dict[Tuple[str, Tuple[Any, ...]], List[LimitOutput]] = {}
    for output in outputs.values():
        if output.representative and output.combinable:
            by_key.setdefault((output.plane, output.defining), []).append(output)
    for (plane, defining), members in sorted(by_key.items(), key=lambda item: repr(item[0])):
        experiments = {m.experiment for m in members}
        if len(experiments) < 2 or len(experiments) != len(members) or not _kinds_combine([m.kind for m in members]):
            continue
        shared = set.intersection(*(dids[m.path] for m in members))
        if shared:
            notes.append(f"combination: {', '.join(m.path for m in members)} share inputs {sorted(shared)}; not combined")
            continue
        groups[PLANES[plane].group_name(dict(defining))] = [m.path for m in members]
    for name, files in section["groups"].items():
        where = f"combination.groups.{name}"
        if name in groups:
            ctx.problem(where, f"the automatic combination {name} already has this name; choose another")
            continue
        planned = [outputs[f] for f in files if f in outputs]
        for f in files:
            if f not in outputs and not os.path.isfile(f):
                ctx.problem(where, f"{f} is neither a limit file this run writes nor an existing file")
        common = set.intersection(*(dids[m.path] for m in planned)) if len(planned) > 1 else set()
        if common:
            ctx.problem(where, f"its members share the inputs {sorted(common)}: the same data would count twice")
        groups[name] = list(files)
    combos = []
    for name, files in groups.items():
        members = [outputs[f] for f in files if f in outputs]
        output = _combined_output(name, members) if len(members) == len(files) else \
            LimitOutput(f"results/combination/{name}/limit.json", plane="", plotted=False)
        combos.append(Job(
            rule="combine", kind="combine", wildcards={"group": name}, config={"name": name, "confidence_level": cl},
            outputs={"limit": output}, depends=[f for f in files if f in outputs],
            user_files=[f for f in files if f not in outputs],
        ))
    return combos


def _summary_jobs(jobs: List[Job], ctx: Context, notes: List[str]) -> List[Job]:
    """One plot per view (dmcombine.planes.VIEWS) that shows a result of this run (published curves
    alone make no plot), with the reference curves of the models drawn on it (relic lines)."""
    shown: Dict[str, List[str]] = {}
    ours = set()
    references: Dict[str, List[str]] = {}
    titles: Dict[str, Tuple[Any, str]] = {}

    def plots_of(plane: str, tags: Dict[str, Any], experiment: str) -> List[str]:
        """The plots (view names) that draw a file of ``plane`` with ``tags``."""
        names = []
        for view in VIEWS:
            if view.shows(plane, tags):
                value = tags.get(view.split_by) or experiment if view.split_by else None
                name = f"{view.name}_{value}" if value else view.name
                titles[name] = (view, f"{view.title}: {value}" if value else view.title)
                names.append(name)
        return names

    for job in jobs:
        for role, output in job.outputs.items():
            if isinstance(output, ReferenceOutput):
                for name in plots_of(output.plane, dict(output.tags), ""):
                    references.setdefault(name, []).append(output.path)
            if not isinstance(output, LimitOutput) or not output.plotted or not output.plane:
                continue
            for name in plots_of(output.plane, dict(output.tags), output.experiment):
                shown.setdefault(name, []).append(output.path)
                if job.kind != "import" and role not in job.config.get("published_labels", {}):
                    ours.add(name)
    if ctx.config["summary"]["context"]:
        ctx.problem("summary.context", "published curves are imports now (the imports section, config/imports.yaml): "
                                       "each becomes a limit file, and the plots read only limit files")
    summaries, files = [], []
    order = [view.name for view in VIEWS]
    for name in sorted(shown, key=lambda n: (order.index(titles[n][0].name), n)):
        if name not in ours:
            continue
        view, title = titles[name]
        files += [f for f in shown[name] if f not in files]
        config: Dict[str, Any] = {"style": PLOT_STYLE.get(view.plane, view.plane), "title": title}
        if view.x_range:
            config["x_range"] = list(view.x_range)
        if references.get(name):
            config["references"] = references[name]
        summaries.append(Job(
            rule="summary_plot", kind="plot", wildcards={"plane": name}, config=config,
            depends=shown[name] + references.get(name, []),
            outputs={"pdf": Output(f"results/summary/{name}_summary.pdf"),
                     "png": Output(f"results/summary/{name}_summary.png")},
        ))
    if files:
        summaries.append(Job(
            rule="summary_provenance", kind="provenance", wildcards={}, config={},
            depends=files,
            outputs={"csv": Output("results/summary/provenance.csv"), "md": Output("results/summary/provenance.md")},
        ))
    # ours only: neither imports nor a model's translations of published curves
    every = [o.path for job in jobs if job.kind != "import" for role, o in job.outputs.items()
             if isinstance(o, LimitOutput) and role not in job.config.get("published_labels", {})]
    everything = [o.path for job in jobs for o in job.limit_outputs()]
    if everything:
        used = sorted({i.did for job in jobs for i in job.inputs.values()})
        plots = [o.path for job in summaries if job.rule == "summary_plot" for o in job.outputs.values() if o.path.endswith(".png")]
        summaries.append(Job(
            rule="results_catalogue", kind="site", wildcards={},
            config={"datasets": {did: {"licence": ctx.catalogue[did].licence, "paper": ctx.catalogue[did].paper,
                                       "origin": ctx.catalogue[did].origin, "path": ctx.catalogue[did].path}
                                 for did in used if did in ctx.catalogue}},
            depends=everything + plots,
            outputs={"index": Output("results/catalogue/index.html")}))
    if every:
        summaries.append(Job(rule="hepdata_export", kind="hepdata", wildcards={}, config={}, depends=every,
                             outputs={"submission": Output("results/hepdata/submission.tar.gz")}))
    return summaries


def add_shared_jobs(jobs: List[Job], ctx: Context, notes: List[str]) -> Tuple[List[Job], Dict[str, Resources]]:
    """The experiments' jobs followed by the shared ones."""
    jobs = jobs + _import_jobs(ctx)
    jobs = jobs + _model_jobs(jobs, ctx, notes)
    combos = _combination_jobs(jobs, ctx, notes)
    everything = jobs + combos
    everything += _summary_jobs(everything, ctx, notes)
    if ctx.config["inputs"]["source"] == "rucio":
        everything = _fetch_jobs(everything, ctx) + everything
    return everything, RESOURCES
