"""Meetings as iCalendar: the VEVENT (stable UID, SEQUENCE, times in Europe/Rome with their VTIMEZONE,
private link only where allowed) and the three feeds (a meeting, a body, the public calendar with its
filters), in a constant number of queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from officine.meetings import calendar_ics, convening
from officine.meetings.models import MeetingKind, MeetingMode, MeetingState
from officine.meetings.tests.factories import add_item, make_body, make_meeting, make_seat, rome
from officine.meetings.tests.factories_c import in_days, make_event

ROME = ZoneInfo("Europe/Rome")


def _parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def _uids(content: bytes) -> list[str]:
    return [str(e["UID"]) for e in _parse(content).walk("VEVENT")]


def _convened(body, starts, **fields):
    fields.setdefault("notice_sent_at", starts - timedelta(days=20))
    fields.setdefault("state", MeetingState.CONVENED)
    return make_meeting(body, starts, **fields)


@pytest.fixture
def convened(body, programme):
    meeting = _convened(body, rome(2026, 12, 9, 10), programme=programme)
    add_item(meeting, title="Relazione annuale di attuazione")
    item = add_item(meeting, title="Modifica del programma")
    item.presenter = "Autorità di gestione"
    item.save()
    return meeting


# --- The event -------------------------------------------------------------------------------------------


@override_settings(OFFICINE_BASE_URL="https://partenariato.regione.example.it")
def test_event_identity_times_and_text(convened):
    calendar = _parse(calendar_ics.build_calendar([convened]))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == calendar_ics.PRODID
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{convened.uid}@partenariato.regione.example.it"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event["DTSTART"].dt == datetime(2026, 12, 9, 10, tzinfo=ROME)
    assert event["DTEND"].dt == datetime(2026, 12, 9, 13, tzinfo=ROME)
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert event["SUMMARY"] == convened.title
    description = str(event["DESCRIPTION"])
    assert "1. Relazione annuale di attuazione" in description
    assert "2. Modifica del programma (Autorità di gestione)" in description
    url = "https://partenariato.regione.example.it" + reverse("meetings:detail", args=[convened.pk])
    assert url in description and str(event["URL"]) == url
    assert str(event["LOCATION"]) == "Roma, via Sicilia 162"
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]).startswith("mailto:")


def test_summer_meeting_keeps_its_rome_time(body):
    meeting = _convened(body, rome(2027, 7, 1, 9, 30))
    [event] = _parse(calendar_ics.build_calendar([meeting])).walk("VEVENT")
    assert event["DTSTART"].dt == datetime(2027, 7, 1, 9, 30, tzinfo=ROME)
    assert event["DTSTART"].dt.utcoffset() == timedelta(hours=2)
    assert b"DTSTART;TZID=Europe/Rome:20270701T093000" in calendar_ics.build_calendar([meeting])


def test_vtimezone_matches_the_rome_rules():
    """Our compact VTIMEZONE (yearly rules) gives the same offsets as the tz database, on both sides of each
    change, for years ahead."""
    calendar = _parse(calendar_ics.build_calendar([]))
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Rome"
    tz = vtimezone.to_tz(lookup_tzid=False)
    for year in range(2026, 2036):
        for month, day, hour in (
            (3, 24, 12),
            (3, 31, 12),
            (7, 1, 12),
            (10, 24, 12),
            (11, 2, 12),
            (12, 9, 10),
        ):
            naive = datetime(year, month, day, hour)
            expected = naive.replace(tzinfo=ROME).utcoffset()
            assert tz.utcoffset(naive) == expected, naive


def test_sequence_grows_and_uid_stays_on_reschedule(staff, convened):
    before = _uids(calendar_ics.build_calendar([convened]))
    convening.reschedule(staff, convened, {"place": "Roma, via Giolitti 2"})
    convened.refresh_from_db()
    [event] = _parse(calendar_ics.build_calendar([convened])).walk("VEVENT")
    assert [str(event["UID"])] == before
    assert event["SEQUENCE"] == 1
    assert str(event["LOCATION"]) == "Roma, via Giolitti 2"


def test_cancelled_meeting_is_marked_cancelled(staff, convened):
    convening.cancel(staff, convened, "Sciopero dei trasporti.")
    convened.refresh_from_db()
    [event] = _parse(calendar_ics.build_calendar([convened])).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert "Sciopero dei trasporti." in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    ("is_public", "private", "shown"),
    [(False, False, False), (False, True, True), (True, False, True)],
)
def test_web_conference_link_only_where_allowed(body, is_public, private, shown):
    meeting = _convened(
        body,
        rome(2026, 12, 9, 10),
        mode=MeetingMode.ONLINE,
        place="",
        online_link="https://meet.example.org/cds-42",
        online_link_is_public=is_public,
    )
    content = calendar_ics.build_calendar([meeting], show_private_link=private)
    assert (b"meet.example.org/cds-42" in content) is shown
    [event] = _parse(content).walk("VEVENT")
    if not shown:
        assert "sent to participants" in str(event["LOCATION"])


def test_uid_host_falls_back_to_allowed_hosts():
    with override_settings(OFFICINE_BASE_URL="", ALLOWED_HOSTS=["*", ".example.org", "officine.gov.it"]):
        assert calendar_ics.calendar_host() == "officine.gov.it"
    with override_settings(OFFICINE_BASE_URL="", ALLOWED_HOSTS=["*"]):
        assert calendar_ics.calendar_host() == "officine.invalid"


# --- Feeds -----------------------------------------------------------------------------------------------


def test_meeting_ics_is_a_calendar_file(client, convened):
    response = client.get(reverse("meetings:ics", args=[convened.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'-{convened.pk}.ics"')
    assert _uids(response.content) == [calendar_ics.event_uid(convened)]


def test_meeting_ics_of_a_draft_only_for_its_managers(client, body, staff, other_staff):
    draft = make_meeting(body)
    url = reverse("meetings:ics", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_meeting_ics_shows_the_private_link_to_members_only(client, body):
    from officine.conftest import make_user

    meeting = _convened(
        body, in_days(20), mode=MeetingMode.HYBRID, online_link="https://meet.example.org/privato"
    )
    url = reverse("meetings:ics", args=[meeting.pk])
    assert b"meet.example.org/privato" not in client.get(url).content
    visitor = make_user("visitatore@example.org")
    client.force_login(visitor)
    assert b"meet.example.org/privato" not in client.get(url).content
    member = make_user("membro@example.org")
    make_seat(body, member_user=member)
    client.force_login(member)
    response = client.get(url)
    assert b"meet.example.org/privato" in response.content
    assert response["Cache-Control"] == "private, no-store"


def test_body_feed_lists_its_public_meetings_only(client, body, programme, staff):
    other_body = make_body([programme], name_it="Tavolo di partenariato")
    old = _convened(body, rome(2023, 3, 1, 10))  # years ago: still in the body's own feed
    held = make_meeting(body, rome(2026, 6, 1, 10), state=MeetingState.HELD, notice_sent_at=rome(2026, 5, 1))
    upcoming = _convened(body, rome(2026, 12, 9, 10))
    draft = make_meeting(body, rome(2027, 1, 20, 10))
    called_off_draft = make_meeting(body, rome(2027, 2, 3, 10), state=MeetingState.CANCELLED)
    called_off = _convened(body, rome(2027, 3, 3, 10), state=MeetingState.CANCELLED)
    elsewhere = _convened(other_body, rome(2026, 12, 10, 10))
    response = client.get(reverse("bodies:ics", args=[body.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = _parse(response.content)
    assert calendar["X-WR-CALNAME"] == body.name
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [calendar_ics.event_uid(m) for m in (old, held, upcoming, called_off)]
    for hidden in (draft, called_off_draft, elsewhere):
        assert calendar_ics.event_uid(hidden) not in uids
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses[calendar_ics.event_uid(called_off)] == "CANCELLED"
    assert client.get(reverse("bodies:ics", args=[999999])).status_code == 404


@pytest.fixture
def calendar_world(body, programme, other_programme):
    other_body = make_body([other_programme], name_it="Comitato di Sorveglianza PN Scuola")
    today = timezone.localdate()

    def at(days, hour=10):
        return datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(
            hour=hour, tzinfo=ROME
        )

    return {
        "committee": _convened(body, at(10)),
        "online": _convened(
            body, at(40), mode=MeetingMode.ONLINE, place="", online_link="https://x.example/a"
        ),
        "school": _convened(other_body, at(20)),
        "event": make_event(capacity=None, days=15, programme=programme),
        "training": make_event(capacity=None, days=25, kind=MeetingKind.TRAINING),
        "last_month": _convened(body, at(-30)),
        "two_years_ago": _convened(body, at(-730)),
        "draft": make_meeting(body, at(12)),
        "body": body,
        "other_body": other_body,
        "programme": programme,
        "other_programme": other_programme,
        "today": today,
    }


def _feed(client, **params) -> set[str]:
    response = client.get(reverse("meetings:calendar_ics"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return set(_uids(response.content))


def _names(world, *names) -> set[str]:
    return {calendar_ics.event_uid(world[name]) for name in names}


def test_global_feed_default_window_and_filters(client, calendar_world):
    w = calendar_world
    everything = ("committee", "online", "school", "event", "training", "last_month")
    assert _feed(client) == _names(w, *everything)  # two years ago is outside the default window; no drafts
    assert _feed(client, body=w["body"].pk) == _names(w, "committee", "online", "last_month")
    assert _feed(client, kind=MeetingKind.TRAINING) == _names(w, "training")
    assert _feed(client, mode=MeetingMode.ONLINE) == _names(w, "online")
    # A programme matches meetings held for it and those of the bodies serving it.
    assert _feed(client, programme=w["programme"].pk) == _names(
        w, "committee", "online", "event", "last_month"
    )
    assert _feed(client, programme=w["other_programme"].pk) == _names(w, "school")
    start = (w["today"] + timedelta(days=18)).isoformat()
    end = (w["today"] + timedelta(days=30)).isoformat()
    assert _feed(client, **{"from": start, "to": end}) == _names(w, "school", "training")
    old = (w["today"] - timedelta(days=800)).isoformat()
    assert _feed(client, **{"from": old, "past": "on"}) == _names(w, "last_month", "two_years_ago")


def test_global_feed_ignores_malformed_filters(client, calendar_world):
    everything = _feed(client)
    assert _feed(client, body="abc", kind="party", **{"from": "31/02/2026"}) == everything


def test_global_feed_names_the_body_it_was_filtered_on(client, calendar_world):
    body = calendar_world["body"]
    response = client.get(reverse("meetings:calendar_ics"), {"body": body.pk})
    assert body.name in str(_parse(response.content)["X-WR-CALNAME"])


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _add_meetings(body, how_many, first_day):
    for number in range(how_many):
        meeting = _convened(body, rome(2026, 12, 1, 10) + timedelta(days=first_day + number))
        add_item(meeting, title=f"Punto {number}")
        add_item(meeting, kind="information", title=f"Informativa {number}")


def test_feeds_use_a_constant_number_of_queries(client, body, programme):
    _add_meetings(body, 2, 0)
    small = (
        _count_queries(
            client, reverse("meetings:calendar_ics"), {"programme": programme.pk, "from": "2026-01-01"}
        ),
        _count_queries(client, reverse("bodies:ics", args=[body.pk])),
    )
    _add_meetings(body, 8, 10)
    large = (
        _count_queries(
            client, reverse("meetings:calendar_ics"), {"programme": programme.pk, "from": "2026-01-01"}
        ),
        _count_queries(client, reverse("bodies:ics", args=[body.pk])),
    )
    assert small == large
    assert len(_uids(client.get(reverse("bodies:ics", args=[body.pk])).content)) == 10


def test_feed_is_capped_keeping_the_latest(body, monkeypatch):
    monkeypatch.setattr(calendar_ics, "FEED_LIMIT", 2)
    meetings = [_convened(body, rome(2026, 12, day, 10)) for day in (1, 2, 3)]
    kept = calendar_ics.feed_meetings(body_id=body.pk, date_from=date(2026, 1, 1))
    assert kept == meetings[1:]


# --- The agenda as PDF -----------------------------------------------------------------------------------


def _document(meeting, title, item=None, **fields):
    from officine.meetings.models import MeetingDocument

    return MeetingDocument.objects.create(
        meeting=meeting,
        item=item,
        title_it=title,
        file=f"meetings/documents/{title}.pdf",
        size=2048,
        **fields,
    )


@pytest.fixture
def pack(convened):
    first, second = convened.agenda_items.order_by("order")
    first.kind = "examination"
    first.save()
    _document(convened, "Relazione RAA 2025", first, published_at=rome(2026, 11, 20, 9, 15))
    _document(
        convened,
        "Parere legale",
        second,
        published_at=rome(2026, 11, 20, 9, 15),
        is_confidential=True,
        confidentiality_reason="Contiene dati personali.",
    )
    _document(convened, "Bozza non pubblicata", second)
    _document(convened, "Nota generale", published_at=rome(2026, 11, 21, 12))
    return convened


def test_agenda_lists_items_and_documents_with_their_publication_time(pack):
    from officine.meetings import agenda_pdf

    html = agenda_pdf.agenda_html(agenda_pdf.build_agenda(pack))
    assert pack.body.name in html and "Wednesday 9 December 2026" in html
    assert "Roma, via Sicilia 162" in html
    assert "Relazione annuale di attuazione" in html and "Examination (CPR Art. 40(1))" in html
    assert "Approval (CPR Art. 40(2))" in html and "presented by Autorità di gestione" in html
    assert "Relazione RAA 2025" in html and "20 November 2026, 09:15" in html
    assert "Parere legale" in html and "Contiene dati personali." in html
    assert "Nota generale" in html
    assert "Bozza non pubblicata" not in html
    staff_copy = agenda_pdf.agenda_html(agenda_pdf.build_agenda(pack, include_unpublished=True))
    assert "Bozza non pubblicata" in staff_copy and "not published yet" in staff_copy


def test_agenda_private_link_only_when_allowed(body):
    from officine.meetings import agenda_pdf

    meeting = _convened(
        body, rome(2026, 12, 9, 10), mode=MeetingMode.HYBRID, online_link="https://meet.example.org/cds-9"
    )
    assert "meet.example.org/cds-9" not in agenda_pdf.agenda_html(agenda_pdf.build_agenda(meeting))
    shown = agenda_pdf.agenda_html(agenda_pdf.build_agenda(meeting, show_private_link=True))
    assert "meet.example.org/cds-9" in shown


def test_agenda_queries_do_not_grow_with_the_pack(convened):
    from officine.meetings import agenda_pdf

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            agenda_pdf.agenda_html(agenda_pdf.build_agenda(convened))
        return len(queries)

    small = count()
    for number in range(6):
        item = add_item(convened, title=f"Punto {number}")
        _document(convened, f"Allegato {number}", item, published_at=rome(2026, 11, 20))
    assert count() == small


def test_agenda_pdf_is_pdf_a(client, pack):
    import re
    import zlib

    response = client.get(reverse("meetings:agenda_pdf", args=[pack.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF")
    parts = [response.content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", response.content, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    assert b"pdfaid:part" in b"".join(parts)


def test_agenda_pdf_of_a_draft_only_for_its_managers(client, body, staff):
    draft = make_meeting(body)
    url = reverse("meetings:agenda_pdf", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
