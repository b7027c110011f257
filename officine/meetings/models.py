"""Bodies that co-conduct the partnership (monitoring committees, partnership tables, working groups) and
their meetings, agendas, attendance, conflict-of-interest declarations and votes (CPR Art. 38-40, ECCP
Art. 10-13).

Composition is history, not state: a seat has a period and the formal act that opened it (and the one that
closed it), and a change of member closes one seat and opens another, so the body's members on any past date
can be shown as the law requires (CPR Art. 39(1): member list published with its changes). Votes are
append-only records.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from officine.core.i18n import localized
from officine.core.models import AppendOnlyModel, TimeStampedModel
from officine.programmes.models import Programme
from officine.registry.models import Organization, Representative

# --- Bodies ---------------------------------------------------------------------------------------------


class BodyKind(models.TextChoices):
    MONITORING_COMMITTEE = "monitoring_committee", _("Monitoring committee")
    PARTNERSHIP_TABLE = "partnership_table", _("Partnership table")
    WORKING_GROUP = "working_group", _("Working group")
    LAB_STEERING_GROUP = "lab_steering_group", _("Lab steering group")
    OTHER = "other", _("Other body")


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", _("Simple majority (more in favour than against)")
    QUALIFIED = "qualified", _("Qualified majority (a share of the voting members present)")
    CONSENSUS = "consensus", _("Consensus (no member against)")


def _fraction_field(verbose_name, default: str | None, help_text) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=3,
        default=Decimal(default) if default else None,
        null=default is None,
        blank=default is None,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text=help_text,
    )


class Body(TimeStampedModel):
    """A collegial body with its rules of procedure, both as a document and as the parameters the software
    applies (ECCP Art. 11; defaults from real Italian rules, ``docs/eccp-requirements.md`` §3)."""

    kind = models.CharField(_("type"), max_length=24, choices=BodyKind.choices, db_index=True)
    name_it = models.CharField(_("name (Italian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    programmes = models.ManyToManyField(
        Programme,
        verbose_name=_("programmes"),
        related_name="bodies",
        blank=True,
        help_text=_("One monitoring committee may serve several programmes (CPR Art. 38(1))."),
    )
    constitution_act_number = models.CharField(_("act of constitution (number)"), max_length=100, blank=True)
    constitution_act_date = models.DateField(_("act of constitution (date)"), null=True, blank=True)
    constitution_document = models.FileField(
        _("act of constitution (document)"), upload_to="bodies/acts/%Y/", blank=True
    )
    rules_document = models.FileField(_("rules of procedure"), upload_to="bodies/rules/%Y/", blank=True)
    notice_working_days = models.PositiveSmallIntegerField(
        _("notice (working days)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Notice and documents go out at least this many working days before a meeting."),
    )
    urgent_notice_working_days = models.PositiveSmallIntegerField(
        _("urgent notice (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    written_procedure_working_days = models.PositiveSmallIntegerField(
        _("written procedure window (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    urgent_written_procedure_working_days = models.PositiveSmallIntegerField(
        _("urgent written procedure window (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    silent_consent = models.BooleanField(
        _("silence means consent"),
        default=True,
        help_text=_("In a written procedure, members who do not answer by the deadline are taken to agree."),
    )
    quorum_fraction = _fraction_field(
        _("quorum (share of voting members)"),
        "0.5",
        _("A meeting is valid when at least this share of the voting members is present (0.5 = half)."),
    )
    majority_rule = models.CharField(
        _("majority rule"), max_length=10, choices=MajorityRule.choices, default=MajorityRule.SIMPLE
    )
    qualified_threshold = _fraction_field(
        _("qualified majority threshold"),
        None,
        _("For a qualified majority: the share of the voting members present who must vote in favour."),
    )
    agenda_request_working_days = models.PositiveSmallIntegerField(
        _("window to request agenda items (working days)"),
        default=5,
        help_text=_("Members may ask to add items within this many working days of receiving the agenda."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["name_it"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(majority_rule="qualified") | Q(qualified_threshold__isnull=False),
                name="body_qualified_needs_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_it, self.name_en)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.majority_rule == MajorityRule.QUALIFIED and self.qualified_threshold is None:
            errors["qualified_threshold"] = [_("A qualified majority needs its threshold (e.g. 0.667).")]
        if (
            self.urgent_notice_working_days
            and self.notice_working_days
            and self.urgent_notice_working_days > self.notice_working_days
        ):
            errors["urgent_notice_working_days"] = [
                _("The urgent notice cannot be longer than the ordinary one.")
            ]
        if (
            self.urgent_written_procedure_working_days
            and self.written_procedure_working_days
            and self.urgent_written_procedure_working_days > self.written_procedure_working_days
        ):
            errors["urgent_written_procedure_working_days"] = [
                _("The urgent window cannot be longer than the ordinary one.")
            ]
        if errors:
            raise ValidationError(errors)


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VOTING_MEMBER = "voting", _("Voting member")
    ADVISORY = "advisory", _("Advisory member (no vote)")
    OBSERVER = "observer", _("Observer")
    SECRETARIAT = "secretariat", _("Secretariat")


class Gender(models.TextChoices):
    FEMALE = "F", _("Woman")
    MALE = "M", _("Man")
    OTHER = "X", _("Other or not stated")


#: Roles that carry a vote and count towards the quorum (CPR Art. 39(1)); the others never do.
VOTING_ROLES = (SeatRole.CHAIR, SeatRole.VOTING_MEMBER)


class SeatQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None):
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))

    def voting(self):
        return self.filter(role__in=VOTING_ROLES)


class Seat(TimeStampedModel):
    """One organisation's place in a body for a period, with its member and substitute and the acts that
    opened and closed it. Seats are never rewritten: a change closes the seat and opens its successor."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="seats")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="seats"
    )
    role = models.CharField(_("role"), max_length=12, choices=SeatRole.choices)
    member_name = models.CharField(_("member"), max_length=200)
    member_representative = models.ForeignKey(
        Representative,
        verbose_name=_("member (registry)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_seats",
    )
    member_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_seats",
    )
    member_gender = models.CharField(
        _("member's gender"),
        max_length=1,
        choices=Gender.choices,
        blank=True,
        help_text=_("Used only for the gender-balance indicator of the body (ECCP Art. 10)."),
    )
    substitute_name = models.CharField(_("substitute"), max_length=200, blank=True)
    substitute_gender = models.CharField(
        _("substitute's gender"), max_length=1, choices=Gender.choices, blank=True
    )
    substitute_representative = models.ForeignKey(
        Representative,
        verbose_name=_("substitute (registry)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitute_seats",
    )
    substitute_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("substitute's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitute_seats",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    act_number = models.CharField(_("appointing act (number)"), max_length=100)
    act_date = models.DateField(_("appointing act (date)"))
    end_act_number = models.CharField(_("closing act (number)"), max_length=100, blank=True)
    end_act_date = models.DateField(_("closing act (date)"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["body", "start_date", "organization__name", "pk"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="seat_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["body", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.member_name} ({self.organization})"

    @property
    def has_vote(self) -> bool:
        return self.role in VOTING_ROLES

    def in_force_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date comes before the start date.")})


# --- Meetings -------------------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    BODY_MEETING = "body_meeting", _("Meeting of a body")
    PUBLIC_EVENT = "public_event", _("Public event or web conference")
    TRAINING = "training", _("Training")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class MeetingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(TimeStampedModel):
    """A meeting of a body, or a public event or training (no body). ``uid`` and ``sequence`` identify the
    iCalendar event: the uid never changes, the sequence grows with every change sent to participants."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(
        _("type"), max_length=14, choices=MeetingKind.choices, default=MeetingKind.BODY_MEETING
    )
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    mode = models.CharField(
        _("mode"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("web-conference link"), max_length=500, blank=True)
    online_link_is_public = models.BooleanField(
        _("link shown to everyone"),
        default=False,
        help_text=_("Otherwise only registered participants and members see it."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.DRAFT, db_index=True
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    is_urgent = models.BooleanField(_("urgent convocation"), default=False)
    urgency_reason = models.TextField(_("reason for urgency"), blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("For public events: places available.")
    )
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    documents_published_at = models.DateTimeField(
        _("document pack published"),
        null=True,
        blank=True,
        help_text=_(
            "When the pack went public; documents sent after the notice deadline are flagged as late."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(kind="body_meeting") | Q(body__isnull=False),
                name="meeting_body_meeting_has_body",
            ),
        ]
        indexes = [models.Index(fields=["body", "starts_at"]), models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)

    @property
    def description(self) -> str:
        return localized(self.description_it, self.description_en)

    @property
    def day(self) -> date:
        """The meeting's calendar day in Europe/Rome (the time zone of the project)."""
        return timezone.localdate(self.starts_at)

    @property
    def extra_holidays(self) -> tuple[tuple[int, int], ...]:
        return self.programme.extra_holidays if self.programme_id else ()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [_("The meeting must end after it starts.")]
        if self.kind == MeetingKind.BODY_MEETING and not self.body_id:
            errors["body"] = [_("Choose the body that meets.")]
        if self.mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not self.place.strip():
            errors["place"] = [_("Give the place of a meeting held in person.")]
        if self.mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not self.online_link.strip():
            errors["online_link"] = [_("Give the web-conference link of an online meeting.")]
        if self.capacity is not None and self.kind == MeetingKind.BODY_MEETING:
            errors["capacity"] = [_("Only public events and trainings take registrations.")]
        if errors:
            raise ValidationError(errors)


class AgendaItemKind(models.TextChoices):
    EXAMINATION = "examination", _("Examination (CPR Art. 40(1))")
    APPROVAL = "approval", _("Approval (CPR Art. 40(2))")
    INFORMATION = "information", _("Information")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    POSTPONED = "postponed", _("Postponed")
    NOTED = "noted", _("Noted")


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", _("By consensus")
    VOTE = "vote", _("By vote")


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)
    kind = models.CharField(
        _("type"), max_length=12, choices=AgendaItemKind.choices, default=AgendaItemKind.EXAMINATION
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.CharField(_("decided"), max_length=10, choices=DecisionMethod.choices, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    SUBSTITUTE = "substitute", _("Represented by the substitute")
    ONLINE = "online", _("Present online")
    ABSENT = "absent", _("Absent")


#: Statuses that count as present for the quorum and allow voting.
PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE, AttendanceStatus.ONLINE)


class Attendance(TimeStampedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["meeting", "seat"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="attendance_unique_seat")]

    def __str__(self) -> str:
        return f"{self.seat} – {self.get_status_display()}"


class ConflictDeclaration(TimeStampedModel):
    """A member's declared conflict of interest on one agenda item (ECCP Art. 12-13, CPR Art. 38(3)): the
    seat is left out of that item's quorum and vote, and the minutes show it."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="conflicts"
    )
    seat = models.ForeignKey(Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="conflicts")
    note = models.TextField(_("nature of the conflict"), blank=True)

    class Meta:
        ordering = ["item", "created_at"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["item", "seat"], name="conflict_unique_seat")]

    def __str__(self) -> str:
        return f"{self.seat} – {self.item}"


class VoteChoice(models.TextChoices):
    FOR = "for", _("In favour")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstention")


class Vote(AppendOnlyModel):
    """One seat's vote on one item. Append-only: a cast vote is neither changed nor deleted."""

    change_refused = _("A recorded vote cannot be changed.")
    delete_refused = _("A recorded vote cannot be deleted.")

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="votes"
    )
    seat = models.ForeignKey(Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    cast_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["item", "cast_at", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["item", "seat"], name="vote_unique_seat")]

    def __str__(self) -> str:
        return f"{self.seat} – {self.get_choice_display()}"


# --- Written procedures ---------------------------------------------------------------------------------


class ProcedureState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ProcedureResult(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class WrittenProcedure(TimeStampedModel):
    """A decision taken in writing instead of in a meeting (ECCP Art. 11(b), rules of procedure): members
    answer by a deadline counted in working days from the opening; when the body's rules say so, members who
    stay silent are taken to agree. The result is computed once, at closing, and never rewritten."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="written_procedures"
    )
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateField(
        _("deadline"), help_text=_("Members may answer until the end of this day (Europe/Rome).")
    )
    is_urgent = models.BooleanField(_("urgent procedure"), default=False)
    urgency_reason = models.TextField(_("reason for urgency"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ProcedureState.choices, default=ProcedureState.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=ProcedureResult.choices, blank=True)
    silent_consent_applied = models.BooleanField(
        _("silence counted as consent"),
        default=False,
        help_text=_("Set at closing when the body's rules took members who did not answer to agree."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "pk"]
        verbose_name = _("written procedure")
        verbose_name_plural = _("written procedures")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", result="") | Q(state="closed") & ~Q(result=""),
                name="written_procedure_result_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(is_urgent=False) | ~Q(urgency_reason=""),
                name="written_procedure_urgent_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["body", "opened_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)

    @property
    def is_open(self) -> bool:
        return self.state == ProcedureState.OPEN


class ResponseChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    OBJECT = "object", _("Object")
    OBSERVATIONS = "observations", _("Observations without objecting")


class WrittenResponse(AppendOnlyModel):
    """One seat's answer in a written procedure. Append-only: an answer is neither changed nor deleted."""

    change_refused = _("A recorded answer cannot be changed.")
    delete_refused = _("A recorded answer cannot be deleted.")

    procedure = models.ForeignKey(
        WrittenProcedure,
        verbose_name=_("written procedure"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="written_responses"
    )
    choice = models.CharField(_("answer"), max_length=12, choices=ResponseChoice.choices)
    text = models.TextField(_("reasons or observations"), blank=True)
    at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["procedure", "at", "pk"]
        verbose_name = _("written answer")
        verbose_name_plural = _("written answers")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "seat"], name="written_response_unique_seat"),
            models.CheckConstraint(
                condition=~Q(choice="object") | ~Q(text=""), name="written_response_objection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat} – {self.get_choice_display()}"


# --- Recommendations ------------------------------------------------------------------------------------


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a reply")
    # A context of their own: in Italian "raccomandazione" is feminine (accolta), "contributo" masculine.
    ACCEPTED = "accepted", pgettext_lazy("recommendation", "Accepted")
    PARTLY_ACCEPTED = "partly_accepted", pgettext_lazy("recommendation", "Partly accepted")
    REJECTED = "rejected", pgettext_lazy("recommendation", "Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


class Recommendation(TimeStampedModel):
    """A recommendation of a body to the managing authority and the authority's account of what it did
    about it (CPR Art. 40(3): the managing authority informs the committee of the actions taken)."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="recommendations"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    text_it = models.TextField(_("text (Italian)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    date = models.DateField(_("made on"))
    reply = models.TextField(_("managing authority's reply"), blank=True)
    reply_date = models.DateField(_("reply date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(reply="") & Q(reply_date__isnull=False),
                name="recommendation_reply_when_answered",
            ),
        ]

    def __str__(self) -> str:
        text = self.text
        return text if len(text) <= 80 else f"{text[:79]}…"

    @property
    def text(self) -> str:
        return localized(self.text_it, self.text_en)


# --- Documents ------------------------------------------------------------------------------------------


class MeetingDocument(TimeStampedModel):
    """A document of a meeting's pack (optionally tied to one agenda item) or of a written procedure.

    Public by default (CPR Art. 38(4)): withholding one needs a confidentiality reason, shown in its place.
    ``published_at`` is when the document went out; for a meeting, a document published later than the
    notice deadline is reported as late (ECCP Art. 11(b))."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    procedure = models.ForeignKey(
        WrittenProcedure,
        verbose_name=_("written procedure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title_it = models.CharField(_("title (Italian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="meetings/documents/%Y/%m/")
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_confidential = models.BooleanField(_("withheld from the public"), default=False)
    confidentiality_reason = models.TextField(_("reason for withholding"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item__order", "pk"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, procedure__isnull=True)
                | Q(meeting__isnull=True, procedure__isnull=False, item__isnull=True),
                name="meeting_document_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(is_confidential=False) | ~Q(confidentiality_reason=""),
                name="meeting_document_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_it, self.title_en)


# --- Registrations --------------------------------------------------------------------------------------


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(TimeStampedModel):
    """A place at a public event or training. Beyond the capacity people join a waiting list, and a
    cancellation moves the first person waiting up (in the order they registered)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    name = models.CharField(_("name and surname"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organization_name = models.CharField(_("organisation"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices, db_index=True)
    token = models.UUIDField(_("cancellation key"), default=uuid.uuid4, unique=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=~Q(status="cancelled"),
                name="registration_unique_active_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.meeting}"


class InvitationDispatch(TimeStampedModel):
    """One sending of a meeting's invitation (REQUEST) or cancellation (CANCEL) with its iCalendar
    revision, so a change is never sent twice and the record shows who was told what and when."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="dispatches"
    )
    sequence = models.PositiveIntegerField(_("calendar revision"))
    method = models.CharField(_("kind"), max_length=8)  # REQUEST or CANCEL (RFC 5546)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        ordering = ["meeting", "-created_at"]
        verbose_name = _("invitation sent")
        verbose_name_plural = _("invitations sent")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "sequence", "method"], name="dispatch_unique_revision")
        ]


# --- Minutes --------------------------------------------------------------------------------------------


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CIRCULATED = "circulated", _("Circulated for comments")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Minutes(TimeStampedModel):
    """The minutes of a held meeting: drafted per agenda item, circulated to members for comments within a
    window, revised in new versions, approved (at a later meeting or by written procedure), then published
    as HTML and PDF/A. ``current`` is the latest version; approved and published ones never change."""

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="minutes"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MinutesState.choices, default=MinutesState.DRAFT, db_index=True
    )
    comments_deadline = models.DateField(_("comments until"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("approved at the meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_minutes",
    )
    approved_by_procedure = models.ForeignKey(
        WrittenProcedure,
        verbose_name=_("approved by written procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_minutes",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    pdf = models.FileField(_("PDF/A"), upload_to="meetings/minutes/%Y/", blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def is_public(self) -> bool:
        return self.state == MinutesState.PUBLISHED


class MinutesVersion(TimeStampedModel):
    """One version of the minutes. A version is edited while it is the draft; circulating freezes it, and
    members' comments attach to it; the secretariat answers them in the next version."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    opening = models.TextField(_("opening (present, chair, validity)"), blank=True)
    closing = models.TextField(_("closing"), blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    circulated_at = models.DateTimeField(_("circulated"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["minutes", "number"]
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.minutes} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.circulated_at is not None


class MinutesSection(models.Model):
    """What the minutes say about one agenda item in one version."""

    version = models.ForeignKey(
        MinutesVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections"
    )
    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="minutes_sections"
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["version", "item__order"]
        verbose_name = _("minutes section")
        verbose_name_plural = _("minutes sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="minutes_section_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.version} – {self.item}"


class MinutesComment(AppendOnlyModel):
    """A member's comment on a circulated version, on one item or on the whole text."""

    change_refused = _("A comment cannot be changed once sent.")
    delete_refused = _("A comment cannot be deleted.")

    version = models.ForeignKey(
        MinutesVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="comments"
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="minutes_comments",
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["version", "at", "pk"]
        verbose_name = _("comment on the minutes")
        verbose_name_plural = _("comments on the minutes")


# --- Members' requests to add agenda items --------------------------------------------------------------


class AgendaRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    # A context of their own: in Italian "richiesta" is feminine (accolta, respinta).
    ACCEPTED = "accepted", pgettext_lazy("agenda request", "Accepted")
    DECLINED = "declined", pgettext_lazy("agenda request", "Declined")


class AgendaRequest(TimeStampedModel):
    """A member's request to add an item to the agenda of a convened meeting, within the body's window
    after the notice (``Body.agenda_request_working_days``, rules of procedure), and the secretariat's
    answer: accepted (the item is added and linked) or declined with the reasons, shown publicly."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_requests"
    )
    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="agenda_requests"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title_it = models.CharField(_("proposed item (Italian)"), max_length=300)
    reason = models.TextField(_("reasons for the request"))
    kind = models.CharField(
        _("type"), max_length=12, choices=AgendaItemKind.choices, default=AgendaItemKind.EXAMINATION
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AgendaRequestStatus.choices,
        default=AgendaRequestStatus.PENDING,
        db_index=True,
    )
    answer = models.TextField(_("answer of the secretariat"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("resulting agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = _("request to add an agenda item")
        verbose_name_plural = _("requests to add agenda items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(answer=""), name="agenda_request_declined_has_answer"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False),
                name="agenda_request_answered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title_it if len(self.title_it) <= 80 else f"{self.title_it[:79]}…"
