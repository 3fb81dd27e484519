"""Operator logging (structlog): text for humans on stderr, JSON for machines.

This is never the event log. The event log is the record of a simulation; these
messages are for whoever runs it, and nothing logged here goes into an event log.
"""

from __future__ import annotations

import logging
import sys

import structlog

_LEVELS = {-2: logging.CRITICAL, -1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}


def configure_logging(fmt: str = "text", verbosity: int = 0) -> None:
    """Configure structlog once per process. ``verbosity`` counts -v minus -q."""
    level = _LEVELS.get(verbosity, logging.DEBUG if verbosity > 1 else logging.CRITICAL)
    renderer: structlog.typing.Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger
