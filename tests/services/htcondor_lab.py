"""A real personal HTCondor pool on 127.0.0.1 for the opt-in HTCondor test.

Debian 12 has no HTCondor, so the daemons come from a Debian 13 (trixie) root file system that
`scripts/setup.sh htcondor` builds in `.lab/trixie` (debootstrap + Debian's htcondor 23.9). The
pool runs inside that root (chroot) as the non-root user `lab` (HTCondor refuses root's jobs), and
so do Snakemake and its jobs. They use the project's own interpreter and locked environment, not
trixie's: the repository (with .venv) and the Python it links to are bind-mounted read-only at the
same paths, so the jobs run exactly the code and wheels of the local run. Started and stopped by
the test setup; every mount is undone at stop.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

LAB_UID = 1000  # the user `lab` that scripts/setup.sh creates in the root file system
DAEMONS = ("condor_master", "condor_collector", "condor_negotiator", "condor_schedd", "condor_startd",
           "condor_shared_port", "condor_procd", "condor_starter", "condor_shadow")
# pgrep/pkill -x match the kernel's process name, which is cut to 15 characters
PROCESS_NAMES = tuple(sorted({d[:15] for d in DAEMONS}))


def _run(cmd: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def python_home() -> Path:
    """The installation the project's venv points at (e.g. /root/.pyenv/versions/3.11.7)."""
    return Path(os.path.realpath(sys.executable)).parents[1]


@dataclass
class HTCondorLab:
    rootfs: Path
    binds: list[Path]  # host paths made visible at the same path inside the root file system
    startup_s: float = 0.0
    _mounted: list[Path] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return self.rootfs / "home/lab"

    def _mount(self, args: list[str], target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        result = _run(["mount", *args, str(target)])
        if result.returncode != 0:
            raise RuntimeError(f"mount {' '.join(args)} {target}: {result.stderr.strip()}")
        self._mounted.append(target)

    def _config(self) -> str:
        return textwrap.dedent(
            """\
            # personal pool of the dmcombine tests: loopback only, non-root, no cgroups
            use ROLE : Personal
            CONDOR_HOST = 127.0.0.1
            NETWORK_INTERFACE = 127.0.0.1
            ENABLE_IPV6 = False
            LOCAL_DIR = /home/lab/condor
            LOCK = $(LOCAL_DIR)/lock
            LOG = $(LOCAL_DIR)/log
            SPOOL = $(LOCAL_DIR)/spool
            EXECUTE = $(LOCAL_DIR)/execute
            RUN = $(LOCAL_DIR)/run
            CONDOR_IDS = 1000.1000
            use SECURITY : HOST_BASED
            ALLOW_WRITE = 127.0.0.1 $(IP_ADDRESS)
            ALLOW_READ = 127.0.0.1 $(IP_ADDRESS)
            ALLOW_ADMINISTRATOR = 127.0.0.1 $(IP_ADDRESS)
            # the pip bindings (24.12) and the daemons (23.9) disagree on FS authentication
            SEC_DEFAULT_AUTHENTICATION_METHODS = FS, CLAIMTOBE
            SEC_CLIENT_AUTHENTICATION_METHODS = FS, CLAIMTOBE
            UID_DOMAIN = localdomain
            TRUST_UID_DOMAIN = True
            START = TRUE
            SUSPEND = FALSE
            PREEMPT = FALSE
            KILL = FALSE
            NUM_CPUS = 2
            USE_CGROUPS = False
            # negotiate within a second or two of a submission (the defaults, a cycle at most every
            # 20 s and at least 5 s apart, left each of the workflow's two submissions idle ~16 s)
            NEGOTIATOR_INTERVAL = 2
            NEGOTIATOR_MIN_INTERVAL = 1
            NEGOTIATOR_CYCLE_DELAY = 1
            SCHEDD_INTERVAL = 5
            UPDATE_INTERVAL = 5
            """
        )

    def as_lab(self, command: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a shell command as `lab` inside the root file system, with exactly ``env``."""
        pairs = [f"{k}={v}" for k, v in {"HOME": "/home/lab", "USER": "lab", **env}.items()]
        return _run(["chroot", f"--userspec={LAB_UID}:{LAB_UID}", str(self.rootfs), "/usr/bin/env", "-i", *pairs,
                     "/bin/bash", "-c", command], timeout=timeout)

    def start(self, timeout_s: float = 90.0) -> HTCondorLab:
        began = time.monotonic()
        if not (self.rootfs / "usr/sbin/condor_master").exists():
            raise RuntimeError(f"{self.rootfs} has no HTCondor: run scripts/setup.sh htcondor (as root)")
        if _run(["pgrep", "-x", "condor_master"]).returncode == 0:
            raise RuntimeError("a condor_master is already running on this machine: stop it before the test")
        self._mount(["-t", "proc", "proc"], self.rootfs / "proc")
        self._mount(["--bind", "/dev"], self.rootfs / "dev")
        (self.rootfs / "tmp").chmod(0o1777)
        for path in self.binds:
            self._mount(["--bind", str(path)], self.rootfs / path.relative_to("/"))
            _run(["mount", "-o", "remount,bind,ro", str(self.rootfs / path.relative_to("/"))])
        (self.rootfs / "etc/condor/config.d/99-dmcombine.config").write_text(self._config())
        for sub in ("lock", "log", "spool", "execute", "run"):
            (self.home / "condor" / sub).mkdir(parents=True, exist_ok=True)
        _run(["chown", "-R", f"{LAB_UID}:{LAB_UID}", str(self.home)])
        path = "/usr/sbin:/usr/bin:/bin"
        result = self.as_lab("condor_master", {"PATH": path}, timeout=30)
        if result.returncode != 0:
            self.stop()
            raise RuntimeError(f"condor_master did not start: {result.stderr}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.as_lab("condor_status -af State", {"PATH": path}, timeout=30).stdout.split()
            if "Unclaimed" in state:
                self.startup_s = time.monotonic() - began
                return self
            time.sleep(1)
        log = self.home / "condor/log/MasterLog"
        self.stop()
        raise RuntimeError(f"the HTCondor pool did not come up in {timeout_s:.0f} s: see {log}")

    def stop(self) -> None:
        """Stop the pool (condor_off, then any HTCondor process left) and undo every mount."""
        if (self.rootfs / "usr/sbin/condor_off").exists() and self._mounted:
            self.as_lab("condor_off -master", {"PATH": "/usr/sbin:/usr/bin:/bin"}, timeout=30)
            for _ in range(100):
                if not any(_run(["pgrep", "-x", d]).returncode == 0 for d in PROCESS_NAMES):
                    break
                time.sleep(0.2)
            for name in PROCESS_NAMES:
                _run(["pkill", "-KILL", "-x", name])
        for target in reversed(self._mounted):
            _run(["umount", "-l", str(target)])
        self._mounted.clear()


def rootfs_ready(rootfs: Path) -> bool:
    return (rootfs / ".dmcombine-ready").exists() and (rootfs / "usr/sbin/condor_master").exists()


def copy_into(lab: HTCondorLab, src: Path, name: str) -> Path:
    """A copy of a workflow directory in lab's home, owned by lab."""
    dest = lab.home / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=True)
    _run(["chown", "-R", f"{LAB_UID}:{LAB_UID}", str(dest)])
    return dest
