"""The plan of a workflow run: every job, with its card, inputs, outputs and resources.

:func:`load_plan` is what ``rules/common.smk`` calls at parse time:

1. every config file Snakemake read is read again strictly (duplicate keys, aliases, NaN...);
2. each enabled experiment's block is its ``config.yaml`` with the user's block merged over it;
   blocks of experiments left out of ``experiments:`` are ignored;
3. the whole configuration is validated against ``config/config.schema.yaml`` plus every
   experiment's ``schema.yaml`` (defaults filled in);
4. the inputs catalogue is read (``config/inputs.yaml`` plus each experiment's ``inputs.yaml``);
5. each enabled experiment's ``plan.jobs(block, context)`` returns its jobs and records the
   problems it finds (cross-field checks); :mod:`dmcombine.planning.shared` adds the fetches,
   combinations, summaries, provenance table and HEPData export;
6. any problem stops the run here, all of them listed, each naming its config key; otherwise the
   job cards are written (only those whose content changed).
"""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from dmcombine.catalogue import CatalogueEntry, workflow_catalogue
from dmcombine.errors import ConfigError
from dmcombine.planning import cards
from dmcombine.planning import schema as schemas
from dmcombine.planning.context import Context, merge
from dmcombine.planning.model import Job, LimitOutput, Resources
from dmcombine.planning.paths import card_path, fetched_input, is_safe_component, staged
from dmcombine.planning.strict import load_yaml
from dmcombine.registry import EXPERIMENTS, MODELS, model_package, module, package

SHARED_SCHEMA = "config/config.schema.yaml"


class PlanError(ConfigError):
    """The configuration cannot be planned; the message lists every problem."""


def config_schema(root: str = ".") -> Dict[str, Any]:
    """The workflow configuration's schema: the shared keys, and one block per registered experiment."""
    shared = load_yaml(os.path.join(root, SHARED_SCHEMA), "config schema", error=PlanError)
    shared = copy.deepcopy(shared)
    extra = []
    for name in EXPERIMENTS:
        fragment = schemas.package_yaml(package(name), "schema.yaml")
        shared["properties"][name] = fragment["config"]
        extra.append(fragment.get("$defs", {}))
    for name in MODELS:
        fragment = schemas.package_yaml(model_package(name), "schema.yaml")
        shared["properties"][name] = fragment["config"]
        extra.append(fragment.get("$defs", {}))
    shared["properties"]["experiments"]["items"] = {"enum": list(EXPERIMENTS)}
    shared["properties"]["experiments"]["default"] = list(EXPERIMENTS)
    shared["properties"]["models"]["items"] = {"enum": list(MODELS)}
    shared["properties"]["models"]["default"] = list(MODELS)
    return schemas.with_definitions(shared, *extra)


IMPORTS_FILE = "config/imports.yaml"  # the published curves every run imports (overridable per import)


def default_block(name: str) -> Dict[str, Any]:
    """An experiment's or a model's default configuration (its ``config.yaml``)."""
    where = model_package(name) if name in MODELS else package(name)
    return copy.deepcopy(schemas.package_yaml(where, "config.yaml")) or {}


def resolve_config(config: Dict[str, Any], configfiles: Sequence[str] = (), root: str = ".",
                   notes: Optional[List[str]] = None) -> Dict[str, Any]:
    """The validated configuration of a run (a new dict; ``config`` is left as it is)."""
    for path in configfiles:
        load_yaml(path, "config file", error=PlanError)  # refuses duplicate keys, alias bombs, NaN
    resolved = copy.deepcopy(dict(config))
    for key, registered in (("experiments", EXPERIMENTS), ("models", MODELS)):
        chosen = resolved.get(key, list(registered))
        enabled = [n for n in chosen if n in registered] if isinstance(chosen, list) else []
        for name in registered:
            if name in enabled:
                block = resolved.get(name, {})
                resolved[name] = merge(default_block(name), block) if isinstance(block, dict) else block
            elif name in resolved:
                del resolved[name]
                if notes is not None:
                    notes.append(f"config: {name} is not in {key}, its block is ignored")
    # the shared imports (config/imports.yaml) under the user's: a user's block adds or overrides imports
    shared_imports = os.path.join(root, IMPORTS_FILE)
    if os.path.isfile(shared_imports):
        defaults = load_yaml(shared_imports, "imports file", error=PlanError) or {}
        block = resolved.get("imports", {})
        resolved["imports"] = merge(defaults.get("imports", {}), block) if isinstance(block, dict) else block
    schemas.validate(resolved, config_schema(root), "Error in the configuration", set_default=True, error=PlanError)
    return resolved


