"""JSON Schema validation that works in both places the planning layer runs: the project's
environment (jsonschema 4, draft 2020-12) and REANA's Snakemake engine (jsonschema 3.2, draft 7).

The schemas use only what both drafts read the same way (``$ref`` as a JSON pointer into
``$defs``, ``type``, ``enum``, bounds, ``required``, ``additionalProperties``, ``items``), and
:func:`validate` fills in ``default`` values while it validates, as Snakemake's own
``validate(..., set_default=True)`` does.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator, List, Type

import jsonschema

from dmcombine.errors import ConfigError, DmcombineError
from dmcombine.planning.strict import loads_yaml

_BASE = getattr(jsonschema, "Draft202012Validator", None) or jsonschema.Draft7Validator


def _with_defaults(base: Any) -> Any:
    check_properties = base.VALIDATORS["properties"]

    def properties(validator: Any, props: dict, instance: Any, schema: dict) -> Iterator[Any]:
        if isinstance(instance, dict):
            for name, sub in props.items():
                if isinstance(sub, dict) and "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        for error in check_properties(validator, props, instance, schema):
            yield error

    return jsonschema.validators.extend(base, {"properties": properties})


_DEFAULTING = _with_defaults(_BASE)


def where(error: Any, prefix: str = "") -> str:
    """Dotted path of a validation error: ``darkside50.mass_grid_gev.points``."""
    parts = [str(p) for p in error.absolute_path]
    text = ".".join([prefix] + parts if prefix else parts)
    return text or "(top level)"


def problems(instance: Any, schema: dict, prefix: str = "", set_default: bool = False) -> List[str]:
    """Every schema violation of ``instance`` as one line ``<where>: <message>`` (sorted by place);
    with ``set_default``, missing keys take their schema defaults first."""
    cls = _DEFAULTING if set_default else _BASE
    validator = cls(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    return [f"{where(e, prefix)}: {e.message}" for e in errors]


def validate(instance: Any, schema: dict, source: str, prefix: str = "", set_default: bool = False,
             error: Type[DmcombineError] = ConfigError) -> None:
    """Raise ``error`` with one line per problem (at most 10) unless ``instance`` is valid."""
    found = problems(instance, schema, prefix, set_default)
    if found:
        more = f"\n  (and {len(found) - 10} more)" if len(found) > 10 else ""
        raise error(f"{source}:\n  " + "\n  ".join(found[:10]) + more)


@lru_cache(maxsize=None)
def package_yaml(package: str, name: str) -> Any:
    """A YAML file shipped inside a package of dmcombine (schemas, default configs, catalogue
    fragments), read strictly once."""
    text = resources.files(package).joinpath(name).read_text("utf-8") if hasattr(resources, "files") else \
        resources.read_text(package, name)  # Python 3.8 (REANA's engine)
    return loads_yaml(text, f"{package.replace('.', '/')}/{name}")


def definitions() -> dict:
    """The shared vocabulary of every schema (positive numbers, DIDs, grids, halo, target...)."""
    return package_yaml("dmcombine.schemas", "defs.yaml")["$defs"]


def with_definitions(schema: dict, *extra: dict) -> dict:
    """``schema`` with the shared ``$defs`` and any experiment's own ``$defs`` beside it."""
    defs = dict(definitions())
    for more in extra:
        for name, value in more.items():
            if name in defs and defs[name] != value:
                raise ConfigError(f"schema definition {name!r} is defined twice with different content")
            defs[name] = value
    return {**schema, "$defs": defs}
