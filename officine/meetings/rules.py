"""Who may do what with bodies and meetings (django-rules).

- bodies are public records (CPR Art. 38(4), 39(1): rules of procedure and members published): everyone
  sees them; platform admins and the staff of any programme the body serves manage it;
- meetings are public once convened (and stay so when held, or when cancelled after the notice went out); a
  draft is seen only by those who manage it: the staff of the meeting's programme or of any programme its
  body serves, and platform admins;
- new bodies and meetings are created in a programme, by its staff or a platform admin;
- a body's *members* are the accounts linked to a seat in force (member or substitute). Members of a voting
  seat answer an open written procedure until the end of its deadline day (observers, advisory members and
  the secretariat's seat do not answer); every member and substitute sees minutes circulated in draft and
  may comment on them until the comments deadline; members and registered participants see the private
  web-conference link of a public meeting, managers that of any meeting;
- written procedures and their results, recommendations and the managing authority's replies are public
  records like the body itself; published minutes are public.
"""

import rules
from django.db.models import Q
from django.utils import timezone

from officine.accounts.rules import is_active_user, is_platform_admin
from officine.programmes.rules import is_staff_of_programme

from .models import VOTING_ROLES, MeetingKind, MeetingState, MinutesState, RegistrationStatus, Seat


def _body_programme_ids(body) -> set[int]:
    # ``.all()`` so a prefetch of ``programmes`` on list pages is used instead of one query per body.
    return {programme.pk for programme in body.programmes.all()}


@rules.predicate
def is_staff_of_body_programme(user, body) -> bool:
    if body is None or not is_active_user(user):
        return False
    return bool(_body_programme_ids(body) & user.staffed_programme_ids)


@rules.predicate
def is_staff_of_meeting_programme(user, meeting) -> bool:
    if meeting is None or not is_active_user(user):
        return False
    staffed = user.staffed_programme_ids
    if meeting.programme_id is not None and meeting.programme_id in staffed:
        return True
    return meeting.body_id is not None and bool(_body_programme_ids(meeting.body) & staffed)


@rules.predicate
def is_public_meeting(user, meeting) -> bool:
    if meeting is None:
        return False
    if meeting.state in (MeetingState.CONVENED, MeetingState.HELD):
        return True
    return meeting.state == MeetingState.CANCELLED and meeting.notice_sent_at is not None


def seats_of_user(user, body, *, voting_only: bool = False):
    """The seats in force today that ``user`` holds in ``body``, as member or substitute."""
    if body is None or not is_active_user(user):
        return Seat.objects.none()
    seats = Seat.objects.in_force().filter(Q(member_user=user) | Q(substitute_user=user), body=body)
    return seats.filter(role__in=VOTING_ROLES) if voting_only else seats


def _member_body_ids(user) -> frozenset[int]:
    """Bodies where ``user`` holds a seat in force, cached on the user for the request."""
    cached = getattr(user, "_member_body_ids", None)
    if cached is None:
        cached = frozenset(
            Seat.objects.in_force()
            .filter(Q(member_user=user) | Q(substitute_user=user))
            .values_list("body_id", flat=True)
        )
        user._member_body_ids = cached
    return cached


@rules.predicate
def is_member_of_body(user, body) -> bool:
    if body is None or not is_active_user(user):
        return False
    return body.pk in _member_body_ids(user)


@rules.predicate
def is_member_of_meeting_body(user, meeting) -> bool:
    if meeting is None or meeting.body_id is None or not is_active_user(user):
        return False
    return meeting.body_id in _member_body_ids(user)


@rules.predicate
def is_registered_participant(user, meeting) -> bool:
    if meeting is None or not is_active_user(user):
        return False
    return meeting.registrations.filter(user=user, status=RegistrationStatus.CONFIRMED).exists()


@rules.predicate
def is_open_for_registration(user, meeting) -> bool:
    return (
        meeting is not None
        and meeting.kind != MeetingKind.BODY_MEETING
        and meeting.state == MeetingState.CONVENED
        and meeting.starts_at > timezone.now()
    )


@rules.predicate
def is_member_of_procedure_body(user, procedure) -> bool:
    if procedure is None or not is_active_user(user):
        return False
    return seats_of_user(user, procedure.body, voting_only=True).exists()


@rules.predicate
def is_open_procedure(user, procedure) -> bool:
    return procedure is not None and procedure.is_open


@rules.predicate
def is_within_answer_window(user, procedure) -> bool:
    """Answers are taken until the end of the deadline day (Europe/Rome); after it the procedure only waits
    to be closed, so the answer form is no longer offered."""
    return procedure is not None and timezone.localdate() <= procedure.deadline


@rules.predicate
def is_staff_of_procedure_body(user, procedure) -> bool:
    return procedure is not None and is_staff_of_body_programme(user, procedure.body)


@rules.predicate
def is_member_of_minutes_body(user, minutes) -> bool:
    return minutes is not None and is_member_of_meeting_body(user, minutes.meeting)


@rules.predicate
def is_staff_of_minutes_meeting(user, minutes) -> bool:
    return minutes is not None and is_staff_of_meeting_programme(user, minutes.meeting)


@rules.predicate
def is_published_minutes(user, minutes) -> bool:
    return minutes is not None and minutes.state == MinutesState.PUBLISHED


@rules.predicate
def is_circulated_minutes(user, minutes) -> bool:
    return minutes is not None and minutes.state == MinutesState.CIRCULATED


@rules.predicate
def is_within_comments_window(user, minutes) -> bool:
    if minutes is None or minutes.comments_deadline is None:
        return False
    return timezone.localdate() <= minutes.comments_deadline


can_manage_body = is_platform_admin | is_staff_of_body_programme
can_manage_meeting = is_platform_admin | is_staff_of_meeting_programme

rules.add_perm("meetings.view_body", rules.always_allow)
rules.add_perm("meetings.manage_body", can_manage_body)
rules.add_perm("meetings.add_body", is_platform_admin | is_staff_of_programme)  # checked on a programme
rules.add_perm("meetings.add_meeting", is_platform_admin | is_staff_of_programme)  # checked on a programme
rules.add_perm("meetings.view_meeting", is_public_meeting | can_manage_meeting)
rules.add_perm("meetings.manage_meeting", can_manage_meeting)

# Members and participants
# The link of a draft goes to nobody but its managers: it may still change, and the draft is not public.
rules.add_perm(
    "meetings.see_private_link",
    can_manage_meeting | (is_public_meeting & (is_member_of_meeting_body | is_registered_participant)),
)
rules.add_perm("meetings.register", is_open_for_registration)
# Written procedures (public records) and the members' answers
rules.add_perm("meetings.view_procedure", rules.always_allow)
rules.add_perm("meetings.manage_procedure", is_platform_admin | is_staff_of_procedure_body)
rules.add_perm(
    "meetings.respond_procedure", is_open_procedure & is_within_answer_window & is_member_of_procedure_body
)
# Recommendations: recorded and answered by whoever manages the body
rules.add_perm("meetings.manage_recommendations", can_manage_body)
# Minutes
can_manage_minutes = is_platform_admin | is_staff_of_minutes_meeting
rules.add_perm("meetings.manage_minutes", can_manage_minutes)
rules.add_perm(
    "meetings.view_minutes",
    is_published_minutes | can_manage_minutes | (is_circulated_minutes & is_member_of_minutes_body),
)
rules.add_perm(
    "meetings.comment_minutes", is_circulated_minutes & is_within_comments_window & is_member_of_minutes_body
)


# Members' requests to add agenda items (the window and the start of the meeting are the service's checks;
# the page says when the window closes)
@rules.predicate
def is_convened_body_meeting(user, meeting) -> bool:
    return (
        meeting is not None
        and meeting.kind == MeetingKind.BODY_MEETING
        and meeting.body_id is not None
        and meeting.state == MeetingState.CONVENED
    )


@rules.predicate
def is_voting_member_of_meeting_body(user, meeting) -> bool:
    """A member or substitute of a voting seat (chair included) in force today in the meeting's body."""
    if meeting is None or meeting.body_id is None or not is_active_user(user):
        return False
    if meeting.body_id not in _member_body_ids(user):  # cached: no query for non-members
        return False
    return seats_of_user(user, meeting.body, voting_only=True).exists()


rules.add_perm("meetings.request_agenda_item", is_convened_body_meeting & is_voting_member_of_meeting_body)
