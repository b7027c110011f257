import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from officine.core.uploads import DOCUMENT_KINDS, SPREADSHEET_KINDS, validate_upload


def _ods_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def test_pdf_with_pdf_content_is_accepted():
    upload = SimpleUploadedFile("mandato.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert validate_upload(upload, DOCUMENT_KINDS) == "pdf"


def test_renamed_executable_is_refused_with_reason():
    upload = SimpleUploadedFile("mandato.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload, DOCUMENT_KINDS)
    assert excinfo.value.code == "content_mismatch"


def test_wrong_extension_is_refused():
    upload = SimpleUploadedFile("virus.exe", b"%PDF-1.7", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload, DOCUMENT_KINDS)
    assert excinfo.value.code == "bad_extension"


def test_too_large_file_is_refused(settings):
    settings.OFFICINE_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload, DOCUMENT_KINDS)
    assert excinfo.value.code == "too_large"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(SimpleUploadedFile("a.csv", b""), SPREADSHEET_KINDS)
    assert excinfo.value.code == "empty"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("elenco.csv", "denominazione;città\nComune di Forlì;Forlì\n".encode(), "csv"),
        ("elenco.csv", "denominazione;città\n".encode("cp1252"), "csv"),
        ("elenco.ods", _ods_bytes(), "ods"),
    ],
)
def test_spreadsheets_are_recognised(name, content, expected):
    assert validate_upload(SimpleUploadedFile(name, content), SPREADSHEET_KINDS) == expected


def test_zip_pretending_to_be_ods_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("elenco.ods", buffer.getvalue()), SPREADSHEET_KINDS)
