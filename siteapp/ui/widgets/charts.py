"""Small pyqtgraph charts the pages share: bars per class, lines per round."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

PALETTE = ("#1f6f8b", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#4d5b69")
AXIS_PEN = "#4d5b69"


def style_plot(plot: pg.PlotWidget) -> None:
    plot.setBackground("w")
    plot.showGrid(x=False, y=True, alpha=0.25)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(AXIS_PEN)
        axis.setTextPen(AXIS_PEN)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()


class BarChart(pg.PlotWidget):
    """Labelled vertical bars (class balance, confusion counts)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_plot(self)
        self.values: list[float] = []
        self.categories: list[str] = []

    def set_bars(self, categories: Sequence[str], values: Sequence[float],
                 colors: Sequence[str] | None = None) -> None:
        self.clear()
        self.categories = list(categories)
        self.values = [float(v) for v in values]
        brushes = [pg.mkBrush(c) for c in (colors or PALETTE)][: len(values)] or None
        if len(brushes or []) < len(values):
            brushes = [pg.mkBrush(PALETTE[i % len(PALETTE)]) for i in range(len(values))]
        bars = pg.BarGraphItem(x=list(range(len(values))), height=self.values, width=0.6, brushes=brushes)
        self.addItem(bars)
        self.getAxis("bottom").setTicks([list(enumerate(self.categories))])
        top = max(self.values, default=0.0)
        for i, value in enumerate(self.values):
            text = pg.TextItem(f"{value:g}", color=AXIS_PEN, anchor=(0.5, 1.0))
            text.setPos(i, value)
            self.addItem(text)
        self.setXRange(-0.6, max(len(values) - 0.4, 0.6), padding=0)
        self.setYRange(0, top * 1.2 if top > 0 else 1, padding=0)


class LineChart(pg.PlotWidget):
    """Lines over rounds with markers and a legend (epsilon, AUC...).

    Curves are kept by name and updated in place: rebuilding plot items and legend
    entries on every round costs tens of milliseconds of the GUI thread.
    """

    def __init__(self, y_label: str, x_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_plot(self)
        self.setLabel("left", y_label, color=AXIS_PEN)
        self.setLabel("bottom", x_label, color=AXIS_PEN)
        # Bottom right: the top of these charts is where caps and perfect scores sit.
        self.legend = self.addLegend(offset=(-10, -40), labelTextColor=AXIS_PEN)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        self.series: dict[str, tuple[list[float], list[float]]] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._limits: dict[str, pg.InfiniteLine] = {}
        self.y_from_zero = False  # amounts (epsilon) start at 0; scores keep their range
        self._integer_x_ticks()

    def set_series(self, name: str, xs: Sequence[float], ys: Sequence[float],
                   color: str | None = None, dashed: bool = False) -> None:
        """Show (or update) the curve ``name``."""
        self.series[name] = (list(map(float, xs)), list(map(float, ys)))
        curve = self._curves.get(name)
        if curve is None:
            color = color or PALETTE[len(self._curves) % len(PALETTE)]
            style = pg.QtCore.Qt.PenStyle.DashLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine
            curve = self.plot([], [], pen=pg.mkPen(color, width=2, style=style), symbol="o",
                              symbolSize=7, symbolBrush=color, symbolPen=color, name=name,
                              antialias=True)
            self._curves[name] = curve
        curve.setData(*self.series[name])
        curve.show()
        self._integer_x_ticks()
        self._fit_y()

    def clear_series(self) -> None:
        """Hide every curve (kept for reuse); their data is forgotten."""
        self.series.clear()
        for curve in self._curves.values():
            curve.setData([], [])
            curve.hide()
        self._integer_x_ticks()

    def _integer_x_ticks(self) -> None:
        """Rounds are whole numbers: tick each one (or every n-th when there are many)."""
        xs = sorted({int(x) for values in self.series.values() for x in values[0]})
        if not xs:  # nothing yet: round 1 alone, never fractions of a round
            xs = [1]
        step = max(1, len(xs) // 10)
        self.getAxis("bottom").setTicks([[(x, str(x)) for x in xs[::step]]])
        self.setXRange(xs[0] - 0.3, xs[-1] + 0.3, padding=0)

    def _fit_y(self) -> None:
        """With ``y_from_zero``, the y axis starts at 0 and shows every value and limit."""
        if not self.y_from_zero:
            return
        values = [y for _xs, ys in self.series.values() for y in ys]
        values += [float(line.value()) for line in self._limits.values()]
        top = max(values, default=1.0)
        self.setYRange(0.0, top * 1.08 if top > 0 else 1.0, padding=0)

    def add_limit(self, value: float, label: str, color: str = "#a12a2a") -> None:
        """A horizontal dotted line (a cap), updated in place when called again."""
        line = self._limits.get(label)
        if line is None:
            line = pg.InfiniteLine(angle=0, label=label, labelOpts={"color": color, "position": 0.1},
                                   pen=pg.mkPen(color, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine))
            self.addItem(line)
            self._limits[label] = line
        line.setValue(value)
        self._fit_y()


class DistributionChart(pg.PlotWidget):
    """Distributions over the same bins drawn as steps, each scaled to a total of 1, so a
    site of 40 patients and a federation of 900 compare by shape (intensity histograms)."""

    def __init__(self, x_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_plot(self)
        self.setLabel("bottom", x_label, color=AXIS_PEN)
        self.legend = self.addLegend(offset=(-10, 10), labelTextColor=AXIS_PEN)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        self.shares: dict[str, list[float]] = {}
        self.edges: list[float] = []

    def set_distributions(self, edges: Sequence[float], named: dict[str, Sequence[float]]) -> None:
        """Show each of ``named`` (weights per bin between ``edges``) as its shares."""
        self.clear()
        self.legend.clear()
        self.edges = [float(e) for e in edges]
        self.shares = {}
        for index, (name, weights) in enumerate(named.items()):
            clipped = [max(float(w), 0.0) for w in weights]
            total = sum(clipped)
            shares = [w / total if total > 0 else 0.0 for w in clipped]
            self.shares[name] = shares
            color = PALETTE[index % len(PALETTE)]
            self.plot(self.edges, shares, stepMode="center", pen=pg.mkPen(color, width=2), name=name)
