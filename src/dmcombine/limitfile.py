"""The standard limit file, versions 1 to 3: one writer and one reader, both validating.

The format is a JSON document described by the JSON Schemas shipped in this package
(``schemas/limit-file-<n>.json``, ``$id`` ``urn:dmcombine:schema:limit-file:<n>``). Version 2 adds
the ``publication`` block of imported (published) curves; results recomputed here are written as
version 1, imports as version 2; version 3 adds the ``translation`` block of a curve translated through
a model (:mod:`dmcombine.models`) and the likelihoods of a signal strength on a grid of model points
that joint exclusions add (written as version 3 only by those). The reader reads every version, each
against its own schema. On top of the
schema, :func:`check` enforces what a schema cannot express: equal lengths of the x grid, the limit
values and the likelihood blocks, a strictly increasing x grid, and finite numbers.

Files are written deterministically (fixed key order, shortest round-trip float repr, no
timestamps) and atomically, so equal results give byte-identical files and an interrupted write
never leaves a truncated file behind.

Inside a workflow directory (one with ``.dmcombine/``) a file, once validated, is remembered by
the SHA-256 of its bytes in ``.dmcombine/cache/limit-files-<validator>/`` (:func:`read`): the
many jobs that read the same files (plots, combinations, the catalogue, the provenance table, the
HEPData export) parse and validate each only once per run, which at a 10x grid was a fifth of
their time. The entry is the parsed document itself (a pickle of plain JSON types only, loaded
with no class lookups, its own checksum inside), so a reader gets exactly what parsing the bytes
gives; any change to the file's bytes or to the validator misses the cache.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import pickle
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import DmcombineError, LimitFileError
from dmcombine.fileio import atomic_write_bytes
from dmcombine.planning.paths import STATE
from dmcombine.planning.strict import first_bad_number, loads_json, read_bytes

SCHEMA_PREFIX = "urn:dmcombine:schema:limit-file:"
SCHEMA_VERSION = 1  # what recomputed results are written as
SCHEMA_ID = f"{SCHEMA_PREFIX}{SCHEMA_VERSION}"
VERSIONS = (1, 2, 3)  # what the reader reads
PUBLISHED_VERSION = 2  # imports (method "published") need the publication block
MODEL_VERSION = 3  # translations (method "translation") and signal-strength grid likelihoods
GRID_LIKELIHOODS = ("gaussian_signal_strength_grid", "poisson_counting_grid")
KINDS = ("observed", "expected", "projected", "discovery")


@cache
def schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema of a version, as shipped in the package."""
    text = resources.files("dmcombine").joinpath(f"schemas/limit-file-{version}.json").read_text("utf-8")
    return json.loads(text)


def version_of(doc: dict[str, Any]) -> int:
    """The schema version a (valid) document declares."""
    return int(doc["schema"][len(SCHEMA_PREFIX):])


def header(
    experiment: str,
    analysis: str,
    references: list[dict[str, str]],
    kind: str,
    confidence_level: float,
    method_name: str,
    method_description: str,
    version: int = SCHEMA_VERSION,
) -> dict[str, Any]:
    """The opening blocks of every limit file (schema, experiment, analysis, references, result),
    in the order every writer uses; the caller adds model, parameters, limit, likelihood and
    provenance."""
    return {
        "schema": f"{SCHEMA_PREFIX}{version}",
        "experiment": experiment,
        "analysis": analysis,
        "references": references,
        "result": {
            "kind": kind,
            "confidence_level": confidence_level,
            "method": {"name": method_name, "description": method_description},
        },
    }


def _where(error: jsonschema.ValidationError) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    return f"/{path}" if path else "(top level)"


