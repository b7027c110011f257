"""Dispositions from a spreadsheet (CSV, XLSX, ODS): check every line, then record them all or none.

Staff often write controdeduzioni in a spreadsheet with colleagues. The file has one line per contribution:
``numero``/``number``, ``esito``/``disposition`` (code or label, Italian or English),
``motivazione``/``reason``, ``sezioni_modificate``/``changed_sections`` (numbers of sections of the new
version, separated by ``,`` or ``;``). The preview lists every problem with its line and column;
:func:`apply_dispositions` re-checks the file against the database as it is at that moment and records every
line through :func:`dispositions.dispose` in one transaction, so the rules and the audit are those of a
disposition given by hand, and nothing is saved unless the whole file is valid.

Between the preview and the confirmation the uploaded bytes wait in the user's session (database-backed):
no model is needed, only the person who uploaded the file can confirm it, and the session's expiry cleans up.
"""

import base64
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from officine.core.audit import record
from officine.core.tabular import (
    ColumnSpec,
    TableHeader,
    TableIssue,
    choice_key,
    choice_lookup,
    read_table,
    sort_issues,
    write_table,
)

from . import dispositions
from .models import (
    Consultation,
    Contribution,
    ContributionState,
    DispositionOutcome,
    DocumentVersion,
    Section,
    VersionStatus,
)

MANAGE_PERMISSION = "consultations.manage_consultation"

COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "number",
        "numero",
        "number",
        True,
        ("n", "num", "numero_contributo", "contribution_number"),
        gettext_lazy("The contribution's number (#12 or 12)."),
    ),
    ColumnSpec(
        "outcome",
        "esito",
        "disposition",
        True,
        ("outcome", "controdeduzione"),
        gettext_lazy(
            "accepted, partly_accepted, not_accepted, out_of_scope, already_covered, or their labels in "
            "Italian or English (accolto, parzialmente accolto, non accolto, fuori ambito, già considerato)."
        ),
    ),
    ColumnSpec(
        "reason",
        "motivazione",
        "reason",
        True,
        ("motivo", "motivazioni"),
        gettext_lazy("Why: it is published with the outcome."),
    ),
    ColumnSpec(
        "changed_sections",
        "sezioni_modificate",
        "changed_sections",
        False,
        ("sezioni", "sections"),
        gettext_lazy(
            "Numbers of the sections of the new version that changed, separated by , or ; "
            "(required for accepted and partly accepted)."
        ),
    ),
)
# Columns of the downloadable template that help whoever fills it in; they are read and ignored.
INFO_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("section", "sezione", "section"),
    ColumnSpec("organization", "organizzazione", "organisation", aliases=("organization",)),
    ColumnSpec("text", "contributo", "contribution"),
)
OUTCOME_ALIASES = {
    "accolto": DispositionOutcome.ACCEPTED,
    "accolta": DispositionOutcome.ACCEPTED,
    "accettato": DispositionOutcome.ACCEPTED,
    "accettata": DispositionOutcome.ACCEPTED,
    "parzialmente accolto": DispositionOutcome.PARTLY_ACCEPTED,
    "parzialmente accolta": DispositionOutcome.PARTLY_ACCEPTED,
    "accolto parzialmente": DispositionOutcome.PARTLY_ACCEPTED,
    "accolta parzialmente": DispositionOutcome.PARTLY_ACCEPTED,
    "accolto in parte": DispositionOutcome.PARTLY_ACCEPTED,
    "partially accepted": DispositionOutcome.PARTLY_ACCEPTED,
    "partly accepted": DispositionOutcome.PARTLY_ACCEPTED,
    "non accolto": DispositionOutcome.NOT_ACCEPTED,
    "non accolta": DispositionOutcome.NOT_ACCEPTED,
    "respinto": DispositionOutcome.NOT_ACCEPTED,
    "respinta": DispositionOutcome.NOT_ACCEPTED,
    "rejected": DispositionOutcome.NOT_ACCEPTED,
    "not accepted": DispositionOutcome.NOT_ACCEPTED,
    "fuori ambito": DispositionOutcome.OUT_OF_SCOPE,
    "non pertinente": DispositionOutcome.OUT_OF_SCOPE,
    "out of scope": DispositionOutcome.OUT_OF_SCOPE,
    "gia considerato": DispositionOutcome.ALREADY_COVERED,
    "gia considerata": DispositionOutcome.ALREADY_COVERED,
    "gia recepito": DispositionOutcome.ALREADY_COVERED,
    "gia previsto": DispositionOutcome.ALREADY_COVERED,
    "already covered": DispositionOutcome.ALREADY_COVERED,
}


