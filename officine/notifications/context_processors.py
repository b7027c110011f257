"""The unread-notices badge in the header of every page (issue 3, point 8).

The count is computed lazily, at most once per response and only for signed-in users, so a page that does
not render the header (or an anonymous visitor) costs no query at all.
"""

from django.utils.functional import cached_property

from .selectors import unread_count

BADGE_LIMIT = 99


class UnreadNotifications:
    """What the header needs: the number of unread notices, and the label of the badge ("99+")."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)

    @property
    def label(self) -> str:
        return f"{BADGE_LIMIT}+" if self.count > BADGE_LIMIT else str(self.count)


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": UnreadNotifications(user)}
