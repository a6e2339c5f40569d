"""HEPData export: every limit file as a table of a HEPData submission, validated.

Built with ``hepdata_lib`` (submission.yaml plus one YAML table per limit file) and checked with
``hepdata-validator`` before the archive is moved into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from dmcombine.errors import DmcombineError


class HEPDataError(DmcombineError):
    """The HEPData submission did not validate."""


def _table_name(doc: dict[str, Any], used: set[str]) -> str:
    channel = doc["model"]["assumptions"].get("channel")
    name = f"{doc['experiment']} {doc['model']['variant']}" + (f" {channel}" if channel else "")
    name = name.replace("/", "-")[:60]  # the table name becomes a file name
    base, i = name, 2
    while name in used:
        name, i = f"{base} ({i})", i + 1
    used.add(name)
    return name


def export(docs: list[tuple[str, dict[str, Any]]], archive: str | Path) -> int:
    """Write a validated HEPData submission archive of the limit files; return the number of tables."""
    from hepdata_lib import Submission, Table, Variable

    submission = Submission()
    submission.comment = (
        "Dark-matter limits recomputed from public inputs by dmcombine; each table is one standard "
        "limit file (its provenance block names every input DID and checksum)."
    )
    used: set[str] = set()
    for path, doc in docs:
        table = Table(_table_name(doc, used))
        refs = "; ".join(r["citation"] + (f" (arXiv:{r['arxiv']})" if "arxiv" in r else "") for r in doc["references"])
        table.description = (
            f"{doc['result']['confidence_level'] * 100:g}% CL {doc['result']['kind']} upper limit on "
            f"{doc['parameter_of_interest']['label']} versus {doc['x']['label']}: {doc['analysis']}. "
            f"Recomputed by dmcombine from {path}. References: {refs}"
        )
        table.location = f"dmcombine file {path}"
        table.keywords["observables"] = [doc["parameter_of_interest"]["name"].upper()]
        x = Variable(doc["x"]["label"], is_independent=True, is_binned=False, units=doc["x"]["unit"])
        x.values = doc["limit"]["x"]
        y = Variable(doc["parameter_of_interest"]["label"], is_independent=False, is_binned=False,
                     units=doc["parameter_of_interest"]["unit"])
        y.values = doc["limit"]["value"]
        y.add_qualifier("CL", f"{doc['result']['confidence_level']:g}")
        y.add_qualifier("result", doc["result"]["kind"])
        y.add_qualifier("variant", doc["model"]["variant"])
        table.add_variable(x)
        table.add_variable(y)
        submission.add_table(table)

    archive = Path(archive).resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix=".hepdata-", dir=archive.parent) as tmp:
        os.chdir(tmp)  # hepdata_lib writes submission.tar.gz into the working directory
        try:
            submission.create_files("submission", validate=False, remove_old=True)
        finally:
            os.chdir(here)
        built = Path(tmp) / "submission.tar.gz"
        messages = validate_archive(built)
        if messages:
            raise HEPDataError("the HEPData submission does not validate: " + "; ".join(messages[:10]))
        shutil.move(str(built), archive)
    return len(docs)


def validate_archive(archive: str | Path) -> list[str]:
    """Messages of hepdata-validator for an archive (empty when valid)."""
    with warnings.catch_warnings():  # hepdata-validator 0.3.6 still uses jsonschema's RefResolver
        warnings.filterwarnings("ignore", message="jsonschema.*is deprecated", category=DeprecationWarning)
        from hepdata_validator.full_submission_validator import FullSubmissionValidator

        validator = FullSubmissionValidator()
        valid = validator.validate(archive=str(archive))
    messages = [f"{file}: {m.message}" for file, ms in validator.get_messages().items() for m in ms]
    return [] if valid else messages or ["invalid"]