def read_catalogue(shared: str) -> Tuple[Dict[str, CatalogueEntry], str]:
    """DID -> entry of the workflow's inputs catalogue, and how to name it in messages."""
    catalogue = workflow_catalogue(shared)
    return {entry.did: entry for entry in catalogue}, catalogue.source


class Plan:
    """Every job of a run, and what the rules ask of them."""

    def __init__(self, config: Dict[str, Any], catalogue: Dict[str, CatalogueEntry], jobs: List[Job],
                 resources: Dict[str, Resources], notes: List[str]) -> None:
        self.config = config
        self.catalogue = catalogue
        self.jobs = jobs
        self.notes = notes
        self.experiments = [n for n in EXPERIMENTS if n in config["experiments"]]
        self.source = config["inputs"]["source"]
        self._resources = resources
        self._by_key = {job.key: job for job in jobs}
        self._cards: Dict[Any, Tuple[str, str]] = {}  # job key -> (path, text)
        self.producer: Dict[str, Job] = {}
        for job in jobs:
            for output in job.outputs.values():
                self.producer[output.path] = job

    # --- what the rules ask ----------------------------------------------------------------------

    def job(self, rule: str, wildcards: Dict[str, str]) -> Job:
        key = (rule, tuple(sorted((k, str(v)) for k, v in dict(wildcards).items())))
        if key not in self._by_key:
            raise PlanError(f"rule {rule}: no job is planned for {dict(wildcards)} (check the configuration)")
        return self._by_key[key]

    def input_path(self, did: str) -> str:
        """Where a job reads input ``did``: the shipped copy, or the copy fetched from Rucio."""
        return fetched_input(did) if self.source == "rucio" else self.catalogue[did].path

    def inputs(self, job: Job) -> Dict[str, Any]:
        """The rule inputs of a job: its card, its input files and the limit files it reads."""
        return {"card": self.card_file(job)[0],
                "inputs": [self.input_path(i.did) for i in job.inputs.values()],
                "files": [staged(p) for p in job.depends] + list(job.user_files)}

    def resources(self, rule: str) -> Dict[str, Any]:
        resources = self._resources.get(rule, Resources()).as_snakemake()
        if rule == "fetch_input" and self.source == "rucio":
            resources["rucio"] = True  # REANA sets up the Rucio client for this job only
        return resources

    def output_patterns(self, rule: str) -> Dict[str, str]:
        """role -> staged output pattern of a rule whose jobs declare patterns (the same for all)."""
        found = [{role: o.pattern for role, o in job.outputs.items()} for job in self.jobs if job.rule == rule]
        if not found or any(not p for patterns in found for p in patterns.values()) or any(f != found[0] for f in found):
            raise PlanError(f"rule {rule}: its jobs declare no common output patterns")
        return {role: staged(p) for role, p in found[0].items()}

    def publish_target(self, key: str) -> str:
        """publish.rse or publish.dataset for publish_results, or a clear error."""
        if key not in self.config["publish"]:
            raise PlanError(f"publish_results needs publish.{key} in the config "
                            "(e.g. --config 'publish={rse: MY_RSE, dataset: \"scope:name\"}')")
        return self.config["publish"][key]

    def final_targets(self) -> List[str]:
        """Every result of the run (the fetched inputs come with them as dependencies)."""
        return [staged(o.path) for job in self.jobs for o in job.outputs.values() if o.path.startswith("results/")]

    def limit_outputs(self) -> List[LimitOutput]:
        return [o for job in self.jobs for o in job.limit_outputs()]

    # --- cards -----------------------------------------------------------------------------------

    def card(self, job: Job) -> Dict[str, Any]:
        inputs = {}
        for role, item in job.inputs.items():
            entry = self.catalogue[item.did]
            inputs[role] = {"did": item.did, "path": self.input_path(item.did), "bytes": entry.checksums.bytes,
                            "adler32": entry.checksums.adler32, "md5": entry.checksums.md5}
        files = [staged(p) for p in job.depends] + list(job.user_files)
        return cards.build(job.rule, job.kind or job.experiment or "shared", job.config, inputs, files)

    def card_file(self, job: Job) -> Tuple[str, str]:
        """(path, text) of a job's card; the path carries the digest of the text."""
        if job.key not in self._cards:
            title = job.rule + "".join(f" {k}={v}" for k, v in sorted(job.wildcards.items()))
            text = cards.dumps(self.card(job), title)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self._cards[job.key] = (card_path(job.rule, job.wildcards, digest), text)
        return self._cards[job.key]

    def write_cards(self, root: str = ".") -> int:
        """Write every job's card that is not there yet; returns how many were written."""
        written = 0
        for job in self.jobs:
            path, text = self.card_file(job)
            written += cards.write_if_changed(os.path.join(root, path), text)
        return written


