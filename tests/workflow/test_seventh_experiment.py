"""Proof of the plugin architecture: a seventh experiment added by following
docs/adding-an-experiment.md literally (its own files and one registry line, nothing else edited)
runs in the workflow and reaches every shared output."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from dmcombine import limitfile

from ..conftest import REPO, VENV_BIN, copy_workflow, run, tool_env

pytestmark = pytest.mark.workflow

RECIPE = REPO / "docs/adding-an-experiment.md"
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)^```$", re.M | re.S)
REGISTRY_BLOCK = re.compile(r"<!-- registry line -->\n```python\n(.*?)```", re.S)


def follow_the_recipe(root: Path) -> list[str]:
    """Write every file of the recipe into ``root`` and add its registry line; returns the files."""
    text = RECIPE.read_text()
    written = []
    for path, content in FILE_BLOCK.findall(text):
        target = root / path
        assert not target.exists(), f"the recipe would overwrite {path}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        written.append(path)
    [line] = REGISTRY_BLOCK.findall(text)
    registry = root / "src/dmcombine/registry.py"
    source = registry.read_text()
    head, tail = source.split("EXPERIMENTS = (\n", 1)
    body, rest = tail.split("\n)\n", 1)
    registry.write_text(f"{head}EXPERIMENTS = (\n{body}\n{line.rstrip()}\n)\n{rest}")
    return written


@pytest.fixture(scope="module")
def seventh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = copy_workflow(tmp_path_factory.mktemp("seventh") / "wf")
    original = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    written = follow_the_recipe(root)
    changed = [name for name, data in original.items() if (root / name).read_bytes() != data]
    assert changed == ["src/dmcombine/registry.py"], changed  # nothing shared but the registry line
    (root / "two.yaml").write_text("experiments: [darkside50, toy_xenon]\n")
    env = {**tool_env(), "PYTHONPATH": str(root / "src")}  # the copy's package, with its new experiment
    result = run([str(VENV_BIN / "snakemake"), "--cores", "2", "--configfile", "two.yaml"], cwd=root, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = run([str(VENV_BIN / "snakemake"), "--configfile", "two.yaml", "--report", "report.html"], cwd=root, env=env)
    assert report.returncode == 0, report.stderr[-3000:]
    return root, written


def test_the_recipe_adds_new_files_and_one_registry_line(seventh: tuple[Path, list[str]]) -> None:
    _, written = seventh
    assert "workflows/toy_xenon.smk" in written and "src/dmcombine/experiments/toy_xenon/plan.py" in written
    assert {Path(p).parts[0] for p in written} == {"data", "src", "workflows", "docs", "tests"}


def test_its_limit_file_is_written_and_valid(seventh: tuple[Path, list[str]]) -> None:
    root, _ = seventh
    doc = limitfile.read(root / "results/toy_xenon/limit.json")
    assert doc["experiment"] == "Toy-Xe" and doc["provenance"]["inputs"][0]["did"] == "dmcombine:toy_xenon.counts.json"


def test_it_reaches_the_si_plot_provenance_hepdata_and_report(seventh: tuple[Path, list[str]]) -> None:
    root, _ = seventh
    [card] = (root / ".dmcombine/cards/summary_plot").glob("si.*.yaml")
    assert ".dmcombine/stage/results/toy_xenon/limit.json" in yaml.safe_load(card.read_text())["files"]
    assert (root / "results/summary/si_summary.png").stat().st_size > 10_000
    with open(root / "results/summary/provenance.csv") as handle:
        rows = [r for r in csv.DictReader(handle) if r["experiment"] == "Toy-Xe"]
    assert len(rows) == 1 and rows[0]["file"] == "results/toy_xenon/limit.json" and rows[0]["plot"] == "si"
    with tarfile.open(root / "results/hepdata/submission.tar.gz") as tar:
        submission = tar.extractfile("submission.yaml").read().decode()
    assert "results/toy_xenon/limit.json" in submission
    assert "provenance.csv" in (root / "report.html").read_text(errors="ignore")


def test_its_own_test_passes(seventh: tuple[Path, list[str]]) -> None:
    root, _ = seventh
    env = {**tool_env(), "PYTHONPATH": str(root / "src")}
    result = subprocess.run([str(VENV_BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
                             "--rootdir", str(root), "tests/experiments/test_toy_xenon.py"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert os.path.exists(root / "docs/toy_xenon.md")
