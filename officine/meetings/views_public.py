"""PLACEHOLDER: views of ``views_public`` still to be written (each raises 404 until then)."""

from django.http import Http404


def body_list(request, **kwargs):  #
    raise Http404


def body_detail(request, **kwargs):  # <int:pk>/
    raise Http404


def calendar(request, **kwargs):  #
    raise Http404


def meeting_detail(request, **kwargs):  # <int:pk>/
    raise Http404


def document_download(request, **kwargs):  # documents/<int:pk>/
    raise Http404
