"""Template context every page needs: who runs the site and whether the data is a demo."""

from django.conf import settings


def site(request):
    return {"site": settings.OFFICINE_SITE}
