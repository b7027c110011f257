"""The documents service: upload checks (size, real type, parent, title, withholding reason), publication
time (with the notice for a draft, at once afterwards), the pack published with the notice in one step,
withholding and releasing, all audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from officine.core.models import AuditEvent
from officine.meetings import documents
from officine.meetings.models import MeetingDocument, MeetingState, WrittenProcedure
from officine.meetings.tests import factories
from officine.meetings.tests.factories_a import fake_pdf, meeting_ahead, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(actor, parent, now=None, **data):
    return documents.upload_document(
        actor, parent, {"title_it": "Relazione annuale", "file": pdf_upload(), **data}, now=now
    )


def test_upload_to_a_draft_waits_for_the_notice(staff, body):
    meeting = meeting_ahead(body, 20)
    document = _upload(staff, meeting, title_en="Annual report", title_it="  Relazione   annuale ")
    assert document.meeting == meeting and document.procedure is None
    assert document.title_it == "Relazione annuale" and document.title_en == "Annual report"
    assert document.published_at is None and document.size == len(pdf_upload().read())
    assert document.uploaded_by == staff and document.file.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="meetings.document.uploaded")
    assert event.target_id == str(document.pk) and event.actor == staff


def test_upload_after_the_notice_is_published_at_once(staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    now = timezone.now() + timedelta(minutes=5)
    document = _upload(staff, meeting, now=now)
    assert document.published_at == now


def test_upload_tied_to_an_item_of_the_meeting_only(staff, body):
    meeting = meeting_ahead(body, 20)
    other = meeting_ahead(body, 25)
    item = meeting.agenda_items.get()
    document = documents.upload_document(
        staff, meeting, {"title_it": "Allegato", "file": pdf_upload()}, item=item
    )
    assert document.item == item
    with pytest.raises(ValidationError) as error:
        documents.upload_document(staff, other, {"title_it": "Allegato", "file": pdf_upload()}, item=item)
    assert error.value.message_dict == {"item": ["This agenda item belongs to another meeting."]}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"file": None}, "file", "Choose the file to upload."),
        ({"file": fake_pdf()}, "file", "The content of the file does not match its extension .pdf"),
        ({"file": pdf_upload("nota.exe")}, "file", "Files of this type are not accepted"),
        ({"file": pdf_upload(content=b"")}, "file", "The file is empty."),
        ({"title_it": "   "}, "title_it", "Give the document a title."),
        ({"is_confidential": True}, "confidentiality_reason", "A withheld document needs the reason"),
    ],
)
def test_upload_refusals(staff, body, data, field, message):
    meeting = meeting_ahead(body, 20)
    with pytest.raises(ValidationError) as error:
        documents.upload_document(staff, meeting, {"title_it": "Relazione", "file": pdf_upload(), **data})
    assert error.value.message_dict[field][0].startswith(message)
    assert not MeetingDocument.objects.exists() and not AuditEvent.objects.exists()


def test_upload_over_the_size_limit_is_refused(staff, body, settings):
    settings.OFFICINE_MAX_UPLOAD_MB = 1
    meeting = meeting_ahead(body, 20)
    big = pdf_upload(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        documents.upload_document(staff, meeting, {"title_it": "Allegato", "file": big})
    assert "the limit is 1 MB" in error.value.message_dict["file"][0]


def test_upload_to_a_cancelled_meeting_is_refused(staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        _upload(staff, meeting)


def test_confidential_upload_keeps_its_reason(staff, body):
    meeting = meeting_ahead(body, 20)
    document = _upload(staff, meeting, is_confidential=True, confidentiality_reason=" Dati personali. ")
    assert document.is_confidential and document.confidentiality_reason == "Dati personali."


def test_upload_to_a_written_procedure_is_published_at_once(staff, body):
    procedure = WrittenProcedure.objects.create(
        body=body, title_it="Modifica dei criteri", opened_at=timezone.now(), deadline=timezone.localdate()
    )
    document = _upload(staff, procedure)
    assert document.procedure == procedure and document.meeting is None and document.published_at is not None
    item = factories.add_item(meeting_ahead(body, 20))
    with pytest.raises(ValidationError):
        documents.upload_document(staff, procedure, {"title_it": "X", "file": pdf_upload()}, item=item)


def test_convene_publishes_the_waiting_pack(staff, body):
    meeting = meeting_ahead(body, 20)
    first, second = _upload(staff, meeting), _upload(staff, meeting, title_it="Criteri")
    now = timezone.now()
    convened = documents.convene(staff, meeting, now=now)
    assert convened.state == MeetingState.CONVENED and convened.documents_published_at == now
    assert {d.published_at for d in MeetingDocument.objects.filter(pk__in=[first.pk, second.pk])} == {now}
    event = AuditEvent.objects.get(action="meetings.document_pack.published")
    assert event.changes["documents"][1] == [first.pk, second.pk]


def test_a_refused_notice_publishes_nothing(staff, body):
    meeting = meeting_ahead(body, 7)  # late for an ordinary notice
    document = _upload(staff, meeting)
    with pytest.raises(ValidationError):
        documents.convene(staff, meeting)
    document.refresh_from_db()
    meeting.refresh_from_db()
    assert document.published_at is None and meeting.documents_published_at is None
    assert meeting.state == MeetingState.DRAFT


def test_publish_pack_keeps_earlier_publication_times(staff, body):
    meeting = meeting_ahead(body, 20, state=MeetingState.CONVENED, notice_sent_at=timezone.now())
    earlier = timezone.now() - timedelta(days=2)
    meeting.documents_published_at = earlier
    meeting.save()
    old = _upload(staff, meeting, now=earlier)
    assert documents.publish_pack(staff, meeting) == 0
    old.refresh_from_db()
    meeting.refresh_from_db()
    assert old.published_at == earlier and meeting.documents_published_at == earlier


def test_withhold_needs_a_reason_and_is_audited(staff, body):
    document = _upload(staff, meeting_ahead(body, 20))
    with pytest.raises(ValidationError) as error:
        documents.withhold_document(staff, document, "  ")
    assert "confidentiality_reason" in error.value.message_dict
    documents.withhold_document(staff, document, "Contiene dati sanitari.")
    document.refresh_from_db()
    assert document.is_confidential and document.confidentiality_reason == "Contiene dati sanitari."
    event = AuditEvent.objects.get(action="meetings.document.withheld")
    assert event.changes["is_confidential"] == [False, True]
    # The same reason again changes nothing and records nothing.
    documents.withhold_document(staff, document, "Contiene dati sanitari.")
    assert AuditEvent.objects.filter(action="meetings.document.withheld").count() == 1


def test_release_makes_it_public_again(staff, body):
    document = _upload(
        staff, meeting_ahead(body, 20), is_confidential=True, confidentiality_reason="Riservato."
    )
    documents.release_document(staff, document)
    document.refresh_from_db()
    assert not document.is_confidential and document.confidentiality_reason == ""
    assert AuditEvent.objects.get(action="meetings.document.released").changes["confidentiality_reason"] == [
        "Riservato.",
        "",
    ]
    with pytest.raises(ValidationError, match="already public"):
        documents.release_document(staff, document)
