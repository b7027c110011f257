"""Production settings: HTTPS everywhere, hashed static files, no debug.

Use with ``DJANGO_SETTINGS_MODULE=officine.settings.production`` behind a TLS-terminating proxy.
"""

from .base import *  # noqa: F403
from .base import OFFICINE_SITE, env

DEBUG = False
# No fallback: a deployment must set its own key (the development default is public).
SECRET_KEY = env.str("SECRET_KEY")
# A production site is not a demonstration unless it says so.
OFFICINE_SITE = {**OFFICINE_SITE, "demo": env.bool("OFFICINE_DEMO", default=False)}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
