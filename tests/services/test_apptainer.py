"""Opt-in: the full workflow with every rule inside the analysis image, run by Apptainer as a
non-root user (`-m apptainer`, as root, after `scripts/setup.sh apptainer`).

The image is built without a registry: `scripts/setup.sh apptainer` makes a Debian 12 root with its
Python 3.11, installs requirements/main.lock (hash-checked) and the package with the commands of
envs/dmcombine.def, and builds `.lab/dmcombine.sif` with Apptainer 1.4 (Debian sid, inside the
Debian 13 lab root: Debian 12 has no Apptainer). Snakemake finds the image the rules name
(rules/common.smk: IMAGE) where it caches pulled images, so nothing is pulled. Not in the default
run: building the image takes minutes; CI checks that the recipe pins the locked versions and that
every rule names the pinned image (test_specs)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dmcombine.provenance import git_commit

from ..conftest import REPO, VENV_BIN, assert_same_results, copy_workflow
from .htcondor_lab import LAB_UID, python_home

pytestmark = pytest.mark.apptainer
LAB = REPO / ".lab"
SIF = LAB / "dmcombine.sif"


def test_full_workflow_in_the_apptainer_image_is_byte_identical(default_run: Path) -> None:
    assert os.geteuid() == 0, "the lab root is entered with namespaces and pivot_root: run as root"
    # the image must hold the current code: setup.sh rebuilds it when the locks or src/ changed
    # since the last build (its stamp), and is a no-op otherwise
    setup = subprocess.run(["scripts/setup.sh", "apptainer"], cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    assert SIF.exists() and (LAB / "trixie/usr/bin/apptainer").exists(), "run scripts/setup.sh apptainer (as root)"
    image = re.search(r'^IMAGE = "([^"]+)"', (REPO / "rules/common.smk").read_text(), re.M).group(1)
    workdir = LAB / "trixie/home/lab/wf-apptainer"
    if workdir.exists():
        shutil.rmtree(workdir)
    copy_workflow(workdir)
    cached = workdir / ".snakemake/singularity" / (hashlib.md5(image.encode(), usedforsecurity=False).hexdigest() + ".simg")
    cached.parent.mkdir(parents=True)
    os.link(SIF, cached)  # where Snakemake keeps the image it would pull for IMAGE
    subprocess.run(["chown", "-R", f"{LAB_UID}:{LAB_UID}", str(workdir)], check=True)
    env = ["HOME=/home/lab", f"PATH={VENV_BIN}:/usr/bin:/bin", f"DMCOMBINE_GIT_COMMIT={git_commit()}"]
    began = time.monotonic()
    result = subprocess.run(
        ["scripts/lab-enter.sh", "setpriv", f"--reuid={LAB_UID}", f"--regid={LAB_UID}", "--clear-groups",
         "/usr/bin/env", "-i", *env, "/bin/bash", "-c",
         "cd /home/lab/wf-apptainer && timeout -k 10 1500 snakemake --cores 2 --software-deployment-method apptainer"],
        cwd=REPO, env={**os.environ, "LAB_BINDS": f"{REPO} {python_home()}"}, capture_output=True, text=True, timeout=1600,
    )
    elapsed = time.monotonic() - began
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    print(f"Apptainer workflow: {elapsed:.1f} s, {output.count('Activating singularity image')} jobs in the image", file=sys.stderr)
    assert output.count("Activating singularity image") >= 20  # every job ran in the image
    assert len(assert_same_results(workdir, default_run, "*.json")) > 40
