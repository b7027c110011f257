"""The secretariat's minutes workflow (namespace ``manage_minutes``): start and edit the draft, circulate it
for comments, revise it, record its approval, publish it, and read the history of versions.

Pages are for those who manage the minutes (the staff of the meeting's programme, or of a programme its body
serves, and platform admins); before the minutes exist, for those who manage the meeting. The rules are the
services' (``minutes.py``): their errors come back on the form or as messages.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from officine.core.viewtools import add_service_errors, message_service_errors, permission_required

from . import minutes as services
from . import selectors_minutes as selectors
from .forms_minutes import ApproveForm, CirculateForm, DraftForm, ReviseForm
from .models import Meeting, MeetingKind, MeetingState, Minutes, MinutesState


def _meeting(request: HttpRequest, meeting_pk: int, **_kwargs) -> Meeting:
    cached = getattr(request, "_officine_minutes_meeting", None)
    if cached is None or cached.pk != meeting_pk:
        try:
            cached = selectors.meeting_for_minutes(meeting_pk)
        except Meeting.DoesNotExist as missing:
            raise Http404 from missing
        request._officine_minutes_meeting = cached
    return cached


def _minutes(request: HttpRequest, meeting_pk: int, **_kwargs) -> Minutes:
    """The minutes of the meeting; 404 until they are started (the edit page starts them)."""
    cached = getattr(request, "_officine_minutes", None)
    if cached is None or cached.meeting_id != meeting_pk:
        cached = selectors.minutes_of(_meeting(request, meeting_pk))
        if cached is None:
            raise Http404(_("The minutes of this meeting have not been started yet."))
        request._officine_minutes = cached
    return cached


def _minutes_or_meeting(request: HttpRequest, meeting_pk: int, **_kwargs):
    meeting = _meeting(request, meeting_pk)
    return selectors.minutes_of(meeting) or meeting


def _crumbs(meeting: Meeting, *tail) -> list[tuple]:
    crumbs = [
        (_("Staff area"), reverse("portal:staff_home")),
        (_("Meetings"), reverse("manage_meetings:index")),
        (meeting.title, reverse("manage_meetings:meeting", args=[meeting.pk])),
    ]
    if tail:
        crumbs.append((_("Minutes"), reverse("manage_minutes:edit", args=[meeting.pk])))
        return [*crumbs, *tail]
    return [*crumbs, (_("Minutes"), None)]


def _context(request: HttpRequest, minutes: Minutes, **extra) -> dict:
    meeting = minutes.meeting
    return {
        "meeting": meeting,
        "minutes": minutes,
        "version": extra.pop("version", None) or selectors.current_version(minutes),
        "nav": "staff",
        **extra,
    }


def _to_edit(meeting: Meeting) -> HttpResponse:
    return redirect("manage_minutes:edit", meeting_pk=meeting.pk)


def _check_start_perm(user, obj) -> bool:
    if isinstance(obj, Minutes):
        return user.has_perm("meetings.manage_minutes", obj)
    return user.has_perm("meetings.manage_meeting", obj)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Start the minutes (a held body meeting without minutes), edit the current draft, or show the
    circulated, approved or published text with the next steps."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    target = _minutes_or_meeting(request, meeting_pk)
    if not _check_start_perm(request.user, target):
        raise PermissionDenied
    if isinstance(target, Meeting):
        return _start(request, target)
    minutes = target
    document = selectors.build_document(minutes, with_comments=True)
    editable = minutes.state == MinutesState.DRAFT and not document.version.is_frozen
    form = None
    if editable:
        form = DraftForm(request.POST or None, document=document)
        if request.method == "POST" and form.is_valid():
            try:
                services.save_draft(request.user, minutes, form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft has been saved."))
                return _to_edit(minutes.meeting)
    elif request.method == "POST":
        message_service_errors(
            request, ValidationError(_("This version has been circulated and cannot change."))
        )
        return _to_edit(minutes.meeting)
    return render(
        request,
        "meetings/manage/minutes_edit.html",
        _context(
            request,
            minutes,
            version=document.version,
            document=document,
            form=form,
            editable=editable,
            breadcrumbs=_crumbs(minutes.meeting),
        ),
    )


def _start(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    can_start = meeting.kind == MeetingKind.BODY_MEETING and meeting.state == MeetingState.HELD
    if request.method == "POST":
        try:
            services.start_minutes(request.user, meeting)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(
                request,
                _("The minutes have been started from the record of the meeting: complete the draft."),
            )
        return _to_edit(meeting)
    return render(
        request,
        "meetings/manage/minutes_start.html",
        {"meeting": meeting, "can_start": can_start, "nav": "staff", "breadcrumbs": _crumbs(meeting)},
    )


def _step(request: HttpRequest, minutes: Minutes, template: str, form, run, done: str, title: str, **extra):
    """A confirmation page with a form: on a valid POST run the service, then back to the minutes."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _to_edit(minutes.meeting)
    return render(
        request,
        template,
        _context(request, minutes, form=form, breadcrumbs=_crumbs(minutes.meeting, (title, None)), **extra),
    )


