"""The README's figures come from the registry, the catalogue and the benchmark record: a test
fails when one drifts."""

from __future__ import annotations

import importlib.util
import json
import re

from dmcombine.catalogue import workflow_catalogue
from dmcombine.registry import EXPERIMENTS

from ..conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _benchmark_script():
    spec = importlib.util.spec_from_file_location("benchmark", REPO / "scripts/benchmark.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_counts_the_catalogue() -> None:
    count = len(list(workflow_catalogue(REPO / "config/inputs.yaml")))
    assert f"the catalogue lists {count} of them" in README
    assert not re.search(r"\b[0-9]+ inputs\b", README), "say the count once, in the catalogue sentence"


def test_readme_lists_every_registered_experiment() -> None:
    for name in EXPERIMENTS:
        assert f"| `{name}` |" in README and f"docs/{name}.md" in README, name


def test_readme_speed_table_is_the_benchmark_record() -> None:
    bench = _benchmark_script()
    record = json.loads((REPO / "docs/benchmark.json").read_text(encoding="utf-8"))
    start, stop = README.index(bench.BEGIN), README.index(bench.END) + len(bench.END)
    assert README[start:stop] == bench.readme_table(record), "regenerate: scripts/benchmark.py --readme-only"
    for key in ("cold", "noop", "grid_x10"):
        figure = record["figures"][key]
        assert figure["min_s"] <= figure["median_s"] <= figure["max_s"] and figure["runs"] >= 3


def test_grid_override_multiplies_every_grid() -> None:
    override = _benchmark_script().grid_override(REPO)
    assert override["darkside50"]["mass_grid_gev"]["points"] == 610
    assert override["atlas_dilepton"]["grid"]["dm_gev"]["points"] == 316
    assert set(override) == set(EXPERIMENTS)


def test_every_data_file_the_package_reads_is_in_its_package_data() -> None:
    """An installed (non-editable) package, as in the image, has only the files pyproject.toml's
    package-data names: every YAML, JSON, RST and template file under src/dmcombine must match."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["dmcombine"]
    root = REPO / "src/dmcombine"
    data = [p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and p.suffix in {".yaml", ".json", ".rst", ".html", ".css", ".js"}]
    assert len(data) > 20
    missing = [name for name in data if not any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
