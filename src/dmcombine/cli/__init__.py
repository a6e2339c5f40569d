"""Command-line interface: every workflow rule calls one of these commands through ``shell:``.

One shape for every job: ``dmcombine <verb> --card CARD --output ROLE=PATH ...``, where the card
(written by the planning layer, see :mod:`dmcombine.planning.cards`) holds the job's configuration
and names its inputs. Verbs: ``run <experiment>``, ``fetch``, ``combine``, ``plot``,
``provenance``, ``hepdata``; and for people: ``limitfile``, ``catalogue``, ``rucio`` and the
experiments' own (``km3net point-source``), from their ``cli.py``.

Errors the user can fix (:class:`dmcombine.errors.DmcombineError`) are printed once, as one line
naming the file, field or DID (and written to the job's log), and the command exits with status 1
without publishing any output.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from dmcombine import __version__
from dmcombine.errors import DmcombineError

log = logging.getLogger("dmcombine")

# One BLAS thread per job (set before numpy is imported; a user's own setting wins): Snakemake
# already runs jobs side by side on every core, and BLAS threads on top of that slowed the
# eigenvalue solvers of Gauss-Legendre rules ~4x on a busy 2-core machine.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _pin_x86_kernels(cpu_flags: str) -> None:
    """The same bits on every x86-64 machine with AVX2 (set before numpy is imported; a user's
    own setting wins). numpy's AVX-512 kernels (exp, log, power and others through SVML) and
    OpenBLAS's AVX-512 kernels need not round as the AVX2 ones do. Seen here: docs/si_summary.png,
    made on an earlier machine of this kind (an Intel Xeon), no longer matched the default run on
    an AMD EPYC with AVX2 and no AVX-512: the XLZD, ATLAS-translation and neutrino-fog numbers
    differed in the 13th digit, with the same code, inputs and libraries. Every job therefore uses
    the AVX2 kernels (X86_V3 in numpy 2.4's names, OpenBLAS's Haswell), which every x86-64 CPU with
    AVX2 and FMA runs alike; a machine without them keeps its defaults, which cannot run those."""
    flags = set(cpu_flags.split())
    if {"avx2", "fma"} <= flags:
        os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return next((line.split(":", 1)[1] for line in info if line.startswith("flags")), "")
    except OSError:
        return ""


if "numpy" not in sys.modules:
    _pin_x86_kernels(_cpu_flags())


class _Group(click.Group):
    """Turns :class:`DmcombineError` into one clear line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DmcombineError as exc:
            if any(isinstance(h, logging.FileHandler) for h in log.handlers):
                log.error("%s", exc)  # the job's log file; the terminal gets the line below
            click.echo(f"dmcombine: error: {exc}", err=True)
            sys.exit(1)


def _setup_logging(log_file: str | None) -> None:
    log.setLevel(logging.INFO)
    log.handlers.clear()
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="dmcombine")
@click.option("--log", "log_file", type=click.Path(dir_okay=False), help="Write the log to this file.")
def main(log_file: str | None) -> None:
    """Reproduce published dark-matter results as standard limit files, and combine them."""
    _setup_logging(log_file)


def _register() -> None:
    import importlib
    import importlib.util

    from dmcombine import registry
    from dmcombine.cli import inputs, limitfiles, models, run, summaries

    modules = [inputs, limitfiles, models, run, summaries]
    # An experiment may add commands for people (``dmcombine <experiment> ...``) in its cli.py.
    for name in registry.EXPERIMENTS:
        if importlib.util.find_spec(f"{registry.package(name)}.cli") is not None:
            modules.append(importlib.import_module(f"{registry.package(name)}.cli"))
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
