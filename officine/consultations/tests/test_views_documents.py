"""Document pages: staff authoring (create, edit with preview, import with review, PDFs, publish, new
version) and the public pages (a version with numbered sections, the word diff, the PDFs)."""

import io
import re
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officine.conftest import make_user
from officine.consultations import services
from officine.consultations.models import Document, DocumentVersion, Section, VersionAttachment
from officine.core.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SECTIONS = [
    {"level": 1, "heading": "Contesto", "body": "Il programma sostiene l'inclusione sociale."},
    {"level": 1, "heading": "Obiettivi", "body": "Ridurre la povertà educativa nelle aree interne."},
    {"level": 2, "heading": "Azioni", "body": "Servizi per l'infanzia."},
]


# --- Fixtures (staff, programme, other_staff, admin: ../conftest.py) ----------------------------------------


@pytest.fixture
def document(staff, programme):
    return services.create_document(staff, programme, title_it="Bozza del programma", sections=SECTIONS)


@pytest.fixture
def published(staff, document):
    services.publish_version(staff, document.versions.get())
    return document


def _draft(document: Document) -> DocumentVersion:
    return document.versions.get(status="draft")


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_upload(name: str = "programma.docx") -> SimpleUploadedFile:
    file = docx.Document()
    file.add_heading("Contesto", level=1)
    file.add_paragraph("Il programma sostiene l'inclusione sociale.")
    file.add_heading("Governance", level=1)
    file.add_paragraph("Il partenariato partecipa al Comitato di Sorveglianza.")
    buffer = io.BytesIO()
    file.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


# --- Staff pages: who gets in ---------------------------------------------------------------------------


def _staff_pages(document) -> dict[str, str]:
    return {
        "documents": reverse("manage_consultations:documents"),
        "create": reverse("manage_consultations:document_create"),
        "document": reverse("manage_consultations:document", args=[document.pk]),
        "edit": reverse("manage_consultations:document_edit", args=[document.pk]),
        "import": reverse("manage_consultations:document_import", args=[document.pk]),
        "publish": reverse("manage_consultations:document_publish", args=[document.pk]),
        "attachments": reverse("manage_consultations:document_attachments", args=[document.pk]),
    }


@pytest.mark.parametrize(
    "page", ["documents", "create", "document", "edit", "import", "publish", "attachments"]
)
@pytest.mark.parametrize("role", ["visitor", "plain", "staff", "other_staff", "admin"])
def test_staff_document_pages_access(client, request, document, role, page):
    users = {"plain": lambda: make_user("utente@example.org")}
    if role in ("staff", "other_staff", "admin"):
        client.force_login(request.getfixturevalue(role))
    elif role == "plain":
        client.force_login(users["plain"]())
    response = client.get(_staff_pages(document)[page])
    if role == "visitor":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    elif role == "plain" or (role == "other_staff" and page not in ("documents", "create")):
        assert response.status_code == 403
    else:
        assert response.status_code == 200


def test_document_list_shows_only_the_staffs_programmes(client, document, other_staff, admin):
    client.force_login(other_staff)
    response = client.get("/en/manage/consultations/documents/")
    assert "Bozza del programma" not in response.content.decode()
    client.force_login(admin)
    response = client.get("/en/manage/consultations/documents/")
    assert "Bozza del programma" in response.content.decode()


def test_other_staff_cannot_post_either(client, document, other_staff):
    client.force_login(other_staff)
    response = client.post(
        reverse("manage_consultations:document_edit", args=[document.pk]),
        {"text": "# Nuovo\n\nTesto", "save": "1"},
    )
    assert response.status_code == 403
    assert [s.heading for s in _draft(document).sections.all()] == ["Contesto", "Obiettivi", "Azioni"]
    response = client.post(reverse("manage_consultations:document_publish", args=[document.pk]))
    assert response.status_code == 403
    assert not document.versions.filter(status="published").exists()


# --- Creating a document -----------------------------------------------------------------------------------


