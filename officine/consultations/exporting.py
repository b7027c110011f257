"""Exports of a consultation for its staff: contributions, questions and the full disposition history, as CSV,
XLSX or ODS (issue 3, point 10).

Headers are Italian on Italian pages and English otherwise, as in the registry's exports; every cell a
spreadsheet would run as a formula is neutralised by ``core.tabular.write_table``. Each export reads its rows
in a fixed number of queries, whatever the number of contributions. Exports hold personal data (names of
authors), so each download is recorded in the audit trail.
"""

from collections.abc import Callable

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from officine.core.audit import record
from officine.core.tabular import EXPORT_FORMATS, Export, export_table
from officine.registry.choices import CprCategory

from .models import Consultation, Disposition, Section

EXPORTABLE = ("contributions", "questions", "dispositions")


def export_links(consultation: Consultation) -> list[tuple[str, list[tuple[str, str]]]]:
    """(label, [(format label, URL)]) for each export of the consultation, as the staff pages list them."""
    labels = {
        "contributions": _("Contributions"),
        "questions": _("Questions and answers"),
        "dispositions": _("Dispositions (full history)"),
    }
    return [
        (
            labels[what],
            [
                (spec.label, reverse("manage_dispositions:export", args=[consultation.pk, what, key]))
                for key, spec in EXPORT_FORMATS.items()
            ],
        )
        for what in EXPORTABLE
    ]


def _headers(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    english = get_language() != "it"
    return [english_name if english else italian_name for italian_name, english_name in pairs]


def _sections_text(sections) -> str:
    """“v2 §3 Heading; v2 §4 Heading”: the version says which text the numbers refer to."""
    return "; ".join(f"v{s.version.number} §{s.number} {s.heading}" for s in sections)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


_CONTRIBUTION_HEADERS = (
    ("numero", "number"),
    ("data", "date"),
    ("documento", "document"),
    ("versione", "version"),
    ("sezione", "section"),
    ("organizzazione", "organisation"),
    ("categoria_cpr", "cpr_category"),
    ("categoria_cpr_descrizione", "cpr_category_label"),
    ("autore", "author"),
    ("testo", "text"),
    ("formulazione_proposta", "proposed_wording"),
    ("opposizione_pubblicazione", "objects_to_publication"),
    ("stato", "state"),
    ("esito", "disposition"),
    ("motivazione", "reason"),
    ("sezioni_modificate", "changed_sections"),
)


def contribution_rows(consultation: Consultation) -> tuple[list[str], list[list]]:
    contributions = (
        consultation.contributions.select_related(
            "organization", "section", "version__document", "current_disposition"
        )
        .prefetch_related(
            Prefetch(
                "current_disposition__changed_sections",
                queryset=Section.objects.select_related("version").order_by("version__number", "order"),
            )
        )
        .order_by("number")
    )
    cpr_labels = dict(CprCategory.choices)
    rows = []
    for contribution in contributions:
        section = contribution.section
        organization = contribution.organization
        current = contribution.current_disposition
        rows.append(
            [
                contribution.number,
                contribution.created_at,
                contribution.version.document.title,
                contribution.version.number,
                f"{section.number}. {section.heading}" if section else _("The document as a whole"),
                organization.name if organization else "",
                organization.cpr_category if organization else "",
                str(cpr_labels.get(organization.cpr_category, "")) if organization else "",
                contribution.author_name,
                contribution.body,
                contribution.proposed_wording,
                _yes_no(contribution.objects_to_publication),
                contribution.get_state_display(),
                current.get_outcome_display() if current else "",
                current.reason if current else "",
                _sections_text(current.changed_sections.all()) if current else "",
            ]
        )
    return _headers(_CONTRIBUTION_HEADERS), rows


_QUESTION_HEADERS = (
    ("data", "date"),
    ("autore", "asker"),
    ("domanda", "question"),
    ("risposta", "answer"),
    ("data_risposta", "answered_at"),
)


def question_rows(consultation: Consultation) -> tuple[list[str], list[list]]:
    questions = consultation.questions.order_by("created_at", "pk")
    rows = [
        [question.created_at, question.asker_name, question.body, question.answer, question.answered_at or ""]
        for question in questions
    ]
    return _headers(_QUESTION_HEADERS), rows


_DISPOSITION_HEADERS = (
    ("numero_contributo", "contribution_number"),
    ("esito", "disposition"),
    ("esito_codice", "disposition_code"),
    ("motivazione", "reason"),
    ("sezioni_modificate", "changed_sections"),
    ("modello", "template"),
    ("deciso_da", "decided_by"),
    ("data_decisione", "decided_at"),
    ("in_vigore", "current"),
)


def disposition_rows(consultation: Consultation) -> tuple[list[str], list[list]]:
    """Every disposition ever given, oldest first per contribution: the append-only record in full."""
    history = (
        Disposition.objects.filter(contribution__consultation=consultation)
        .select_related("contribution", "decided_by", "template")
        .prefetch_related(
            Prefetch(
                "changed_sections",
                queryset=Section.objects.select_related("version").order_by("version__number", "order"),
            )
        )
        .order_by("contribution__number", "decided_at", "pk")
    )
    rows = []
    for disposition in history:
        decided_by = disposition.decided_by
        rows.append(
            [
                disposition.contribution.number,
                disposition.get_outcome_display(),
                disposition.outcome,
                disposition.reason,
                _sections_text(disposition.changed_sections.all()),
                disposition.template.title if disposition.template else "",
                decided_by.get_full_name() if decided_by else "",
                disposition.decided_at,
                _yes_no(disposition.contribution.current_disposition_id == disposition.pk),
            ]
        )
    return _headers(_DISPOSITION_HEADERS), rows


_BUILDERS: dict[str, Callable[[Consultation], tuple[list[str], list[list]]]] = {
    "contributions": contribution_rows,
    "questions": question_rows,
    "dispositions": disposition_rows,
}


def _names() -> dict[str, str]:
    return {
        "contributions": _("contributions"),
        "questions": _("questions"),
        "dispositions": _("dispositions"),
    }


def export_consultation(consultation: Consultation, what: str, file_format: str) -> Export:
    """The file's bytes, its format, a dated download name and the number of rows."""
    if what not in _BUILDERS or file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export {what}/{file_format}")
    headers, rows = _BUILDERS[what](consultation)
    name = _names()[what]
    return export_table(headers, rows, file_format, title=name, name=f"{name}-{consultation.pk}")


def record_export(actor, consultation: Consultation, what: str, file_format: str, rows: int) -> None:
    """Exports carry authors' names: who downloaded what, and when, is on record."""
    record(
        actor,
        "consultations.consultation.exported",
        consultation,
        {"what": what, "format": file_format, "rows": rows},
    )
