"""Public pages: home, programmes, partner directory, organisation pages, legal and accessibility pages."""

from django.urls import path

import officine.core.converters  # noqa: F401  (registers the <cci:...> converter)

from . import views, views_partners, views_programmes

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("privacy/", views.privacy, name="privacy"),
    path("legal-notes/", views.legal, name="legal"),
    path("accessibility/feedback/", views.accessibility_feedback, name="accessibility_feedback"),
    path(
        "accessibility/feedback/thanks/",
        views.accessibility_feedback_thanks,
        name="accessibility_feedback_thanks",
    ),
    path("programmes/", views_programmes.programme_list, name="programme_list"),
    path("programmes/<cci:cci>/", views_programmes.programme_detail, name="programme_detail"),
    path(
        "programmes/<cci:cci>/selection-acts/<int:pk>/",
        views_programmes.selection_document,
        name="selection_document",
    ),
    path("partners/", views_partners.directory, name="directory"),
    path("partners/<int:pk>/", views_partners.organization_detail, name="organization_detail"),
]
