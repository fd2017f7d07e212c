"""SynDisco 2.2's ``logging_setup``: log to the screen and/or a daily rotating file."""

from __future__ import annotations

import logging as pylog
import warnings
from logging.handlers import TimedRotatingFileHandler
from typing import TYPE_CHECKING

from ...checks import path_like
from ...errors import ConfigError

if TYPE_CHECKING:
    import os

LEVELS = {
    "debug": pylog.DEBUG,
    "info": pylog.INFO,
    "warning": pylog.WARNING,
    "warn": pylog.WARNING,
    "error": pylog.ERROR,
    "critical": pylog.CRITICAL,
    "not_set": pylog.NOTSET,
}
_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


def logging_setup(
    print_to_terminal: bool,
    write_to_file: bool,
    logs_dir: str | os.PathLike[str] | None = None,
    level: str = "debug",
    use_colors: bool = True,
    log_warnings: bool = True,
) -> None:
    """Configure the root logger.

    Args:
        print_to_terminal: Log to standard error.
        write_to_file: Log to ``logs_dir/log``, rotated at midnight (UTC), 7 days kept.
        logs_dir: The folder for the log file (needed with ``write_to_file``).
        level: ``"debug"``, ``"info"``, ``"warning"``, ``"error"``, ``"critical"`` or ``"not_set"``.
        use_colors: Colour the terminal output when ``coloredlogs`` is installed.
        log_warnings: Route ``warnings.warn`` messages into the log.
    """
    chosen = LEVELS.get(level.lower().strip()) if isinstance(level, str) else None
    if chosen is None:
        raise ConfigError(f"logging_setup level must be one of {', '.join(LEVELS)}, got {level!r}")
    handlers: list[pylog.Handler] = []
    if print_to_terminal:
        handlers.append(pylog.StreamHandler())
    if write_to_file:
        if logs_dir is None:
            raise ConfigError(
                "logging_setup(write_to_file=True) needs logs_dir= (the folder for the log file)"
            )
        folder = path_like("logging_setup logs_dir", logs_dir)
        folder.mkdir(parents=True, exist_ok=True)
        handler = TimedRotatingFileHandler(
            folder / "log", when="midnight", backupCount=7, encoding="utf-8", utc=True
        )
        handler.suffix = "%y-%m-%d.log"
        handlers.append(handler)
    if not handlers:
        warnings.warn(
            "logging_setup: neither the terminal nor a file was chosen; nothing will be logged", stacklevel=2
        )
    pylog.basicConfig(handlers=handlers or [pylog.NullHandler()], level=chosen, format=_FORMAT, force=True)
    if use_colors and print_to_terminal:
        try:
            import coloredlogs  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            pass
        else:
            coloredlogs.install(level=chosen, fmt=_FORMAT)
    pylog.captureWarnings(log_warnings)