@require_http_methods(["GET", "POST"])
@permission_required("meetings.manage_minutes", _minutes)
def circulate(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    minutes = _minutes(request, meeting_pk)
    form = CirculateForm(request.POST or None)
    return _step(
        request,
        minutes,
        "meetings/manage/minutes_circulate.html",
        form,
        lambda f: services.circulate(request.user, minutes, working_days=f.cleaned_data["working_days"]),
        _("The minutes have been circulated and the members notified."),
        _("Circulate"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("meetings.manage_minutes", _minutes)
def revise(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    minutes = _minutes(request, meeting_pk)
    form = ReviseForm(request.POST or None)
    return _step(
        request,
        minutes,
        "meetings/manage/minutes_revise.html",
        form,
        lambda f: services.revise(request.user, minutes, f.cleaned_data["change_note"]),
        _("A new version has been opened: edit it, then circulate it again."),
        _("Revise"),
        document=selectors.build_document(minutes, with_comments=True),
    )


@require_http_methods(["GET", "POST"])
@permission_required("meetings.manage_minutes", _minutes)
def approve(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    minutes = _minutes(request, meeting_pk)
    version = selectors.current_version(minutes)
    meetings = list(services.approval_meetings(minutes, version).order_by("starts_at"))
    procedures = list(services.approval_procedures(minutes, version).order_by("closed_at"))
    form = ApproveForm(request.POST or None, meetings=meetings, procedures=procedures)
    return _step(
        request,
        minutes,
        "meetings/manage/minutes_approve.html",
        form,
        lambda f: services.approve(request.user, minutes, **f.target()),
        _("The approval of the minutes has been recorded: they can now be published."),
        _("Approve"),
        version=version,
        has_choices=bool(meetings or procedures),
    )


@require_http_methods(["GET", "POST"])
@permission_required("meetings.manage_minutes", _minutes)
def publish(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    minutes = _minutes(request, meeting_pk)
    if request.method == "POST":
        try:
            services.publish(request.user, minutes)
        except ValidationError as error:
            message_service_errors(request, error)
            return _to_edit(minutes.meeting)
        messages.success(request, _("The minutes are published, as a web page and as PDF/A."))
        return redirect("minutes:detail", meeting_pk=minutes.meeting_id)
    return render(
        request,
        "meetings/manage/minutes_publish.html",
        _context(request, minutes, breadcrumbs=_crumbs(minutes.meeting, (_("Publish"), None))),
    )


@permission_required("meetings.manage_minutes", _minutes)
def history(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    minutes = _minutes(request, meeting_pk)
    entries = selectors.history(minutes, {"opening": _("Opening"), "closing": _("Closing")})
    return render(
        request,
        "meetings/manage/minutes_history.html",
        _context(
            request,
            minutes,
            entries=entries,
            breadcrumbs=_crumbs(minutes.meeting, (_("History of the versions"), None)),
        ),
    )
