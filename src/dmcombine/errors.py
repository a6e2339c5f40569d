"""Errors that speak to the user: each names the file, field or DID and what was expected."""

from __future__ import annotations


class DmcombineError(Exception):
    """Base class: the CLI prints these as one clear line and exits with status 1."""


class ConfigError(DmcombineError):
    """A configuration value is missing, of the wrong type, or out of range."""


class InputIntegrityError(DmcombineError):
    """An input's size or checksum differs from the inputs catalogue."""


class InputFormatError(DmcombineError):
    """An input file could be read but its content is not what the analysis expects."""


class LimitFileError(DmcombineError):
    """A limit file does not follow the standard limit-file schema."""


class OutputError(DmcombineError):
    """An output could not be written (disk full, permissions); nothing partial was left."""
