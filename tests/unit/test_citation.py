"""CITATION.cff and docs/references.bib are generated from the registry and cannot go stale."""

from __future__ import annotations

import importlib

import yaml

from dmcombine import __version__, citation
from dmcombine.registry import EXPERIMENTS

from ..conftest import REPO


def test_committed_citation_files_are_what_the_registry_gives() -> None:
    for path, text in citation.outputs(REPO).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `dmcombine citation`"


def test_citation_names_version_licence_url_and_every_experiment_reference() -> None:
    doc = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert doc["version"] == __version__ and doc["license"] == "BSD-3-Clause" and doc["repository-code"].startswith("https://")
    assert doc["authors"] and doc["date-released"]
    urls = {ref.get("url") for ref in doc["references"]}
    for name in EXPERIMENTS:
        for ref in getattr(importlib.import_module(f"dmcombine.experiments.{name}.physics"), "REFERENCES", []):
            if "arxiv" in ref:
                assert f"https://arxiv.org/abs/{ref['arxiv']}" in urls, (name, ref)
    assert "https://arxiv.org/abs/2409.11777" in urls  # MADMAX's, from its default config
    assert "https://arxiv.org/abs/2109.03116" in urls  # the neutrino fog, from the inputs catalogue
    bib = (REPO / "docs/references.bib").read_text(encoding="utf-8")
    assert bib.count("@misc{") == len(doc["references"]) and "arXiv_1802_07198" in bib
