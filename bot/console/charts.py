"""Bar charts as inline SVG, drawn on the server: they need no script and no network.

Labels are escaped (they come from the database); geometry uses presentation attributes
only, so the console's Content-Security-Policy (no inline styles) holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

ROW_HEIGHT = 26
LABEL_WIDTH = 330
BAR_WIDTH = 360
VALUE_WIDTH = 70
BAR_COLOR = "#2b7bb9"
LOW_COLOR = "#c0392b"  # a score below LOW_SCORE stands out
LOW_SCORE = 50.0
MAX_LABEL_CHARS = 52


def bar_chart(
    title: str, rows: Sequence[tuple[str, float | None]], maximum: float = 100.0, unit: str = "%"
) -> Markup:
    """Horizontal bars, one per (label, value); a missing value is drawn as "—"."""
    height = ROW_HEIGHT * len(rows) + 10
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        parts.append(_row(index, label, value, maximum, unit))
    parts.append("</svg>")
    return Markup("".join(parts))


def _row(index: int, label: str, value: float | None, maximum: float, unit: str) -> str:
    y = 5 + index * ROW_HEIGHT
    middle = y + ROW_HEIGHT / 2 + 4
    shown = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
    text = (
        f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" font-size="12">'
        f"<title>{escape(label)}</title>{escape(shown)}</text>"
    )
    if value is None:
        return text + f'<text x="{LABEL_WIDTH + 4}" y="{middle:.0f}" font-size="12">—</text>'
    length = 0.0 if maximum <= 0 else BAR_WIDTH * min(value, maximum) / maximum
    color = LOW_COLOR if unit == "%" and value < LOW_SCORE else BAR_COLOR
    figure = f"{value:.1f} {unit}" if unit == "%" else f"{value:,.0f}".replace(",", ".")
    bar = (
        f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" '
        f'height="{ROW_HEIGHT - 8}" fill="{color}"/>'
    )
    after = LABEL_WIDTH + length + 6
    return text + bar + f'<text x="{after:.1f}" y="{middle:.0f}" font-size="12">{figure}</text>'
