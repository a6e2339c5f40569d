#!/usr/bin/env python3
"""Benchmark: compute time of each experiment's physics, and wall times of the workflow
(not a test; prints figures).

    .venv/bin/python scripts/benchmark.py [--repeat 5]            # physics, in-process
    .venv/bin/python scripts/benchmark.py --workflow [--repeat 3]  # + whole-workflow wall times
    .venv/bin/python scripts/benchmark.py --workflow --slurm       # + the Slurm-profile run
                                                                   #   (starts the tests' cluster: root,
                                                                   #   scripts/setup.sh slurm)

Physics figures are medians of --repeat runs, timed around the package calls the CLI makes
(inputs parsed once beforehand), so process start-up and file fetching are excluded. Workflow
figures are medians of --repeat runs of Snakemake in fresh copies of the workflow on all cores.
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

from dmcombine.direct_detection.neutrinos import read_spectrum
from dmcombine.experiments import atlas_dilepton as ad
from dmcombine.experiments import darkside50 as ds50
from dmcombine.experiments import fermi_dwarfs as fd
from dmcombine.experiments import km3net, madmax, xlzd
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


def xlzd_case(points: int, exposure: float) -> Callable[[], object]:
    cfg = config()
    block = {k: v for k, v in copy.deepcopy(cfg["xlzd"]).items() if k != "variants"}
    block.update(variant="design_book", exposure_t_yr=exposure)
    block["mass_grid_gev"]["points"] = points
    paths = {e["did"]: e["path"] for e in yaml.safe_load((REPO / "config/inputs.yaml").read_text())["inputs"]}
    sources = {name: read_spectrum((REPO / paths[spec["did"]]).read_bytes(), spec["did"], name, spec["flux_cm2_s"])
               for name, spec in block["neutrinos"].items()}
    return lambda: xlzd.compute(block, sources)


def atlas_case(benchmark: str) -> Callable[[], object]:
    section = config()["atlas_dilepton"]
    root = REPO / "data/atlas_dilepton"
    read = lambda name: ad.read_column((root / "zpeed/T_Lists" / name).read_bytes(), name, 1)
    lumis = [ad.Luminosities(read("T_mll_list.dat"), read("T2_ATLAS_ee_u_cuts_list.dat"), read("T2_ATLAS_ee_d_cuts_list.dat"))]
    table = ad.read_limit_csv((root / "fidlimit_t4_jagged_OBSERVED_likely_ee.csv").read_bytes(), "t4")
    return lambda: ad.scan(section["benchmarks"][benchmark], section["grid"], table, lumis, section["k_factor"])


def madmax_case(setup: str) -> Callable[[], object]:
    section = config()["madmax"]
    block = dict(copy.deepcopy(section["setups"][setup]), name=setup, confidence_level=section["confidence_level"])
    return lambda: madmax.compute(block)


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


def km3net_case(channel: str, points: int) -> Callable[[], object]:
    """One KM3NeT job's computation: response, FC table, window/ROI search for every livetime."""
    from dmcombine.indirect import irf
    from dmcombine.indirect.spectra import read_cosmixs

    section = copy.deepcopy(config()["km3net"])
    section["mass_grid_gev"]["points"] = points
    folder = REPO / "data/km3net_irf"
    irfs = km3net.Irfs(irf.read_aeff((folder / "aeff.fits").read_bytes(), "aeff"),
                       irf.read_psf((folder / "psf.fits").read_bytes(), "psf"),
                       irf.read_edisp((folder / "edisp.fits").read_bytes(), "edisp"),
                       irf.read_background((folder / "bkg_nu.fits").read_bytes(), "bkg_nu"),
                       irf.read_background((folder / "bkg_mu.fits").read_bytes(), "bkg_mu"))
    spectra = {f: read_cosmixs((REPO / f"data/spectra/cosmixs/AtProduction-{n}.dat").read_bytes(), n)
               for f, n in (("e", "Nuel"), ("mu", "Numu"), ("tau", "Nuta"))}
    return lambda: km3net.compute(section, irfs, spectra, channel)


