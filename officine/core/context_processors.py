"""Template context every page needs: who runs the site, whether it is a demo, the main navigation.

Views say which section they belong to by passing ``nav`` ("home", "programmes", "consultations",
"bodies", "calendar", "partners", "staff") in their context; the base layout marks that entry as current.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def site(request):
    items = [
        ("home", _("Home"), reverse("portal:home")),
        ("programmes", _("Programmes"), reverse("portal:programme_list")),
        ("consultations", _("Consultations"), reverse("consultations:list")),
        ("bodies", _("Bodies"), reverse("bodies:list")),
        ("calendar", _("Calendar"), reverse("meetings:calendar")),
        ("partners", _("Partners"), reverse("portal:directory")),
    ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("accounts.view_staff_area"):
        items.append(("staff", _("Staff area"), reverse("portal:staff_home")))
    return {"officine_site": settings.OFFICINE_SITE, "main_nav": items}