@dataclass
class ParsedDisposition:
    line: int
    contribution: Contribution
    outcome: str
    reason: str
    sections: list[Section]
    unchanged: bool = False

    @property
    def outcome_label(self) -> str:
        return str(DispositionOutcome(self.outcome).label)


@dataclass
class DispositionImportResult:
    rows: list[ParsedDisposition] = field(default_factory=list)
    errors: list[TableIssue] = field(default_factory=list)
    warnings: list[TableIssue] = field(default_factory=list)
    skipped: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.to_apply)

    @property
    def to_apply(self) -> list[ParsedDisposition]:
        return [row for row in self.rows if not row.unchanged]

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.unchanged)


def target_versions(consultation: Consultation) -> dict[int, DocumentVersion]:
    """Per document, the version whose section numbers the file cites: the final document if it is one of
    this document's versions, otherwise its latest published version."""
    versions = DocumentVersion.objects.filter(
        document__in=consultation.documents.all(), status=VersionStatus.PUBLISHED
    ).order_by("document_id", "number")
    targets: dict[int, DocumentVersion] = {}
    for version in versions:
        targets[version.document_id] = version  # ordered by number: the latest wins
    for version in versions:
        if version.pk == consultation.final_version_id:
            targets[version.document_id] = version
    return targets


class _Checker:
    """Turns the file's lines into dispositions, collecting every problem instead of stopping at one."""

    def __init__(self, consultation: Consultation, header: TableHeader, result: DispositionImportResult):
        self.consultation = consultation
        self.header = header
        self.result = result
        self.lookup = choice_lookup(DispositionOutcome, OUTCOME_ALIASES)
        contributions = (
            consultation.contributions.select_related("version__document", "current_disposition")
            .prefetch_related(
                Prefetch("current_disposition__changed_sections", queryset=Section.objects.only("pk"))
            )
            .order_by("number")
        )
        self.contributions = {c.number: c for c in contributions}
        for contribution in self.contributions.values():
            contribution.consultation = consultation
        self.targets = target_versions(consultation)
        self.sections: dict[int, dict[int, Section]] = defaultdict(dict)
        for section in Section.objects.filter(version__in=list(self.targets.values())).select_related(
            "version"
        ):
            self.sections[section.version_id][section.number] = section
        self.first_line: dict[int, int] = {}

    def issue(self, line: int, cells: list[str], field_name: str, message: str) -> None:
        column, letter = self.header.position(field_name)
        self.result.errors.append(
            TableIssue(line, column, letter, self.header.value(cells, field_name), str(message))
        )

    def contribution(self, line: int, cells: list[str]) -> Contribution | None:
        text = self.header.value(cells, "number").lstrip("#").strip()
        if not text:
            self.issue(line, cells, "number", _("Write the number of the contribution."))
            return None
        try:
            number = int(text)
        except ValueError:
            self.issue(
                line, cells, "number", _("“%(value)s” is not a contribution number.") % {"value": text}
            )
            return None
        contribution = self.contributions.get(number)
        if contribution is None:
            self.issue(
                line,
                cells,
                "number",
                _("This consultation has no contribution #%(number)d.") % {"number": number},
            )
            return None
        if number in self.first_line:
            self.issue(
                line,
                cells,
                "number",
                _("Contribution #%(number)d is already on line %(line)d.")
                % {"number": number, "line": self.first_line[number]},
            )
            return None
        self.first_line[number] = line
        return contribution

    def changed_sections(
        self, line: int, cells: list[str], contribution: Contribution
    ) -> list[Section] | None:
        text = self.header.value(cells, "changed_sections")
        parts = [p.strip().lstrip("§").strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if not parts:
            return []
        target = self.targets.get(contribution.version.document_id)
        if target is None or target.number <= contribution.version.number:
            self.issue(
                line,
                cells,
                "changed_sections",
                _(
                    "“%(document)s” has no published version newer than the one contribution #%(number)d "
                    "is about."
                )
                % {"document": contribution.version.document.title, "number": contribution.number},
            )
            return None
        found: list[Section] = []
        ok = True
        for part in parts:
            if not part.isdigit():
                self.issue(
                    line,
                    cells,
                    "changed_sections",
                    _("“%(value)s” is not a section number.") % {"value": part},
                )
                ok = False
                continue
            section = self.sections[target.pk].get(int(part))
            if section is None:
                self.issue(
                    line,
                    cells,
                    "changed_sections",
                    _("Version %(version)d of “%(document)s” has no section %(number)s.")
                    % {
                        "version": target.number,
                        "document": contribution.version.document.title,
                        "number": part,
                    },
                )
                ok = False
            elif section not in found:
                problem = dispositions.section_error(contribution, section)
                if problem:
                    self.issue(line, cells, "changed_sections", problem)
                    ok = False
                found.append(section)
        return found if ok else None

    def check(self, line: int, cells: list[str]) -> None:
        if all(not self.header.value(cells, name) for name in ("outcome", "reason", "changed_sections")):
            if self.header.value(cells, "number"):
                self.result.skipped += 1  # a line of the template left empty: nothing to record
            return
        contribution = self.contribution(line, cells)
        outcome_text = self.header.value(cells, "outcome")
        outcome = self.lookup.get(choice_key(outcome_text)) if outcome_text else ""
        if outcome is None:
            self.issue(
                line,
                cells,
                "outcome",
                _("“%(value)s” is not a disposition. Use one of: %(codes)s.")
                % {"value": outcome_text, "codes": ", ".join(DispositionOutcome.values)},
            )
        if contribution is None:
            return
        sections = self.changed_sections(line, cells, contribution)
        reason = self.header.value(cells, "reason")
        errors = dispositions.disposition_errors(
            contribution, outcome=outcome or "", reason=reason, sections=sections or []
        )
        if outcome is None:
            errors.pop("outcome", None)  # already said why, with the value
        if sections is None:
            errors.pop("changed_sections", None)
        for field_name, messages in errors.items():
            column = "number" if field_name == NON_FIELD_ERRORS else field_name
            for message in messages:
                self.issue(line, cells, column, message)
        if errors or outcome is None or sections is None:
            return
        self.result.rows.append(
            ParsedDisposition(
                line,
                contribution,
                outcome,
                reason,
                sections,
                unchanged=_same(contribution, outcome, reason, sections),
            )
        )


def _same(contribution: Contribution, outcome: str, reason: str, sections: list[Section]) -> bool:
    """The line repeats the current disposition (e.g. a template downloaded with the current ones): skip it
    rather than append an identical row and notify the author again."""
    current = contribution.current_disposition
    if current is None:
        return False
    current_sections = {s.pk for s in current.changed_sections.all()}
    return (
        current.outcome == outcome
        and current.reason.strip() == reason.strip()
        and current_sections == {s.pk for s in sections}
    )


def parse_dispositions(
    consultation: Consultation, content: bytes, file_format: str
) -> DispositionImportResult:
    """Check a whole file against the consultation; nothing is written."""
    result = DispositionImportResult()
    state_error = dispositions.consultation_state_error(consultation)
    if state_error:
        result.errors.append(TableIssue(None, "", "", "", state_error))
        return result
    table = read_table(content, file_format, COLUMNS, ignored=INFO_COLUMNS)
    result.errors.extend(table.errors)
    result.warnings.extend(table.warnings)
    if table.errors:
        return result
    checker = _Checker(consultation, table.header, result)
    for line, cells in table.rows:
        checker.check(line, cells)
    if not result.errors and not result.to_apply:
        result.errors.append(
            TableIssue(
                None, "", "", "", _("The file has no new dispositions: every line is empty or unchanged.")
            )
        )
    sort_issues(result.errors)
    return result


@transaction.atomic
def apply_dispositions(
    actor, consultation: Consultation, content: bytes, file_format: str, filename: str = ""
) -> int:
    """Record every disposition of a valid file, or none: the file is checked again against the database as it
    is now (a contribution may have been disposed by hand since the preview)."""
    if not actor.has_perm(MANAGE_PERMISSION, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    result = parse_dispositions(consultation, content, file_format)
    if result.errors:
        raise ValidationError(
            [
                _("Line %(line)s, column %(column)s: %(message)s")
                % {
                    "line": issue.line or "–",
                    "column": issue.letter or issue.column or "–",
                    "message": issue.message,
                }
                for issue in result.errors[:20]
            ]
        )
    for row in result.to_apply:
        dispositions.dispose(
            actor, row.contribution, outcome=row.outcome, reason=row.reason, changed_sections=row.sections
        )
    record(
        actor,
        "consultations.dispositions.imported",
        consultation,
        {"filename": filename, "recorded": len(result.to_apply), "unchanged": result.unchanged},
    )
    return len(result.to_apply)


# --- The file kept between preview and confirmation -------------------------------------------------------

SESSION_KEY = "consultations.disposition_imports"
KEPT_PER_SESSION = 3


@dataclass(frozen=True)
class StashedFile:
    token: str
    consultation_id: int
    filename: str
    file_format: str
    content: bytes
    uploaded_at: str


def stash_upload(session, consultation: Consultation, filename: str, file_format: str, content: bytes) -> str:
    """Keep the uploaded bytes in the session under a fresh token; older files beyond a few are dropped."""
    token = secrets.token_urlsafe(12)
    kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = {
        "consultation": consultation.pk,
        "filename": filename[:200],
        "format": file_format,
        "content": base64.b64encode(content).decode("ascii"),
        "uploaded_at": timezone.now().isoformat(),
    }
    for old in sorted(kept, key=lambda t: kept[t]["uploaded_at"])[:-KEPT_PER_SESSION]:
        del kept[old]
    session[SESSION_KEY] = kept
    return token


def stashed_upload(session, consultation: Consultation, token: str) -> StashedFile | None:
    entry = session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["consultation"] != consultation.pk:
        return None
    return StashedFile(
        token,
        entry["consultation"],
        entry["filename"],
        entry["format"],
        base64.b64decode(entry["content"]),
        entry["uploaded_at"],
    )


def drop_stash(session, token: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    if kept.pop(token, None) is not None:
        session[SESSION_KEY] = kept


# --- The template to fill in ------------------------------------------------------------------------------


def template_file(consultation: Consultation, file_format: str) -> bytes:
    """A file with one line per submitted contribution, its current disposition filled in, and columns that
    help whoever fills it (section, organisation, text); re-importing it unchanged records nothing."""
    headers = [spec.header() for spec in (*COLUMNS, *INFO_COLUMNS)]
    contributions = (
        consultation.contributions.filter(state=ContributionState.SUBMITTED)
        .select_related("organization", "section", "current_disposition")
        .prefetch_related(
            Prefetch("current_disposition__changed_sections", queryset=Section.objects.order_by("order"))
        )
        .order_by("number")
    )
    rows = []
    for contribution in contributions:
        current = contribution.current_disposition
        section = contribution.section
        rows.append(
            [
                contribution.number,
                current.get_outcome_display() if current else "",
                current.reason if current else "",
                ", ".join(str(s.number) for s in current.changed_sections.all()) if current else "",
                f"{section.number}. {section.heading}" if section else _("The document as a whole"),
                contribution.organization.name if contribution.organization_id else contribution.author_name,
                contribution.body,
            ]
        )
    return write_table(headers, rows, file_format, title=_("Dispositions"))
