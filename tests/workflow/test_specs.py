"""CI checks of the workflow's specifications: lint, format, Snakemake 7.32.4, REANA, pins."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from dmcombine import __version__
from dmcombine.registry import EXPERIMENTS

from ..conftest import HTCONDOR_BIN, REANA_BIN, REPO, VENV_BIN, assert_same_results, copy_workflow, default_plan, run, tool_env

pytestmark = pytest.mark.toolchain


def _reana_tool(name: str) -> str:
    tool = REANA_BIN / name
    assert tool.exists(), f"{tool} is missing: run scripts/setup.sh reana (the test command does)"
    return str(tool)


def test_snakemake_lint_is_clean() -> None:
    result = run([str(VENV_BIN / "snakemake"), "--lint"], cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakefmt_check_is_clean() -> None:
    result = run([str(VENV_BIN / "snakefmt"), "--check", "."], cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    """ruff (pinned in requirements/main.lock, configured in pyproject.toml) over src, tests, scripts."""
    result = run([str(VENV_BIN / "ruff"), "check", "--no-cache", "."], cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_planning_layer_reads_as_python_3_8() -> None:
    """REANA's Snakemake engine (Ubuntu 20.04 image) parses the workflow with Python 3.8: the files
    the Snakefile imports must parse as 3.8 and use none of the newer builtins' methods."""
    import ast

    files = [*(REPO / "src/dmcombine/planning").glob("*.py"), REPO / "src/dmcombine/registry.py",
             REPO / "src/dmcombine/planes.py", REPO / "src/dmcombine/catalogue.py", REPO / "src/dmcombine/errors.py",
             REPO / "src/dmcombine/fileio.py", REPO / "src/dmcombine/direct_detection/variants.py",
             *(REPO / f"src/dmcombine/experiments/{name}/plan.py" for name in EXPERIMENTS)]
    for path in files:
        text = path.read_text()
        ast.parse(text, filename=str(path), feature_version=(3, 8))
        for newer in ("strict=", ".removeprefix(", ".removesuffix(", "functools.cache(", "| None ="):
            assert newer not in text.replace("# ", ""), f"{path.name}: {newer!r} needs Python > 3.8"


