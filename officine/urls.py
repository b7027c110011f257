"""Root URLs: language-prefixed site under /it/ and /en/, plus language-neutral operational endpoints."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from officine.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("officine.portal.urls")),
    path("account/", include("officine.accounts.urls")),
    path("account/", include("allauth.urls")),
    path("manage/partners/", include("officine.registry.urls")),
    path("manage/programmes/", include("officine.programmes.urls")),
    path("manage/programmes/", include("officine.monitoring.urls_partners")),
    path("consultations/", include("officine.consultations.urls")),
    path("consultations/", include("officine.consultations.urls_contributions")),
    path("consultations/", include("officine.consultations.urls_outcome")),
    path("documents/", include("officine.consultations.urls_documents")),
    path("manage/consultations/", include("officine.consultations.urls_manage")),
    path("manage/consultations/", include("officine.consultations.urls_manage_dispositions")),
    path("manage/consultations/", include("officine.consultations.urls_manage_questions")),
    path("manage/consultations/", include("officine.consultations.urls_triage")),
    path("bodies/", include("officine.meetings.urls_bodies")),
    path("meetings/", include("officine.meetings.urls")),
    path("meetings/", include("officine.meetings.urls_minutes")),
    path("procedures/", include("officine.meetings.urls_procedures")),
    path("manage/meetings/", include("officine.meetings.urls_manage")),
    path("manage/meetings/", include("officine.meetings.urls_manage_minutes")),
    path("manage/meetings/", include("officine.meetings.urls_manage_procedures")),
    path("manage/monitoring/", include("officine.monitoring.urls_manage")),
    path("implementation/", include("officine.monitoring.urls")),
    path("notifications/", include("officine.notifications.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
