"""The notifications pages: only one's own notices, reading them, preferences, and the header badge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.conftest import enrol_totp, make_programme_staff
from officine.core.models import AuditEvent
from officine.notifications import services
from officine.notifications.models import Frequency, Notification, NotificationPreference
from officine.notifications.services import Notice

LIST = "/en/notifications/"
PREFERENCES = "/en/notifications/preferences/"


def give(user, n: int, url: str = "/en/consultations/1/") -> list[Notification]:
    """``n`` more notices for ``user`` (numbered on from those already given); all of theirs, oldest first."""
    start = Notification.objects.filter(recipient=user).count()
    for i in range(start, start + n):
        services.notify(
            [user],
            Notice(kind="test", key=f"{user.pk}:{i}", subject=f"Subject {i}", body=f"Body {i}.", url=url),
        )
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


# --- who gets in --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "preferences"])
def test_visitors_are_sent_to_login(client, db, name):
    response = client.get(reverse(f"notifications:{name}"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_posts_need_login_and_post(client, anna):
    notice = give(anna, 1)[0]
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(anna)
    assert client.get(reverse("notifications:read", args=[notice.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert Notification.objects.get(pk=notice.pk).read_at is None


# --- the list ------------------------------------------------------------------------------------------


def test_list_shows_only_own_notices_newest_first_with_a_new_badge(client, anna, bruno):
    give(anna, 3)
    services.notify([bruno], Notice(kind="test", key="b", subject="Bruno's secret", body="x", url=""))
    services.mark_read(anna, Notification.objects.get(recipient=anna, key=f"{anna.pk}:0"))
    client.force_login(anna)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bruno's secret" not in page
    assert page.index("Subject 2") < page.index("Subject 1") < page.index("Subject 0")
    notices = list(response.context["page_obj"])
    assert [n.subject for n in notices] == ["Subject 2", "Subject 1", "Subject 0"]
    assert page.count('<span class="badge bg-primary me-1">new</span>') == 2
    assert "Body 1." in page
    assert reverse("notifications:preferences") in page
    assert "Mark all as read" in page


def test_list_is_paginated_by_25_with_constant_queries(client, anna):
    give(anna, 3)
    client.force_login(anna)
    client.get(LIST)  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    give(anna, 27)  # 30 in all: a second page
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(many) == len(few)
    assert len(response.context["page_obj"]) == 25
    second = client.get(LIST + "?page=2")
    assert len(second.context["page_obj"]) == 5


def test_empty_list_says_so(client, anna):
    client.force_login(anna)
    page = client.get(LIST).content.decode()
    assert "No notices yet" in page
    assert "Mark all as read" not in page


# --- reading -----------------------------------------------------------------------------------------


def test_read_marks_the_notice_and_follows_its_link(client, anna):
    notice = give(anna, 1, url="/en/consultations/42/")[0]
    client.force_login(anna)
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/en/consultations/42/"
    assert Notification.objects.get(pk=notice.pk).read_at is not None


def test_links_follow_the_language_the_person_reads_in(client, anna):
    notice = give(anna, 1, url="/it/notifications/preferences/#top")[0]
    client.force_login(anna)
    assert 'href="/en/notifications/preferences/#top"' not in client.get(LIST).content.decode()  # unread
    response = client.post(f"/en/notifications/{notice.pk}/read/")
    assert response["Location"] == "/en/notifications/preferences/#top"
    assert 'href="/en/notifications/preferences/#top"' in client.get(LIST).content.decode()
    response = client.post(f"/it/notifications/{notice.pk}/read/")
    assert response["Location"] == "/it/notifications/preferences/#top"


def test_read_without_a_link_or_with_a_foreign_link_returns_to_the_list(client, anna):
    services.notify([anna], Notice(kind="t", key="a", subject="s", body="b", url=""))
    services.notify([anna], Notice(kind="t", key="b", subject="s", body="b", url="https://evil.example/"))
    client.force_login(anna)
    for notice in Notification.objects.filter(recipient=anna):
        response = client.post(reverse("notifications:read", args=[notice.pk]))
        assert response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()


def test_someone_elses_notice_is_404(client, anna, bruno):
    notice = give(bruno, 1)[0]
    client.force_login(anna)
    response = client.post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_read_all_marks_only_own_notices(client, anna, bruno):
    give(anna, 3)
    give(bruno, 2)
    client.force_login(anna)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bruno, read_at__isnull=True).count() == 2


def test_staff_with_totp_use_the_pages_too(client, db):
    staff = make_programme_staff("staff@example.org")
    enrol_totp(staff)
    notice = give(staff, 1)[0]
    client.force_login(staff)
    assert client.get(LIST).status_code == 200
    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 302


# --- the header badge --------------------------------------------------------------------------------


def _badge_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "notifications_notification" in q["sql"]]


def test_header_shows_the_unread_count_with_one_query_whatever_the_number(client, anna):
    give(anna, 1)
    client.force_login(anna)
    profile = "/en/account/profile/"
    client.get(profile)
    with CaptureQueriesContext(connection) as one:
        page = client.get(profile).content.decode()
    assert '1<span class="visually-hidden"> unread notifications</span>' in page
    give(anna, 140)
    with CaptureQueriesContext(connection) as many:
        page = client.get(profile).content.decode()
    assert "99+" in page and "unread notifications" in page
    assert len(many) == len(one)
    assert len(_badge_queries(many)) == 1


def test_header_has_no_badge_when_all_is_read_and_no_query_for_visitors(client, anna):
    give(anna, 2)
    services.mark_all_read(anna)
    client.force_login(anna)
    page = client.get("/en/account/profile/").content.decode()
    assert reverse("notifications:list").replace("/it/", "/en/") in page
    assert "unread notifications" not in page
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/en/").content.decode()
    assert _badge_queries(queries) == []
    assert "/en/notifications/" not in page


def test_profile_links_to_the_preferences(client, anna):
    client.force_login(anna)
    assert PREFERENCES in client.get("/en/account/profile/").content.decode()


# --- preferences ---------------------------------------------------------------------------------------


def test_preferences_page_shows_the_current_choice(client, anna):
    client.force_login(anna)
    page = client.get(PREFERENCES).content.decode()
    assert 'value="immediate" checked' in page
    NotificationPreference.objects.create(user=anna, email_frequency=Frequency.DAILY)
    page = client.get(PREFERENCES).content.decode()
    assert 'value="daily" checked' in page and 'value="immediate" checked' not in page


def test_saving_preferences_is_audited(client, anna):
    client.force_login(anna)
    response = client.post(PREFERENCES, {"email_frequency": "daily"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:preferences").replace("/it/", "/en/")
    assert "have been saved" in response.content.decode()
    assert NotificationPreference.objects.get(user=anna).email_frequency == Frequency.DAILY
    event = AuditEvent.objects.get(action="notifications.preference.update")
    assert event.actor_id == anna.pk and event.changes == {"email_frequency": ["immediate", "daily"]}


@pytest.mark.parametrize("data", [{}, {"email_frequency": "weekly"}])
def test_bad_preferences_get_an_error_next_to_the_field(client, anna, data):
    client.force_login(anna)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_email_frequency-errors"' in page and 'aria-invalid="true"' in page
    assert not NotificationPreference.objects.filter(user=anna).exists()
