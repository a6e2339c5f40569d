"""The inputs catalogue: every shipped input matches; tampering is caught with both checksums."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from dmcombine.catalogue import Catalogue, Checksums, fetch_embedded, open_verified
from dmcombine.errors import ConfigError, InputIntegrityError

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "config/inputs.yaml"


def test_every_shipped_input_matches_its_entry() -> None:
    cat = Catalogue.load(CATALOGUE)
    assert len(cat) >= 10
    for entry in cat:
        assert Checksums.of_file(REPO / entry.path) == entry.checksums, entry.did
        assert entry.origin and entry.paper and entry.licence


def test_every_data_file_is_catalogued_and_has_a_readme() -> None:
    catalogued = {entry.path for entry in Catalogue.load(CATALOGUE)}
    for path in (REPO / "data").rglob("*"):
        rel = path.relative_to(REPO).as_posix()
        if path.is_file() and not path.name.startswith(("README", "LICENSE")):
            assert rel in catalogued, f"{rel} is shipped but not in config/inputs.yaml"
    for folder in {Path(p).parent for p in catalogued}:
        assert (REPO / folder / "README.md").exists(), f"{folder} has no README with provenance"


def test_nothing_reads_the_shared_folder() -> None:
    """A user's clone has no ../shared: no code, rule or config may point there."""
    pattern = re.compile(r"\.\./shared|/work/shared")
    for path in REPO.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or not path.is_file():
            continue
        if path.suffix in {".py", ".smk", ".yaml", ".yml", ".sh", ".toml", ".cfg"} or path.name in {"Snakefile", "run"}:
            if path.name == "test_catalogue.py":
                continue
            assert not pattern.search(path.read_text(errors="ignore")), path


def _tampered_copy(tmp_path: Path, change: str) -> tuple[Catalogue, Path]:
    cat = Catalogue.load(CATALOGUE)
    entry = cat["dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"]
    shutil.copytree(REPO / "data", tmp_path / "data")
    target = tmp_path / entry.path
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2] if change == "truncate" else data.replace(b"e-01", b"e-02", 1))
    return cat, target


@pytest.mark.parametrize("change", ["truncate", "edit"])
def test_fetch_refuses_tampered_input_and_writes_nothing(tmp_path: Path, change: str) -> None:
    cat, target = _tampered_copy(tmp_path, change)
    entry = cat["dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"]
    got = Checksums.of_file(target)
    output = tmp_path / "out" / "acc.dat"
    with pytest.raises(InputIntegrityError) as info:
        fetch_embedded(entry, target, output)
    message = str(info.value)
    for piece in (entry.did, entry.checksums.adler32, entry.checksums.md5, got.adler32, got.md5):
        assert piece in message
    assert not output.exists()
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_consumer_rechecks_a_stale_copy(tmp_path: Path) -> None:
    entry = Catalogue.load(CATALOGUE)["dmcombine:darkside50.highmass.json"]
    copy = tmp_path / "h.json"
    copy.write_bytes((REPO / entry.path).read_bytes() + b" ")
    with pytest.raises(InputIntegrityError, match="darkside50.highmass.json"):
        open_verified(entry, copy)


def test_unknown_did_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match="dmcombine:nope.dat is not in the inputs catalogue.*dmcombine:darkside50"):
        Catalogue.load(CATALOGUE)["dmcombine:nope.dat"]


def test_catalogue_entry_fields_are_checked(tmp_path: Path) -> None:
    doc = yaml.safe_load(CATALOGUE.read_text())
    del doc["inputs"][1]["md5"]
    bad = tmp_path / "inputs.yaml"
    bad.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError, match=r"entry 1 \(dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat\): missing field\(s\) md5"):
        Catalogue.load(bad)


def test_a_file_swapped_for_another_experiments_is_refused(tmp_path: Path) -> None:
    """The Fermi-LAT Draco likelihood put where the DarkSide-50 acceptance should be."""
    cat = Catalogue.load(CATALOGUE)
    entry = cat["dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"]
    swapped = tmp_path / "acceptance.dat"
    swapped.write_bytes((REPO / "data/fermi_dwarfs/likelihoods/like_draco.txt").read_bytes())
    with pytest.raises(InputIntegrityError) as info:
        fetch_embedded(entry, swapped, tmp_path / "out.dat")
    assert entry.did in str(info.value) and entry.checksums.md5 in str(info.value)
    assert not (tmp_path / "out.dat").exists()
