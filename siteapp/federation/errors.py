"""Errors of the site's side of a federation, each with what to do next.

They are :class:`siteapp.errors.UserFacingError` subclasses, so the CLI prints them as
one line and the GUI shows them in a message box.
"""

from __future__ import annotations

from siteapp.errors import UserFacingError


class FederationError(UserFacingError):
    """Base class of federation failures a site officer can act on."""


class KitRefusedError(FederationError):
    """The enrolment kit is damaged, tampered with, expired or for another federation."""

    exit_code = 4


class NotEnrolledError(FederationError):
    """This data folder has not imported an enrolment kit yet."""

    exit_code = 4


class PlanRefusedError(FederationError):
    """The coordinator's plan breaks this site's policy; nothing was trained."""

    exit_code = 3


class CoordinatorOutageError(FederationError):
    """The coordinator stayed unreachable longer than the site is willing to wait."""

    exit_code = 5


class RoundAbortedError(FederationError):
    """The federation cannot go on (a round failed, or the site's update was refused)."""


class RoundMissedError(FederationError):
    """The round moved on without this site (it joined too late, or restarted mid-round
    in masking mode); the site waits for the next round."""


class JoinStoppedError(FederationError):
    """The person stopped the run; everything done so far is saved and `join` resumes."""

    exit_code = 130
