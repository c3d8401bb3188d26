"""The demo's console: one line per round and site, and a status line that moves.

On a terminal, a single status line (``\\r``-rewritten) shows what every site is doing
right now; each time a site finishes a round, one permanent line replaces it with the
round's result. Without a terminal (CI, a pipe) only the permanent lines are printed.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from coordinator.round_state import SiteStep


@dataclass
class SiteStatus:
    round: int | None = None
    step: str = "starting"
    fraction: float | None = None

    def text(self) -> str:
        if self.step == SiteStep.TRAINING and self.fraction is not None:
            return f"training {self.fraction:.0%}"
        return self.step


@dataclass
class LiveConsole:
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    sites: dict[str, SiteStatus] = field(default_factory=dict)
    _status_shown: bool = False

    @property
    def interactive(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def progress(self, site: str, event: dict[str, Any]) -> None:
        status = self.sites.setdefault(site, SiteStatus())
        status.round = event.get("round") or status.round
        status.step = str(event.get("step", status.step))
        status.fraction = event.get("fraction")
        self._draw_status()

    def round_done(self, site: str, event: dict[str, Any]) -> None:
        self.line(format_round_line(site, event))
        status = self.sites.setdefault(site, SiteStatus())
        status.step, status.fraction = "waiting for the next round", None

    def line(self, text: str) -> None:
        """A permanent line (the status line, if shown, is cleared first)."""
        self._clear_status()
        print(text, file=self.stream, flush=True)
        self._draw_status()

    def close(self) -> None:
        self._clear_status()

    def _draw_status(self) -> None:
        if not self.interactive or not self.sites:
            return
        rounds = [s.round for s in self.sites.values() if s.round]
        head = f"round {max(rounds)} " if rounds else ""
        text = head + " | ".join(f"{site}: {s.text()}" for site, s in self.sites.items())
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r" + text[:width].ljust(width))
        self.stream.flush()
        self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self._status_shown = False


def format_round_line(site: str, event: dict[str, Any]) -> str:
    """``round 2  site-1  AUC 0.874  epsilon 3.12  upload 412 kB  (training 9.1 s, ...)``."""
    label, auc = ("Dice", event["dice"]) if event.get("dice") is not None else ("AUC", event.get("auc"))
    eps = event.get("epsilon")
    size = event.get("upload_bytes") or 0
    seconds = event.get("seconds") or {}
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items() if v >= 0.05 and k != "waiting")
    return (f"round {event.get('round')}  {site}  {label} {'n/a' if auc is None else f'{auc:.3f}'}"
            f"  epsilon {'n/a' if eps is None else f'{eps:.2f}'}  upload {size / 1024:.0f} kB"
            + (f"  ({timing})" if timing else ""))