def test_create_document_from_text(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        reverse("manage_consultations:document_create"),
        {
            "programme": programme.pk,
            "title_it": "Piano di valutazione",
            "title_en": "Evaluation plan",
            "text": "Premessa breve.\n\n# Domande\n\nChe cosa funziona?\n\n## Metodi\n\nControfattuali.",
        },
    )
    document = Document.objects.get(title_it="Piano di valutazione")
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    sections = list(_draft(document).sections.all())
    assert [(s.level, s.heading) for s in sections] == [(1, "Introduction"), (1, "Domande"), (2, "Metodi")]
    assert AuditEvent.objects.filter(action="consultations.document.created", actor=staff).exists()


def test_create_document_needs_text_or_file_and_keeps_input(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        "/en/manage/consultations/documents/new/", {"programme": programme.pk, "title_it": "Senza testo"}
    )
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert 'value="Senza testo"' in response.content.decode()
    assert not Document.objects.filter(title_it="Senza testo").exists()


def test_create_document_in_another_programme_is_refused(client, other_staff, programme):
    client.force_login(other_staff)
    response = client.post(
        reverse("manage_consultations:document_create"),
        {"programme": programme.pk, "title_it": "Intrusione", "text": "# Uno\n\nTesto"},
    )
    assert response.status_code == 200 and "programme" in response.context["form"].errors
    assert not Document.objects.filter(title_it="Intrusione").exists()


def test_create_document_from_a_file_waits_for_review(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        "/en/manage/consultations/documents/new/",
        {"programme": programme.pk, "title_it": "Da file", "file": docx_upload()},
    )
    assert response.status_code == 302 and "?review=" in response["Location"]
    assert not Document.objects.filter(title_it="Da file").exists()
    review = client.get(response["Location"])
    html = review.content.decode()
    assert "Governance" in html and "Il partenariato partecipa" in html
    assert not Document.objects.filter(title_it="Da file").exists()
    token = response["Location"].split("review=")[1]
    client.post(response["Location"], {"token": token, "action": "confirm"})
    document = Document.objects.get(title_it="Da file")
    assert [s.heading for s in _draft(document).sections.all()] == ["Contesto", "Governance"]


# --- Editing a draft ----------------------------------------------------------------------------------


def test_edit_page_shows_the_draft_as_markdown(client, staff, document):
    client.force_login(staff)
    response = client.get(reverse("manage_consultations:document_edit", args=[document.pk]))
    assert "# Contesto\n\nIl programma sostiene" in response.context["form"].initial["text"]
    assert "## Azioni" in response.content.decode()


