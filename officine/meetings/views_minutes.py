"""Minutes as members and the public see them (namespace ``minutes``).

- published minutes are public, as HTML and as the PDF/A kept at publication;
- circulated minutes are seen by the body's members and substitutes (who may comment until the deadline)
  and by the staff who manage them; a visitor who is not signed in is asked to sign in, since the e-mail
  sent to members links here;
- draft and approved (not yet published) minutes are seen only by the staff who manage them.
Anyone else gets "not found", so unpublished minutes reveal nothing.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officine.core.viewtools import add_service_errors, download_response

from . import minutes as services
from . import minutes_pdf as pdf_render
from . import navigation
from . import selectors_minutes as selectors
from .forms_minutes import CommentForm
from .models import Meeting, Minutes, MinutesState


def _load(meeting_pk: int) -> tuple[Meeting, Minutes]:
    try:
        meeting = selectors.meeting_for_minutes(meeting_pk)
    except Meeting.DoesNotExist as missing:
        raise Http404 from missing
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404(_("The minutes of this meeting have not been written yet."))
    return meeting, minutes


def _crumbs(meeting: Meeting, *tail) -> list[tuple]:
    return navigation.meeting_crumbs(meeting, *tail)


def _detail(request: HttpRequest, meeting: Meeting, minutes: Minutes, form: CommentForm | None = None):
    user = request.user
    can_manage = user.has_perm("meetings.manage_minutes", minutes)
    is_member = bool(selectors.commenting_seat(user, minutes)) if user.is_authenticated else False
    circulated = minutes.state == MinutesState.CIRCULATED
    show_comments = circulated and (can_manage or is_member)
    document = selectors.build_document(minutes, with_comments=show_comments)
    can_comment = user.has_perm("meetings.comment_minutes", minutes)
    if can_comment and form is None:
        form = CommentForm(items=[s.item for s in document.sections])
    return render(
        request,
        "meetings/minutes/detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "document": document,
            "can_manage": can_manage,
            "can_comment": can_comment,
            "is_member": is_member,
            "show_comments": show_comments,
            "form": form if can_comment else None,
            "nav": navigation.meeting_section(meeting),
            "breadcrumbs": _crumbs(meeting, (_("Minutes"), None)),
        },
    )


def minutes_detail(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting, minutes = _load(meeting_pk)
    if not request.user.has_perm("meetings.view_minutes", minutes):
        if not request.user.is_authenticated and minutes.state == MinutesState.CIRCULATED:
            return redirect_to_login(request.get_full_path())
        raise Http404(_("These minutes are not published yet."))
    return _detail(request, meeting, minutes)


def minutes_pdf(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The PDF/A kept at publication (made now if it is missing); for those who may see unpublished
    minutes, a PDF of the current text marked as not approved, made on the spot and not kept."""
    meeting, minutes = _load(meeting_pk)
    filename = services.pdf_filename(minutes)
    if minutes.state == MinutesState.PUBLISHED:
        if not minutes.pdf:
            minutes = services.store_missing_pdf(minutes)
        with minutes.pdf.open("rb") as handle:
            content = handle.read()
        return download_response(content, "application/pdf", filename, inline=True)
    if not request.user.has_perm("meetings.view_minutes", minutes):
        raise Http404(_("These minutes are not published yet."))
    return download_response(pdf_render.render(minutes), "application/pdf", filename, inline=True)


@require_POST
def minutes_comment(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting, minutes = _load(meeting_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("minutes:detail", args=[meeting.pk]))
    if not request.user.has_perm("meetings.view_minutes", minutes):
        raise Http404(_("These minutes are not published yet."))
    if not request.user.has_perm("meetings.comment_minutes", minutes):
        raise PermissionDenied(
            _("Comments on these minutes are closed, or you are not a member of the body.")
        )
    items = list(meeting.agenda_items.order_by("order"))
    form = CommentForm(request.POST, items=items)
    if form.is_valid():
        try:
            services.comment(request.user, minutes, form.cleaned_data["text"], item=form.chosen_item())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment has been sent to the secretariat."))
            return redirect(reverse("minutes:detail", args=[meeting.pk]) + "#comments")
    return _detail(request, meeting, minutes, form)