def _check_folders(root: str, ctx: Context) -> None:
    """The folders a run writes must be folders (a file named logs/ would fail every job)."""
    for folder in ("results", "resources", "logs", ".dmcombine"):
        path = os.path.join(root, folder)
        if os.path.lexists(path) and not os.path.isdir(path):
            ctx.problem(folder, f"{path} exists and is not a folder; the run writes into it (move it away)")


def _check_jobs(jobs: List[Job], ctx: Context) -> None:
    """Outputs are produced once, wildcard values are safe folder names, inputs are catalogued."""
    producer: Dict[str, Job] = {}
    for job in jobs:
        for name, value in job.wildcards.items():
            if not is_safe_component(str(value)):
                ctx.problem(job.rule, f"wildcard {name}={value!r} cannot name an output folder")
        for output in job.outputs.values():
            other = producer.get(output.path)
            if other is not None and other is not job:
                ctx.problem(job.rule, f"{output.path} would be written by two jobs ({other.rule} "
                            f"{other.wildcards} and {job.rule} {job.wildcards})")
            producer[output.path] = job
    for job in jobs:
        for path in job.depends:
            if path not in producer:
                ctx.problem(job.rule, f"reads {path}, which no job writes")


def _add_styles(jobs: List[Job]) -> None:
    """Every plot card gets the styles of what it draws, from the run's one style table."""
    from dmcombine.planning import styles

    results = styles.result_styles(jobs, EXPERIMENTS)
    for job in jobs:
        if job.kind == "site":
            job.config["styles"] = {path: results[path] for path in job.depends if path in results}
        if job.kind == "plot":
            job.config["styles"] = {path: results[path] for path in job.depends if path in results}


def load_plan(config: Dict[str, Any], configfiles: Sequence[str] = (), root: str = ".",
              write_cards: bool = True) -> Plan:
    """The plan of a run (see the module docstring); raises :class:`PlanError` listing every problem."""
    notes: List[str] = []
    resolved = resolve_config(config, configfiles, root, notes)
    catalogue, source = read_catalogue(os.path.join(root, resolved["inputs"]["catalogue"]))
    ctx = Context(resolved, catalogue, source)
    jobs: List[Job] = []
    resources: Dict[str, Resources] = {}
    for name in EXPERIMENTS:
        if name not in resolved["experiments"]:
            continue
        plan_module = module(name, "plan")
        resources.update(getattr(plan_module, "RESOURCES", {}))
        for job in plan_module.jobs(resolved[name], ctx):
            job.experiment = job.experiment or name
            job.outputs = {role: replace(o, experiment=o.experiment or name) if isinstance(o, LimitOutput) else o
                           for role, o in job.outputs.items()}
            jobs.append(job)
    from dmcombine.planning import shared

    jobs, shared_resources = shared.add_shared_jobs(jobs, ctx, notes)
    resources.update(shared_resources)
    _add_styles(jobs)
    _check_jobs(jobs, ctx)
    _check_folders(root, ctx)
    if ctx.problems:
        raise PlanError("Error in the configuration:\n  " + "\n  ".join(ctx.problems))
    plan = Plan(resolved, catalogue, jobs, resources, notes)
    if write_cards:
        plan.write_cards(root)
    return plan
