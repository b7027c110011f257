"""Forms of the staff pages for documents and consultations.

Forms parse and check input; the rules that involve the database (a published version is immutable, the
timetable, documents of the same programme) belong to the services, whose errors the views show next to
the fields they name.
"""

import logging

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officine.core.uploads import WORD_PROCESSOR_KINDS, validate_upload
from officine.programmes.models import Programme

from .importing import sections_from_upload
from .lifecycle import EDITABLE_FIELDS
from .models import Consultation, Document, Topic
from .text import DraftSection, split_markdown

logger = logging.getLogger(__name__)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

MARKDOWN_HELP = gettext_lazy(
    "Each line starting with # begins a section (## and ### for subsections); the text below a heading is "
    "the section. Use **bold**, *italic* and lines starting with - for lists. Sections keep their identity "
    "(and the contributions on them) as long as their heading stays the same."
)


def preamble_heading() -> str:
    """Heading given to text found before the first heading, so that nothing is dropped."""
    return _("Introduction")


def check_import_file(upload: UploadedFile) -> str:
    """Size, extension and content of a DOCX, ODT or Markdown file; returns the verified extension."""
    return validate_upload(upload, WORD_PROCESSOR_KINDS)


class ImportFileField(forms.FileField):
    """A DOCX, ODT or Markdown file, read into draft sections when the form is cleaned (nothing saved)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("File (DOCX, ODT or Markdown)"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Headings (Word's “Heading 1-3” styles, ODF outline levels, Markdown's #) start sections. "
                "You will review the sections before anything is saved."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        extension = check_import_file(upload)
        upload.seek(0)
        try:
            return sections_from_upload(upload.read(), extension, preamble_heading=preamble_heading())
        except ValidationError:
            raise
        except Exception as exc:  # noqa: BLE001 — an uploaded file is untrusted input: any parser failure
            # (lxml syntax errors, python-docx package errors...) means "unreadable", never a server error.
            logger.info("Unreadable %s upload: %r", extension, exc)
            raise ValidationError(
                _("The file could not be read as %(kind)s.") % {"kind": extension.upper()}
            ) from exc


def _drafts_from_text(text: str) -> list[DraftSection]:
    drafts = split_markdown(text, preamble_heading=preamble_heading())
    if not drafts:
        raise ValidationError(_("The text is empty: write at least one heading and its text."))
    return drafts


# --- Documents --------------------------------------------------------------------------------------------


class DocumentCreateForm(forms.Form):
    """A new document: its programme and title, and its first text typed in or read from a file."""

    programme = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none())
    title_it = forms.CharField(label=gettext_lazy("Title (Italian)"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=300, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=MARKDOWN_HELP,
    )
    file = ImportFileField(required=False)

    def __init__(self, *args, programmes: QuerySet[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        drafts = data.get("file")
        if "file" in self.errors:
            return data
        if drafts and text:
            self.add_error("text", _("Write the text or choose a file, not both."))
        elif not drafts and not text:
            self.add_error("text", _("Write the text of the document or choose a file to import."))
        elif text:
            try:
                data["drafts"] = _drafts_from_text(text)
            except ValidationError as error:
                self.add_error("text", error)
        return data

    @property
    def from_file(self) -> bool:
        return bool(self.cleaned_data.get("file"))


class DraftTextForm(forms.Form):
    """The whole draft as one Markdown text: the simplest editor that keeps working without JavaScript."""

    text = forms.CharField(
        label=gettext_lazy("Text of the draft"),
        widget=forms.Textarea(attrs={"rows": 28, "class": "font-monospace"}),
        help_text=MARKDOWN_HELP,
        strip=False,
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        self.drafts = _drafts_from_text(text)
        return text


class ImportForm(forms.Form):
    file = ImportFileField()


class AttachmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    file = forms.FileField(
        label=gettext_lazy("PDF file"),
        help_text=gettext_lazy("PDF only; the file's content is checked, not just its name."),
    )


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label=gettext_lazy("What changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Shown to readers with the version. Required from the second version on: say briefly what "
            "changed and why (for example, which contributions were taken into account)."
        ),
    )


# --- Consultations ----------------------------------------------------------------------------------------


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        number = getattr(obj, "published_number", None)
        if number:
            return _("%(title)s (published version %(number)d)") % {"title": obj.title, "number": number}
        return _("%(title)s (not yet published)") % {"title": obj.title}


#: The model fields of the form: those the set-up service accepts, in its order, but for ``topics``, whose
#: form field (checkboxes of choices) is declared on the form rather than derived from the JSON model field.
CONSULTATION_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "topics")


class ConsultationForm(forms.Form):
    """Set-up of a consultation in a given programme (the programme is chosen before the form)."""

    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics (ECCP Art. 6 and 8)"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = DocumentChoiceField(
        label=gettext_lazy("Documents under consultation"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Documents of this programme. Each must have a published version before the consultation opens."
        ),
    )

    def __init__(self, *args, programme: Programme, documents: QuerySet[Document], **kwargs):
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(
            Consultation,
            fields=CONSULTATION_FIELDS,
            widgets={
                "opens_on": DATE_WIDGET,
                "closes_on": DATE_WIDGET,
                "summary_it": forms.Textarea(attrs={"rows": 4}),
                "summary_en": forms.Textarea(attrs={"rows": 4}),
                "urgency_reason": forms.Textarea(attrs={"rows": 3}),
            },
        )
        model_fields["topics"] = self.fields["topics"]
        self.fields = {
            **{name: model_fields[name] for name in EDITABLE_FIELDS},
            "documents": self.fields["documents"],
        }
        self.fields["documents"].queryset = documents
        self.fields["closes_on"].help_text = _(
            "Last day on which contributions are accepted. This programme's minimum is %(partners)d working "
            "days for partners and %(public)d for public consultations (Italian calendar, opening and "
            "closing days included)."
        ) % {
            "partners": programme.min_consultation_days_partners,
            "public": programme.min_consultation_days_public,
        }

    @staticmethod
    def initial_from(consultation: Consultation) -> dict:
        initial = {name: getattr(consultation, name) for name in CONSULTATION_FIELDS}
        initial["topics"] = list(consultation.topics or [])
        initial["documents"] = list(consultation.documents.values_list("pk", flat=True))
        return initial


class ProgrammePickForm(forms.Form):
    """First step of creating a consultation for staff of several programmes."""

    programme = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none())

    def __init__(self, *args, programmes: QuerySet[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
