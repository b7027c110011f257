"""Demo consultations (issue 3, point 12): one with its outcome published, one open, one co-design scheduled.

- Documents go through the document services (``create_document``, ``start_new_version``,
  ``replace_draft_sections``, ``publish_version``) and consultations through the lifecycle's state machine
  (``schedule``, ``open_consultation``, ``close_consultation``) with the ``today`` each step would have had,
  so the demo cannot reach a state the product itself forbids.
- Contributions, dispositions and questions are written with the ORM, in the shapes their services
  produce: those services need signed-in users and "today" dates, whereas demo contributions were sent
  weeks ago by fictional representatives who have no account (``author=None``, ``author_name`` = the
  organisation's delegate). The last state change (outcome published) is written the same way.
- Content lives in ``data/consultations/``: one JSON file per consultation (timetable, contributions,
  dispositions, questions) and one Markdown file per document version. Days are counted in working days
  from the timetable, so the open consultation is open whatever day the demo is loaded.
- Every accepted or partly accepted disposition names the sections of the new version that changed and
  "evidence", phrases that must be in their new text and not in the consulted one: a data file that says
  "we changed it" without changing it stops the load.
- Idempotent: a consultation is found by programme and Italian title, and one that exists is left alone
  (its state and contributions may have moved on since it was loaded), so a second run changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from officine.consultations import lifecycle
from officine.consultations.models import (
    Consultation,
    ConsultationState,
    Contribution,
    Disposition,
    DispositionOutcome,
    DispositionTemplate,
    Document,
    DocumentVersion,
    Question,
    Section,
    SectionChange,
)
from officine.consultations.services import (
    create_document,
    publish_version,
    replace_draft_sections,
    start_new_version,
)
from officine.consultations.text import split_markdown
from officine.core.audit import record
from officine.core.search import build_document
from officine.core.workdays import add_working_days
from officine.programmes.models import Membership, Programme
from officine.registry.choices import RepresentativeRole
from officine.registry.models import Organization, Representative

from .partnerships import read_organizations
from .upsert import LoadStats, upsert

CONSULTATIONS_DIR = Path(__file__).resolve().parent / "data" / "consultations"
SPEC_FILES = (
    "criteri-selezione-p1.json",
    "piano-valutazione.json",
    "coprogettazione-fragilita-er.json",
)
# Tables in the order ``load_demo`` prints them, the same on every run.
TABLES = (
    "answer templates",
    "RUNTS numbers",
    "consultations",
    "documents",
    "versions",
    "contributions",
    "dispositions",
    "questions",
)
LOADABLE_STATES = (ConsultationState.SCHEDULED, ConsultationState.OPEN, ConsultationState.OUTCOME_PUBLISHED)
PREAMBLE_HEADING = "Premessa"


@dataclass(frozen=True)
class DispositionSpec:
    outcome: str
    reason: str
    changed_sections: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    template: str = ""


@dataclass(frozen=True)
class ContributionSpec:
    organization: str
    section: str | None
    day: int
    body: str
    proposed_wording: str = ""
    objects_to_publication: bool = False
    disposition: DispositionSpec | None = None


@dataclass(frozen=True)
class QuestionSpec:
    organization: str
    day: int
    body: str
    answer: str = ""
    answered_day: int | None = None


@dataclass(frozen=True)
class VersionSpec:
    file: str
    published_before_opening: int | None = None
    published_after_closing: int | None = None
    change_note: str = ""


@dataclass(frozen=True)
class ConsultationSpec:
    source: str
    programme: str
    title_it: str
    title_en: str
    summary_it: str
    summary_en: str
    kind: str
    phase: str
    topics: tuple[str, ...]
    audience: str
    state: str
    timetable: dict[str, Any]
    document_title_it: str
    document_title_en: str
    versions: tuple[VersionSpec, ...]
    contributions: tuple[ContributionSpec, ...] = ()
    questions: tuple[QuestionSpec, ...] = ()
    answer_templates: tuple[dict[str, str], ...] = ()
    third_sector_bodies: dict[str, str] = field(default_factory=dict)
    outcome: dict[str, Any] | None = None


@dataclass(frozen=True)
class Timetable:
    opens_on: date
    closes_on: date
    holidays: tuple[tuple[int, int], ...]

    def working_day(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.holidays)


# --- Reading the data files ----------------------------------------------------------------------


def _make(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise CommandError(f"{where}: expected an object, found {type(data).__name__}")
    try:
        return cls(**data)
    except TypeError as exc:  # a missing or unknown key
        raise CommandError(f"{where}: {exc}") from exc


def _disposition(data: dict[str, Any] | None, where: str) -> DispositionSpec | None:
    if data is None:
        return None
    spec = _make(DispositionSpec, data, where)
    return DispositionSpec(
        outcome=spec.outcome,
        reason=spec.reason,
        changed_sections=tuple(spec.changed_sections),
        evidence=tuple(spec.evidence),
        template=spec.template or "",
    )


def read_spec(path: Path) -> ConsultationSpec:
    """One consultation's data file, with its nested rows typed (unknown or missing keys stop the load)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path.name}: {exc}") from exc
    document = data.pop("document", None) or {}
    contributions = []
    for number, row in enumerate(data.pop("contributions", []), start=1):
        where = f"{path.name}, contribution {number}"
        row = dict(row)
        row["disposition"] = _disposition(row.get("disposition"), f"{where}, disposition")
        contributions.append(_make(ContributionSpec, row, where))
    questions = [
        _make(QuestionSpec, row, f"{path.name}, question {n}")
        for n, row in enumerate(data.pop("questions", []), start=1)
    ]
    versions = [
        _make(VersionSpec, row, f"{path.name}, version {n}")
        for n, row in enumerate(document.get("versions", []), start=1)
    ]
    if not versions:
        raise CommandError(f"{path.name}: the document needs at least one version")
    data["topics"] = tuple(data.get("topics", ()))
    data["answer_templates"] = tuple(data.get("answer_templates", ()))
    return _make(
        ConsultationSpec,
        {
            **data,
            "source": path.name,
            "document_title_it": document.get("title_it", ""),
            "document_title_en": document.get("title_en", ""),
            "versions": tuple(versions),
            "contributions": tuple(contributions),
            "questions": tuple(questions),
        },
        path.name,
    )


