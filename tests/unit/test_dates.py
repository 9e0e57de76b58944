"""Dates from front matter, made aware in the site's timezone, and their written forms."""

from __future__ import annotations

import datetime as dt
import email.utils
from zoneinfo import ZoneInfo

import pytest

from milei_watch import dates

TZ = ZoneInfo("America/Argentina/Buenos_Aires")


@pytest.mark.parametrize("value, expected", [
    (dt.date(2026, 1, 25), dt.datetime(2026, 1, 25, tzinfo=TZ)),
    (dt.datetime(2026, 1, 25, 9, 0), dt.datetime(2026, 1, 25, 9, 0, tzinfo=TZ)),
    (dt.datetime(2026, 1, 25, 12, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 1, 25, 9, 0, tzinfo=TZ)),
    ("2026-01-25", dt.datetime(2026, 1, 25, tzinfo=TZ)),
    ("2026-01-25 09:00", dt.datetime(2026, 1, 25, 9, 0, tzinfo=TZ)),
    ("2026-01-25T09:00:00-03:00", dt.datetime(2026, 1, 25, 9, 0, tzinfo=TZ)),
    ("2026-01-25T12:00:00Z", dt.datetime(2026, 1, 25, 9, 0, tzinfo=TZ)),
    (" 2026-01-25 ", dt.datetime(2026, 1, 25, tzinfo=TZ)),
])
def test_to_datetime_is_aware_in_the_site_timezone(value, expected):
    moment = dates.to_datetime(value, TZ)
    assert moment == expected
    assert moment.utcoffset() == dt.timedelta(hours=-3)


@pytest.mark.parametrize("value", ["mañana", "2026-13-45", "25/01/2026", "", 20260125, True, None, [2026]])
def test_to_datetime_of_something_else_is_none(value):
    assert dates.to_datetime(value, TZ) is None


def test_iso_has_seconds_and_offset():
    assert dates.iso(dt.datetime(2026, 1, 25, 18, 0, 0, 123456, tzinfo=TZ)) == "2026-01-25T18:00:00-03:00"


def test_rfc822_round_trips():
    moment = dt.datetime(2026, 1, 25, 18, 0, tzinfo=TZ)
    text = dates.rfc822(moment)
    assert text == "Sun, 25 Jan 2026 18:00:00 -0300"
    assert email.utils.parsedate_to_datetime(text) == moment


def test_human_date_has_no_leading_zero():
    from milei_watch import i18n

    assert i18n.human_date(dt.datetime(2026, 3, 5, tzinfo=TZ), "en_US") == "5 March 2026"
    assert i18n.human_date(dt.date(2023, 12, 10), "en_US") == "10 December 2023"
    assert i18n.human_date(dt.datetime(2026, 3, 5, 23, 59, tzinfo=TZ), "es_AR") == "5 de marzo de 2026"
