"""The cache of validated limit files (dmcombine.limitfile.read): a reader gets exactly what parsing
the bytes gives, with or without the cache, and nothing in the cache can stand in for a file whose
bytes changed, pass off a damaged entry, or run code."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dmcombine import limitfile
from dmcombine.errors import LimitFileError

from .test_limitfile import example


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal values of identical types all the way down (1 == 1.0 == True would not do)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}/{i}")
    elif isinstance(a, float):
        assert a.hex() == b.hex(), where  # same bits, -0.0 included
    else:
        assert a == b, where


def entry(workdir: Path, path: Path) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    [found] = (workdir / ".dmcombine/cache").glob(f"limit-files-*/{digest}.pickle")
    return found


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".dmcombine").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def awkward_doc() -> dict[str, Any]:
    """A valid document in the types writers hand over: numpy arrays and scalars, tuples, ints,
    -0.0, the float extremes, text beyond ASCII."""
    doc = example(5)
    doc["model"]["assumptions"] = {"halo": {"rho_gev_cm3": np.float32(0.3), "v0": np.int64(238), "tuple": (1, 2.5, None)},
                                   "label": "Θ ≥ 10⁻⁴⁶ cm²", "flag": np.bool_(True), "zero": -0.0,
                                   "tiny": 5e-324, "huge": 1.7976931348623157e308, "big_int": 10**20, "empty": []}
    doc["auxiliary_limits"] = [{"label": "other", "x": (20.0, 200.0), "value": np.array([1e-44, 2e-44], dtype=np.float32)}]
    return doc


def test_the_writers_document_is_what_parsing_the_file_gives(workdir: Path) -> None:
    path = workdir / "a.json"
    limitfile.write(path, awkward_doc())
    cached = pickle.loads(entry(workdir, path).read_bytes()[len(limitfile.MAGIC) + 32:])
    same(cached, json.loads(path.read_text()))
    same(limitfile.read(path), json.loads(path.read_text()))


def test_reading_with_and_without_the_cache_agree(workdir: Path, tmp_path_factory: pytest.TempPathFactory,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = workdir / "a.json"
    limitfile.write(path, awkward_doc())
    hit = limitfile.read(path)
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # no .dmcombine: no cache
    same(hit, limitfile.read(path))
    assert not Path(".dmcombine").exists()


def test_a_first_reader_fills_the_cache(workdir: Path) -> None:
    path = workdir / "a.json"
    path.write_text(limitfile.dumps(example()))  # written by someone else: not in the cache
    assert not list((workdir / ".dmcombine").rglob("*.pickle"))
    first = limitfile.read(path)
    assert entry(workdir, path).is_file()
    same(limitfile.read(path), first)


def test_changed_bytes_are_read_afresh(workdir: Path) -> None:
    path = workdir / "a.json"
    limitfile.write(path, example())
    doc = json.loads(path.read_text())
    doc["limit"]["value"][1] = -1.0  # tampered: a negative limit
    path.write_text(json.dumps(doc))
    with pytest.raises(LimitFileError, match=r"a\.json: field /limit/value/1"):
        limitfile.read(path)


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "wrong magic", "names a class", "not a dict"])
def test_a_damaged_or_foreign_entry_is_a_miss(workdir: Path, damage: str) -> None:
    path = workdir / "a.json"
    limitfile.write(path, example())
    where = entry(workdir, path)
    raw = where.read_bytes()
    body = raw[len(limitfile.MAGIC) + 32:]
    if damage == "truncated":
        raw = raw[:-10]
    elif damage == "flipped byte":
        raw = raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:]
    elif damage == "wrong magic":
        raw = b"X" + raw[1:]
    else:
        # checksummed correctly, so only the unpickler's refusal or the type check stops it
        body = pickle.dumps(OrderedDict(a=1) if damage == "names a class" else [1, 2], protocol=5)
        raw = limitfile.MAGIC + hashlib.sha256(body).digest() + body
    where.write_bytes(raw)
    same(limitfile.read(path), json.loads(path.read_text()))
    # the miss wrote a good entry back
    same(pickle.loads(where.read_bytes()[len(limitfile.MAGIC) + 32:]), json.loads(path.read_text()))


def test_an_invalid_file_is_never_cached(workdir: Path) -> None:
    path = workdir / "bad.json"
    doc = limitfile.to_builtin(example())
    doc["limit"]["x"] = [3.0, 2.0, 1.0]
    path.write_text(json.dumps(doc))
    for _ in range(2):
        with pytest.raises(LimitFileError, match="strictly increasing"):
            limitfile.read(path)
    assert not list((workdir / ".dmcombine").rglob("*.pickle"))


def test_no_cache_outside_a_workflow_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    limitfile.write(tmp_path / "a.json", example())
    limitfile.read(tmp_path / "a.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
