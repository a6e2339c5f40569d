"""Strict, bounded readers for every structured file the project reads (config, catalogue, job
cards, limit files).

A reader of a file that anyone may have written by hand must not be laxer than our writers. Here a
file is refused, with one line naming it and what was wrong, when it

* is not a regular file (a FIFO would block the reader, a directory is a mistake) or is larger
  than the caller's limit;
* repeats a key in one mapping (in YAML and in JSON the last one would silently win);
* uses more YAML aliases than a small limit (an "alias bomb" of a few lines expands to gigabytes
  once traversed), or any YAML tag beyond the standard scalars;
* nests deeper than a limit (JSON nested 10⁵ deep would end in a RecursionError);
* holds a non-finite number (NaN, ±inf, or 1e999, which JSON parsers read as inf).

Standard library and PyYAML only: this module is part of the planning layer, which also runs
inside REANA's Snakemake engine (Python 3.8, jsonschema 3.2).
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import Any, Optional, Tuple, Type

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from dmcombine.errors import DmcombineError

MAX_ALIASES = 50
MAX_DEPTH = 64
MIB = 1024 * 1024
_LARGEST_FLOAT = 1.7976931348623157e308  # sys.float_info.max


class StrictFormatError(DmcombineError):
    """A structured file breaks one of the rules above."""


def read_bytes(path: str | os.PathLike[str], what: str, max_bytes: int,
               error: Type[DmcombineError] = StrictFormatError) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``what`` names it in errors."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise error(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, socket or device)"
        raise error(f"{what} {path} is {kind}; expected a regular file")
    if info.st_size > max_bytes:
        raise error(f"{what} {path} is {info.st_size} bytes; files above {max_bytes} bytes are refused")
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{what} {path} cannot be read: {exc.strerror or exc}") from None


class _Strict:
    """The checks of a strict loader: no duplicate keys, few aliases, no deep nesting (composed
    before the loader's parser, so that ``super()`` reaches the composer and the constructor)."""

    aliases = 0
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (line {mark.line + 1}); "
                                     "aliases are limited, write the values out")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels (line {mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.YAMLError(f"unhashable key on line {key_node.start_mark.line + 1}") from None
            if key in seen:
                raise yaml.YAMLError(f"key {key!r} appears twice in one mapping (lines {seen[key]} and "
                                     f"{key_node.start_mark.line + 1}); the second would silently win")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader (pure Python) with the strict checks."""


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without LibYAML
    _FastStrictLoader: Any = _StrictLoader
else:
    class _FastStrictLoader(_Strict, Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """The strict loader with LibYAML's scanner and parser under PyYAML's composer and
        constructor: the same documents as _StrictLoader (tested on every YAML file of the default
        plan) and the same checks, since they live in the composer and the constructor, about 6
        times faster (a job card is read by every job). Only a syntax error's wording is LibYAML's."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def dumps_yaml(doc: Any, **options: Any) -> str:
    """``yaml.safe_dump`` with LibYAML's emitter where PyYAML has it, several times faster: the
    same text for every card of the default plan (tested); LibYAML wraps a long string with
    escaped non-ASCII characters differently (the same document either way)."""
    return yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options)


def first_bad_number(value: Any, where: str = "", depth: int = 1,
                     max_depth: Optional[int] = None) -> Optional[Tuple[str, Any]]:
    """(path, value) of the first NaN or infinite float, or integer beyond the float range, inside
    ``value``; with ``max_depth``, (path, None) where a list or mapping nests deeper than that;
    None when all is well. A list of finite numbers is passed in one C call."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "/", value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST_FLOAT:
        return where or "/", value
    if max_depth is not None and isinstance(value, (dict, list)) and depth > max_depth:
        return where or "/", None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        try:
            if all(map(math.isfinite, value)):
                return None
        except (TypeError, OverflowError):  # not only numbers (or an int beyond the float range)
            pass
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = first_bad_number(item, f"{where}/{key}", depth + 1, max_depth)
        if found:
            return found
    return None


def loads_yaml(text: str, source: str, error: Type[DmcombineError] = StrictFormatError) -> Any:
    """Parse YAML text strictly (see the module docstring)."""
    try:
        doc = yaml.load(text, Loader=_FastStrictLoader)
    except yaml.YAMLError as exc:
        raise error(f"{source} is not valid YAML for dmcombine: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None
    bad = first_bad_number(doc)  # the loader has refused deep nesting already
    if bad:
        raise error(f"{source}: field {bad[0]} is not a finite number (NaN and infinity are refused)")
    return doc


def load_yaml(path: str | os.PathLike[str], what: str, max_bytes: int = 4 * MIB,
              error: Type[DmcombineError] = StrictFormatError) -> Any:
    """Read and parse a YAML file strictly; ``what`` names it in errors ("config file", ...)."""
    data = read_bytes(path, what, max_bytes, error)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path} is not UTF-8 text ({exc})") from None
    return loads_yaml(text, f"{what} {path}", error)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise ValueError(f"key {key!r} appears twice in one object; the second would silently win")
        doc[key] = value
    return doc


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def loads_json(text: str, source: str, error: Type[DmcombineError] = StrictFormatError) -> Any:
    """Parse JSON text strictly (see the module docstring). The C parser reads the numbers (a
    parse_float hook would cost a Python call per number, half the reading time of a 10x grid's
    limit files) and stops at its recursion limit; NaN and Infinity are refused while parsing,
    depth and numbers beyond the float range (1e999) are checked on the parsed document."""
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError:
        raise error(f"{source}: not valid JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise error(f"{source}: not valid JSON: {exc}") from None
    bad = first_bad_number(doc, max_depth=MAX_DEPTH)
    if bad is None:
        return doc
    path, number = bad
    if number is None:
        problem = f"nested deeper than {MAX_DEPTH} levels"
    elif isinstance(number, float):
        problem = f"field {path} is a number beyond the float range (read as infinity), not a finite number"
    else:
        problem = f"field {path} is an integer beyond the float range, not a finite number"
    raise error(f"{source}: not valid JSON for dmcombine: {problem}")


def load_json(path: str | os.PathLike[str], what: str, max_bytes: int = 64 * MIB,
              error: Type[DmcombineError] = StrictFormatError) -> Any:
    """Read and parse a JSON file strictly."""
    data = read_bytes(path, what, max_bytes, error)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path}: not UTF-8 text ({exc})") from None
    return loads_json(text, str(path), error)
