"""Staff pages of programmes, mounted at ``/<lang>/manage/programmes/`` with namespace ``programmes``."""

from django.urls import path

import officine.core.converters  # noqa: F401  (registers the <cci:...> converter)

from . import views

app_name = "programmes"
urlpatterns = [
    path("new/", views.programme_create, name="programme_create"),
    path("<cci:cci>/edit/", views.programme_edit, name="programme_edit"),
    path("<cci:cci>/priorities/", views.priorities_edit, name="priorities"),
    path("<cci:cci>/partnership/", views.partnership_manage, name="memberships"),
    path("<cci:cci>/partnership/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("<cci:cci>/partnership/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("<cci:cci>/staff/", views.staff_manage, name="staff"),
    path("<cci:cci>/staff/<int:pk>/remove/", views.staff_remove, name="staff_remove"),
]
