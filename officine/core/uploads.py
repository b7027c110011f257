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


PDF = FileKind("pdf", "PDF")
P7M = FileKind("p7m", "PDF firmato (p7m)")
CSV = FileKind("csv", "CSV")
XLSX = FileKind("xlsx", "Excel (XLSX)")
ODS = FileKind("ods", "OpenDocument (ODS)")

DOCUMENT_KINDS = (PDF, P7M)
SPREADSHEET_KINDS = (CSV, XLSX, ODS)


def max_upload_bytes() -> int:
    return settings.OFFICINE_MAX_UPLOAD_MB * 1024 * 1024


def sniff(head: bytes, whole: UploadedFile | None = None) -> str | None:
    """Return the extension that the content really has, or None if unknown."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            whole.seek(0)
            with zipfile.ZipFile(whole) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
                        return "ods"
                if "xl/workbook.xml" in names:
                    return "xlsx"
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
            return "csv"
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
                return "csv"
            except UnicodeDecodeError:
                return None
    return None


def validate_upload(upload: UploadedFile, allowed: tuple[FileKind, ...]) -> str:
    """Check size and type; return the verified extension or raise a translated ValidationError."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": settings.OFFICINE_MAX_UPLOAD_MB},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    allowed_ext = {k.extension for k in allowed}
    labels = ", ".join(k.label for k in allowed)
    if extension not in allowed_ext:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted types: %(types)s.") % {"types": labels},
            code="bad_extension",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    actual = sniff(head, upload)
    if actual != extension:
        raise ValidationError(
            _("The content of the file does not match its extension .%(ext)s. Accepted types: %(types)s.")
            % {"ext": extension, "types": labels},
            code="content_mismatch",
        )
    return extension