def rates_against_wimprates(repeat: int) -> tuple[float, float, float]:
    """Our vectorised SI rate vs wimprates 0.5.0 on 20 masses × 50 energies (argon): time of each
    (median) and the largest relative difference after removing wimprates' 1/N_esc² factor."""
    import warnings

    import numpy as np
    from scipy.special import erf

    from dmcombine.constants import ATOMIC_MASS_UNIT_GEV
    from dmcombine.direct_detection.halo import StandardHaloModel
    from dmcombine.direct_detection.nuclear import single_isotope_target
    from dmcombine.direct_detection.rates import differential_rate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import numericalunits as nu
        import wimprates as wr
        from wimprates.elastic_nr import ATOMIC_WEIGHT
    masses = np.geomspace(20.0, 1e4, 20)
    energies = np.linspace(1.0, 200.0, 50)
    kms = nu.km / nu.s
    halo = wr.StandardHaloModel(v_0=220 * kms, v_esc=544 * kms, rho_dm=0.3 * nu.GeV / nu.c0**2 / nu.cm**3)
    vearth = float(wr.v_earth(t=None, v_0=220 * kms) / kms)

    def theirs() -> np.ndarray:
        return np.array([[wr.rate_elastic(e * nu.keV, m * nu.GeV / nu.c0**2, 1e-45 * nu.cm**2, material="Ar",
                                          halo_model=halo) for e in energies] for m in masses]) * (nu.kg * nu.day * nu.keV)

    a = ATOMIC_WEIGHT["Ar"]
    target = single_isotope_target("Ar", a, 18, a)
    ours_halo = StandardHaloModel(0.3, 220.0, 544.0, vearth)

    def ours() -> np.ndarray:
        return differential_rate(energies, masses, 1e-45, target, ours_halo, nucleon_mass_gev=ATOMIC_MASS_UNIT_GEV)

    t_ours = median_seconds(ours, repeat)[0]
    t_theirs = median_seconds(theirs, max(1, repeat // 2))[0]
    z = 544.0 / 220.0
    n_esc = erf(z) - 2 * z * np.exp(-z * z) / np.sqrt(np.pi)
    w, o = theirs() / n_esc**2, ours()
    live = w > 0
    return t_ours, t_theirs, float(np.max(np.abs(o[live] / w[live] - 1)))


def workflow_times(repeat: int, slurm: bool) -> list[tuple[str, float, float, float]]:
    """Wall times of whole Snakemake runs in fresh copies of the workflow."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    parts = ("Snakefile", "rules", "workflows", "config", "data", "envs", "report", "profiles")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    snakemake = str(Path(sys.executable).parent / "snakemake")

    def fresh() -> Path:
        work = Path(tempfile.mkdtemp(prefix="dmcombine-bench-"))
        for part in parts:
            (shutil.copytree if (REPO / part).is_dir() else shutil.copy2)(REPO / part, work / part)
        return work

    def timed(work: Path, *args: str) -> float:
        began = time.perf_counter()
        subprocess.run([snakemake, *args], cwd=work, env=env, check=True, capture_output=True, timeout=3600)
        return time.perf_counter() - began

    rows = []
    cold, noop, tenfold = [], [], []
    for _ in range(repeat):
        work = fresh()
        cold.append(timed(work, "--cores", "all"))
        noop.append(timed(work, "--cores", "all"))
        shutil.rmtree(work)
    rows.append(("workflow, cold, all cores", statistics.median(cold), min(cold), max(cold)))
    rows.append(("workflow, no-op rerun", statistics.median(noop), min(noop), max(noop)))
    for _ in range(max(1, repeat // 3)):
        work = fresh()
        (work / "tenfold.yaml").write_text(
            "darkside50: {mass_grid_gev: {min: 10.0, max: 10000.0, points: 610}}\n"
            "fermi_dwarfs: {mass_grid_gev: {min: 5.0, max: 10000.0, points: 400}}\n"
        )
        tenfold.append(timed(work, "--cores", "all", "--configfile", "tenfold.yaml"))
        shutil.rmtree(work)
    rows.append(("workflow, 10x mass points (610 DS50, 400 Fermi)", statistics.median(tenfold), min(tenfold), max(tenfold)))
    if slurm:
        # the tests' single-node cluster (Debian's slurm-wlm, as root), started and stopped here
        sys.path.insert(0, str(REPO))
        from tests.slurm_lab import SlurmLab

        lab = SlurmLab(Path(tempfile.mkdtemp(prefix="dmcombine-bench-slurm-"))).start()
        times = []
        try:
            for _ in range(repeat):
                work = fresh()
                times.append(timed(work, "--workflow-profile", "profiles/slurm"))
                shutil.rmtree(work)
        finally:
            lab.stop()
        rows.append(("workflow through profiles/slurm (sbatch)", statistics.median(times), min(times), max(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workflow", action="store_true", help="also time whole workflow runs")
    parser.add_argument("--slurm", action="store_true", help="with --workflow: also through profiles/slurm")
    args = parser.parse_args()
    cases = [
        ("DarkSide-50 limit, 61 masses (default)", darkside50_case(61)),
        ("DarkSide-50 limit, 200 masses", darkside50_case(200)),
        ("XLZD exclusion + 3 sigma discovery, 200 masses, 200 t yr", xlzd_case(200, 200.0)),
        ("XLZD exclusion + 3 sigma discovery, 200 masses, 1000 t yr", xlzd_case(200, 1000.0)),
        ("ATLAS dilepton V2, 100 x 100 (M_med, m_chi)", atlas_case("V2")),
        ("ATLAS dilepton A2, 100 x 100 (M_med, m_chi)", atlas_case("A2")),
        ("MADMAX prototype (50 masses)", madmax_case("prototype")),
        ("MADMAX full scale (200 masses x 1740 tuning steps)", madmax_case("full_scale")),
        ("Fermi-LAT, 4 channels x 40 masses x 19 dwarfs (albert2017_kinematic)",
         fermi_case("albert2017_kinematic", ["bb", "tautau", "ww", "mumu"], 40)),
        ("Fermi-LAT, 4 channels x 40 masses x 45 targets (albert2017_combined)",
         fermi_case("albert2017_combined", ["bb", "tautau", "ww", "mumu"], 40)),
        ("KM3NeT tau tau, 16 masses x 3 livetimes (default; incl. FC table)", km3net_case("tautau", 16)),
        ("KM3NeT tau tau, 200 masses x 3 livetimes", km3net_case("tautau", 200)),
    ]
    print(f"{'case':72s} {'median':>9s} {'min':>9s} {'max':>9s}   (s, {args.repeat} runs)")
    for name, action in cases:
        med, lo, hi = median_seconds(action, args.repeat)
        print(f"{name:72s} {med:9.3f} {lo:9.3f} {hi:9.3f}")
    t_ours, t_theirs, worst = rates_against_wimprates(args.repeat)
    print(f"{'SI rate, 20 masses x 50 energies: dmcombine (vectorised)':72s} {t_ours:9.4f}")
    print(f"{'SI rate, same grid: wimprates 0.5.0 (numerical integration)':72s} {t_theirs:9.4f}")
    print(f"  ratio wimprates/dmcombine = {t_theirs / t_ours:.0f}; largest relative difference "
          f"(after wimprates' 1/N_esc^2) = {worst:.2e}")
    if args.workflow:
        for name, med, lo, hi in workflow_times(args.repeat, args.slurm):
            print(f"{name:72s} {med:9.1f} {lo:9.1f} {hi:9.1f}")


if __name__ == "__main__":
    main()
