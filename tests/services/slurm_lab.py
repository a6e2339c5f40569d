"""A real single-node Slurm cluster on localhost for the tests (Debian's slurm-wlm and munge).

No systemd: munged, slurmctld and slurmd are started by the test setup and stopped by the PIDs in
their pid files. Needs root (slurmd runs the jobs) and the packages that `scripts/setup.sh slurm`
installs. The configuration sits at /etc/slurm/slurm.conf, where sbatch, squeue and scontrol find it
without SLURM_CONF.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
MUNGE_PID = Path("/run/munge/munged.pid")
BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo")


def missing_binaries() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None and not Path(f"/usr/sbin/{b}").exists()]


def _run(cmd: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


@dataclass
class SlurmLab:
    root: Path
    startup_s: float = 0.0

    @property
    def log(self) -> Path:
        return self.root / "slurmctld.log"

    def _conf(self) -> str:
        r = self.root
        return textwrap.dedent(
            f"""\
            # single-node test cluster: no systemd, no cgroups, no accounting
            ClusterName=dmcombine
            SlurmctldHost=localhost
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            SlurmctldPort=6817
            SlurmdPort=6818
            StateSaveLocation={r}/state
            SlurmdSpoolDir={r}/spool
            SlurmctldPidFile={r}/slurmctld.pid
            SlurmdPidFile={r}/slurmd.pid
            SlurmctldLogFile={r}/slurmctld.log
            SlurmdLogFile={r}/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            MpiDefault=none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core_Memory
            ReturnToService=2
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MinJobAge=600
            SlurmctldTimeout=30
            SlurmdTimeout=30
            NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=8000 State=UNKNOWN
            PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
            """
        )

    def start(self, timeout_s: float = 60.0) -> SlurmLab:
        began = time.monotonic()
        running = [d for d in ("slurmctld", "slurmd") if _run(["pgrep", "-x", d]).returncode == 0]
        if running:
            raise RuntimeError(f"{', '.join(running)} already running on this machine: stop it before the tests")
        for sub in ("state", "spool"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        conf = self.root / "slurm.conf"
        conf.write_text(self._conf())
        DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
        if DEFAULT_CONF.exists() or DEFAULT_CONF.is_symlink():
            DEFAULT_CONF.unlink()
        DEFAULT_CONF.symlink_to(conf)
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        key = Path("/etc/munge/munge.key")
        if not key.exists() or key.stat().st_size == 0:
            _run(["mungekey", "--create", "--keyfile", str(key)])
            shutil.chown(key, "munge", "munge")
            key.chmod(0o400)
        if not (MUNGE_PID.exists() and _alive(MUNGE_PID)):
            result = _run(["su", "-s", "/bin/sh", "munge", "-c", f"munged --pid-file={MUNGE_PID}"])
            if result.returncode != 0:
                raise RuntimeError(f"munged did not start: {result.stderr}")
        for daemon in (["slurmctld", "-i"], ["slurmd"]):
            result = _run(daemon)
            if result.returncode != 0:
                raise RuntimeError(f"{daemon[0]} did not start: {result.stderr}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = _run(["sinfo", "-h", "-o", "%T"], timeout=10).stdout.split()
            if "idle" in state:
                self.startup_s = time.monotonic() - began
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Slurm did not come up: see {self.log}")

    def submitted_jobs(self) -> int:
        """Jobs slurmctld accepted from sbatch, from its log."""
        text = self.log.read_text(errors="ignore") if self.log.exists() else ""
        return text.count("_slurm_rpc_submit_batch_job")

    def stop(self) -> None:
        """Stop slurmd, slurmctld and munged by the PIDs in their pid files."""
        for pid_file in (self.root / "slurmd.pid", self.root / "slurmctld.pid", MUNGE_PID):
            if pid_file.exists() and _alive(pid_file):
                pid = int(pid_file.read_text().strip())
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    if not _alive(pid_file):
                        break
                    time.sleep(0.1)
        if DEFAULT_CONF.is_symlink():
            DEFAULT_CONF.unlink()


def _alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
        return True
    except (OSError, ValueError):
        return False
