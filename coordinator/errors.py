"""Errors of the coordinator that a person (operator or site officer) can act on.

The CLI prints them as one line and exits with ``exit_code``; the server maps the
``RoundError`` family to HTTP status codes in one place (``coordinator.server.app``).
"""

from __future__ import annotations

from coordinator.protocol import ErrorCode
from coordinator.words import Words


class CoordinatorError(Exception):
    """Base class: the message says what happened and what to do next. Raised with
    :class:`~coordinator.words.Words`, it keeps them in ``words`` (a GUI translates them)."""

    exit_code: int = 1

    def __init__(self, *args: object) -> None:
        super().__init__(*(str(a) if isinstance(a, Words) else a for a in args))
        self.words: Words | None = next((a for a in args if isinstance(a, Words)), None)


class PlanError(CoordinatorError):
    """The federation plan is inconsistent (for example a strategy the mode forbids)."""

    exit_code = 2


class KitError(CoordinatorError):
    """An enrolment kit is missing, tampered with, expired or not for this federation."""


class RoundError(CoordinatorError):
    """A request the round state machine refuses; ``status`` is the HTTP code to send,
    ``code`` the :class:`ErrorCode` the client acts on."""

    status: int = 409
    code: ErrorCode = ErrorCode.REFUSED

    def __init__(self, message: str, *, status: int | None = None, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class DuplicateUploadError(RoundError):
    """The coordinator already holds this exact upload; a retry after a lost reply."""

    code = ErrorCode.DUPLICATE_UPLOAD


class InitialModelExistsError(RoundError):
    """Another site uploaded the initial model first."""

    code = ErrorCode.INITIAL_MODEL_EXISTS


class UpdateRejectedError(RoundError):
    """An uploaded update is malformed, of the wrong shape, or contains NaN/Inf."""

    status = 422
    code = ErrorCode.UPDATE_REJECTED


class MessageRejectedError(UpdateRejectedError):
    """A masking message or a metrics report is malformed or out of bounds."""

    code = ErrorCode.MESSAGE_REJECTED


class PayloadTooLargeError(RoundError):
    """A body exceeds the plan's size limit."""

    status = 413
    code = ErrorCode.PAYLOAD_TOO_LARGE


class StorageFullError(RoundError):
    """The coordinator's disk refused a write (full, quota, file-size limit)."""

    status = 507
    code = ErrorCode.STORAGE_FULL


class CallerForbiddenError(RoundError):
    """The caller may not make this request: its certificate names no site of this
    federation, or it speaks for another site."""

    status = 403
    code = ErrorCode.FORBIDDEN