def read_sections(file_name: str) -> list[dict[str, Any]]:
    """A version's sections from its Markdown file, cut at the headings as the document import does."""
    path = CONSULTATIONS_DIR / file_name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{file_name}: {exc}") from exc
    return [
        {"level": s.level, "heading": s.heading, "body": s.body}
        for s in split_markdown(text, preamble_heading=PREAMBLE_HEADING)
    ]


# --- Dates ---------------------------------------------------------------------------------------


def plan_timetable(spec: ConsultationSpec, programme: Programme, today: date) -> Timetable:
    """Fixed dates for a past consultation; dates relative to ``today`` for the open and scheduled ones."""
    holidays = programme.extra_holidays
    plan = spec.timetable
    try:
        if "opens_on" in plan:
            opens_on = date.fromisoformat(plan["opens_on"])
            closes_on = date.fromisoformat(plan["closes_on"])
        else:
            if "opened_working_days_ago" in plan:
                opens_on = add_working_days(today, -int(plan["opened_working_days_ago"]), holidays)
            else:
                opens_on = add_working_days(today, int(plan["opens_in_working_days"]), holidays)
            # The opening day counts as the first working day, as in the lifecycle's timetable.
            closes_on = add_working_days(opens_on, int(plan["open_working_days"]) - 1, holidays)
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(f"{spec.source}: bad timetable {plan!r} ({exc})") from exc
    timetable = Timetable(opens_on, closes_on, holidays)
    expected = {
        ConsultationState.SCHEDULED: today < opens_on,
        ConsultationState.OPEN: opens_on <= today <= closes_on,
        ConsultationState.OUTCOME_PUBLISHED: closes_on < today,
    }
    if spec.state == ConsultationState.OUTCOME_PUBLISHED and not spec.outcome:
        raise CommandError(f"{spec.source}: a consultation with its outcome published needs an outcome")
    if spec.state not in LOADABLE_STATES or not expected[spec.state]:
        raise CommandError(
            f"{spec.source}: a consultation from {opens_on} to {closes_on} cannot be {spec.state!r} "
            f"on {today}"
        )
    return timetable


