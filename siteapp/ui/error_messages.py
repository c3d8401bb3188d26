"""Turn an exception into the sentence a person sees, and log the details.

Domain errors (``UserFacingError`` and the few library errors written for people, such
as an unusable data folder) are shown as they are. Anything else is a bug: the
traceback goes to the log file and the user gets what to do next, never the traceback.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from coordinator.client import CoordinatorNotTrustedError, CoordinatorUnreachableError
from coordinator.words import Words
from siteapp.errors import UserFacingError
from siteapp.store import DataDirError
from siteapp.tasks import UnknownTaskError
from siteapp.ui.logging_setup import get_logger
from siteapp.ui.runner_words import words_text

log = get_logger("errors")

#: Errors whose message is written for a person (the coordinator client's connection
#: failures say what went wrong and what to do in words).
PERSON_READABLE: tuple[type[BaseException], ...] = (
    UserFacingError, DataDirError, UnknownTaskError,
    CoordinatorUnreachableError, CoordinatorNotTrustedError,
)


def unexpected_error_message(action: str) -> str:
    return QCoreApplication.translate(
        "Errors",
        "Something unexpected went wrong while {action}. The details were written to the "
        "log file (Help > Open log folder). Try again; if it happens again, send that log "
        "to your IT support.",
    ).format(action=action)


def user_message(exc: BaseException, action: str) -> str:
    """The message for ``exc``; logs it (with traceback when it is unexpected)."""
    if isinstance(exc, PERSON_READABLE):
        log.warning("%s failed: %s", action, exc)
        words = getattr(exc, "words", None)
        return words_text(words) if isinstance(words, Words) else str(exc)
    log.error("unexpected error while %s", action, exc_info=exc)
    return unexpected_error_message(action)
