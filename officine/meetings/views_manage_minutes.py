"""PLACEHOLDER: views of ``views_manage_minutes`` still to be written (each raises 404 until then)."""

from django.http import Http404


def edit(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/
    raise Http404


def circulate(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/circulate/
    raise Http404


def revise(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/revise/
    raise Http404


def approve(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/approve/
    raise Http404


def publish(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/publish/
    raise Http404


def history(request, **kwargs):  # meetings/<int:meeting_pk>/minutes/history/
    raise Http404
