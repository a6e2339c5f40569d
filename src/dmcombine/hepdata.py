"""HEPData export: every limit file as a table of a HEPData submission, validated.

Built with ``hepdata_lib`` (submission.yaml plus one YAML table per limit file) and checked with
``hepdata-validator`` before the archive is moved into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dmcombine import limitfile
from dmcombine.errors import DmcombineError


class HEPDataError(DmcombineError):
    """The HEPData submission did not validate."""


# How each kind of result is described (HEPData readers take "upper limit" literally).
_WORDING = {
    "observed": "observed {cl} CL upper limit on",
    "expected": "median expected {cl} CL upper limit (sensitivity) on",
    "projected": "projected median {cl} CL upper limit (sensitivity) on",
    "discovery": "median {sigma} discovery reach (the value of",
}


def _exposure(assumptions: dict[str, Any]) -> str:
    """The exposure or livetime of a result, as printed in its table name ("" when none)."""
    for key, unit in (("exposure_t_yr", "t yr"), ("exposure_kg_day", "kg d"), ("livetime_yr", "yr")):
        if isinstance(assumptions.get(key), (int, float)):
            return f"{assumptions[key]:g} {unit}"
    return ""


def _compact(text: str) -> str:
    return text.replace(" ", "").replace("\u00b7", "")


def _cl(doc: dict[str, Any]) -> str:
    return f"{doc['result']['confidence_level'] * 100:.4g}%"


def _sigma(doc: dict[str, Any]) -> str:
    from statistics import NormalDist

    return f"{NormalDist().inv_cdf(doc['result']['confidence_level']):.3g} sigma"


def table_name(doc: dict[str, Any], used: set[str]) -> str:
    """Experiment, analysis variant, channel, exposure or livetime and kind, e.g. "XLZD design_book
    1000 t yr discovery" (a table name is also a file name: no slashes, at most 64 characters)."""
    assumptions = doc["model"]["assumptions"]
    kind = doc["result"]["kind"]
    if doc["parameter_of_interest"]["name"] == "mediator_mass":
        kind = f"{kind} excluded region"
    variant, channel, exposure = doc["model"]["variant"], str(assumptions.get("channel", "")), _exposure(assumptions)
    variant = "" if _compact(variant) == _compact(exposure) else variant
    parts = [doc["experiment"], variant, "" if channel in variant else channel, exposure, kind]
    name = " ".join(p for p in parts if p).replace("/", "-")
    if len(name) > 64 and variant:  # a long variant (a joint exclusion's group) gives way, not the kind
        room = max(len(variant) - (len(name) - 64), 8)
        name = name.replace(variant, variant[:room], 1)
    name = name[:64]
    base, i = name, 2
    while name in used:  # the same result twice in one export
        name, i = f"{base} ({i})", i + 1
    used.add(name)
    return name


def description(doc: dict[str, Any], path: str) -> str:
    """What the table holds, with the statistical wording of its kind."""
    kind, poi, x = doc["result"]["kind"], doc["parameter_of_interest"], doc["x"]
    refs = "; ".join(r["citation"] + (f" (arXiv:{r['arxiv']})" if "arxiv" in r else "") for r in doc["references"])
    exposure = _exposure(doc["model"]["assumptions"])
    if poi["name"] == "mediator_mass" and limitfile.is_translated(doc):
        what = (f"{kind} {_cl(doc)} CL excluded region in the plane of mediator mass and {x['label']}, translated "
                f"from a direct-detection limit: at each {x['label']} every mediator mass below the value is excluded")
    elif poi["name"] == "mediator_mass":
        what = (f"{kind} {_cl(doc)} CL excluded region in the plane of mediator mass and {x['label']}: at each "
                f"{x['label']} the excluded mediator masses lie between the two dependent variables")
    elif kind == "discovery":
        what = f"median {_sigma(doc)} discovery reach (the {poi['label']} discovered with 50% probability) versus {x['label']}"
    else:
        what = f"{_WORDING[kind].format(cl=_cl(doc))} {poi['label']} versus {x['label']}"
    if _compact(exposure) in _compact(doc["analysis"]):
        exposure = ""
    return (f"{doc['experiment']}, {doc['analysis']}" + (f", {exposure}" if exposure else "") + f": {what}. "
            f"Computed by dmcombine ({doc['result']['method']['name']}) from {path}. References: {refs}")


def _table(doc: dict[str, Any], path: str, used: set[str]) -> Any:
    from hepdata_lib import Table, Variable

    table = Table(table_name(doc, used))
    table.description = description(doc, path)
    table.location = f"dmcombine file {path}"
    poi, assumptions = doc["parameter_of_interest"], doc["model"]["assumptions"]
    exposure = _exposure(assumptions)
    table.keywords["observables"] = ["M" if poi["name"] == "mediator_mass" else poi["name"].upper()]
    collider = assumptions.get("collider")
    if isinstance(collider, dict) and "sqrt_s_gev" in collider:
        table.keywords["cmenergies"] = [collider["sqrt_s_gev"]]
    x = Variable(doc["x"]["label"], is_independent=True, is_binned=False, units=doc["x"]["unit"])
    x.values = doc["limit"]["x"]
    table.add_variable(x)
    columns = [(poi["label"], doc["limit"]["value"])]
    if poi["name"] == "mediator_mass":  # the excluded band: its upper edge, and its lower edge
        # (a joint exclusion's members alone sit on their own x: they are in the members' tables)
        columns = [(f"{aux['label']}", aux["value"]) for aux in doc.get("auxiliary_limits", [])
                   if list(aux["x"]) == list(doc["limit"]["x"])] + columns
    for label, values in columns:
        y = Variable(label, is_independent=False, is_binned=False, units=poi["unit"])
        y.values = values
        y.add_qualifier("CL", f"{doc['result']['confidence_level']:g}")
        y.add_qualifier("result", doc["result"]["kind"])
        y.add_qualifier("variant", doc["model"]["variant"])
        if "exposure" not in label and exposure:
            y.add_qualifier("exposure or livetime", exposure)
        table.add_variable(y)
    return table


