"""Shared fixtures: the repository, the environments, and throwaway copies of the workflow."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from dmcombine.planning.workflow import Plan, load_plan

from .services.rucio_lab import RSE, SERVER_VENV, RucioLab

_APPROX = pytest.approx


def _relative_approx(expected, rel=None, abs=None, nan_ok=False):
    """pytest.approx without its default absolute tolerance of 1e-12, which accepts any value of a
    cross-section in cm² (1e-40) or a power in W (1e-23) as equal to any other: a relative
    tolerance only (1e-6 unless given) unless a test asks for an absolute one."""
    if abs is None:
        return _APPROX(expected, rel=1e-6 if rel is None else rel, abs=0.0, nan_ok=nan_ok)
    return _APPROX(expected, rel=rel, abs=abs, nan_ok=nan_ok)


pytest.approx = _relative_approx  # every test module reads pytest.approx after this conftest is imported

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
REANA_BIN = REPO / ".venv-reana" / "bin"
HTCONDOR_BIN = REPO / ".venv-htcondor" / "bin"  # .venv plus the HTCondor executor plugin
# What a user's clone needs to run the workflow (everything else is the package, installed).
# (src/ too: the Snakefile reads its planning layer from there, as REANA's engine does.)
WORKFLOW_PARTS = ("Snakefile", "rules", "workflows", "config", "data", "envs", "report", "profiles", "reana.yaml", "src")


def copy_workflow(dest: Path, source: Path = REPO, bytecode: bool = False) -> Path:
    """A fresh copy of the workflow of ``source`` in ``dest`` (no results, no .snakemake state;
    with ``bytecode``, the compiled modules too, as scripts/benchmark.py measures)."""
    dest.mkdir(parents=True, exist_ok=True)
    skip = ("*.egg-info",) if bytecode else ("__pycache__", "*.egg-info")
    for part in WORKFLOW_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns(*skip))
        else:
            shutil.copy2(src, dest / part)
    return dest


@lru_cache(maxsize=1)
def default_plan() -> Plan:
    """The plan of the default configuration (cards not written)."""
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    return load_plan(config, [str(REPO / "config/config.yaml")], root=str(REPO), write_cards=False)


def card_config(rule: str, **wildcards: str) -> dict:
    """The card config of one job of the default plan (a copy to edit), e.g.
    ``card_config("darkside50_limit", variant="published")``."""
    return copy.deepcopy(default_plan().job(rule, wildcards).config)


def shipped(did: str) -> tuple[bytes, str]:
    """(bytes, path) of the shipped copy of an input."""
    entry = default_plan().catalogue[did]
    return (REPO / entry.path).read_bytes(), entry.path


def assert_same_results(workdir: Path, reference: Path, pattern: str) -> list[Path]:
    """Every ``results/**/pattern`` file of the reference run exists byte-identical in ``workdir``;
    returns their paths relative to the run directory."""
    files = sorted(p.relative_to(reference) for p in (reference / "results").rglob(pattern))
    for rel in files:
        assert (workdir / rel).read_bytes() == (reference / rel).read_bytes(), rel
    return files


def tool_env() -> dict[str, str]:
    """The environment a rule sees: the project's venv first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONWARNINGS", None)
    return env


def run(cmd: list[str], cwd: Path, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing output; a hard timeout so a hang fails instead of blocking CI."""
    return subprocess.run(
        cmd, cwd=cwd, env=env or tool_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def snakemake(workdir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Snakemake 9 from the project's venv, in ``workdir``."""
    return run([str(VENV_BIN / "snakemake"), *args], cwd=workdir, timeout=timeout)


OPT_IN_MARKERS = ("htcondor", "apptainer")  # run only when named in -m (they need a root file system built first)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = config.getoption("-m") or ""
    skipped = [m for m in OPT_IN_MARKERS if m not in chosen]
    keep = [item for item in items if not any(item.get_closest_marker(m) for m in skipped)]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default workflow run once, end to end, on the shipped inputs (shared by several tests)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("default_run"))
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir


RUCIO_DATASET = "dmcombine:dmcombine.inputs"


def start_registered_lab(root: Path) -> tuple[RucioLab, list[subprocess.CompletedProcess[str]]]:
    """A real Rucio server on 127.0.0.1 holding every catalogued input (registered twice: the
    second run must be a no-op)."""
    assert (SERVER_VENV / "bin" / "flask").exists(), "run scripts/setup.sh rucio (the test command does)"
    lab = RucioLab(root).start()
    runs = [subprocess.run([str(VENV_BIN / "dmcombine"), "rucio", "register", "--rse", RSE, "--dataset", RUCIO_DATASET],
                           cwd=REPO, env=lab.env(), capture_output=True, text=True, timeout=300) for _ in range(2)]
    return lab, runs


@pytest.fixture(scope="session")
def rucio_lab(tmp_path_factory: pytest.TempPathFactory):
    """One registered Rucio server for the session (the Rucio tests and the fault suite's cases)."""
    lab, runs = start_registered_lab(tmp_path_factory.mktemp("rucio"))
    print(f"Rucio server up in {lab.startup_s:.1f} s", file=sys.stderr)
    yield lab, runs
    lab.stop()
