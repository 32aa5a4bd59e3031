"""The simulation pane's charts (SPEC §8, §10): contacts per sender profile by reason, tasks done per day,
and contacts who accepted and replied per day.

Qt Charts is imported here only, and this module only when the pane builds its
charts, so the window can start without loading it.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from builder.engine.preview import Outlook
from builder.engine.words import Outcome, Reason
from builder.ui.simulation.axes import nice_range

REASON_COLOURS = {
    Reason.OVERRIDE: QColor("#7a4fd6"),
    Reason.PREVIOUS_INTERACTION: QColor("#f59e0b"),
    Reason.EVEN_DISTRIBUTION: QColor("#2f6fde"),
}
REASON_LABELS = {
    Reason.OVERRIDE: "Override",
    Reason.PREVIOUS_INTERACTION: "Previous interaction",
    Reason.EVEN_DISTRIBUTION: "Even distribution",
}

FULL_SIZE = "fullPixelSize"  # a names axis's usual label size, kept on the axis
SMALLEST_NAME = 8  # pixels: below this a name is not read, only guessed

# A sender profile keeps its colour on every chart of the pane, in the order the pane lists profiles.
PROFILE_COLOURS = [QColor(c) for c in ("#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#d62728", "#17becf", "#8c564b")]


def profile_colours(outlook: Outlook) -> dict[str, QColor]:
    """Each profile of the forecast and its colour; past the palette, colours spread round the hue circle."""
    colours = {}
    for index, profile in enumerate(outlook.profiles):
        if index < len(PROFILE_COLOURS):
            colours[profile.profile] = PROFILE_COLOURS[index]
        else:
            colours[profile.profile] = QColor.fromHsv((index * 67) % 360, 190, 200)
    return colours


def profile_pen(colour: QColor, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour)
    pen.setWidthF(2)
    pen.setStyle(style)
    return pen


def chart_view(title: str, name: str, legend: Qt.AlignmentFlag, parent: QWidget) -> QChartView:
    """An empty chart in its view, named for tests and style sheets."""
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(legend)
    view = QChartView(chart, parent)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    return view


def clear_chart(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def round_ticks(axis: QValueAxis, top: float) -> None:
    """The axis runs from 0 to a round number past ``top``, a tick at each round step."""
    end, step = nice_range(top)
    axis.setRange(0, end)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setMinorTickCount(0)


def draw_spread(chart: QChart, outlook: Outlook) -> None:
    """One stacked bar a profile: its contacts split by the reason they went to it (R1–R3)."""
    clear_chart(chart)
    series = QHorizontalStackedBarSeries()
    profiles = list(reversed(outlook.profiles))  # the chart draws its first row at the bottom
    for reason in (Reason.OVERRIDE, Reason.PREVIOUS_INTERACTION, Reason.EVEN_DISTRIBUTION):
        bars = QBarSet(REASON_LABELS[reason])
        bars.setColor(REASON_COLOURS[reason])
        bars.append([p.by_reason.get(reason, 0) for p in profiles])
        series.append(bars)
    chart.addSeries(series)
    names = QBarCategoryAxis()
    names.append([p.name for p in profiles])
    counts = QValueAxis()
    counts.setLabelFormat("%d")
    round_ticks(counts, max((sum(p.by_reason.values()) for p in profiles), default=0))
    chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(names)
    series.attachAxis(counts)
    names.setProperty(FULL_SIZE, QFontInfo(names.labelsFont()).pixelSize())
    fit_names(chart)


def fit_names(chart: QChart) -> None:
    """The spread chart's profile names, readable however many profiles there are.

    While each bar has a name's height, names are as usual (cut with '…' only
    when too wide). When bars are thinner, names get smaller (never under
    SMALLEST_NAME pixels) and are written whole: Qt leaves out a name that
    would overlap the one before, so a team of twenty shows every other name
    rather than twenty '…'. Called after each draw and whenever the plot area
    changes (the pane is resized).
    """
    found = [axis for axis in chart.axes(Qt.Orientation.Vertical) if isinstance(axis, QBarCategoryAxis)]
    if not found or found[0].property(FULL_SIZE) is None:
        return
    names = found[0]
    full = int(names.property(FULL_SIZE))
    room = chart.plotArea().height() / max(names.count(), 1)
    font = names.labelsFont()
    usual = QFont(font)
    usual.setPixelSize(full)
    dense = room < QFontMetrics(usual).height()
    size = max(SMALLEST_NAME, min(full, int(room) - 1)) if dense else full
    if QFontInfo(font).pixelSize() != size:
        font.setPixelSize(size)
        names.setLabelsFont(font)
    if names.truncateLabels() == dense:
        names.setTruncateLabels(not dense)


def day_axes(chart: QChart, days: int) -> tuple[QValueAxis, QValueAxis]:
    """The forecast's days along the bottom and whole counts up the side, both ticked at round steps."""
    along = QValueAxis()
    along.setLabelFormat("%d")
    round_ticks(along, max(1, days - 1))
    up = QValueAxis()
    up.setLabelFormat("%d")
    chart.addAxis(along, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(up, Qt.AlignmentFlag.AlignLeft)
    return along, up


def draw_forecast(chart: QChart, outlook: Outlook) -> None:
    """One line a profile: the tasks it does each day of the forecast."""
    clear_chart(chart)
    days, done = day_axes(chart, outlook.days)
    names = {p.profile: p.name for p in outlook.profiles}
    colours = profile_colours(outlook)
    top = 1
    for profile, counts in outlook.done_per_day.items():
        line = QLineSeries()
        line.setName(names.get(profile, profile))
        if profile in colours:
            line.setPen(profile_pen(colours[profile]))
        for day, count in enumerate(counts):
            line.append(float(day), float(count))
        top = max(top, *counts) if counts else top
        chart.addSeries(line)
        line.attachAxis(days)
        line.attachAxis(done)
    round_ticks(done, top)


OUTCOME_STYLES = {Outcome.ACCEPTED: Qt.PenStyle.SolidLine, Outcome.REPLIED: Qt.PenStyle.DashLine}


def draw_outcomes(chart: QChart, outlook: Outlook) -> None:
    """Per sender profile, a line of contacts who accepted each day and a dashed one of those who replied (SPEC §10)."""
    clear_chart(chart)
    if not outlook.outcomes_per_day:
        chart.setTitle("Accepted and replied per day (set outcome rates to see them)")
        return
    chart.setTitle("Accepted and replied (dashed) per day")
    days, counts = day_axes(chart, outlook.days)
    names = {p.profile: p.name for p in outlook.profiles}
    colours = profile_colours(outlook)
    top = 1
    for index, (profile, per_outcome) in enumerate(outlook.outcomes_per_day.items()):
        colour = colours.get(profile, QColor.fromHsv((index * 67) % 360, 190, 200))
        for outcome, style in OUTCOME_STYLES.items():
            values = per_outcome.get(outcome, [])
            line = QLineSeries()
            line.setName(f"{names.get(profile, profile)} {outcome.value}")
            line.setPen(profile_pen(colour, style))
            for day, count in enumerate(values):
                line.append(float(day), float(count))
            top = max(top, *values) if values else top
            chart.addSeries(line)
            line.attachAxis(days)
            line.attachAxis(counts)
            # One legend entry a profile, in its colour: the line style tells the outcome.
            for marker in chart.legend().markers(line):
                if outcome is Outcome.ACCEPTED:
                    marker.setLabel(names.get(profile, profile))
                else:
                    marker.setVisible(False)
    round_ticks(counts, top)
