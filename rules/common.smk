# Shared by every rule file. The plan of this run and the rule boilerplate, in one place.
#
# PLAN (src/dmcombine/planning) holds every job of the enabled experiments and the shared jobs,
# with their cards (written to .dmcombine/cards/ when they change), inputs, outputs and resources.
# Rules write their outputs to the stage (.dmcombine/stage/<public path>); a job that succeeds
# publishes them into results/ itself, so a failed job leaves the last good result in place.

import sys
from pathlib import Path

# The planning layer is read from the workflow's own src/ (reana.yaml uploads it): it needs only
# the standard library, PyYAML and jsonschema, which Snakemake itself brings.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger

from dmcombine.errors import DmcombineError  # noqa: E402
from dmcombine.planning.paths import staged  # noqa: E402
from dmcombine.planning.quiet import one_report_per_failed_job  # noqa: E402
from dmcombine.planning.workflow import load_plan  # noqa: E402

# The project's analysis image, built from envs/Dockerfile with requirements/main.lock.
# Pinned tag: bump it together with the package version (tests check both).
IMAGE = "docker://ghcr.io/dmcombine/dmcombine:0.1.0"
ENV = "../envs/dmcombine.yaml"
# Job groups: on a cluster (profiles/slurm, profiles/htcondor: group-components) many short jobs
# share one submission; a local run ignores them.
ANALYSIS = "analysis"  # every experiment's jobs
SUMMARIES = "summaries"  # combinations, plots, tables, exports
INPUTS = "inputs"  # Rucio fetches

try:
    PLAN = load_plan(config, workflow.configfiles)
except DmcombineError as error:
    raise WorkflowError(str(error)) from None
for note in PLAN.notes:
    logger.info(note)
# a failed job: its message, then one block with its log path and command (not the command twice)
one_report_per_failed_job(logger)


def job_card(rule):
    """An input function: the card of the job of this rule with these wildcards."""
    return lambda wildcards: PLAN.card_file(PLAN.job(rule, wildcards))[0]


def job_files(rule):
    """An input function: every file the job reads besides its card (inputs, limit files)."""

    def files(wildcards):
        paths = PLAN.inputs(PLAN.job(rule, wildcards))
        return paths["inputs"] + paths["files"]

    return files


def job_resources(rule):
    """The rule's resources: mem_mb, runtime, REANA's kubernetes_memory_limit (and rucio)."""
    return PLAN.resources(rule)


def planned_outputs(rule):
    """The outputs of a rule whose outputs depend on the configuration (from the plan)."""
    return list(PLAN.output_patterns(rule).values())


def planned_output_options(rule):
    """A params function: --output ROLE=PATH for each output of planned_outputs(rule)."""
    roles = list(PLAN.output_patterns(rule))

    def options(wildcards, output):
        return " ".join(f"--output {role}={path}" for role, path in zip(roles, output))

    return options


def quote_all(values):
    """Values as shell words, each quoted (for what a user chose: RSE, dataset, paths)."""
    import shlex

    return " ".join(shlex.quote(str(v)) for v in values)
