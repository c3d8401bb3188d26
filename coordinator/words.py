"""Sentences for people, kept as an English template and the values it names.

``str(words)`` is the English sentence the CLI prints and the logs keep. A GUI in another
language translates ``template`` (the site app's table is ``siteapp/ui/runner_words.py``)
and fills in the same ``fields``; a template it does not know stays English. Templates
use ``str.format`` fields: ``say("training step {step} of {total}", step=3, total=40)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    template: str
    fields: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.fields) if self.fields else self.template


def say(template: str, **fields: object) -> Words:
    return Words(template, fields)
