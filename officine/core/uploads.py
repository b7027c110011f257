"""Upload checks shared by every form that takes a file: size limit and type read from the content.

The extension alone is not trusted: a file's first bytes must match the type its extension claims,
so a renamed executable is refused with a message that says why.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileKind:
    extension: str
    label: str
    content_type: str = "application/octet-stream"
    # What ``sniff`` returns for this kind's content: plain-text formats all read as "text".
    sniffed_as: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def content(self) -> str:
        return self.sniffed_as or self.extension


PDF = FileKind("pdf", "PDF", "application/pdf")
P7M = FileKind("p7m", "PDF firmato (p7m)", "application/pkcs7-mime")
CSV = FileKind("csv", "CSV", "text/csv", sniffed_as="text")
XLSX = FileKind("xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODS = FileKind("ods", "OpenDocument (ODS)", "application/vnd.oasis.opendocument.spreadsheet")
ODT = FileKind("odt", "OpenDocument (ODT)", "application/vnd.oasis.opendocument.text")
DOCX = FileKind(
    "docx", "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
MARKDOWN = FileKind("md", "Markdown", "text/markdown", sniffed_as="text", aliases=("markdown",))
PNG = FileKind("png", "PNG", "image/png")
JPEG = FileKind("jpg", "JPEG", "image/jpeg", aliases=("jpeg",))

DOCUMENT_KINDS = (PDF, P7M)
SPREADSHEET_KINDS = (CSV, XLSX, ODS)
WORD_PROCESSOR_KINDS = (DOCX, ODT, MARKDOWN)

_ZIP_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
}


def max_upload_bytes() -> int:
    return settings.OFFICINE_MAX_UPLOAD_MB * 1024 * 1024


def sniff(head: bytes, whole: UploadedFile | None = None) -> str | None:
    """Return the extension that the content really has, or None if unknown."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            whole.seek(0)
            with zipfile.ZipFile(whole) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    if mimetype in _ZIP_MIMETYPES:
                        return _ZIP_MIMETYPES[mimetype]
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "word/document.xml" in names:
                    return "docx"
        except zipfile.BadZipFile:
            return None
        finally:
            whole.seek(0)
        return None
    if head[:1] == b"\x30":  # DER SEQUENCE: a CAdES envelope (.p7m)
        return "p7m"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
                return "text"
            except UnicodeDecodeError:
                return None
    return None


def megabytes(size: int) -> str:
    """A size in MB as people read it ("10", "2.5")."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def kind_for_name(name: str, allowed: tuple[FileKind, ...]) -> FileKind | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for kind in allowed:
        if extension == kind.extension or extension in kind.aliases:
            return kind
    return None


def validate_upload(upload: UploadedFile, allowed: tuple[FileKind, ...], max_bytes: int | None = None) -> str:
    """Check size and type; return the verified extension or raise a translated ValidationError."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": megabytes(limit)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    labels = ", ".join(k.label for k in allowed)
    kind = kind_for_name(upload.name or "", allowed)
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if kind is None:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted types: %(types)s.") % {"types": labels},
            code="bad_extension",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if sniff(head, upload) != kind.content:
        raise ValidationError(
            _("The content of the file does not match its extension .%(ext)s. Accepted types: %(types)s.")
            % {"ext": extension, "types": labels},
            code="content_mismatch",
        )
    return kind.extension
