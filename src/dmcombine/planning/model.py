"""What a plan is made of: jobs, their inputs, outputs and resources.

An experiment's planning code (``dmcombine/experiments/<name>/plan.py``) returns :class:`Job`\\ s.
Each job is one run of one rule with concrete wildcards; it names the inputs it reads (by DID,
with the config key that chose them), the configuration its computation reads (its **card**),
the outputs it writes (public paths, see :mod:`dmcombine.planning.paths`) and its resources. A
limit-file output also says what the file will be (plane, kind, the assumptions that define its
parameter) so that summaries and combinations can be formed before any file exists; the commands
that read the files check those claims against the files' own metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

# REANA's Kubernetes memory limit: one value for every job, enough for the largest (2 GB). A
# string resource must agree within a Snakemake job group, and the cluster profiles pack many
# jobs into one submission (group-components).
KUBERNETES_MEMORY_LIMIT = "2Gi"


@dataclass(frozen=True)
class Resources:
    """What one job of a rule needs (Snakemake's mem_mb and runtime)."""

    mem_mb: int = 1000
    runtime_min: int = 5

    def as_snakemake(self) -> Dict[str, Any]:
        """The rule's ``resources:`` (Snakemake's mem_mb and runtime, REANA's memory limit)."""
        if self.mem_mb > 2048:
            raise ValueError(f"a job needs {self.mem_mb} MB; raise KUBERNETES_MEMORY_LIMIT with it")
        return {"mem_mb": self.mem_mb, "runtime": self.runtime_min, "kubernetes_memory_limit": KUBERNETES_MEMORY_LIMIT}


@dataclass(frozen=True)
class Input:
    """An input a job reads: the DID and the config key that named it (for error messages)."""

    did: str
    where: str


@dataclass(frozen=True)
class Output:
    """A file a job writes, by its public path (results/...). ``pattern``: the same with the rule's
    wildcards, for rules whose outputs the rule file takes from the plan (``planned_outputs``)."""

    path: str
    pattern: str = ""


@dataclass(frozen=True)
class LimitOutput(Output):
    """A standard limit file, with what the summaries and combinations need to know in advance.

    ``plotted``: drawn on its plane's summary plot. ``representative``: stands for its experiment
    in automatic combinations (one per experiment and defining key). ``defining``: the assumptions
    that change what the parameter means (e.g. the channel of ⟨σv⟩); ``combinable``: it carries a
    likelihood. ``tags``: what picks the plots (views) it is drawn on, e.g. ``(("benchmark",
    "V2"),)`` or ``(("model", "higgs_portal"),)`` (see :data:`dmcombine.planes.VIEWS`).
    """

    experiment: str = ""
    plane: str = ""
    kind: str = "observed"
    plotted: bool = True
    representative: bool = False
    combinable: bool = True
    defining: Tuple[Tuple[str, Any], ...] = ()
    tags: Tuple[Tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ReferenceOutput(Output):
    """A model's reference curve (e.g. a thermal-relic line), not a limit: drawn on the plots of
    ``plane`` that its ``tags`` pick, as :class:`LimitOutput`'s tags pick theirs."""

    plane: str = ""
    tags: Tuple[Tuple[str, Any], ...] = ()


@dataclass
class Job:
    """One job of one rule."""

    rule: str
    wildcards: Dict[str, str]
    config: Dict[str, Any]
    outputs: Dict[str, Output]
    inputs: Dict[str, Input] = field(default_factory=dict)
    depends: List[str] = field(default_factory=list)  # public paths of other jobs' outputs it reads
    user_files: List[str] = field(default_factory=list)  # files it reads that no job writes (a user's own)
    resources: Resources = field(default_factory=Resources)
    experiment: Optional[str] = None  # the experiment the job belongs to (None: shared jobs)
    kind: Optional[str] = None  # what validates its card: None = its experiment; or a shared job's kind

    @property
    def key(self) -> Tuple[str, Tuple[Tuple[str, str], ...]]:
        return (self.rule, tuple(sorted(self.wildcards.items())))

    def limit_outputs(self) -> List[LimitOutput]:
        return [o for o in self.outputs.values() if isinstance(o, LimitOutput)]


@dataclass
class Translation:
    """One curve a model writes in the run's ``model_translate`` job: its card entry (``spec``:
    what the model's command reads), its output, the limit files it reads and, for the plots, the
    label of a translated published curve (None for ours)."""

    role: str
    spec: Dict[str, Any]
    output: Output
    depends: List[str] = field(default_factory=list)
    published_label: Optional[str] = None
