"""PLACEHOLDER: views of ``views_procedures`` still to be written (each raises 404 until then)."""

from django.http import Http404


def procedure_detail(request, **kwargs):  # <int:pk>/
    raise Http404


def procedure_answer(request, **kwargs):  # <int:pk>/answer/
    raise Http404
