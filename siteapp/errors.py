"""Errors a person at the site can act on.

Raise a subclass of :class:`UserFacingError` with a message that says what happened and
what to do next. The CLI prints it as one line and exits with ``exit_code``; the GUI shows
it in a message box; neither shows a traceback.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is meant for the person using MedFed."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(UserFacingError):
    """Bad arguments or an unusable data folder (exit code 2)."""

    exit_code = 2
