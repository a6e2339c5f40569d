"""The full workflow through a real Slurm cluster started by the test setup."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import VENV_BIN, assert_same_results, copy_workflow, default_plan, tool_env
from .slurm_lab import SlurmLab, missing_binaries

pytestmark = pytest.mark.slurm


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmLab]:
    missing = missing_binaries()
    assert not missing, f"Slurm is not installed ({', '.join(missing)}): run scripts/setup.sh slurm as root"
    assert os.geteuid() == 0, "the test cluster's slurmd must run as root"
    lab = SlurmLab(tmp_path_factory.mktemp("slurm")).start()
    print(f"Slurm up in {lab.startup_s:.1f} s", file=sys.stderr)
    yield lab
    lab.stop()


def test_full_workflow_through_slurm_is_byte_identical(slurm: SlurmLab, default_run: Path, tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "slurm")
    before = slurm.submitted_jobs()
    began = time.monotonic()
    # a hard timeout around the whole run: the executor plugin can hang if job states are unreadable
    result = subprocess.run(
        ["timeout", "-k", "10", "900", str(VENV_BIN / "snakemake"), "--workflow-profile", "profiles/slurm"],
        cwd=workdir, env=tool_env(), capture_output=True, text=True, timeout=960,
    )
    elapsed = time.monotonic() - began
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"Slurm-profile workflow: {elapsed:.1f} s, {slurm.submitted_jobs() - before} sbatch jobs", file=sys.stderr)
    jobs = len(default_plan().jobs)
    submitted = slurm.submitted_jobs() - before
    assert 2 <= submitted <= jobs / 8, (submitted, jobs)  # grouped (group-components): few submissions
    assert assert_same_results(workdir, default_run, "limit.json")
