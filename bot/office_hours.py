"""Office hours (`OFFICE_HOURS`, Vietnam time): when staff answer handed-off conversations.

Format: groups separated by ";", each "days ranges...": days `mon`…`sun` or a span
`mon-fri`, ranges `HH:MM-HH:MM`. Default (bot.settings): "mon-fri 07:30-11:30 13:30-17:00;
sat 07:30-11:30".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class OfficeHours:
    """Per weekday (0 = Monday), the [start, end) ranges when staff are at their desks."""

    ranges: tuple[tuple[tuple[time, time], ...], ...]

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Raises ValueError naming the part that is not understood."""
        week: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for group in filter(None, (part.strip() for part in text.lower().split(";"))):
            days, *spans = group.split()
            if not spans:
                raise ValueError(f"no hours after {days!r}")
            hours = [_span(span) for span in spans]
            for day in _days(days):
                week[day].extend(hours)
        return cls(tuple(tuple(sorted(day)) for day in week))

    def open_at(self, moment: datetime) -> bool:
        """Whether `moment` (naive Vietnam time) falls in office hours."""
        now = moment.time()
        return any(start <= now < end for start, end in self.ranges[moment.weekday()])


def _days(text: str) -> list[int]:
    first, _, last = text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise ValueError(f"unknown day {text!r} (use {', '.join(DAYS)})")
    start, end = DAYS.index(first), DAYS.index(last or first)
    if end < start:
        raise ValueError(f"day span {text!r} goes backwards")
    return list(range(start, end + 1))


def _span(text: str) -> tuple[time, time]:
    found = _RANGE.fullmatch(text)
    if not found:
        raise ValueError(f"hours {text!r} are not HH:MM-HH:MM")
    start_hour, start_minute, end_hour, end_minute = map(int, found.groups())
    start, end = time(start_hour, start_minute), time(end_hour, end_minute)
    if end <= start:
        raise ValueError(f"hours {text!r} end before they start")
    return start, end