def _skeleton(node: Any) -> Any:
    """The document with each long list of numbers of one type replaced by its [min, max]: what
    the schema says of such a list (type, minItems >= 1, a lower bound) holds for the list exactly
    when it holds for these two, so validating the skeleton is validating the file, in a fraction
    of the time (a 10x grid has 10^5-10^6 numbers). A file the skeleton fails is validated in full
    for the exact message."""
    if isinstance(node, list):
        if len(node) > 4:
            kinds = set(map(type, node))
            if kinds == {float} or kinds == {int}:
                return [min(node), max(node)]
            if kinds == {list}:  # a table: rows of numbers
                rows = [_skeleton(v) for v in node]
                collapsed = all(len(v) > 4 and len(row) == 2 for v, row in zip(node, rows, strict=True))
                if collapsed and {type(x) for row in rows for x in row} in ({float}, {int}):
                    # every row collapsed to [min, max] of one type: the table's [[min, max]] says
                    # the same to a schema without per-row rules (ours: items, minItems, bounds)
                    return [[min(row[0] for row in rows), max(row[1] for row in rows)]]
                return rows
        return [_skeleton(v) for v in node]
    if isinstance(node, dict):
        return {key: _skeleton(value) for key, value in node.items()}
    return node


def check(doc: Any, source: str = "<limit file>") -> None:
    """Validate a limit-file document; raise :class:`LimitFileError` naming the file and field."""
    if not isinstance(doc, dict):
        raise LimitFileError(f"{source}: a limit file is a JSON object, got {type(doc).__name__}")
    declared = doc.get("schema")
    version = SCHEMA_VERSION
    if isinstance(declared, str) and declared.startswith(SCHEMA_PREFIX):
        known = {f"{SCHEMA_PREFIX}{v}": v for v in VERSIONS}
        if declared not in known:
            raise LimitFileError(
                f"{source}: field 'schema' is {declared!r}, limit-file version {declared[len(SCHEMA_PREFIX):]}; this "
                f"dmcombine reads versions {', '.join(map(str, VERSIONS))}. Upgrade dmcombine or rewrite the file."
            )
        version = known[declared]
    validator = jsonschema.Draft202012Validator(schema(version))
    if validator.is_valid(_skeleton(doc)):
        _check_consistency(doc, source)
        return
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise LimitFileError(f"{source}: field {_where(first)}: {first.message}{more}")
    _check_consistency(doc, source)


def _check_consistency(doc: dict[str, Any], source: str) -> None:
    published = doc["result"]["method"]["name"] == "published"
    translated = is_translated(doc)
    if translated != ("translation" in doc):
        raise LimitFileError(f"{source}: field /result/method/name is {doc['result']['method']['name']!r} but the "
                             f"file {'has no' if translated else 'has a'} /translation block; a translated curve has "
                             "both (limit-file version 3), any other result neither")
    if published != ("publication" in doc):
        raise LimitFileError(f"{source}: field /result/method/name is {doc['result']['method']['name']!r} but the "
                             f"file {'has no' if published else 'has a'} /publication block; an imported curve has "
                             "both (limit-file version 2), a result of ours neither")
    xs = doc["limit"]["x"]
    n = len(xs)
    if len(doc["limit"]["value"]) != n:
        raise LimitFileError(
            f"{source}: field /limit/value has {len(doc['limit']['value'])} entries but /limit/x has {n}"
        )
    if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
        raise LimitFileError(f"{source}: field /limit/x must be strictly increasing")
    like = doc["likelihood"]
    if like["type"] == "poisson_counting":
        if len(like["signal_per_poi"]) != n:
            raise LimitFileError(
                f"{source}: field /likelihood/signal_per_poi has {len(like['signal_per_poi'])} entries "
                f"but /limit/x has {n}"
            )
    elif like["type"] == "profile_table":
        for key in ("poi_values", "delta_minus2lnl"):
            if len(like[key]) != n:
                raise LimitFileError(f"{source}: field /likelihood/{key} has {len(like[key])} rows but /limit/x has {n}")
        poi_rows, dll_rows = like["poi_values"], like["delta_minus2lnl"]
        lengths = np.fromiter(map(len, poi_rows), dtype=np.int64, count=n)
        unequal = np.flatnonzero(lengths != np.fromiter(map(len, dll_rows), dtype=np.int64, count=n))
        falling = _rows_not_increasing(poi_rows, lengths)
        # the first faulty row is named, its length before its order (as row by row)
        if len(unequal) and (falling is None or int(unequal[0]) <= falling):
            i = int(unequal[0])
            raise LimitFileError(
                f"{source}: row {i} of /likelihood/poi_values has {len(poi_rows[i])} entries but "
                f"/likelihood/delta_minus2lnl has {len(dll_rows[i])}"
            )
        if falling is not None:
            raise LimitFileError(f"{source}: row {falling} of /likelihood/poi_values must be strictly increasing")
    elif like["type"] in GRID_LIKELIHOODS:
        _check_grid_likelihood(like, source)
    for j, aux in enumerate(doc.get("auxiliary_limits", [])):
        if len(aux["x"]) != len(aux["value"]):
            raise LimitFileError(f"{source}: /auxiliary_limits/{j} ({aux['label']}) has x and value of different lengths")


