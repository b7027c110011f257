"""The import service: atomic switch, idempotence, failures, interruptions, links, the real dirty sample."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from officine.monitoring import reader, services, snapshot
from officine.monitoring.models import BeneficiaryLink, ProgrammeCoverage, Release, ReleaseStatus
from officine.programmes.models import Programme
from officine.registry.models import Organization

DATA = Path(__file__).parent / "data"
PN_INCLUSIONE = "2021IT05FFPR003"


@pytest.fixture
def programme(db) -> Programme:
    authority = Organization.objects.create(name="Ministero del Lavoro", tax_code="80237250586")
    return Programme.objects.create(
        cci=PN_INCLUSIONE,
        cycle="2021-2027",
        kind="national",
        title_it="PN Inclusione e lotta alla povertà",
        managing_authority=authority,
    )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text.strip() else Decimal(0)


def _rows_of(release: Release, table: str, sql: str) -> list[tuple]:
    folder = services.release_folder(release)
    return duckdb.sql(sql.replace("{t}", snapshot.parquet(folder, table))).fetchall()


@pytest.mark.django_db
def test_import_makes_the_release_current_with_programme_sums(programme, generated_file) -> None:
    source = generated_file(400)
    result = services.import_release([source], synthetic=True)
    release = result.release
    assert result.changed and release.status == ReleaseStatus.CURRENT and release.is_synthetic
    assert release.release_date == date(2025, 2, 28)  # from the file name
    assert release.project_count == 400
    rows = [r for r in _csv_rows(source) if PN_INCLUSIONE in r["OC_CODICE_PROGRAMMA"].split(":::")]
    coverage = ProgrammeCoverage.objects.get(release=release, programme=programme)
    assert coverage.project_count == len(rows) > 0
    assert coverage.public_funding == sum(_amount(r["OC_FINANZ_TOT_PUB_NETTO"]) for r in rows)
    assert coverage.payments == sum(_amount(r["TOT_PAGAMENTI"]) for r in rows)
    assert coverage.commitments == sum(_amount(r["IMPEGNI"]) for r in rows)
    assert services.release_folder(release).is_dir()
    assert not list((snapshot.root() / "releases").glob(".tmp-*"))


@pytest.mark.django_db
def test_same_files_twice_change_nothing(programme, generated_file) -> None:
    source = generated_file(150)
    first = services.import_release([source]).release
    folders = sorted(p.name for p in (snapshot.root() / "releases").iterdir())
    again = services.import_release([source])
    assert not again.changed and again.release.pk == first.pk
    assert Release.objects.count() == 1
    assert sorted(p.name for p in (snapshot.root() / "releases").iterdir()) == folders


@pytest.mark.django_db
def test_a_new_release_replaces_the_old_one_and_the_previous_folder_is_kept(
    programme, generated_file
) -> None:
    old = services.import_release([generated_file(100, seed=1)]).release
    new = services.import_release([generated_file(120, seed=2, release="20250430")]).release
    old.refresh_from_db()
    assert new.status == ReleaseStatus.CURRENT and old.status == ReleaseStatus.SUPERSEDED
    assert services.current_release() == new and new.release_date == date(2025, 4, 30)
    assert services.release_folder(old).is_dir()  # kept, to go back by hand
    third = services.import_release([generated_file(90, seed=3, release="20250630")]).release
    old.refresh_from_db()
    assert old.directory == "" and not ProgrammeCoverage.objects.filter(release=old).exists()
    assert len(list((snapshot.root() / "releases").iterdir())) == 2
    assert services.current_release() == third


@pytest.mark.django_db
def test_missing_required_column_stops_and_leaves_the_previous_release(
    programme, generated_file, tmp_path
) -> None:
    current = services.import_release([generated_file(100)]).release
    bad = tmp_path / "progetti_esteso_20250430.csv"
    lines = generated_file(20, seed=5).read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = lines[0].split(";")
    position = header.index("TOT_PAGAMENTI")
    cut = [";".join(v for i, v in enumerate(line.split(";")) if i != position) for line in lines[:1]]
    bad.write_text("\ufeff" + cut[0], encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        services.import_release([bad])
    assert "TOT_PAGAMENTI" in " ".join(error.value.messages)
    failed = Release.objects.exclude(pk=current.pk).get()
    assert failed.status == ReleaseStatus.FAILED and "TOT_PAGAMENTI" in failed.error
    assert services.current_release() == current and services.release_folder(current).is_dir()
    assert not list((snapshot.root() / "releases").glob(".tmp-*"))


@pytest.mark.django_db
def test_interrupted_import_leaves_the_previous_snapshot_served(programme, generated_file) -> None:
    current = services.import_release([generated_file(100)]).release
    before = _rows_of(current, snapshot.PROJECTS, "SELECT count(*), sum(public_funding) FROM {t}")

    def interrupt(progress: services.ImportProgress) -> None:
        if progress.stage == "writing":
            raise KeyboardInterrupt  # Ctrl-C in the middle of the write pass

    with pytest.raises(KeyboardInterrupt):
        services.import_release([generated_file(300, seed=9, release="20250430")], on_progress=interrupt)
    failed = Release.objects.exclude(pk=current.pk).get()
    assert failed.status == ReleaseStatus.FAILED and failed.error
    assert services.current_release() == current
    assert _rows_of(current, snapshot.PROJECTS, "SELECT count(*), sum(public_funding) FROM {t}") == before
    assert not list((snapshot.root() / "releases").glob(".tmp-*"))
    # the same file imports fine afterwards
    assert services.import_release([generated_file(300, seed=9, release="20250430")]).changed


@pytest.mark.django_db
def test_a_killed_import_is_marked_failed_and_its_leftovers_removed(programme, generated_file) -> None:
    current = services.import_release([generated_file(80)]).release
    killed = Release.objects.create(
        release_date=date(2025, 4, 30),
        fingerprint="x",
        status=ReleaseStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
        heartbeat_at=timezone.now() - timedelta(minutes=30),
    )
    leftover = snapshot.root() / "releases" / f".tmp-{killed.pk}"
    leftover.mkdir(parents=True)
    (leftover / "progetti_esteso.parquet.partial").write_bytes(b"half")
    assert services.current_release() == current
    services.import_release([generated_file(90, seed=4, release="20250430")])
    killed.refresh_from_db()
    assert killed.status == ReleaseStatus.FAILED and killed.error
    assert not leftover.exists()


@pytest.mark.django_db
def test_a_running_import_blocks_a_second_one(programme, generated_file) -> None:
    Release.objects.create(
        release_date=date(2025, 4, 30),
        fingerprint="y",
        status=ReleaseStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as error:
        services.import_release([generated_file(50)])
    assert error.value.code == "import_running"
    assert services.current_release() is None


@pytest.mark.django_db
def test_too_many_bad_rows_fail_the_release_but_a_few_are_reported(
    programme, generated_file, tmp_path
) -> None:
    text = generated_file(60, seed=6).read_bytes().decode("utf-8-sig")
    header, body = text.split("\r\n", 1)
    source = tmp_path / "progetti_esteso_20250228.csv"
    # after the header and at the end: record boundaries (quoted fields of the body hold line breaks)
    source.write_bytes(
        ("\ufeff" + header + "\r\nbroken;row\r\n" + body + "another;broken;row\r\n").encode("utf-8")
    )
    with pytest.raises(ValidationError):
        services.import_release([source], max_bad_rows=1)
    assert services.current_release() is None
    release = services.import_release([source], max_bad_rows=5).release
    report = release.report["files"][0]
    assert report["bad_rows_total"] == 2 and report["bad_rows"][0]["line"] == 2
    assert report["bad_rows"][1]["line"] == body.count("\n") + 3
    assert release.project_count == report["rows_written"]


@pytest.mark.django_db
def test_release_date_needed_when_names_lack_it(programme, generated_file, tmp_path) -> None:
    source = tmp_path / "progetti.csv"
    shutil.copy(generated_file(30), source)
    with pytest.raises(ValidationError) as error:
        services.import_release([source])
    assert error.value.code == "release_date"
    assert services.import_release([source], release_date=date(2025, 2, 28)).release.release_date == date(
        2025, 2, 28
    )


@pytest.mark.django_db
def test_beneficiaries_linked_to_organisations_by_tax_code(programme, generated_file) -> None:
    source = generated_file(300)
    rows = _csv_rows(source)
    mine = next(
        r
        for r in rows
        if PN_INCLUSIONE in r["OC_CODICE_PROGRAMMA"].split(":::")
        and len(r["OC_CODFISC_BENEFICIARIO"]) == 11
        and ":::" not in r["OC_CODFISC_BENEFICIARIO"]
    )
    code = mine["OC_CODFISC_BENEFICIARIO"]
    organization = Organization.objects.create(name="Beneficiario di prova", tax_code=code)
    release = services.import_release([source]).release
    expected = [
        r
        for r in rows
        if code in r["OC_CODFISC_BENEFICIARIO"].split(":::")
        and PN_INCLUSIONE in r["OC_CODICE_PROGRAMMA"].split(":::")
    ]
    link = BeneficiaryLink.objects.get(
        release=release, organization=organization, role="3", programme=programme
    )
    assert link.matched_on == "tax_code" and link.project_count == len(expected)
    assert link.public_funding == sum(_amount(r["OC_FINANZ_TOT_PUB_NETTO"]) for r in expected)


@pytest.mark.django_db
def test_soggetti_and_localizzazioni_with_the_real_dirty_sample(programme, generated_file, tmp_path) -> None:
    progetti = generated_file(50)
    code = _csv_rows(progetti)[0]["COD_LOCALE_PROGETTO"]
    soggetti = tmp_path / "soggetti_20250228.csv"
    soggetti.write_text(
        "\ufeffCOD_LOCALE_PROGETTO;SOGG_COD_RUOLO;OC_CODICE_FISCALE_SOGG;OC_DENOMINAZIONE_SOGG;OC_COD_ENTE_IPA\r\n"
        f"{code};3;2345678901;COMUNE DI PROVA;c_x001\r\n",
        encoding="utf-8",
    )
    organization = Organization.objects.create(name="Comune di prova", ipa_code="C_X001")
    release = services.import_release(
        [progetti, soggetti, DATA / "localizzazioni_sample_xniola.csv"], release_date=date(2025, 2, 28)
    ).release
    files = {f["dataset"]: f for f in release.report["files"]}
    assert set(files) == {"progetti_esteso", "soggetti", "localizzazioni"}
    assert files["soggetti"]["restored_codes"] == {"OC_CODICE_FISCALE_SOGG": 1}  # 10 digits → 02345678901
    assert files["localizzazioni"]["restored_codes"]["COD_REGIONE"] > 0
    folder = services.release_folder(release)
    regions = duckdb.sql(
        f"SELECT DISTINCT length(COD_REGIONE) FROM {snapshot.parquet(folder, 'localizzazioni.parquet')} "
        "WHERE regexp_full_match(COD_REGIONE, '[0-9]+')"
    ).fetchall()
    assert regions == [(3,)]
    link = BeneficiaryLink.objects.get(release=release, organization=organization)
    assert link.matched_on == "ipa" and link.role == "3" and link.project_count == 1


@pytest.mark.django_db
def test_release_without_projects_is_refused(programme, tmp_path) -> None:
    with pytest.raises(ValidationError) as error:
        services.import_release([DATA / "localizzazioni_sample_xniola.csv"], release_date=date(2025, 2, 28))
    assert error.value.code == "no_projects"
    assert services.current_release() is None


@pytest.mark.django_db
def test_command_prints_report_and_reimport_is_a_no_op(programme, generated_file, capsys) -> None:
    source = generated_file(120)
    call_command("import_opencoesione", str(source), "--synthetic", "--no-progress")
    out = capsys.readouterr().out
    assert "120" in out and "28/02/2025" in out
    call_command("import_opencoesione", str(source), "--no-progress")
    assert "28/02/2025" in capsys.readouterr().out
    assert Release.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("import_opencoesione", str(source.with_name("missing.csv")), "--no-progress")


def test_progress_line_shows_rows_speed_and_eta() -> None:
    from officine.monitoring.management.commands.import_opencoesione import progress_line

    line = progress_line(
        services.ImportProgress("writing", "progetti_esteso", 50_000_000, 100_000_000, 420_000, 1.0)
    )
    assert "50.0%" in line and "420,000 rows" in line and "50.0 MB/s" in line and "ETA 0:01" in line


def test_fingerprint_ignores_order_and_names(tmp_path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    assert services.fingerprint([a, b]) == services.fingerprint([b, a]) != services.fingerprint([a])
    assert reader.estimate_rows(a) == 0