def test_preview_shows_changes_and_saves_nothing(client, staff, document):
    client.force_login(staff)
    before = list(_draft(document).sections.values_list("key", "heading", "body"))
    text = (
        "# Contesto\n\nIl programma sostiene l'inclusione sociale.\n\n"
        "# Obiettivi\n\nRidurre la povertà educativa ovunque.\n\n# Valutazione\n\nNuova sezione."
    )
    response = client.post(
        f"/en/manage/consultations/documents/{document.pk}/edit/", {"text": text, "preview": "1"}
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [s.status for s in plan.sections] == ["unchanged", "modified", "added"]
    assert [s.heading for s in plan.removed] == ["Azioni"]
    assert "What saving will do" in response.content.decode()
    assert "Nuova sezione." in response.content.decode()  # the typed text is kept in the form
    assert list(_draft(document).sections.values_list("key", "heading", "body")) == before


def test_save_keeps_section_identity_for_matching_headings(client, staff, document):
    client.force_login(staff)
    keys = dict(_draft(document).sections.values_list("heading", "key"))
    text = "# Obiettivi\n\nRidurre la povertà.\n\n# contesto\n\nIl programma sostiene l'inclusione sociale."
    response = client.post(
        reverse("manage_consultations:document_edit", args=[document.pk]), {"text": text, "save": "1"}
    )
    assert response.status_code == 302
    sections = list(_draft(document).sections.all())
    assert [s.heading for s in sections] == ["Obiettivi", "contesto"]
    assert sections[0].key == keys["Obiettivi"] and sections[1].key == keys["Contesto"]
    assert AuditEvent.objects.filter(action="consultations.draft.sections_replaced").exists()


def test_renamed_heading_with_the_same_text_keeps_identity(staff, document):
    draft = _draft(document)
    key = draft.sections.get(heading="Obiettivi").key
    from officine.consultations.text import DraftSection

    plan = services.plan_draft(
        draft, [DraftSection(1, "Obiettivi specifici", "Ridurre la povertà educativa nelle aree interne!")]
    )
    assert plan.sections[0].key == key and plan.sections[0].status == "modified"
    assert {s.heading for s in plan.removed} == {"Contesto", "Azioni"}


def test_empty_text_is_refused(client, staff, document):
    client.force_login(staff)
    response = client.post(
        reverse("manage_consultations:document_edit", args=[document.pk]), {"text": "   ", "save": "1"}
    )
    assert response.status_code == 200 and "text" in response.context["form"].errors
    assert _draft(document).sections.count() == 3


# --- Import -------------------------------------------------------------------------------------------


def test_import_review_changes_nothing_until_confirmed(client, staff, document):
    client.force_login(staff)
    url = reverse("manage_consultations:document_import", args=[document.pk])
    keys = dict(_draft(document).sections.values_list("heading", "key"))
    response = client.post(url, {"file": docx_upload()})
    assert response.status_code == 302 and "?review=" in response["Location"]
    review = client.get(response["Location"])
    assert review.status_code == 200
    plan = review.context["plan"]
    assert [(s.number, s.level, s.heading, s.status) for s in plan.sections] == [
        (1, 1, "Contesto", "unchanged"),
        (2, 1, "Governance", "added"),
    ]
    assert "Il partenariato partecipa al Comitato" in review.content.decode()
    assert [s.heading for s in _draft(document).sections.all()] == ["Contesto", "Obiettivi", "Azioni"]

    token = response["Location"].split("review=")[1]
    client.post(url, {"token": token, "action": "confirm"})
    sections = list(_draft(document).sections.all())
    assert [s.heading for s in sections] == ["Contesto", "Governance"]
    assert sections[0].key == keys["Contesto"]
    # The pending import is gone: confirming twice does nothing more.
    again = client.post(url, {"token": token, "action": "confirm"})
    assert again.status_code == 302 and _draft(document).sections.count() == 2


def test_import_cancel_leaves_the_draft_alone(client, staff, document):
    client.force_login(staff)
    url = reverse("manage_consultations:document_import", args=[document.pk])
    response = client.post(url, {"file": docx_upload()})
    token = response["Location"].split("review=")[1]
    client.post(url, {"token": token, "action": "cancel"})
    assert [s.heading for s in _draft(document).sections.all()] == ["Contesto", "Obiettivi", "Azioni"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("finto.docx", b"just some text, not a word file"),
            "does not match its extension",
        ),
        (SimpleUploadedFile("foto.png", b"\x89PNG\r\n"), "not accepted"),
        (SimpleUploadedFile("vuoto.md", b""), "empty"),
        (
            SimpleUploadedFile("rotto.docx", _zip({"word/document.xml": "<x/>", "[Content_Types].xml": "<"})),
            "could not be read",
        ),
    ],
)
def test_a_bad_file_gives_a_message(client, staff, document, upload, message):
    client.force_login(staff)
    response = client.post(f"/en/manage/consultations/documents/{document.pk}/import/", {"file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert _draft(document).sections.count() == 3


def test_markdown_import(client, staff, document):
    client.force_login(staff)
    url = reverse("manage_consultations:document_import", args=[document.pk])
    upload = SimpleUploadedFile("testo.md", "# Contesto\n\nAttività nuove.\n\n## Dettagli\n\nAltro.".encode())
    response = client.post(url, {"file": upload})
    review = client.get(response["Location"])
    assert [(s.heading, s.status) for s in review.context["plan"].sections] == [
        ("Contesto", "modified"),
        ("Dettagli", "added"),
    ]


# --- Attached PDFs --------------------------------------------------------------------------------------


def test_attach_and_remove_a_pdf_on_the_draft(client, staff, document):
    client.force_login(staff)
    url = reverse("manage_consultations:document_attachments", args=[document.pk])
    response = client.post(url, {"title": "Allegato A", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302
    attachment = VersionAttachment.objects.get()
    assert attachment.title == "Allegato A" and attachment.size == len(PDF)
    client.post(url, {"remove": attachment.pk})
    assert not VersionAttachment.objects.exists()
    assert AuditEvent.objects.filter(action="consultations.version.attachment_removed").exists()


def test_a_fake_pdf_is_refused_and_the_title_kept(client, staff, document):
    client.force_login(staff)
    response = client.post(
        f"/en/manage/consultations/documents/{document.pk}/attachments/",
        {"title": "Allegato B", "file": SimpleUploadedFile("b.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 200
    assert "does not match its extension" in " ".join(response.context["form"].errors["file"])
    assert 'value="Allegato B"' in response.content.decode()
    assert not VersionAttachment.objects.exists()


# --- Publishing and immutability ----------------------------------------------------------------------


def test_publish_first_version_without_note(client, staff, document):
    client.force_login(staff)
    response = client.post(reverse("manage_consultations:document_publish", args=[document.pk]), {})
    assert response.status_code == 302
    version = document.versions.get()
    assert version.is_published and version.published_by == staff


def test_second_version_needs_a_change_note(client, staff, published):
    client.force_login(staff)
    client.post(reverse("manage_consultations:document_new_version", args=[published.pk]))
    v2 = _draft(published)
    assert v2.number == 2
    url = f"/en/manage/consultations/documents/{published.pk}/publish/"
    response = client.post(url, {"change_note": "  "})
    assert response.status_code == 200
    assert "what changed" in " ".join(response.context["form"].errors["change_note"]).lower()
    v2.refresh_from_db()
    assert not v2.is_published
    client.post(url, {"change_note": "Accolti i contributi sugli obiettivi."})
    v2.refresh_from_db()
    assert v2.is_published and v2.change_note == "Accolti i contributi sugli obiettivi."


def test_published_version_is_not_editable_from_the_ui(client, staff, published):
    client.force_login(staff)
    before = list(Section.objects.filter(version__document=published).values_list("heading", "body"))
    edit = client.get(f"/en/manage/consultations/documents/{published.pk}/edit/")
    assert edit.status_code == 200 and "<textarea" not in edit.content.decode()
    assert "Start a new version" in edit.content.decode()
    page = client.get(f"/en/manage/consultations/documents/{published.pk}/")
    assert f"/documents/{published.pk}/edit/" not in page.content.decode()
    response = client.post(
        reverse("manage_consultations:document_edit", args=[published.pk]), {"text": "# X\n\ny", "save": "1"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("manage_consultations:document_attachments", args=[published.pk]),
        {"title": "Tardivo", "file": SimpleUploadedFile("t.pdf", PDF)},
    )
    assert not VersionAttachment.objects.exists()
    upload = client.post(
        reverse("manage_consultations:document_import", args=[published.pk]), {"file": docx_upload()}
    )
    assert upload.status_code == 302
    assert list(Section.objects.filter(version__document=published).values_list("heading", "body")) == before


def test_new_version_starts_from_the_latest_published(client, staff, published):
    client.force_login(staff)
    response = client.post(reverse("manage_consultations:document_new_version", args=[published.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/edit/")
    draft = _draft(published)
    assert draft.previous.number == 1
    assert [s.heading for s in draft.sections.all()] == ["Contesto", "Obiettivi", "Azioni"]
    again = client.post(f"/en/manage/consultations/documents/{published.pk}/new-version/", follow=True)
    assert "already has a draft" in again.content.decode()


def test_document_page_lists_versions_with_who_and_when(client, staff, published):
    services.start_new_version(staff, published)
    client.force_login(staff)
    response = client.get(f"/en/manage/consultations/documents/{published.pk}/")
    html = response.content.decode()
    assert "Staff Programma" in html
    assert reverse("documents:version", args=[published.pk, 1]) in html
    assert reverse("documents:compare", args=[published.pk, 1, 2]) in html


# --- Public pages ---------------------------------------------------------------------------------------


@pytest.fixture
def two_versions(staff, published):
    """Version 2 changes a word in "Obiettivi", drops "Azioni" and adds "Valutazione"."""
    draft = services.start_new_version(staff, published)
    rows = [
        {"key": s.key, "level": s.level, "heading": s.heading, "body": s.body}
        for s in draft.sections.all()
        if s.heading != "Azioni"
    ]
    rows[1]["body"] = "Ridurre la povertà educativa nelle aree urbane."
    rows.append({"level": 1, "heading": "Valutazione", "body": "Valutazione in itinere."})
    services.replace_draft_sections(staff, draft, rows)
    services.publish_version(staff, draft, change_note="Accolti i contributi.")
    return published


def test_version_page_is_public_with_numbered_sections(client, published):
    response = client.get(f"/en/documents/{published.pk}/v1/")
    assert response.status_code == 200
    html = response.content.decode()
    for number in (1, 2, 3):
        assert f'id="section-{number}"' in html
    assert 'href="#section-2"' in html and "Obiettivi" in html
    assert "consultations.css" in html


def test_version_2_shows_change_badges_and_removed_sections(client, two_versions):
    response = client.get(f"/en/documents/{two_versions.pk}/v2/")
    page = response.context["page"]
    assert [(s.heading, s.change) for s in page.sections] == [
        ("Contesto", "unchanged"),
        ("Obiettivi", "modified"),
        ("Valutazione", "added"),
    ]
    assert [s.heading for s in page.removed] == ["Azioni"]
    html = response.content.decode()
    assert "Sections removed since version 1" in html and "Accolti i contributi." in html
    assert reverse("documents:compare", args=[two_versions.pk, 1, 2]) in html


@pytest.mark.parametrize("role", ["visitor", "other_staff"])
def test_draft_is_404_for_those_who_may_not_see_it(client, request, document, role):
    if role != "visitor":
        client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("documents:version", args=[document.pk, 1])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_draft_is_visible_to_its_staff(client, request, document, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/en/documents/{document.pk}/v1/")
    assert response.status_code == 200 and "Draft: not public" in response.content.decode()


def test_unknown_version_is_404(client, published):
    assert client.get(reverse("documents:version", args=[published.pk, 9])).status_code == 404


def test_compare_shows_the_changed_words(client, two_versions):
    response = client.get(f"/en/documents/{two_versions.pk}/compare/1/2/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.status, r.section.heading) for r in rows] == [
        ("unchanged", "Contesto"),
        ("modified", "Obiettivi"),
        ("removed", "Azioni"),
        ("added", "Valutazione"),
    ]
    html = response.content.decode()
    assert re.search(r"<del><span class=\"visually-hidden\">\[deleted: </span>interne", html)
    assert re.search(r"<ins><span class=\"visually-hidden\">\[inserted: </span>urbane", html)
    assert '<ins><span class="visually-hidden">[inserted: </span>Valutazione in itinere.' in html
    assert "How to read this page" in html


def test_compare_picker_redirects_to_the_chosen_versions(client, two_versions):
    response = client.get(f"/en/documents/{two_versions.pk}/compare/1/2/", {"a": "2", "b": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:compare", args=[two_versions.pk, 2, 1])


def test_compare_with_a_draft_is_404_for_visitors(client, staff, published):
    services.start_new_version(staff, published)
    assert client.get(reverse("documents:compare", args=[published.pk, 1, 2])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("documents:compare", args=[published.pk, 1, 2])).status_code == 200


def test_attachment_download_follows_the_version_rule(client, staff, document):
    draft = _draft(document)
    attachment = services.add_version_attachment(
        staff, draft, title="Allegato", upload=SimpleUploadedFile("allegato.pdf", PDF)
    )
    url = reverse("documents:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 404
    services.publish_version(staff, draft)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def _document_with(staff, programme, sections: int) -> Document:
    rows = [
        {"level": 1 + i % 2, "heading": f"Sezione {i}", "body": f"Testo della sezione {i}."}
        for i in range(sections)
    ]
    document = services.create_document(staff, programme, title_it=f"Doc {sections}", sections=rows)
    v1 = document.versions.get()
    services.publish_version(staff, v1)
    v2 = services.start_new_version(staff, document)
    changed = [
        {"key": s.key, "level": s.level, "heading": s.heading, "body": s.body + " Modificato."}
        for s in v2.sections.all()
    ]
    services.replace_draft_sections(staff, v2, changed[1:])
    services.add_version_attachment(staff, v2, title="A", upload=SimpleUploadedFile("a.pdf", PDF))
    services.publish_version(staff, v2, change_note="Modifiche.")
    return document


@pytest.mark.parametrize("page", ["version", "compare"])
def test_query_count_does_not_grow_with_sections(client, staff, programme, page):
    counts = []
    for size in (3, 30):
        document = _document_with(staff, programme, size)
        url = (
            reverse("documents:version", args=[document.pk, 2])
            if page == "version"
            else reverse("documents:compare", args=[document.pk, 1, 2])
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
