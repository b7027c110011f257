"""PLACEHOLDER: views of ``views_manage_procedures`` still to be written (each raises 404 until then)."""

from django.http import Http404


def procedure_open(request, **kwargs):  # bodies/<int:body_pk>/procedures/new/
    raise Http404


def procedure(request, **kwargs):  # procedures/<int:pk>/
    raise Http404


def procedure_document_add(request, **kwargs):  # procedures/<int:pk>/documents/new/
    raise Http404


def procedure_close(request, **kwargs):  # procedures/<int:pk>/close/
    raise Http404


def recommendation_add(request, **kwargs):  # bodies/<int:body_pk>/recommendations/new/
    raise Http404


def recommendation_reply(request, **kwargs):  # recommendations/<int:pk>/reply/
    raise Http404
