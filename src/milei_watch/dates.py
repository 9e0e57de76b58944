"""Dates from front matter and feeds, made timezone-aware in the site's timezone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def to_datetime(value: object, tz: ZoneInfo) -> dt.datetime | None:
    """A YAML date, datetime or ISO string as an aware datetime; None when it is not a date."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "T", 1) if len(value.strip()) > 10 else value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    # A written offset (PyYAML keeps it as a fixed offset) is honoured, then shown in the site's timezone.
    return moment.astimezone(tz)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with seconds and offset, as used in HTML, Atom, JSON Feed and sitemaps."""
    return moment.isoformat(timespec="seconds")


def rfc822(moment: dt.datetime) -> str:
    """RFC 822 date for RSS."""
    from email.utils import format_datetime  # only feeds need it: spared on a build with nothing to do

    return format_datetime(moment)

