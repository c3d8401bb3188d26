"""Privacy: epsilon spent against the cap, per round, projected, explained, and the cap."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siteapp.privacy.ledger import PrivacyLedger
from siteapp.ui.pages.base import Page
from siteapp.ui.privacy_view import (
    PrivacyPicture,
    odds_factor,
    privacy_picture,
    remaining_plan_rounds,
)
from siteapp.ui.session import SiteSession
from siteapp.ui.vocabulary import ledger_context_text, ledger_status_text
from siteapp.ui.widgets.charts import AXIS_PEN, LineChart, style_plot
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.widgets.table_width import fit_width_to_columns

SPENT_COLOR = "#1f6f8b"
PROJECTED_COLOR = "#9cc9d8"
CAP_COLOR = "#a12a2a"
WARN_FRACTION = 0.8
# The ledger's room beside the chart; a longer context than this scrolls sideways.
LEDGER_MAX_WIDTH_PX = 680
DEFAULT_REMAINING_ROUNDS = 5


class EpsilonGauge(pg.PlotWidget):
    """A horizontal bar: spent (dark), projected (light) and the cap (red line)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_plot(self)
        self.getAxis("left").setTicks([[]])
        self.getAxis("left").setWidth(8)
        self.setLabel("bottom", "ε", color=AXIS_PEN)
        self.setFixedHeight(110)
        self.spent = 0.0
        self.cap = 0.0

    def show_values(self, spent: float, projected: float | None, cap: float) -> None:
        self.clear()
        self.spent, self.cap = spent, cap
        top = max(cap, projected or 0.0, spent) * 1.1
        if projected is not None and projected > spent:
            self.addItem(pg.BarGraphItem(x0=[0], y=[0], height=0.5, width=[projected],
                                         brush=PROJECTED_COLOR, pen=pg.mkPen(None)))
        self.addItem(pg.BarGraphItem(x0=[0], y=[0], height=0.5, width=[spent],
                                     brush=SPENT_COLOR, pen=pg.mkPen(None)))
        self.addItem(pg.InfiniteLine(pos=cap, angle=90, pen=pg.mkPen(CAP_COLOR, width=2.5),
                                     label=QCoreApplication.translate("PrivacyPage", "cap {cap:g}").format(cap=cap), labelOpts={"color": CAP_COLOR, "position": 0.9}))
        self.setXRange(0, top, padding=0)
        self.setYRange(-0.5, 0.5, padding=0)


