"""The inputs catalogue: every shipped input matches; tampering is caught with both checksums."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dmcombine.catalogue import Checksums, workflow_catalogue
from dmcombine.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "config/inputs.yaml"


def catalogue():
    """The whole catalogue: the shared part and every experiment's inputs.yaml."""
    return workflow_catalogue(CATALOGUE)


def test_every_shipped_input_matches_its_entry() -> None:
    cat = catalogue()
    assert len(cat) >= 96
    for entry in cat:
        assert Checksums.of_file(REPO / entry.path) == entry.checksums, entry.did
        assert entry.origin and entry.paper and entry.licence


def test_every_data_file_is_catalogued_and_has_a_readme() -> None:
    catalogued = {entry.path for entry in catalogue()}
    for path in (REPO / "data").rglob("*"):
        rel = path.relative_to(REPO).as_posix()
        if path.is_file() and not path.name.startswith(("README", "LICENSE")):
            assert rel in catalogued, f"{rel} is shipped but in no inputs catalogue"
    for folder in {Path(p).parent for p in catalogued}:
        assert (REPO / folder / "README.md").exists(), f"{folder} has no README with provenance"


def test_nothing_reads_the_shared_folder() -> None:
    """A user's clone has no ../shared: no code, rule or config may point there."""
    pattern = re.compile(r"\.\./shared|/work/shared")
    for path in REPO.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or ".lab" in path.parts or not path.is_file():
            continue
        if path.suffix in {".py", ".smk", ".yaml", ".yml", ".sh", ".toml", ".cfg"} or path.name in {"Snakefile", "run"}:
            if path.name == "test_catalogue.py":
                continue
            assert not pattern.search(path.read_text(errors="ignore")), path


def test_unknown_did_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match="dmcombine:nope.dat is not in the inputs catalogue.*dmcombine:darkside50"):
        catalogue()["dmcombine:nope.dat"]
