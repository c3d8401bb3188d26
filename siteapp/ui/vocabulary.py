"""Words the site stores as identifiers, shown in the user's language.

Class names, splits, ledger contexts and statuses, and the built-in tasks' titles are
stored and sent as stable English identifiers (``no_nodule``, ``val``, ``completed``):
the plan, the CSV files and the ledger must not change with the language. The pages
show them through these functions. A federation's own task may name classes MedFed has
never seen; those are shown as written, with underscores as spaces.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate reads
    """Marks ``text`` for lupdate (Qt's own returns ``object`` to type checkers)."""
    return text


_CONTEXT = "Vocabulary"

#: Class names of the built-in tasks (resources/tasks/), as lupdate collects them.
_CLASSES: dict[str, str] = {
    "no_nodule": QT_TRANSLATE_NOOP("Vocabulary", "no nodule"),
    "nodule": QT_TRANSLATE_NOOP("Vocabulary", "nodule"),
    "normal": QT_TRANSLATE_NOOP("Vocabulary", "normal"),
    "mass": QT_TRANSLATE_NOOP("Vocabulary", "mass"),
    "no_mass": QT_TRANSLATE_NOOP("Vocabulary", "no mass"),
    "consolidation": QT_TRANSLATE_NOOP("Vocabulary", "consolidation"),
    "lesion": QT_TRANSLATE_NOOP("Vocabulary", "lesion"),
    "background": QT_TRANSLATE_NOOP("Vocabulary", "background"),
}
_SPLITS: dict[str, str] = {
    "train": QT_TRANSLATE_NOOP("Vocabulary", "training"),
    "val": QT_TRANSLATE_NOOP("Vocabulary", "validation"),
}
_LEDGER_CONTEXTS: dict[str, str] = {
    "local": QT_TRANSLATE_NOOP("Vocabulary", "local-only training"),
    "federation": QT_TRANSLATE_NOOP("Vocabulary", "federation"),
    "statistics": QT_TRANSLATE_NOOP("Vocabulary", "federation statistics"),
}
_LEDGER_STATUSES: dict[str, str] = {
    "planned": QT_TRANSLATE_NOOP("Vocabulary", "recorded, not finished"),
    "completed": QT_TRANSLATE_NOOP("Vocabulary", "completed"),
    "cancelled": QT_TRANSLATE_NOOP("Vocabulary", "cancelled (still counted)"),
}
#: A round as this site's records keep it (``SiteRoundStatus``).
_SITE_ROUND_STATUSES: dict[str, str] = {
    "recorded": QT_TRANSLATE_NOOP("Vocabulary", "privacy cost recorded"),
    "trained": QT_TRANSLATE_NOOP("Vocabulary", "trained, not sent"),
    "uploaded": QT_TRANSLATE_NOOP("Vocabulary", "update sent"),
    "reported": QT_TRANSLATE_NOOP("Vocabulary", "complete"),
    "missed": QT_TRANSLATE_NOOP("Vocabulary", "missed"),
}
#: Titles of the built-in tasks, by task name.
_TASK_TITLES: dict[str, str] = {
    "lung-ct-nodule": QT_TRANSLATE_NOOP("Vocabulary", "Lung nodule on chest CT"),
    "lung-ct-nodule-3d": QT_TRANSLATE_NOOP("Vocabulary", "Lung nodule on chest CT, whole volume"),
    "mammo-mass": QT_TRANSLATE_NOOP("Vocabulary", "Mass on screening mammogram"),
    "chest-xray": QT_TRANSLATE_NOOP("Vocabulary", "Finding on a frontal chest radiograph"),
}


def _shown(table: dict[str, str], key: str) -> str:
    english = table.get(key)
    if english is None:
        return key.replace("_", " ")
    return QCoreApplication.translate(_CONTEXT, english)


def class_text(name: str) -> str:
    """A class as staff read it: "no nodule" / "无结节" for ``no_nodule``."""
    return _shown(_CLASSES, name)


def split_text(split: str) -> str:
    """``train`` / ``val`` in words; an unsplit patient shows nothing."""
    return _shown(_SPLITS, split) if split else ""


def ledger_context_text(context: str) -> str:
    """What a ledger entry paid for: the part of ``federation:<id>`` before the colon."""
    kind, _, rest = context.partition(":")
    words = _shown(_LEDGER_CONTEXTS, kind)
    return f"{words} {rest}".strip() if kind in ("federation", "statistics") else words


def site_round_status_text(status: str) -> str:
    return _shown(_SITE_ROUND_STATUSES, str(status))


def ledger_status_text(status: str) -> str:
    return _shown(_LEDGER_STATUSES, str(status))


def task_title_text(name: str, title: str) -> str:
    """A built-in task's title in the user's language; an operator's own task as written."""
    english = _TASK_TITLES.get(name)
    if english is None or english != title:
        return title
    return QCoreApplication.translate(_CONTEXT, english)
