"""PLACEHOLDER: views of ``views_manage`` still to be written (each raises 404 until then)."""

from django.http import Http404


def index(request, **kwargs):  #
    raise Http404


def body_create(request, **kwargs):  # bodies/new/
    raise Http404


def body(request, **kwargs):  # bodies/<int:pk>/
    raise Http404


def body_edit(request, **kwargs):  # bodies/<int:pk>/edit/
    raise Http404


def seat_add(request, **kwargs):  # bodies/<int:pk>/seats/new/
    raise Http404


def seat_end(request, **kwargs):  # seats/<int:pk>/end/
    raise Http404


def seat_replace(request, **kwargs):  # seats/<int:pk>/replace/
    raise Http404


def meeting_create(request, **kwargs):  # meetings/new/
    raise Http404


def meeting(request, **kwargs):  # meetings/<int:pk>/
    raise Http404


def meeting_edit(request, **kwargs):  # meetings/<int:pk>/edit/
    raise Http404


def item_add(request, **kwargs):  # meetings/<int:pk>/agenda/new/
    raise Http404


def item_edit(request, **kwargs):  # items/<int:pk>/edit/
    raise Http404


def document_add(request, **kwargs):  # meetings/<int:pk>/documents/new/
    raise Http404


def document_withhold(request, **kwargs):  # documents/<int:pk>/withhold/
    raise Http404


def send_notice(request, **kwargs):  # meetings/<int:pk>/notice/
    raise Http404


def cancel(request, **kwargs):  # meetings/<int:pk>/cancel/
    raise Http404


def mark_held(request, **kwargs):  # meetings/<int:pk>/held/
    raise Http404


def attendance(request, **kwargs):  # meetings/<int:pk>/attendance/
    raise Http404


def quorum(request, **kwargs):  # meetings/<int:pk>/quorum/
    raise Http404


def item_decide(request, **kwargs):  # items/<int:pk>/decision/
    raise Http404


def conflict_add(request, **kwargs):  # items/<int:pk>/conflicts/new/
    raise Http404