def _increasing(values: list[float]) -> bool:
    """Whether the numbers are strictly increasing (every reader and the writer have refused
    numbers beyond the float range before: strict.first_bad_number)."""
    return len(values) < 2 or bool(np.all(np.diff(np.asarray(values, dtype=float)) > 0))


def _rows_not_increasing(rows: list[list[float]], lengths: NDArray[np.int64]) -> int | None:
    """The first row that is not strictly increasing (None if all are): every row's numbers in
    one array, each step compared except those from one row's last number to the next row's
    first; the same verdict as _increasing row by row."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=float, count=int(lengths.sum()))
    rising = flat[1:] > flat[:-1]
    ends = np.cumsum(lengths)[:-1][lengths[:-1] > 0] - 1  # each row's last number, but the last row's
    rising[ends[ends < len(rising)]] = True  # the step from it to the next row's first
    steps = np.flatnonzero(~rising)
    if len(steps) == 0:
        return None
    return int(np.searchsorted(np.cumsum(lengths), steps[0], side="right"))


def _check_grid_likelihood(like: dict[str, Any], source: str) -> None:
    rows, cols = like["x_values"], like["grid"]["values"]
    for name, values in (("x_values", rows), ("grid/values", cols)):
        if not _increasing(values):
            raise LimitFileError(f"{source}: field /likelihood/{name} must be strictly increasing")
    tables = ("mu_hat", "sigma_mu") if like["type"] == "gaussian_signal_strength_grid" else ("signal_per_mu",)
    for key in tables:
        table = like[key]
        if len(table) != len(rows) or any(len(row) != len(cols) for row in table):
            raise LimitFileError(f"{source}: field /likelihood/{key} must have {len(rows)} rows (one per x_values) of "
                                 f"{len(cols)} entries (one per grid value)")


def is_translated(doc: dict[str, Any]) -> bool:
    """Whether a file is a model's translation of another result (limit-file version 3)."""
    return doc["result"]["method"]["name"] == "translation"


def is_published(doc: dict[str, Any]) -> bool:
    """Whether a file is someone else's result: imported, or translated from an imported curve
    (drawn as context, never combined or exported as ours)."""
    if is_translated(doc):
        return doc["translation"]["source"].get("method") == "published"
    return doc["result"]["method"]["name"] == "published"


def licence_of(doc: dict[str, Any]) -> tuple[str, str] | None:
    """(licence, who compiled it) of a published curve: an imported file's publication block, or
    the source block of a translation of one; None for a result of ours and for a translated
    number cited from a paper (which has no licence of its own)."""
    if "publication" in doc:
        return doc["publication"]["licence"], doc["publication"]["digitised_by"]
    source = doc["translation"]["source"] if is_translated(doc) else {}
    if "licence" in source:
        return source["licence"], source.get("compiled_by", source["experiment"])
    return None