@contextmanager
def _libyaml_tables() -> Iterator[None]:
    """While a submission is written, route hepdata_lib's ``yaml.dump`` of each data table to the
    LibYAML dumper it configures for its own types (``hepdata_lib.Dumper``) but does not pass:
    the same documents without PyYAML's pure-Python emitter (a third of the export's time on a
    10x grid). The default run's tables are the same bytes; LibYAML writes a long string with
    escaped non-ASCII characters on one line where PyYAML wraps it, which is why submission.yaml
    (long descriptions with names like Müller) keeps PyYAML's emitter."""
    import hepdata_lib
    import yaml

    original = yaml.dump

    def dump(data: Any, stream: Any = None, **options: Any) -> Any:
        if isinstance(data, dict) and "independent_variables" in data:
            options.setdefault("Dumper", hepdata_lib.Dumper)
        return original(data, stream, **options)

    yaml.dump = dump
    try:
        yield
    finally:
        yaml.dump = original


def export(docs: list[tuple[str, dict[str, Any]]], archive: str | Path) -> int:
    """Write a validated HEPData submission archive of the limit files; return the number of tables."""
    from hepdata_lib import Submission

    submission = Submission()
    submission.comment = (
        "Dark-matter limits recomputed from public inputs by dmcombine; each table is one standard "
        "limit file (its provenance block names every input DID and checksum)."
    )
    used: set[str] = set()
    for path, doc in docs:
        submission.add_table(_table(doc, path, used))

    archive = Path(archive).resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix=".hepdata-", dir=archive.parent) as tmp:
        os.chdir(tmp)  # hepdata_lib writes submission.tar.gz into the working directory
        try:
            with _libyaml_tables():
                submission.create_files("submission", validate=False, remove_old=True)
        finally:
            os.chdir(here)
        built = Path(tmp) / "submission.tar.gz"
        _reproducible(built)
        messages = validate_archive(built)
        if messages:
            raise HEPDataError("the HEPData submission does not validate: " + "; ".join(messages[:10]))
        shutil.move(str(built), archive)
    return len(docs)


def _reproducible(archive: Path) -> None:
    """Rewrite hepdata_lib's archive so that the same tables give the same bytes: members sorted by
    name, no times (mtime 0, in the members and in the gzip header), owner root, mode 0644."""
    import gzip
    import io
    import tarfile

    with tarfile.open(archive, "r:gz") as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        payloads = [(m.name, tar.extractfile(m).read()) for m in members]  # type: ignore[union-attr]
    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in payloads:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = len(data), 0, 0o644, 0, 0, "", ""
            tar.addfile(info, io.BytesIO(data))
    with open(archive, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(body.getvalue())


_COMPILED: dict[str, Any] = {}  # fastjsonschema's validators by schema text


def _compiled_check(schema: dict[str, Any]) -> Any:
    """fastjsonschema's compiled validator of a self-contained draft-04/06/07 schema (cached by its
    text), or None for any other (with $ref, compiling would try to fetch the schemas it names)."""
    text = json.dumps(schema, sort_keys=True)
    if text not in _COMPILED:
        import fastjsonschema

        # only drafts fastjsonschema implements in full (a 2019-09 or 2020-12 custom schema's
        # keywords it would ignore); hepdata-validator's own table schema is draft-07
        draft = str(schema.get("$schema", ""))
        known = any(f"draft-0{n}/" in draft for n in (4, 6, 7))
        _COMPILED[text] = fastjsonschema.compile(schema) if known and '"$ref"' not in text else None
    return _COMPILED[text]


def _with_compiled_schemas(validator: Any) -> None:
    """Check each data table of ``validator`` (a hepdata-validator DataFileValidator) against its
    schema with fastjsonschema's compiled code first. jsonschema, which hepdata-validator uses,
    walks every value of a table in Python (half the export's time on a 10x grid); a table the
    compiled check passes has no schema errors, and one it fails is checked again by
    hepdata-validator's own code, which gives the messages. Its further checks (error values,
    lengths, ranges) run unchanged. tests/unit/test_combination.py compares both on broken tables."""
    import fastjsonschema

    own = validator._validate_json_against_schema

    def validate(file_path: str, data: Any, schema: dict[str, Any], sort_fn: Any = None, **kwargs: Any) -> None:
        check = None if kwargs else _compiled_check(schema)
        if check is not None:
            try:
                check(data)
                return
            except fastjsonschema.JsonSchemaException:
                pass
        own(file_path, data, schema, sort_fn, **kwargs)

    validator._validate_json_against_schema = validate


def validate_archive(archive: str | Path) -> list[str]:
    """Messages of hepdata-validator for an archive (empty when valid)."""
    with warnings.catch_warnings():  # hepdata-validator 0.3.6 still uses jsonschema's RefResolver
        warnings.filterwarnings("ignore", message="jsonschema.*is deprecated", category=DeprecationWarning)
        from hepdata_validator.full_submission_validator import FullSubmissionValidator

        validator = FullSubmissionValidator()
        _with_compiled_schemas(validator._data_file_validator)
        valid = validator.validate(archive=str(archive))
    messages = [f"{file}: {m.message}" for file, ms in validator.get_messages().items() for m in ms]
    return [] if valid else messages or ["invalid"]
