"""Staff pages of the imports: who sees and starts them, uploads and inbox files, progress and reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officine.conftest import enrol_totp, make_programme_staff
from officine.monitoring import services, services_staff
from officine.monitoring.models import Release, ReleaseStatus

LIST = "manage_monitoring:releases"


@pytest.fixture
def admin(admin_user):
    enrol_totp(admin_user)
    return admin_user


@pytest.fixture
def staff(db):
    user = make_programme_staff("staff@example.org")
    enrol_totp(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "list_status", "import_status"),
    [("anonymous", 302, 302), ("plain", 403, 403), ("staff", 200, 403), ("admin", 200, 400)],
)
def test_permission_matrix(client, request, who, list_status, import_status) -> None:
    users = {"plain": "plain_user", "staff": "staff", "admin": "admin"}
    if who != "anonymous":
        client.force_login(request.getfixturevalue(users[who]))
    release = Release.objects.create(release_date="2025-02-28", fingerprint="f", status=ReleaseStatus.FAILED)
    assert client.get(reverse(LIST)).status_code == list_status
    assert client.get(reverse("manage_monitoring:release", args=[release.pk])).status_code == list_status
    assert client.get(reverse("manage_monitoring:progress", args=[release.pk])).status_code == list_status
    # an empty form: admins get it back with errors (400), others never reach it
    assert client.post(reverse("manage_monitoring:import"), {"max_bad_rows": 10}).status_code == import_status
    if who == "staff":
        html = client.get(reverse(LIST)).content.decode()
        assert "/manage/monitoring/import/" not in html


@pytest.mark.django_db
def test_admin_imports_from_the_inbox_and_follows_progress(
    client, admin, generated_file, settings, django_capture_on_commit_callbacks
) -> None:
    inbox = Path(settings.MONITORING_INBOX)
    inbox.mkdir(parents=True)
    shutil.copy(generated_file(200), inbox / "progetti_esteso_20250228.csv")
    (inbox / "notes.txt").write_text("not a release")
    client.force_login(admin)
    html = client.get(reverse(LIST)).content.decode()
    assert "progetti_esteso_20250228.csv" in html and "notes.txt" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage_monitoring:import"),
            {"inbox_files": ["progetti_esteso_20250228.csv"], "max_bad_rows": 100},
        )
    release = Release.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/manage/monitoring/{release.pk}/")
    # the test task backend runs the task at once
    assert release.status == ReleaseStatus.CURRENT and release.started_by == admin
    payload = client.get(reverse("manage_monitoring:progress", args=[release.pk])).json()
    assert payload["finished"] and payload["percent"] == 100 and payload["status"] == "current"
    page = client.get(reverse("manage_monitoring:release", args=[release.pk])).content.decode()
    assert "progetti_esteso_20250228.csv" in page and "200" in page
    assert (inbox / "progetti_esteso_20250228.csv").exists()  # files copied there by hand are left alone


@pytest.mark.django_db
def test_upload_is_checked_then_imported_and_removed(
    client, admin, generated_file, settings, django_capture_on_commit_callbacks
) -> None:
    client.force_login(admin)
    bogus = SimpleUploadedFile("progetti.csv", b"\xef\xbb\xbfA;B\r\n1;2\r\n", content_type="text/csv")
    response = client.post(reverse("manage_monitoring:import"), {"uploads": [bogus], "max_bad_rows": 10})
    assert response.status_code == 400 and "is not an OpenCoesione" in response.content.decode()
    exe = SimpleUploadedFile("progetti.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(reverse("manage_monitoring:import"), {"uploads": [exe], "max_bad_rows": 10})
    assert response.status_code == 400 and "is not a CSV or ZIP" in response.content.decode()
    settings.MONITORING_UPLOAD_MAX_MB = 0
    real = SimpleUploadedFile("progetti_esteso_20250228.csv", generated_file(120).read_bytes())
    response = client.post(reverse("manage_monitoring:import"), {"uploads": [real], "max_bad_rows": 10})
    assert response.status_code == 400 and "import folder instead" in response.content.decode()
    assert not Release.objects.exists()
    settings.MONITORING_UPLOAD_MAX_MB = 50
    real.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage_monitoring:import"), {"uploads": [real], "max_bad_rows": 10})
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.status == ReleaseStatus.CURRENT and release.project_count == 120
    assert not list((Path(settings.MONITORING_INBOX) / services_staff.UPLOADS).rglob("*.csv"))


@pytest.mark.django_db
def test_inbox_paths_cannot_escape(admin, tmp_path, settings) -> None:
    Path(settings.MONITORING_INBOX).mkdir(parents=True)
    secret = tmp_path / "secret.csv"
    secret.write_text("x")
    with pytest.raises(Exception) as error:
        services_staff.resolve_inbox(["../../secret.csv"])
    assert "not in the import folder" in str(error.value)


@pytest.mark.django_db
def test_failed_import_page_says_why_and_the_data_in_use_stay(
    client, admin, generated_file, settings, django_capture_on_commit_callbacks
) -> None:
    current = services.import_release([generated_file(60)]).release
    inbox = Path(settings.MONITORING_INBOX)
    inbox.mkdir(parents=True)
    broken = inbox / "progetti_esteso_20250430.csv"
    header = generated_file(60).read_bytes().split(b"\r\n", 1)[0].replace(b";TOT_PAGAMENTI", b"")
    broken.write_bytes(header + b"\r\n")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("manage_monitoring:import"), {"inbox_files": [broken.name], "max_bad_rows": 10})
    failed = Release.objects.exclude(pk=current.pk).get()
    assert failed.status == ReleaseStatus.FAILED
    page = client.get(reverse("manage_monitoring:release", args=[failed.pk])).content.decode()
    assert "TOT_PAGAMENTI" in page
    assert services.current_release() == current


@pytest.mark.django_db
def test_same_files_again_are_reported_unchanged(
    client, admin, generated_file, settings, django_capture_on_commit_callbacks
) -> None:
    inbox = Path(settings.MONITORING_INBOX)
    inbox.mkdir(parents=True)
    shutil.copy(generated_file(50), inbox / "progetti_esteso_20250228.csv")
    client.force_login(admin)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("manage_monitoring:import"),
                {"inbox_files": ["progetti_esteso_20250228.csv"], "max_bad_rows": 10},
            )
    first, second = Release.objects.order_by("pk")
    assert first.status == ReleaseStatus.CURRENT and second.status == ReleaseStatus.UNCHANGED


@pytest.mark.django_db
def test_running_import_shows_a_live_progress_region(client, admin) -> None:
    from django.utils import timezone

    release = Release.objects.create(
        release_date="2025-02-28",
        fingerprint="f",
        status=ReleaseStatus.RUNNING,
        stage="writing:progetti_esteso",
        bytes_total=1000,
        bytes_done=400,
        rows_done=123456,
        started_at=timezone.now() - timezone.timedelta(seconds=10),
        heartbeat_at=timezone.now(),
    )
    client.force_login(admin)
    html = client.get(reverse("manage_monitoring:release", args=[release.pk])).content.decode()
    assert 'id="import-status" aria-live="polite"' in html and "task-progress.js" in html
    payload = client.get(reverse("manage_monitoring:progress", args=[release.pk])).json()
    assert payload["percent"] == 40 and not payload["finished"] and payload["rows"] == 123456
    assert "progetti_esteso" in payload["message"]


@pytest.mark.django_db
def test_undated_file_names_need_the_release_date(
    client, admin, generated_file, settings, django_capture_on_commit_callbacks
) -> None:
    inbox = Path(settings.MONITORING_INBOX)
    inbox.mkdir(parents=True)
    shutil.copy(generated_file(40), inbox / "progetti_esteso.csv")
    client.force_login(admin)
    response = client.post(
        reverse("manage_monitoring:import"), {"inbox_files": ["progetti_esteso.csv"], "max_bad_rows": 10}
    )
    assert response.status_code == 400 and "carry no date" in response.content.decode()
    assert not Release.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("manage_monitoring:import"),
            {"inbox_files": ["progetti_esteso.csv"], "max_bad_rows": 10, "release_date": "2026-06-30"},
        )
    assert Release.objects.get().release_date.isoformat() == "2026-06-30"
