"""Errors of the SynDisco 2.2 namespace that are also the exception types SynDisco raised.

Code written for SynDisco catches ``AssertionError`` for a bad probability
and ``FileNotFoundError`` for a missing log file; these errors are both that
and one of ours, so old ``except`` clauses and our own keep working.
"""

from __future__ import annotations

from ..errors import ConfigError, LogsFormatError, SyndiscoError


class OutOfRangeError(ConfigError, AssertionError):
    """A number lies outside its range (SynDisco checked these with ``assert``)."""


class LogFileNotFoundError(LogsFormatError, FileNotFoundError):
    """A log file to read does not exist."""


class ExperimentIncompleteError(SyndiscoError):
    """Some discussions or annotations of an experiment failed; the others finished and were saved."""
