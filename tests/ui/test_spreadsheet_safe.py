"""The simulation table's CSV export keeps formulas as text (OWASP CSV injection, issue 12)."""

from __future__ import annotations

import pytest

from builder.ui.simulation.pane import spreadsheet_safe


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\t",
        ' =HYPERLINK("http://x")',
        "  +1",
        "\u00a0@a",
        " \t-2",
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Anna", "12", "a=b", "Bob - EU", " Anna", "'=already text"])
def test_other_cells_are_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell
