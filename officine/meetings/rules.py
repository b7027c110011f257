"""Who may do what with bodies and meetings (django-rules).

- bodies are public records (CPR Art. 38(4), 39(1): rules of procedure and members published): everyone
  sees them; platform admins and the staff of any programme the body serves manage it;
- meetings are public once convened (and stay so when held, or when cancelled after the notice went out); a
  draft is seen only by those who manage it: the staff of the meeting's programme or of any programme its
  body serves, and platform admins;
- new bodies and meetings are created in a programme, by its staff or a platform admin.
"""

import rules

from officine.accounts.rules import is_active_user, is_platform_admin
from officine.programmes.rules import is_staff_of_programme

from .models import MeetingState


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


can_manage_body = is_platform_admin | is_staff_of_body_programme
can_manage_meeting = is_platform_admin | is_staff_of_meeting_programme

rules.add_perm("meetings.view_body", rules.always_allow)
rules.add_perm("meetings.manage_body", can_manage_body)
rules.add_perm("meetings.add_body", is_platform_admin | is_staff_of_programme)  # checked on a programme
rules.add_perm("meetings.add_meeting", is_platform_admin | is_staff_of_programme)  # checked on a programme
rules.add_perm("meetings.view_meeting", is_public_meeting | can_manage_meeting)
rules.add_perm("meetings.manage_meeting", can_manage_meeting)