class PrivacyPage(Page):
    page_id = "privacy"
    icon_name = "privacy"

    def title(self) -> str:
        return self.tr("Privacy")

    def description(self) -> str:
        return self.tr(
            "How much privacy budget this site has spent on training, for every patient, "
            "counted over all rounds and restarts. Training stops before the cap is passed."
        )

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.picture: PrivacyPicture | None = None
        grid = QGridLayout()

        gauge_box = QGroupBox(self.tr("Privacy budget used"))
        gauge_layout = QVBoxLayout(gauge_box)
        self.spent_label = QLabel()
        self.spent_label.setObjectName("BigValue")
        self.spent_label.setWordWrap(True)  # one line of it was wider than half the page
        self.gauge = EpsilonGauge()
        self.projection_label = QLabel()
        self.projection_label.setWordWrap(True)
        rounds_row = QHBoxLayout()
        self.remaining_spin = QSpinBox()
        self.remaining_spin.setRange(0, 1000)
        self.remaining_spin.setValue(DEFAULT_REMAINING_ROUNDS)
        self.remaining_spin.valueChanged.connect(lambda _v: self.refresh_now())
        rounds_row.addWidget(QLabel(self.tr("Rounds still to join")))
        rounds_row.addWidget(self.remaining_spin)
        rounds_row.addStretch(1)
        gauge_layout.addWidget(self.spent_label)
        gauge_layout.addWidget(self.gauge)
        gauge_layout.addLayout(rounds_row)
        gauge_layout.addWidget(self.projection_label)

        explain_box = QGroupBox(self.tr("What this means for one patient"))
        explain_layout = QVBoxLayout(explain_box)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        explain_layout.addWidget(self.explanation)
        explain_layout.addStretch(1)

        chart_box = QGroupBox(self.tr("Epsilon per round"))
        chart_layout = QVBoxLayout(chart_box)
        self.chart = LineChart(self.tr("ε"), self.tr("ledger entry (round)"))
        self.chart.y_from_zero = True
        self.chart.setMinimumHeight(200)
        chart_layout.addWidget(self.chart)

        cap_box = QGroupBox(self.tr("This site's cap (privacy officer)"))
        cap_form = QFormLayout(cap_box)
        self.cap_spin = QDoubleSpinBox()
        self.cap_spin.setRange(0.1, 100.0)
        self.cap_spin.setDecimals(2)
        self.cap_spin.setSingleStep(0.5)
        self.delta_edit = QLineEdit()
        self.delta_edit.setPlaceholderText(self.tr("automatic: 1e-5, or 1 / (10 × patients) if smaller"))
        save = QPushButton(self.tr("Save cap"))
        save.clicked.connect(self.save_cap)
        cap_form.addRow(self.tr("Epsilon cap"), self.cap_spin)
        cap_form.addRow(self.tr("Delta"), self.delta_edit)
        cap_form.addRow("", save)

        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Round"), self.tr("Context"), self.tr("Status"), self.tr("Noise"),
             self.tr("Steps"), self.tr("Patients"), self.tr("ε after")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        ledger_box = QGroupBox(self.tr("Privacy ledger (every round, recorded before training)"))
        QVBoxLayout(ledger_box).addWidget(self.table)
        grid.addWidget(gauge_box, 0, 0)
        grid.addWidget(explain_box, 0, 1)
        grid.addWidget(chart_box, 1, 0, 2, 1)
        grid.addWidget(cap_box, 1, 1)
        grid.addWidget(ledger_box, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        self.body.addLayout(grid, 1)
        session.privacy_changed.connect(self.mark_stale)

    def refresh(self) -> None:
        remaining = remaining_plan_rounds(self.session.data_dir)
        if remaining is not None:
            self.remaining_spin.blockSignals(True)
            self.remaining_spin.setValue(remaining)
            self.remaining_spin.blockSignals(False)
            self.remaining_spin.setToolTip(self.tr("From the federation plan: rounds this site has not taken part in yet."))
        picture = privacy_picture(self.session.data_dir, self.remaining_spin.value())
        self.picture = picture
        spent_text = self.tr("ε = {spent:.2f} of {cap:g}  ({percent:.0f}% of the cap), δ = {delta:.1e}").format(
            spent=picture.spent, cap=picture.cap_epsilon,
            percent=100.0 * picture.fraction_of_cap, delta=picture.delta,
        )
        if picture.nominal:
            spent_text += " " + self.tr("(nominal)")
        # The line wraps on a narrow page: never between a symbol and its value.
        self.spent_label.setText(spent_text.replace(" = ", "\u00a0=\u00a0"))
        self.gauge.show_values(picture.spent, picture.projected, picture.cap_epsilon)
        if picture.projected is None and picture.entries:
            self.projection_label.setText(self.tr("No rounds are left to join, so nothing more will be spent."))
        elif picture.projected is None:
            self.projection_label.setText(
                self.tr("No training has been recorded yet, so there is nothing to project from.")
            )
        else:
            text = self.tr(
                "If this site joins {rounds} more round(s) like the last one, its total will be "
                "ε = {projected:.2f}."
            ).format(rounds=picture.remaining_rounds, projected=picture.projected)
            if picture.projected > picture.cap_epsilon:
                text += " " + self.tr("That passes the cap: the app will refuse the round that would cross it.")
            self.projection_label.setText(text)
        self.explanation.setText(self._explain(picture))
        self._fill_chart(picture)
        self._fill_table(picture)
        self.cap_spin.setValue(picture.cap_epsilon)
        self.delta_edit.setText("" if picture.cap_delta is None else f"{picture.cap_delta:g}")
        if picture.nominal:
            self.show_info(self.tr(
                "Some rounds drew their privacy randomness from a fixed seed (a test or demo "
                "option): whoever knows the seed can undo their noise, so the ε shown is "
                "nominal, not a guarantee."), NoticeKind.WARNING)
        elif picture.fraction_of_cap >= 1.0:
            self.show_info(self.tr("The cap is reached: this site will not train again unless the privacy officer raises it."), NoticeKind.WARNING)
        elif picture.fraction_of_cap >= WARN_FRACTION:
            self.show_info(self.tr("More than 80% of the privacy cap is spent."), NoticeKind.WARNING)

    def _explain(self, picture: PrivacyPicture) -> str:
        eps = picture.spent
        return self.tr(
            "<p>Differential privacy limits what anyone can learn about <b>one patient</b> from "
            "the model, even someone who knows every other patient.</p>"
            "<p><b>ε = {eps:.2f}</b>: whatever the model is used for, including that patient's "
            "images can make any conclusion about them at most <b>{factor:.1f}×</b> more (or "
            "less) likely than if their images had never been used. Smaller is more private; "
            "0 would mean no influence at all.</p>"
            "<p><b>δ = {delta:.1e}</b>: the small chance (about 1 in {one_in:,.0f}) that this "
            "guarantee does not hold for a given patient.</p>"
            "<p>The count covers every round since this site started, across restarts.</p>"
            "<p>Validation patients have their own line: the noised validation figures sent "
            "to the coordinator have cost them ε = {validation:.2f} so far. A patient is "
            "either a training or a validation patient, so the site's ε is the larger of "
            "the two lines.</p>"
        ).format(eps=eps, factor=odds_factor(eps), delta=picture.delta,
                 one_in=1.0 / picture.delta if picture.delta > 0 else float("inf"),
                 validation=picture.validation_spent)

    def _fill_chart(self, picture: PrivacyPicture) -> None:
        self.chart.clear_series()
        xs = list(range(1, len(picture.entries) + 1))
        if xs:
            self.chart.set_series(self.tr("total ε"), xs, [e.epsilon_after for e in picture.entries], SPENT_COLOR)
            self.chart.set_series(self.tr("added by the round"), xs, picture.per_round_increase(), "#edae49")
        self.chart.add_limit(picture.cap_epsilon, self.tr("cap"), CAP_COLOR)

    def _fill_table(self, picture: PrivacyPicture) -> None:
        rows = sorted(picture.entries + picture.validation_entries, key=lambda e: e.id)
        self.table.setRowCount(len(rows))
        for row, e in enumerate(rows):
            context = ledger_context_text(e.context)
            if e.record_set == "validation":
                context += " " + self.tr("(validation report)")
            if e.seeded:
                context += " " + self.tr("[seeded: nominal]")
            values = [str(e.round), context, ledger_status_text(e.status), f"{e.noise_multiplier:.2f}", str(e.steps),
                      str(e.records), f"{e.epsilon_after:.3f}"]
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        fit_width_to_columns(self.table, LEDGER_MAX_WIDTH_PX)

    def save_cap(self) -> bool:
        text = self.delta_edit.text().strip()
        try:
            delta = float(text) if text else None
        except ValueError:
            self.show_error(self.tr("Delta must be a number such as 1e-5, or empty for automatic."))
            return False
        try:
            PrivacyLedger(self.session.data_dir).set_cap(self.cap_spin.value(), delta)
        except Exception as exc:
            self.show_exception(exc, self.tr("saving the privacy cap"))
            return False
        self.session.privacy_changed.emit()
        self.refresh_now()
        self.show_info(self.tr("The privacy cap is now ε = {cap:g}.").format(cap=self.cap_spin.value()), NoticeKind.SUCCESS)
        return True
