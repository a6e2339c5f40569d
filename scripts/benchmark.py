#!/usr/bin/env python3
"""Benchmark: compute time of each experiment's physics (not a test; prints figures).

Run with the project's environment: `.venv/bin/python scripts/benchmark.py [--repeat 5]`.
Each figure is the median of --repeat runs, timed in-process around the package calls the CLI
makes (inputs parsed once beforehand), so process start-up and file fetching are excluded.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from snakemake.utils import validate

from dmcombine.experiments import darkside50 as ds50
from dmcombine.experiments import fermi_dwarfs as fd
from dmcombine.indirect.jfactors import read_albert2017_table, read_dmsky
from dmcombine.indirect.spectra import read_pppc

REPO = Path(__file__).resolve().parents[1]


def median_seconds(action: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times), min(times), max(times)


def config() -> dict:
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    validate(cfg, str(REPO / "config/config.schema.yaml"), set_default=True)
    return cfg


def darkside50_case(points: int) -> Callable[[], object]:
    block = {k: v for k, v in copy.deepcopy(config()["darkside50"]).items() if k != "variants"}
    block["variant"] = "published"
    block["mass_grid_gev"]["points"] = points
    summary = ds50.read_summary((REPO / "data/darkside50/highmass.txt").read_bytes(), "summary")
    acc = ds50.read_acceptance(
        (REPO / "data/darkside50/ds50_highmass_overall_nr_acceptance_vs_Enr.dat").read_bytes(), "acceptance"
    )
    return lambda: ds50.compute(block, summary, acc)


def fermi_case(dwarf_set: str, channels: list[str], points: int) -> Callable[[], object]:
    section = copy.deepcopy(config()["fermi_dwarfs"])
    section["mass_grid_gev"]["points"] = points
    like_dir = REPO / "data/fermi_dwarfs/likelihoods"
    tables = {
        "albert2017_kinematic": read_albert2017_table((like_dir / "Jfactors.dat").read_bytes(), "J"),
        "albert2017_photometric": read_dmsky(
            (REPO / "data/fermi_dwarfs/jfactors/albert2017.yaml").read_bytes(), "a", "ackermann2016_photoj_0.6_nfw"
        ),
        "ackermann2014_nfw": read_dmsky(
            (REPO / "data/fermi_dwarfs/jfactors/ackermann2014.yaml").read_bytes(), "a", "ackermann2014_nfw"
        ),
    }
    set_cfg = section["dwarf_sets"][dwarf_set]
    dwarfs = fd.jfactors_for(set_cfg["dwarfs"], [(t, tables[t]) for t in set_cfg["jfactors"]], dwarf_set)
    likes = {d: fd.read_likelihood((like_dir / f"like_{d}.txt").read_bytes(), d, d) for d in dwarfs}
    spectra = read_pppc((REPO / "data/spectra/pppc4dmid/AtProduction_gammas.dat").read_bytes(), "pppc")
    return lambda: [fd.compute(section, ch, dwarfs, likes, spectra) for ch in channels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = [
        ("DarkSide-50 limit, 61 masses (default)", darkside50_case(61)),
        ("DarkSide-50 limit, 200 masses", darkside50_case(200)),
        ("Fermi-LAT, 4 channels x 40 masses x 19 dwarfs (albert2017_kinematic)",
         fermi_case("albert2017_kinematic", ["bb", "tautau", "ww", "mumu"], 40)),
        ("Fermi-LAT, 4 channels x 40 masses x 45 targets (albert2017_combined)",
         fermi_case("albert2017_combined", ["bb", "tautau", "ww", "mumu"], 40)),
    ]
    print(f"{'case':72s} {'median':>9s} {'min':>9s} {'max':>9s}   (s, {args.repeat} runs)")
    for name, action in cases:
        med, lo, hi = median_seconds(action, args.repeat)
        print(f"{name:72s} {med:9.3f} {lo:9.3f} {hi:9.3f}")


if __name__ == "__main__":
    main()
