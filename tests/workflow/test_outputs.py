"""What the workflow writes around the limit files: configured combinations, the HEPData export,
the provenance table, the Snakemake report, the planes it skips."""

from __future__ import annotations

import json
import pickle
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from dmcombine import limitfile
from dmcombine.planning.model import LimitOutput
from dmcombine.planning.paths import staged

from ..conftest import VENV_BIN, copy_workflow, default_plan, snakemake
from ..unit.test_combination import THRESHOLD_95, gaussian_doc
from ..unit.test_limitfile_cache import entry, same

pytestmark = pytest.mark.workflow


def test_configured_group_runs_in_the_workflow(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "group")
    (workdir / "external").mkdir()
    for name, doc in (("a", gaussian_doc("A", 0.0, 1.0)), ("b", gaussian_doc("B", 0.0, 2.0))):
        limitfile.write(workdir / f"external/{name}.json", doc)
    (workdir / "groups.yaml").write_text(yaml.safe_dump({"combination": {"groups": {"toy": ["external/a.json", "external/b.json"]}}}))
    result = snakemake(workdir, staged("results/combination/toy/limit.json"), "--cores", "2", "--configfile", "groups.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = np.sqrt(THRESHOLD_95) * (1 + 1 / 4) ** -0.5
    assert np.allclose(limitfile.read(workdir / "results/combination/toy/limit.json")["limit"]["value"], expected, rtol=1e-3)


def test_group_paths_never_reach_a_shell(tmp_path: Path) -> None:
    """A configured group may name any file, even one whose name is a shell command: paths travel in
    the job's card, never on a command line."""
    workdir = copy_workflow(tmp_path / "inject")
    (workdir / "user files").mkdir()
    names = ["user files/a.json", "user files/b$(touch INJECTED).json"]
    for name, doc in zip(names, (gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 2.0)), strict=True):
        limitfile.write(workdir / name, doc)
    (workdir / "groups.yaml").write_text(yaml.safe_dump({"combination": {"groups": {"odd": names}}}))
    result = snakemake(workdir, staged("results/combination/odd/limit.json"), "--cores", "1", "--configfile", "groups.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (workdir / "INJECTED").exists()
    doc = limitfile.read(workdir / "results/combination/odd/limit.json")
    assert [c["file"] for c in doc["model"]["assumptions"]["components"]] == names


def test_hepdata_export_validates(default_run: Path) -> None:
    archive = default_run / "results/hepdata/submission.tar.gz"
    # hepdata-validator's own command line, in its own process (it leaves files open)
    check = subprocess.run([str(VENV_BIN / "hepdata-validate"), "-a", str(archive)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "is valid" in check.stdout, check.stdout + check.stderr
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    # one table per limit file of ours: every JSON under results/ is a limit file; the imported
    # (published) ones are not exported as ours
    # (nor the models' translations of published curves and numbers; the relic lines are reference curves)
    candidates = [p for p in (default_run / "results").rglob("*.json")
                  if not {"imported", "catalogue"} & set(p.parts) and p.name != "relic_line.json"]
    ours = [p for p in candidates if not limitfile.is_published(limitfile.read(p))]
    assert len(ours) < len(candidates)
    assert "submission.yaml" in names and len(names) == 1 + len(ours)


def test_hepdata_tables_say_what_they_hold(default_run: Path) -> None:
    """Every table's name and description read back: experiment, variant, exposure or livetime and
    kind in the name (no "(2)" suffixes), the statistical wording of its kind in the description."""
    with tarfile.open(default_run / "results/hepdata/submission.tar.gz") as tar:
        member = tar.extractfile("submission.yaml")
        assert member is not None
        tables = [d for d in yaml.safe_load_all(member.read()) if d and "name" in d]
    names = {t["name"]: t for t in tables}
    assert len(names) == len(tables) and not any(name.endswith(")") for name in names)
    for name in ("XLZD design_book 1000 t yr discovery", "XLZD halo_2021 200 t yr projected", "KM3NeT-ARCA tautau 10 yr projected",
                 "DarkSide-50 published 16660 kg d observed", "ATLAS V2 ee observed excluded region", "MADMAX prototype observed",
                 "Fermi-LAT + KM3NeT-ARCA sigmav_bb projected"):
        assert name in names, (name, sorted(names))
    for table in tables:
        text = table["description"]
        if table["name"].endswith("discovery"):
            assert "3 sigma discovery reach" in text and "upper limit" not in text, text
        elif "excluded region" in table["name"]:
            assert "excluded region" in text and "upper limit" not in text, text
            if table["name"].startswith("ATLAS"):  # a collider result, alone or in a joint exclusion
                assert "cmenergies" in {k["name"] for k in table["keywords"]}
        elif table["name"].endswith(("projected", "expected")):
            assert "median" in text and "(sensitivity)" in text, text
        else:
            assert "observed" in text and "CL upper limit" in text, text


def test_provenance_table_lists_every_plotted_curve(default_run: Path) -> None:
    import csv
    import hashlib

    with open(default_run / "results/summary/provenance.csv") as handle:
        rows = list(csv.DictReader(handle))
    config = default_plan().config
    n_context = sum(len(curves) for curves in config["summary"]["context"].values())
    n_published = sum(len(job.outputs) for job in default_plan().jobs if job.kind == "import")  # every import's plane has results
    n_ds50 = len(set(config["darkside50"]["variants"]) | set(config["dd_variants"]))
    n_xlzd = 2 * len(config["xlzd"]["variants"]) * len(config["xlzd"]["exposures_t_yr"])  # own variants only
    atlas = config["atlas_dilepton"]["benchmarks"]
    n_atlas = 2 * len(atlas)  # mediator observed and expected
    fermi, km3 = config["fermi_dwarfs"]["channels"], config["km3net"]["channels"]
    n_sigmav = len(fermi) + len(km3) + len(set(fermi) & set(km3))  # Fermi, KM3NeT (one livetime), combinations
    # the models' plotted translations: of our results (ATLAS -> SI/SD, DarkSide-50 and XLZD -> mediator
    # plane), and of published curves and numbers (context); plus the joint exclusion of V2
    (model_job,) = [job for job in default_plan().jobs if job.kind == "model"]
    plotted = [role for role, o in model_job.outputs.items() if isinstance(o, LimitOutput) and o.plane and o.plotted]
    n_model_published = sum(role in model_job.config["published_labels"] for role in plotted)
    n_joint = sum(1 for job in default_plan().jobs if job.rule == "combine" and job.wildcards["group"].startswith("mediator"))
    n_ours = (n_ds50 + n_xlzd + n_atlas + n_sigmav + len(config["madmax"]["setups"]) + len(plotted) - n_model_published
              + n_joint)
    assert len(rows) == n_ours + n_context + n_published + n_model_published
    published = ("observed (published", "projected (published", "discovery (published")
    assert sum(row["kind"].startswith(published) for row in rows) == n_published + n_model_published
    assert all(row["licence"] for row in rows)
    for row in rows:
        assert row["paper"] and row["plot"] in ("si", "sd", "sigmav", "axion", "mediator"), row
        # every curve names its input files, except MADMAX's, which are computed from the config alone,
        # and the Higgs portal's, translated from cited numbers
        assert row["input_dids"] or row["experiment"] == "MADMAX" or row["licence"] == "a number cited from the paper", row
        assert hashlib.sha256((default_run / row["file"]).read_bytes()).hexdigest() == row["sha256"]


def test_snakemake_report_has_every_plot_and_the_provenance(default_run: Path) -> None:
    result = snakemake(default_run, "--report", "report.html")
    assert result.returncode == 0, result.stderr[-2000:]
    html = (default_run / "report.html").read_text(errors="ignore")
    for name in ("si_summary.png", "sigmav_summary.png", "sigmav_limits.png", "provenance.csv", "submission.tar.gz"):
        assert name in html, name


def test_a_plane_without_results_of_ours_gets_no_plot(default_run: Path, tmp_path: Path) -> None:
    """Quiet by default, and published curves alone make no plot: MADMAX alone gives the axion plot
    only, although the SI, SD and <sigma v> imports are still imported (and catalogued)."""
    quiet = snakemake(default_run, "--dry-run", "--cores", "1")
    assert quiet.returncode == 0 and "no results" not in quiet.stdout + quiet.stderr
    alone = tmp_path / "madmax.yaml"
    alone.write_text("experiments: [madmax]\n")
    result = snakemake(default_run, "--dry-run", "--cores", "1", "--configfile", str(alone), "--forceall")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout + result.stderr
    assert "plane=axion" in out and not any(f"plane={p}" in out for p in ("si", "sd", "sigmav", "mediator"))
    assert "limitfile_import" in out


def test_every_cached_document_is_its_parsed_file(default_run: Path) -> None:
    """Each limit file the run wrote is in the run's cache (its writer put it there), and the
    cached document is what parsing the file gives, type for type and bit for bit: the readers
    that took it from the cache saw exactly what parsing would have shown them."""
    files = [p for p in (default_run / "results").rglob("*.json") if "catalogue" not in p.parts and p.name != "relic_line.json"]
    assert len(files) > 30
    for path in files:
        cached = pickle.loads(entry(default_run, path).read_bytes()[len(limitfile.MAGIC) + 32:])
        same(cached, json.loads(path.read_bytes()), str(path))
