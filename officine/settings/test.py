"""Test settings: fast hashing, in-memory e-mail and cache, predictable secrets."""

import os

from .base import *  # noqa: F403

# Playwright runs its event loop in the test thread; Django's guard against sync DB access there
# has to be lifted for browser tests (docs/stack.md §5).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
OFFICINE_SITE = {**OFFICINE_SITE, "accessibility_feedback_email": "accessibilita@example.invalid"}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background tasks run inline in tests, so a triage run is complete when the view returns.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
