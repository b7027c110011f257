"""PLACEHOLDER: views of ``views_minutes`` still to be written (each raises 404 until then)."""

from django.http import Http404


def minutes_detail(request, **kwargs):  # <int:meeting_pk>/minutes/
    raise Http404


def minutes_pdf(request, **kwargs):  # <int:meeting_pk>/minutes.pdf
    raise Http404


def minutes_comment(request, **kwargs):  # <int:meeting_pk>/minutes/comment/
    raise Http404