def test_dry_run_under_snakemake_9() -> None:
    result = run([str(VENV_BIN / "snakemake"), "--dry-run", "--cores", "1", "--directory", str(REPO)], cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "darkside50_limit" in result.stdout or "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.parametrize("profile", ["local", "slurm", "htcondor"])
def test_every_profile_builds_the_dag(profile: str, tmp_path: Path) -> None:
    """Each workflow profile is accepted by Snakemake 9 and its executor plugin (the Slurm and
    HTCondor runs themselves need a cluster: Slurm's is tested in test_slurm.py). The HTCondor
    plugin lives in .venv-htcondor only (its htcondor2 module warns on every start without HTCondor)."""
    workdir = copy_workflow(tmp_path / profile)
    snakemake = (HTCONDOR_BIN if profile == "htcondor" else VENV_BIN) / "snakemake"
    result = run([str(snakemake), "--workflow-profile", f"profiles/{profile}", "--dry-run"], cwd=workdir, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for rule in ("darkside50_limit", "fermi_dwarfs_limit", "hepdata_export"):
        assert rule in result.stdout


def test_dry_run_under_snakemake_7_32_4(tmp_path: Path) -> None:
    """REANA's Snakemake engine runs 7.32.4: the DAG must build there too."""
    snakemake7 = _reana_tool("snakemake")
    version = run([snakemake7, "--version"], cwd=REPO).stdout.strip()
    assert version == "7.32.4"
    result = run([snakemake7, "--dry-run", "--cores", "1", "--forceall"], cwd=REPO, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for rule in ("darkside50_limit", "fermi_dwarfs_limit", "km3net_sensitivity", "summary_plot", "hepdata_export"):
        assert rule in result.stdout


@pytest.mark.workflow
def test_full_run_under_snakemake_7_32_4_is_byte_identical(default_run: Path, tmp_path: Path) -> None:
    """REANA's engine executes the DAG with Snakemake 7.32.4: run it end to end with that version
    (jobs call the dmcombine CLI from the project's environment, as the analysis image provides)."""
    workdir = copy_workflow(tmp_path / "snakemake7")
    result = run([_reana_tool("snakemake"), "--cores", "2"], cwd=workdir, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_same_results(workdir, default_run, "limit.json")


def test_snakemake_7_still_validates_the_config(tmp_path: Path) -> None:
    """Under 7.32.4 (jsonschema 3.2, draft-07 rules) a bad value is refused all the same."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("darkside50: {model: {halo: {rho_gev_cm3: 0.3, v0_km_s: 220, vesc_km_s: 5440, vearth_km_s: 232}}}\n")
    result = run([_reana_tool("snakemake"), "--dry-run", "--cores", "1", "--configfile", str(bad)], cwd=REPO, timeout=180)
    assert result.returncode != 0
    assert "5440 is greater than the maximum of 2000" in result.stdout + result.stderr


def test_reana_client_validate_without_warnings() -> None:
    env = tool_env()
    env["PYTHONWARNINGS"] = "ignore"
    result = run([_reana_tool("reana-client"), "validate", "--file", "reana.yaml"], cwd=REPO, env=env, timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # reana-client's own findings read "-> WARNING: ..."; they are fatal here. (It also relays
    # Snakemake's log lines as "[WARNING] Building DAG..." and Snakemake 7.32's notice that it
    # validates the config with draft-07 rules, which the schema is written to satisfy.)
    assert "WARNING:" not in output, output
    assert "Valid REANA specification file" in output


def test_reana_spec_names_no_experiment_and_uploads_the_planning_layer() -> None:
    spec = yaml.safe_load((REPO / "reana.yaml").read_text())
    assert spec["workflow"]["type"] == "snakemake"
    assert spec["outputs"] == {"directories": ["results", "logs"]}
    for folder in ("config", "rules", "workflows", "envs", "report", "src"):
        assert folder in spec["inputs"]["directories"]
    text = (REPO / "reana.yaml").read_text()
    assert not [name for name in EXPERIMENTS if name in text]
    # on REANA the inputs come from Rucio: the shipped copies are not uploaded
    assert spec["inputs"]["parameters"] == {"inputs": {"source": "rucio"}}
    assert "data" not in spec["inputs"]["directories"]


def test_on_reana_the_fetch_job_reads_rucio_with_reanas_rucio_resource(tmp_path: Path) -> None:
    """What REANA's engine builds from reana.yaml: only the uploaded folders, the parameters merged
    into the config, Snakemake 7.32.4. The one job that talks to Rucio asks for REANA's Rucio
    resource (one job per input DID); no job reads the shipped copies in data/."""
    spec = yaml.safe_load((REPO / "reana.yaml").read_text())
    workdir = tmp_path / "reana"
    workdir.mkdir()
    for folder in spec["inputs"]["directories"]:
        shutil.copytree(REPO / folder, workdir / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in spec["inputs"]["files"]:
        shutil.copy2(REPO / name, workdir / name)
    (workdir / "parameters.yaml").write_text(yaml.safe_dump(spec["inputs"]["parameters"]))
    result = run([_reana_tool("snakemake"), "--dry-run", "--printshellcmds", "--cores", "1", "--configfile", "parameters.yaml"],
                 cwd=workdir, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    fetches = [block for block in result.stdout.split("\n\n") if "rule fetch_input:" in block]
    read = {item.did for job in default_plan().jobs for item in job.inputs.values()}
    assert len(fetches) == len(read) > 100, len(fetches)  # the experiments' inputs and the imports'
    assert all("rucio=True" in block for block in fetches)
    assert len(re.findall(r"^dmcombine --log \S+ fetch --card ", result.stdout, re.M)) == len(fetches)
    assert not re.search(r"(^|[\s,'])data/", result.stdout, re.M), "a job reads a shipped copy"
    for target in ("results/darkside50/published/limit.json", "results/summary/si_summary.png",
                   "results/hepdata/submission.tar.gz"):
        assert f".dmcombine/stage/{target}" in result.stdout, target


def _locked() -> dict[str, str]:
    text = (REPO / "requirements/main.lock").read_text()
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", text, re.M)}


def test_every_rule_has_log_env_and_pinned_container() -> None:
    common = (REPO / "rules/common.smk").read_text()
    image = re.search(r'^IMAGE = "docker://([^"]+)"', common, re.M)
    assert image, "rules/common.smk must pin IMAGE"
    name, tag = image.group(1).rsplit(":", 1)
    assert tag == __version__ and tag != "latest"
    assert re.search(r'^ENV = "\.\./envs/dmcombine\.yaml"$', common, re.M)
    for path in [*REPO.glob("rules/*.smk"), *REPO.glob("workflows/*.smk")]:
        text = path.read_text()
        for block in re.split(r"\n(?=rule )", text)[1:]:
            rule = block.split(":", 1)[0]
            for directive in ("log:", "container:\n        IMAGE", "conda:\n        ENV", "resources:\n        **job_resources(",
                              "shell:"):
                assert directive in block, f"{path.name}: {rule} lacks {directive.split(':')[0]}"
            assert "run:" not in block and "script:" not in block
            command = block.split("shell:", 1)[1]
            assert command.count("dmcombine ") == 1 and not re.search(r"[;|&]", command), f"{rule}: one command"


def test_environment_file_and_image_recipe_pin_the_locked_versions() -> None:
    locked = _locked()
    env = yaml.safe_load((REPO / "envs/dmcombine.yaml").read_text())
    pins = [item for item in env["dependencies"] if isinstance(item, dict)][0]["pip"]
    for pin in pins:
        if "==" in pin:
            package, version = pin.split("==")
            assert locked[package.lower()] == version, f"envs/dmcombine.yaml pins {pin}, lock has {locked[package.lower()]}"
    dockerfile = (REPO / "envs/Dockerfile").read_text()
    assert "requirements/main.lock" in dockerfile and "--require-hashes" in dockerfile
    assert re.search(r"^FROM python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", dockerfile, re.M) or re.search(
        r"^FROM python:3\.11\.\d+-slim-bookworm$", dockerfile, re.M
    )
    assert ":latest" not in dockerfile
    apptainer = (REPO / "envs/dmcombine.def").read_text()
    assert "requirements/main.lock" in apptainer and "--require-hashes" in apptainer
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    assert re.search(rf"^From: {re.escape(base)}$", apptainer, re.M), "Dockerfile and Apptainer recipe use different bases"
    assert __version__ in apptainer
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    for requirement in project["project"]["dependencies"]:
        package = re.split(r"[<>=!~ ]", requirement)[0].lower()
        assert package in locked, f"{package} is a dependency but not in requirements/main.lock"


@pytest.mark.parametrize("left_out", EXPERIMENTS)
def test_any_experiment_can_be_left_out(left_out: str, tmp_path: Path) -> None:
    """`experiments:` switches: without one experiment (and with no block for any), the DAG builds
    and none of its rules is planned."""
    workdir = copy_workflow(tmp_path / left_out)
    (workdir / "subset.yaml").write_text(yaml.safe_dump({"experiments": [n for n in EXPERIMENTS if n != left_out]}))
    result = run([str(VENV_BIN / "snakemake"), "--dry-run", "--cores", "1", "--configfile", "subset.yaml"], cwd=workdir,
                 timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rules = re.findall(r"^rule (\w+):", (REPO / f"workflows/{left_out}.smk").read_text(), re.M)
    jobs = result.stdout.split("Job stats:")[1]
    assert rules and not [rule for rule in rules if rule in jobs], (rules, jobs)
    for other in EXPERIMENTS:
        if other != left_out:
            assert re.findall(r"^rule (\w+):", (REPO / f"workflows/{other}.smk").read_text(), re.M)[0] in jobs
