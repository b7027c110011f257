"""WSGI entry point for gunicorn: ``gunicorn officine.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "officine.settings.base")
application = get_wsgi_application()
