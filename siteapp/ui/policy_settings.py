"""Settings > Site policy: the privacy officer's limits on what a coordinator's plan may
ask of this site, and whether it reports (noised) validation figures.

The same values as ``medfed-site policy``: both go through
:func:`siteapp.federation.policy.changed_policy` and ``save_policy``. Every plan is
checked against them before anything is recorded or trained.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from siteapp.errors import UsageError
from siteapp.federation.policy import SitePolicy, changed_policy, load_policy, save_policy
from siteapp.ui.pages.base import Page
from siteapp.ui.widgets.notice_bar import NoticeKind

# Largest values the form offers (the policy itself has no upper bound).
_FORM_MAX = 1_000_000


class SitePolicySection(QGroupBox):
    """Reads the stored policy on :meth:`refresh`; :meth:`save` validates and stores it."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Site policy"), parent)
        self.page = page
        form = QFormLayout(self)
        hint = QLabel(self.tr(
            "For the privacy officer: a coordinator's plan that asks for more than this is "
            "refused before anything is trained. The privacy cap is on the Privacy page."
        ))
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.report_validation = QCheckBox(self.tr(
            "Report validation figures after each round (a histogram with random noise, "
            "paid from the validation patients' privacy budget)"))
        form.addRow(self.report_validation)
        self.max_learning_rate = self._decimal(0.0001, 4)
        form.addRow(self.tr("Largest learning rate"), self.max_learning_rate)
        self.max_epochs_per_round = self._whole()
        form.addRow(self.tr("Most epochs per round"), self.max_epochs_per_round)
        self.max_batch_size = self._whole()
        form.addRow(self.tr("Largest batch (patients)"), self.max_batch_size)
        self.max_grad_norm_limit = self._decimal(0.01, 2)
        form.addRow(self.tr("Largest per-patient clipping norm"), self.max_grad_norm_limit)
        self.min_train_patients = self._whole()
        form.addRow(self.tr("Fewest training patients to take part"), self.min_train_patients)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton(self.tr("Save site policy"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)

    @staticmethod
    def _decimal(step: float, decimals: int) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setDecimals(decimals)
        box.setRange(step, _FORM_MAX)
        box.setSingleStep(step)
        return box

    @staticmethod
    def _whole() -> QSpinBox:
        box = QSpinBox()
        box.setRange(1, _FORM_MAX)
        return box

    def refresh(self) -> None:
        self.show_policy(load_policy(self.page.session.data_dir))

    def show_policy(self, policy: SitePolicy) -> None:
        self.report_validation.setChecked(policy.report_validation)
        self.max_learning_rate.setValue(policy.max_learning_rate)
        self.max_epochs_per_round.setValue(policy.max_epochs_per_round)
        self.max_batch_size.setValue(policy.max_batch_size)
        self.max_grad_norm_limit.setValue(policy.max_grad_norm_limit)
        self.min_train_patients.setValue(policy.min_train_patients)

    def save(self) -> bool:
        """Store the form's policy; True when saved (the notice bar says either way)."""
        data_dir = self.page.session.data_dir
        try:
            policy = changed_policy(
                load_policy(data_dir),
                report_validation=self.report_validation.isChecked(),
                max_learning_rate=self.max_learning_rate.value(),
                max_epochs_per_round=self.max_epochs_per_round.value(),
                max_batch_size=self.max_batch_size.value(),
                max_grad_norm_limit=self.max_grad_norm_limit.value(),
                min_train_patients=self.min_train_patients.value(),
            )
            save_policy(data_dir, policy)
        except (UsageError, OSError) as exc:
            self.page.show_exception(exc, self.tr("saving the site policy"))
            return False
        self.page.show_info(self.tr("Site policy saved; the next plan is checked against it."),
                            NoticeKind.SUCCESS)
        return True
