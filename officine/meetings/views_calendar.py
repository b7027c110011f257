"""PLACEHOLDER: views of ``views_calendar`` still to be written (each raises 404 until then)."""

from django.http import Http404


def body_ics(request, **kwargs):  # <int:pk>/calendar.ics
    raise Http404


def calendar_ics(request, **kwargs):  # calendar.ics
    raise Http404


def meeting_ics(request, **kwargs):  # <int:pk>/invite.ics
    raise Http404


def agenda_pdf(request, **kwargs):  # <int:pk>/agenda.pdf
    raise Http404


def register(request, **kwargs):  # <int:pk>/register/
    raise Http404


def registration_cancel(request, **kwargs):  # registrations/<uuid:token>/cancel/
    raise Http404


def registrations(request, **kwargs):  # meetings/<int:pk>/registrations/
    raise Http404


def registrations_csv(request, **kwargs):  # meetings/<int:pk>/registrations.csv
    raise Http404
