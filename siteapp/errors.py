"""Errors a person at the site can act on.

Raise a subclass of :class:`UserFacingError` with a message that says what happened and
what to do next. The CLI prints it as one line and exits with ``exit_code``; the GUI shows
it in a message box; neither shows a traceback.
"""

from __future__ import annotations

from coordinator.words import Words


class UserFacingError(Exception):
    """An error whose message is meant for the person using MedFed. Raised with
    :class:`~coordinator.words.Words`, it keeps them in ``words`` (the GUI translates them)."""

    exit_code: int = 1

    def __init__(self, message: str | Words, *, exit_code: int | None = None) -> None:
        super().__init__(str(message))
        self.words = message if isinstance(message, Words) else None
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(UserFacingError):
    """Bad arguments or an unusable data folder (exit code 2)."""

    exit_code = 2
