"""The helpers views share for what they cannot show on a form: service errors as messages, file downloads."""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from officine.core.viewtools import download_response, message_service_errors


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_every_message_of_a_service_error_becomes_an_error_message():
    request = _request()
    message_service_errors(request, ValidationError({"closes_on": ["Too early."], "documents": ["None."]}))
    stored = list(get_messages(request))
    assert sorted(m.message for m in stored) == ["None.", "Too early."]
    assert {m.level_tag for m in stored} == {"error"}


def test_download_is_an_attachment_unless_inline():
    response = download_response(b"a;b\r\n", "text/csv; charset=utf-8", "esiti-3.csv")
    assert response.content == b"a;b\r\n" and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="esiti-3.csv"'
    shown = download_response(b"%PDF-1.4", "application/pdf", "esito-3.pdf", inline=True)
    assert shown["Content-Disposition"] == 'inline; filename="esito-3.pdf"'
