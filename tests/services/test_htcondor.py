"""Opt-in: the full workflow through a real personal HTCondor pool (`-m htcondor`, as root, after
`scripts/setup.sh htcondor`). Not in the default run: building the pool's Debian 13 root file
system and running every job through the schedd would take CI past its time budget; CI builds the
DAG through profiles/htcondor instead (test_specs)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmcombine.provenance import git_commit

from ..conftest import HTCONDOR_BIN, REPO, assert_same_results, copy_workflow
from .htcondor_lab import HTCondorLab, copy_into, python_home, rootfs_ready

pytestmark = pytest.mark.htcondor
ROOTFS = REPO / ".lab/trixie"


@pytest.fixture(scope="module")
def pool() -> Iterator[HTCondorLab]:
    assert os.geteuid() == 0, "the pool's root file system is entered with chroot: run as root"
    assert rootfs_ready(ROOTFS), f"{ROOTFS} is missing: run scripts/setup.sh htcondor (as root)"
    lab = HTCondorLab(ROOTFS, binds=[REPO, python_home()]).start()
    print(f"HTCondor pool up in {lab.startup_s:.1f} s", file=sys.stderr)
    yield lab
    lab.stop()


def test_full_workflow_through_htcondor_is_byte_identical(pool: HTCondorLab, default_run: Path, tmp_path: Path) -> None:
    workdir = copy_into(pool, copy_workflow(tmp_path / "htcondor"), "wf")
    env = {"PATH": f"{HTCONDOR_BIN}:/usr/sbin:/usr/bin:/bin", "DMCOMBINE_GIT_COMMIT": git_commit()}
    began = time.monotonic()
    # the jobs take PATH and the commit recorded in provenance from this shell (the profile's getenv)
    result = pool.as_lab("cd /home/lab/wf && timeout -k 10 1200 snakemake --workflow-profile profiles/htcondor",
                         env, timeout=1300)
    elapsed = time.monotonic() - began
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    submitted = len(list((workdir / ".snakemake/htcondor").rglob("*.out")))  # one per condor job
    print(f"HTCondor-profile workflow: {elapsed:.1f} s, {submitted} condor jobs", file=sys.stderr)
    assert 2 <= submitted <= 6  # grouped (profiles/htcondor group-components): few submissions
    assert len(assert_same_results(workdir, default_run, "*.json")) > 40