def moment(day: date, position: int, seed: int = 0) -> datetime:
    """An office-hours time on ``day``: the ``position``-th event of the day, a little after the previous."""
    minutes = 9 * 60 + 10 + position * 70 + (seed * 13) % 40
    return timezone.make_aware(datetime.combine(day, time(min(minutes // 60, 19), minutes % 60)))


class _Clock:
    """Hands out increasing times within each day, so that numbering and timestamps agree."""

    def __init__(self) -> None:
        self.used: dict[date, int] = {}

    def at(self, day: date, seed: int = 0) -> datetime:
        position = self.used.get(day, 0)
        self.used[day] = position + 1
        return moment(day, position, seed)


# --- Lookups -------------------------------------------------------------------------------------


def organizations_by_key() -> dict[str, Organization]:
    """Demo partner organisations by their key in ``organizations.csv``."""
    names = {row.key: row.name for row in read_organizations()}
    by_name = {o.name: o for o in Organization.objects.filter(name__in=names.values(), is_demo=True)}
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def speakers_for(
    spec: ConsultationSpec,
    programme: Programme,
    organizations: dict[str, Organization],
    on: date,
) -> dict[str, tuple[Organization, str]]:
    """Organisation and delegate's name for every key that contributes or asks, each a consulted member."""
    keys = {row.organization for row in spec.contributions} | {row.organization for row in spec.questions}
    unknown = sorted(keys - organizations.keys())
    if unknown:
        raise CommandError(f"{spec.source}: unknown organisations {unknown}")
    wanted = [organizations[key].pk for key in keys]
    members = set(
        Membership.objects.current(on)
        .filter(programme=programme, is_consultee=True, organization_id__in=wanted)
        .values_list("organization_id", flat=True)
    )
    delegates: dict[int, str] = {}
    for person in Representative.objects.filter(
        organization_id__in=wanted, role=RepresentativeRole.DELEGATE, is_demo=True
    ).order_by("pk"):
        delegates.setdefault(person.organization_id, person.full_name)
    speakers = {}
    for key in sorted(keys):
        organization = organizations[key]
        if organization.pk not in members:
            raise CommandError(f"{spec.source}: {key} is not a consulted member of {programme.cci} on {on}")
        if organization.pk not in delegates:
            raise CommandError(f"{spec.source}: {key} has no demo delegate")
        speakers[key] = (organization, delegates[organization.pk])
    return speakers


# --- Loading -------------------------------------------------------------------------------------


def load_consultations(
    stats: LoadStats, programmes: dict[str, Programme], today: date | None = None
) -> list[Consultation]:
    """Answer templates, third-sector registrations and the demo consultations, each only if missing."""
    today = today or timezone.localdate()
    for table in TABLES:
        stats.tally(table)
    specs = [read_spec(CONSULTATIONS_DIR / name) for name in SPEC_FILES]
    organizations = organizations_by_key()
    consultations = []
    for spec in specs:
        programme = programmes.get(spec.programme)
        if programme is None:
            raise CommandError(f"{spec.source}: the programme {spec.programme} is not loaded")
        load_answer_templates(stats, spec, programme)
        register_third_sector_bodies(stats, spec, programme, organizations, today)
        consultations.append(load_consultation(stats, spec, programme, organizations, today))
    return consultations


def load_answer_templates(stats: LoadStats, spec: ConsultationSpec, programme: Programme) -> None:
    for row in spec.answer_templates:
        upsert(
            DispositionTemplate,
            {"programme_id": programme.pk, "title": row["title"]},
            {"outcome": row["outcome"], "reason": row["reason"]},
            stats=stats,
            table="answer templates",
        )


def register_third_sector_bodies(
    stats: LoadStats,
    spec: ConsultationSpec,
    programme: Programme,
    organizations: dict[str, Organization],
    today: date,
) -> None:
    """Give the programme's third-sector members a (visibly fake) RUNTS number, so they can co-design.

    A number already recorded is never overwritten: it may be a real one entered by staff.
    """
    tally = stats.tally("RUNTS numbers")
    for key, number in sorted(spec.third_sector_bodies.items()):
        organization = organizations.get(key)
        if organization is None or organization.cpr_category != "c":
            raise CommandError(f"{spec.source}: {key} is not a demo civil-society organisation")
        if not (
            Membership.objects.current(today).filter(programme=programme, organization=organization).exists()
        ):
            raise CommandError(f"{spec.source}: {key} is not a member of {programme.cci}")
        if not number.startswith("DEMO-"):
            raise CommandError(f"{spec.source}: demo RUNTS numbers start with DEMO- ({key})")
        if organization.runts_number:
            tally.unchanged += 1
            continue
        Organization.objects.filter(pk=organization.pk).update(runts_number=number)
        organization.runts_number = number
        record(None, "demo.runts_number", organization, {"runts_number": ["", number]})
        tally.created += 1


def load_consultation(
    stats: LoadStats,
    spec: ConsultationSpec,
    programme: Programme,
    organizations: dict[str, Organization],
    today: date,
) -> Consultation:
    """Create the consultation of ``spec`` unless it exists; a refusal by a service names the data file."""
    existing = Consultation.objects.filter(programme=programme, title_it=spec.title_it).first()
    if existing is not None:
        _count_unchanged(stats, existing)
        return existing
    try:
        return _create_consultation(stats, spec, programme, organizations, today)
    except ValidationError as exc:
        raise CommandError(f"{spec.source}: {'; '.join(exc.messages)}") from exc


def _create_consultation(
    stats: LoadStats,
    spec: ConsultationSpec,
    programme: Programme,
    organizations: dict[str, Organization],
    today: date,
) -> Consultation:
    """Document, consultation and the steps of its life up to ``spec.state``, each on its own day."""

    timetable = plan_timetable(spec, programme, today)
    speakers = speakers_for(spec, programme, organizations, timetable.opens_on)
    clock = _Clock()
    document, consulted, announced_on = _create_document(stats, spec, programme, timetable, today, clock)

    consultation = Consultation(
        programme=programme,
        title_it=spec.title_it,
        title_en=spec.title_en,
        summary_it=spec.summary_it,
        summary_en=spec.summary_en,
        kind=spec.kind,
        phase=spec.phase,
        topics=list(spec.topics),
        audience=spec.audience,
        opens_on=timetable.opens_on,
        closes_on=timetable.closes_on,
        is_demo=True,
    )
    consultation.full_clean()
    consultation.save()
    consultation.documents.set([document])
    created = clock.at(announced_on)
    record(None, "demo.create", consultation, {"title_it": [None, spec.title_it], "state": [None, "draft"]})
    stats.tally("consultations").created += 1
    consultation = lifecycle.schedule(None, consultation, today=announced_on)
    last_change = clock.at(announced_on)

    contributions: list[Contribution] = []
    if spec.state == ConsultationState.SCHEDULED and (spec.contributions or spec.questions):
        raise CommandError(f"{spec.source}: a scheduled consultation has no contributions or questions")
    if spec.state in (ConsultationState.OPEN, ConsultationState.OUTCOME_PUBLISHED):
        consultation = lifecycle.open_consultation(None, consultation, today=timetable.opens_on, notify=False)
        last_change = clock.at(timetable.opens_on)
        contributions = _create_contributions(
            stats, spec, consultation, consulted, speakers, timetable, today, clock
        )
        _create_questions(stats, spec, consultation, speakers, timetable, today, clock)
    if spec.state == ConsultationState.OUTCOME_PUBLISHED:
        day_after = timetable.closes_on + timedelta(days=1)
        consultation = lifecycle.close_consultation(None, consultation, today=day_after)
        last_change = moment(day_after, 0)
        newest, revised_on = _create_later_versions(stats, spec, document, timetable, clock)
        outcome_on = timetable.working_day(timetable.closes_on, int(spec.outcome["published_after_closing"]))
        if outcome_on > today:
            raise CommandError(f"{spec.source}: the outcome would be published after today ({outcome_on})")
        _create_dispositions(
            stats, spec, programme, contributions, consulted, newest, revised_on, outcome_on, timetable, clock
        )
        last_change = _publish_outcome(spec, consultation, outcome_on, clock)
    elif any(row.disposition for row in spec.contributions):
        raise CommandError(f"{spec.source}: dispositions are given only after the consultation closes")
    elif len(spec.versions) > 1:
        raise CommandError(f"{spec.source}: a new version comes only after the consultation closes")

    Consultation.objects.filter(pk=consultation.pk).update(created_at=created, updated_at=last_change)
    consultation.refresh_from_db()
    return consultation


def _count_unchanged(stats: LoadStats, consultation: Consultation) -> None:
    stats.tally("consultations").unchanged += 1
    documents = consultation.documents.all()
    stats.tally("documents").unchanged += documents.count()
    stats.tally("versions").unchanged += DocumentVersion.objects.filter(document__in=documents).count()
    stats.tally("contributions").unchanged += consultation.contributions.count()
    stats.tally("dispositions").unchanged += Disposition.objects.filter(
        contribution__consultation=consultation
    ).count()
    stats.tally("questions").unchanged += consultation.questions.count()


def _stamp_version(version: DocumentVersion, created: datetime, published: datetime) -> None:
    DocumentVersion.objects.filter(pk=version.pk).update(
        created_at=created, updated_at=published, published_at=published
    )


def _create_document(
    stats: LoadStats,
    spec: ConsultationSpec,
    programme: Programme,
    timetable: Timetable,
    today: date,
    clock: _Clock,
) -> tuple[Document, DocumentVersion, date]:
    """The document with its first version, published before the opening; returns the publication day."""
    first = spec.versions[0]
    if first.published_before_opening is None or first.published_before_opening < 1:
        raise CommandError(f"{spec.source}: the first version is published before the opening")
    published_on = timetable.working_day(timetable.opens_on, -first.published_before_opening)
    if published_on > today:
        raise CommandError(f"{spec.source}: the document would be published after today ({published_on})")
    drafted_on = timetable.working_day(published_on, -5)
    document = create_document(
        None,
        programme,
        title_it=spec.document_title_it,
        title_en=spec.document_title_en,
        sections=read_sections(first.file),
    )
    version = publish_version(None, document.versions.get(number=1))
    drafted = clock.at(drafted_on)
    _stamp_version(version, drafted, clock.at(published_on))
    Document.objects.filter(pk=document.pk).update(created_at=drafted, updated_at=drafted)
    stats.tally("documents").created += 1
    stats.tally("versions").created += 1
    return document, version, published_on


def _create_later_versions(
    stats: LoadStats, spec: ConsultationSpec, document: Document, timetable: Timetable, clock: _Clock
) -> tuple[DocumentVersion, date]:
    """Versions revised after the consultation: sections keep their identity when their heading stays."""
    newest = document.versions.get(number=1)
    revised_on = timetable.closes_on
    for later in spec.versions[1:]:
        if later.published_after_closing is None or later.published_after_closing < 1:
            raise CommandError(f"{spec.source}: {later.file} is published after the consultation closes")
        started_on = timetable.working_day(timetable.closes_on, 1)
        revised_on = timetable.working_day(timetable.closes_on, later.published_after_closing)
        draft = start_new_version(None, document)
        keys = {section.heading: section.key for section in draft.sections.all()}
        rows = [{**row, "key": keys.get(row["heading"])} for row in read_sections(later.file)]
        replace_draft_sections(None, draft, rows)
        newest = publish_version(None, draft, change_note=later.change_note)
        _stamp_version(newest, clock.at(started_on), clock.at(revised_on))
        stats.tally("versions").created += 1
    return newest, revised_on


def _create_contributions(
    stats: LoadStats,
    spec: ConsultationSpec,
    consultation: Consultation,
    version: DocumentVersion,
    speakers: dict[str, tuple[Organization, str]],
    timetable: Timetable,
    today: date,
    clock: _Clock,
) -> list[Contribution]:
    """Contributions numbered in the order they were sent, on the consulted version's sections."""
    sections = {section.heading: section for section in version.sections.all()}
    created = []
    previous_day = timetable.opens_on
    for number, row in enumerate(spec.contributions, start=1):
        where = f"{spec.source}, contribution {number}"
        organization, author_name = speakers[row.organization]
        if row.section is not None and row.section not in sections:
            raise CommandError(f"{where}: no section {row.section!r} in the consulted version")
        sent_on = timetable.working_day(timetable.opens_on, row.day)
        if sent_on > timetable.closes_on or sent_on >= today or sent_on < previous_day:
            raise CommandError(f"{where}: sent on {sent_on}, outside the open period or out of order")
        previous_day = sent_on
        if not row.body.strip():
            raise CommandError(f"{where}: the contribution has no text")
        contribution = Contribution.objects.create(
            consultation=consultation,
            number=number,
            version=version,
            section=sections.get(row.section) if row.section else None,
            author=None,
            author_name=author_name,
            organization=organization,
            body=row.body.strip(),
            proposed_wording=row.proposed_wording.strip(),
            objects_to_publication=row.objects_to_publication,
            search_document=build_document(row.body, row.proposed_wording, author_name, organization.name),
        )
        sent = clock.at(sent_on, number)
        Contribution.objects.filter(pk=contribution.pk).update(created_at=sent, updated_at=sent)
        record(
            None,
            "demo.create",
            contribution,
            {
                "number": [None, number],
                "organization": [None, organization.name],
                "section": [None, contribution.section.order if contribution.section else None],
            },
        )
        stats.tally("contributions").created += 1
        created.append(contribution)
    return created


def _create_questions(
    stats: LoadStats,
    spec: ConsultationSpec,
    consultation: Consultation,
    speakers: dict[str, tuple[Organization, str]],
    timetable: Timetable,
    today: date,
    clock: _Clock,
) -> None:
    for number, row in enumerate(spec.questions, start=1):
        where = f"{spec.source}, question {number}"
        asked_on = timetable.working_day(timetable.opens_on, row.day)
        answered_on = None
        if row.answer.strip():
            if row.answered_day is None or row.answered_day < row.day:
                raise CommandError(f"{where}: an answer needs an answered_day on or after the question")
            answered_on = timetable.working_day(timetable.opens_on, row.answered_day)
        for day in filter(None, (asked_on, answered_on)):
            if day > timetable.closes_on or day >= today:
                raise CommandError(f"{where}: {day} is outside the open period or not yet past")
        asked = clock.at(asked_on, number)
        question = Question.objects.create(
            consultation=consultation,
            asked_by=None,
            asker_name=speakers[row.organization][1],
            body=row.body.strip(),
            answer=row.answer.strip(),
            answered_by=None,
            answered_at=clock.at(answered_on, number) if answered_on else None,
        )
        Question.objects.filter(pk=question.pk).update(
            created_at=asked, updated_at=question.answered_at or asked
        )
        record(None, "demo.create", question, {"answered": [None, bool(answered_on)]})
        stats.tally("questions").created += 1


def _changed_sections(
    where: str, spec: DispositionSpec, newest: dict[str, Section], consulted: dict[Any, str]
) -> list[Section]:
    """The sections a disposition links to, checked as ``dispositions.dispose`` checks them, and more:
    each evidence phrase must be new in one of them, so the link points at a real change."""
    unknown = [heading for heading in spec.changed_sections if heading not in newest]
    if unknown:
        raise CommandError(f"{where}: no sections {unknown} in the new version")
    sections = [newest[heading] for heading in spec.changed_sections]
    if spec.outcome not in DispositionOutcome.needing_changes():
        if sections:
            raise CommandError(f"{where}: only accepted contributions link to changed sections")
        return []
    if not sections or not spec.evidence:
        raise CommandError(f"{where}: an accepted contribution names its changed sections and evidence")
    unchanged = [s.heading for s in sections if s.change == SectionChange.UNCHANGED]
    if unchanged:
        raise CommandError(f"{where}: sections {unchanged} did not change in the new version")
    for phrase in spec.evidence:
        if not any(phrase in s.body for s in sections):
            raise CommandError(f"{where}: {phrase!r} is not in the changed sections")
        if any(phrase in consulted.get(s.key, "") for s in sections):
            raise CommandError(f"{where}: {phrase!r} was already in the consulted text")
    return sections


def _create_dispositions(
    stats: LoadStats,
    spec: ConsultationSpec,
    programme: Programme,
    contributions: list[Contribution],
    consulted: DocumentVersion,
    newest: DocumentVersion,
    revised_on: date,
    outcome_on: date,
    timetable: Timetable,
    clock: _Clock,
) -> None:
    """One disposition per contribution, given after the new version is out and before the outcome."""
    newest_sections = {section.heading: section for section in newest.sections.all()}
    consulted_bodies = {section.key: section.body for section in consulted.sections.all()}
    templates = {t.title: t for t in DispositionTemplate.objects.filter(programme=programme)}
    for index, (contribution, row) in enumerate(zip(contributions, spec.contributions, strict=True)):
        where = f"{spec.source}, contribution {contribution.number}"
        answer = row.disposition
        if answer is None:
            raise CommandError(
                f"{where}: the outcome is published, so every contribution needs a disposition"
            )
        if answer.outcome not in DispositionOutcome.values or not answer.reason.strip():
            raise CommandError(f"{where}: unknown outcome {answer.outcome!r} or no reason")
        template = None
        if answer.template:
            template = templates.get(answer.template)
            if (
                template is None
                or template.outcome != answer.outcome
                or not answer.reason.startswith(template.reason)
            ):
                raise CommandError(
                    f"{where}: the reason does not start from the template {answer.template!r}"
                )
        changed = _changed_sections(where, answer, newest_sections, consulted_bodies)
        decided_on = timetable.working_day(revised_on, 1 + index % 6)
        if decided_on >= outcome_on:
            raise CommandError(f"{where}: decided on {decided_on}, not before the outcome ({outcome_on})")
        disposition = Disposition.objects.create(
            contribution=contribution,
            outcome=answer.outcome,
            reason=answer.reason.strip(),
            template=template,
            decided_by=None,
        )
        disposition.changed_sections.set(changed)
        decided = clock.at(decided_on, contribution.number)
        Disposition.objects.filter(pk=disposition.pk).update(decided_at=decided)
        Contribution.objects.filter(pk=contribution.pk).update(
            current_disposition=disposition, updated_at=decided
        )
        record(
            None,
            "demo.create",
            disposition,
            {
                "outcome": [None, answer.outcome],
                "changed_sections": [None, [s.order for s in changed]],
            },
        )
        stats.tally("dispositions").created += 1


def _publish_outcome(
    spec: ConsultationSpec, consultation: Consultation, outcome_on: date, clock: _Clock
) -> datetime:
    """The last step of ``outcome.publish_outcome``, written directly: no one is notified of demo data."""
    if consultation.state != ConsultationState.CLOSED:
        raise CommandError(f"{spec.source}: the outcome is published only after closing")
    summary_it = spec.outcome.get("summary_it", "").strip()
    summary_en = spec.outcome.get("summary_en", "").strip()
    if not summary_it:
        raise CommandError(f"{spec.source}: the outcome needs an Italian summary")
    published = clock.at(outcome_on)
    Consultation.objects.filter(pk=consultation.pk).update(
        state=ConsultationState.OUTCOME_PUBLISHED,
        outcome_summary_it=summary_it,
        outcome_summary_en=summary_en,
        outcome_published_at=published,
    )
    record(
        None,
        "consultations.consultation.outcome_published",
        consultation,
        {"state": [ConsultationState.CLOSED, ConsultationState.OUTCOME_PUBLISHED]},
    )
    return published
