"""Charts: whole rounds on the x axis, amounts from zero."""

from __future__ import annotations


def test_charts_tick_whole_rounds_and_amounts_start_at_zero(qtbot) -> None:
    from siteapp.ui.widgets.charts import LineChart

    empty = LineChart("AUC", "round")
    qtbot.addWidget(empty)
    ticks = empty.getAxis("bottom")._tickLevels
    assert ticks == [[(1, "1")]], "an empty chart must not show fractions of a round"
    epsilon = LineChart("epsilon", "round")
    qtbot.addWidget(epsilon)
    epsilon.y_from_zero = True
    epsilon.set_series("total", [1, 2, 3], [2.5, 3.1, 3.6])
    epsilon.add_limit(8.0, "cap")
    low, high = epsilon.getViewBox().viewRange()[1]
    assert low == 0.0 and high >= 8.0