_FLOAT = frozenset((float,))
_NUMBERS = frozenset((int, float))


def to_builtin(obj: Any) -> Any:
    """Convert numpy scalars and arrays (recursively) into plain Python for JSON.

    >>> to_builtin({"a": np.arange(2), "b": np.float64(0.5)})
    {'a': [0, 1], 'b': 0.5}
    """
    if isinstance(obj, dict):
        return {str(k): to_builtin(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if set(map(type, obj)) <= _FLOAT:  # a plain list of floats (the common case): as it is
            return list(obj)
        return [to_builtin(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_builtin(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def _is_flat_numbers(value: Any) -> bool:
    """A list of numbers (bool is not one). The exact types are collected in one C pass (a 10x
    grid's combination holds 7e5 numbers); other types take the isinstance test."""
    if not isinstance(value, list):
        return False
    return set(map(type, value)) <= _NUMBERS or all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    )


def _dump(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if _is_flat_numbers(value):  # numeric arrays on one line keep files short and diffable
            return json.dumps(value, allow_nan=False)  # "[a, b, ...]": the same text, in one call
        items = [f"{pad}  {_dump(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def dumps(doc: dict[str, Any]) -> str:
    """Serialise a limit-file document deterministically (no validation)."""
    return _dump(to_builtin(doc), 0) + "\n"


class Prepared(NamedTuple):
    """A validated document and its file text (:func:`prepare`)."""

    doc: dict[str, Any]
    text: str


def prepare(doc: dict[str, Any], source: str) -> Prepared:
    """Validate ``doc`` (finite numbers, schema, consistency) and serialise it, for a writer that
    validates all its outputs before writing any (:func:`write_prepared`)."""
    builtin = to_builtin(doc)
    _reject_non_finite(builtin, source)
    check(builtin, source=source)
    return Prepared(builtin, _dump(builtin, 0) + "\n")  # dumps() without converting twice


def write_prepared(path: str | Path, prepared: Prepared) -> None:
    """Write a prepared document atomically to ``path``, and remember it for the file's readers
    (:func:`read`): ``to_builtin`` gives exactly the types and values that parsing the written
    text gives (lists, dicts, str, int, float, bool, None; floats written in their round-trip
    repr), tests/unit/test_limitfile_cache.py."""
    data = prepared.text.encode("utf-8")
    atomic_write_bytes(path, data)
    where = _cache_dir()
    if where is not None:
        _remember(where, hashlib.sha256(data).hexdigest(), prepared.doc)


def write(path: str | Path, doc: dict[str, Any]) -> None:
    """Validate ``doc`` and write it atomically to ``path``. Nothing is written if it is invalid."""
    write_prepared(path, prepare(doc, str(path)))


def _reject_non_finite(value: Any, source: str) -> None:
    bad = first_bad_number(value)
    if bad:
        raise LimitFileError(f"{source}: field {bad[0]} is {bad[1]}, expected a finite number")


def loads(text: str, source: str = "<limit file>") -> dict[str, Any]:
    """Parse and validate a limit file's text, as strictly as the writer writes: no NaN or
    infinity (nor 1e999, which JSON parsers read as inf), no key twice in one object, no absurd
    nesting (:mod:`dmcombine.planning.strict`)."""
    doc = loads_json(text, source, LimitFileError)
    check(doc, source)
    return doc


MAX_BYTES = 64 * 1024 * 1024  # the largest limit files (combinations with profiles) are ~1.5 MB


def read(path: str | Path) -> dict[str, Any]:
    """Read and validate a limit file; raise :class:`LimitFileError` naming the file and field.
    Only a regular file of at most 64 MiB is read (a FIFO would block, a directory is a mistake).
    Bytes validated before (in this workflow directory, by this validator) come from the cache."""
    if not Path(path).exists():
        raise LimitFileError(f"{path}: no such limit file")
    data = read_bytes(path, "limit file", MAX_BYTES, LimitFileError)
    where = _cache_dir()
    digest = hashlib.sha256(data).hexdigest() if where is not None else ""
    if where is not None and (doc := _recall(where, digest)) is not None:
        return doc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LimitFileError(f"{path}: not UTF-8 text ({exc})") from None
    doc = loads(text, source=str(path))
    if where is not None:
        _remember(where, digest, doc)
    return doc


# The cache of validated documents (module docstring). An entry: MAGIC, the SHA-256 of the
# pickle, the pickle (protocol 5) of the document.
MAGIC = b"dmcombine limit-file cache 1\n"


@cache
def _validator_digest() -> str:
    """What the verdict on a file depends on: this module, the strict JSON reader, the schemas,
    jsonschema's version and the Python version (the pickle's reader)."""
    from importlib.metadata import version

    h = hashlib.sha256(f"{sys.version_info[0]}.{sys.version_info[1]} jsonschema {version('jsonschema')}".encode())
    package = resources.files("dmcombine")
    for part in ("limitfile.py", "planning/strict.py", *(f"schemas/limit-file-{v}.json" for v in VERSIONS)):
        h.update(part.encode() + b"\0" + package.joinpath(part).read_bytes())
    return h.hexdigest()[:16]


def _cache_dir() -> Path | None:
    """The cache of this validator in the current workflow directory; None outside one."""
    state = Path(STATE)
    return state / "cache" / f"limit-files-{_validator_digest()}" if state.is_dir() else None


class _PlainData(pickle.Unpickler):
    """Unpickles JSON's types only: a pickle naming any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a limit-file cache entry names {module}.{name}")


def _recall(where: Path, digest: str) -> dict[str, Any] | None:
    """The document of the validated bytes with this digest from the cache ``where``, or None (no
    entry, or an entry that is damaged or not plain data: the file is then parsed as if never seen)."""
    try:
        entry = (where / f"{digest}.pickle").read_bytes()
    except OSError:
        return None
    body = entry[len(MAGIC) + 32:]
    if not entry.startswith(MAGIC) or entry[len(MAGIC):len(MAGIC) + 32] != hashlib.sha256(body).digest():
        return None
    try:
        doc = _PlainData(io.BytesIO(body)).load()
    except Exception:  # any damage (truncation, a refused class, a bad opcode) is a miss
        return None
    return doc if isinstance(doc, dict) else None


def _remember(where: Path, digest: str, doc: dict[str, Any]) -> None:
    """Keep the validated document of the bytes with this digest in the cache ``where`` (best
    effort: a cache that cannot be written is no cache)."""
    body = pickle.dumps(doc, protocol=5)
    try:
        atomic_write_bytes(where / f"{digest}.pickle", MAGIC + hashlib.sha256(body).digest() + body, durable=False)
    except (OSError, DmcombineError):
        pass


def to_csv(doc: dict[str, Any]) -> str:
    """The limit curve as CSV: a header naming both columns with their units, then ``x,limit`` rows.

    >>> d = {"x": {"name": "mass", "unit": "GeV"}, "parameter_of_interest": {"name": "sigma", "unit": "cm^2"},
    ...      "limit": {"x": [10.0, 100.0], "value": [1e-44, 2e-44]}}
    >>> print(to_csv(d), end="")
    mass [GeV],sigma [cm^2]
    10.0,1e-44
    100.0,2e-44
    """
    x, poi = doc["x"], doc["parameter_of_interest"]
    lines = [f"{x['name']} [{x['unit']}],{poi['name']} [{poi['unit']}]"]
    lines += [f"{xv!r},{yv!r}" for xv, yv in zip(doc["limit"]["x"], doc["limit"]["value"], strict=True)]
    return "\n".join(lines) + "\n"
