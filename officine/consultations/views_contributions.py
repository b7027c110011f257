"""Pages for contributing to a consultation, reading one contribution, editing, withdrawing, attachments.

Views stay thin: they check the rule, bind the form, call one service from ``contributions`` and render.
A refused form (a bad attachment included) is rendered again with everything typed; only success redirects.
People who may not contribute get a page that says why and what they can do instead.
"""

from dataclasses import dataclass

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from officine.core.viewtools import add_service_errors, message_service_errors
from officine.registry.models import Organization

from . import contributions
from . import rules as consultation_rules
from . import selectors_contributions as selectors
from .citizens import is_citizen_consultation
from .forms_contributions import ContributionForm
from .models import Consultation, ConsultationState, Contribution, ContributionAttachment


def consultation_crumbs(consultation: Consultation, *tail: tuple) -> list[tuple]:
    return [
        (_("Consultations"), reverse("consultations:list")),
        (consultation.title, reverse("consultations:detail", kwargs={"pk": consultation.pk})),
        *tail,
    ]


def visible_consultation(request: HttpRequest, pk: int) -> Consultation:
    """The consultation, or 404 for drafts to people who may not see them (their existence is private)."""
    consultation = get_object_or_404(Consultation.objects.select_related("programme"), pk=pk)
    if not request.user.has_perm("consultations.view_consultation", consultation):
        raise Http404
    return consultation


@dataclass(frozen=True)
class Refusal:
    """Why someone cannot contribute now, and what they can do instead."""

    kind: str  # "not_open", "closed", "sign_in", "not_eligible", "verify_email"
    message: str
    status: int = 200


def login_url(request: HttpRequest) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"


def _refusal(user, consultation: Consultation) -> Refusal | None:
    if consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        return Refusal(
            "not_open",
            _("This consultation opens on %(date)s: come back then to contribute.")
            % {"date": date_format(consultation.opens_on, "DATE_FORMAT")},
        )
    if not contributions.accepts_contributions(consultation):
        return Refusal(
            "closed",
            _(
                "This consultation accepted contributions until %(date)s. Contributions are now read-only; "
                "they are published with the outcome unless their authors objected."
            )
            % {"date": date_format(consultation.closes_on, "DATE_FORMAT")},
        )
    if not user.is_authenticated:
        return Refusal("sign_in", _("Sign in to contribute."))
    if rules.has_perm("consultations.contribute", user, consultation):  # the rule: admins do not pass
        return None
    if is_citizen_consultation(consultation) and not user.has_verified_email:
        return Refusal(
            "verify_email",
            _("Individuals contribute to public consultations once their e-mail address is verified."),
            status=403,
        )
    return Refusal("not_eligible", contributions.who_may_contribute_message(consultation), status=403)


def _eligible_organizations(user, consultation: Consultation) -> list[Organization]:
    ids = consultation_rules.eligible_organization_ids(user, consultation)
    return list(Organization.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _common_context(request: HttpRequest, consultation: Consultation) -> dict:
    return {
        "consultation": consultation,
        "nav": "consultations",
        "my_contributions": selectors.user_contributions(request.user, consultation),
        "consultation_url": reverse("consultations:detail", kwargs={"pk": consultation.pk}),
        "questions_url": reverse("contributions:questions", kwargs={"pk": consultation.pk}),
        "privacy_url": reverse("portal:privacy"),
    }


def contribute(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = visible_consultation(request, pk)
    context = _common_context(request, consultation)
    context["breadcrumbs"] = consultation_crumbs(consultation, (_("Contribute"), None))
    refusal = _refusal(request.user, consultation)
    if refusal is not None:
        context.update(
            refusal=refusal,
            login_url=login_url(request),
            citizen_url=reverse("contributions:citizen_access", kwargs={"pk": consultation.pk})
            if is_citizen_consultation(consultation)
            else None,
            public_contributions_url=reverse("consultations:contributions", kwargs={"pk": consultation.pk})
            if consultation.contributions_are_public
            else None,
        )
        return render(request, "consultations/contribute/not_allowed.html", context, status=refusal.status)

    targets = selectors.document_targets(consultation)
    initial = {}
    section_pk = request.GET.get("section", "")
    if section_pk.isdigit():
        initial["target"] = f"{selectors.SECTION_PREFIX}{section_pk}"
    form = ContributionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        targets=targets,
        organizations=_eligible_organizations(request.user, consultation),
        citizen_allowed=consultation_rules.may_contribute_as_citizen(request.user, consultation),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contribution = contributions.submit_contribution(
                request.user,
                consultation,
                organization=form.chosen_organization(),
                **form.contribution_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your contribution has been received with number %(number)d.")
                % {"number": contribution.number},
            )
            return redirect("contributions:detail", pk=contribution.pk)
    context.update(form=form, mode="create", limits=_limits())
    return render(request, "consultations/contribute/form.html", context)


def _limits() -> dict:
    return {
        "max_files": contributions.max_attachments(),
        "max_mb": contributions.attachment_limit_mb(),
        "types": contributions.accepted_types_label(),
    }


def _visible_contribution(request: HttpRequest, pk: int) -> Contribution:
    try:
        contribution = selectors.contribution_detail(pk)
    except Contribution.DoesNotExist as exc:
        raise Http404 from exc
    if not request.user.has_perm("consultations.view_contribution", contribution):
        raise Http404
    return contribution


def _may_change(user, contribution: Contribution) -> bool:
    """The rule itself (Django's ``has_perm`` lets superusers through), and not past the last day."""
    return rules.has_perm(
        "consultations.change_contribution", user, contribution
    ) and contributions.accepts_contributions(contribution.consultation)


def _changed_section_links(contribution: Contribution) -> list[dict]:
    """The sections of a newer version that a disposition names, with links to them in that version."""
    disposition = contribution.current_disposition
    if disposition is None:
        return []
    links = []
    for section in disposition.changed_sections.all():
        url = reverse(
            "documents:version", kwargs={"pk": section.version.document_id, "number": section.version.number}
        )
        links.append(
            {
                "section": section,
                "document": section.version.document,
                "version": section.version,
                "url": f"{url}#section-{section.number}" if url else None,
            }
        )
    return links


def contribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = _visible_contribution(request, pk)
    consultation = contribution.consultation
    version_url = reverse(
        "documents:version",
        kwargs={"pk": contribution.version.document_id, "number": contribution.version.number},
    )
    section_url = f"{version_url}#section-{contribution.section.number}" if contribution.section_id else None
    return render(
        request,
        "consultations/contribute/detail.html",
        {
            "contribution": contribution,
            "consultation": consultation,
            "is_author": consultation_rules.is_contribution_author(request.user, contribution),
            "can_change": _may_change(request.user, contribution),
            "section_url": section_url,
            "version_url": version_url,
            "changed_sections": _changed_section_links(contribution),
            "dispose_url": reverse("manage_dispositions:dispose", kwargs={"pk": contribution.pk})
            if consultation.state == ConsultationState.CLOSED
            and request.user.has_perm("consultations.dispose_contribution", contribution)
            else None,
            "consultation_url": reverse("consultations:detail", kwargs={"pk": consultation.pk}),
            "nav": "consultations",
            "breadcrumbs": consultation_crumbs(
                consultation,
                (_("Contribution #%(number)d") % {"number": contribution.number}, None),
            ),
        },
    )


def _author_or_refuse(request: HttpRequest, contribution: Contribution) -> HttpResponse | None:
    """Others get 403; the author of a contribution that can no longer change goes back to it, told why."""
    if not consultation_rules.is_contribution_author(request.user, contribution):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if not _may_change(request.user, contribution):
        if contribution.is_withdrawn:
            messages.info(request, _("This contribution was withdrawn: it can no longer be changed."))
        else:
            messages.info(
                request,
                _("The consultation is closed: your contribution is read-only."),
            )
        return redirect("contributions:detail", pk=contribution.pk)
    return None


def contribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = _visible_contribution(request, pk)
    if (response := _author_or_refuse(request, contribution)) is not None:
        return response
    consultation = contribution.consultation
    form = ContributionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        targets=selectors.edit_targets(contribution),
        contribution=contribution,
        initial={
            "target": selectors.target_value(contribution),
            "body": contribution.body,
            "proposed_wording": contribution.proposed_wording,
            "objects_to_publication": contribution.objects_to_publication,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            contributions.update_contribution(
                request.user,
                contribution,
                remove_attachments=form.cleaned_data.get("remove_attachments") or [],
                **form.contribution_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your contribution has been saved."))
            return redirect("contributions:detail", pk=contribution.pk)
    context = _common_context(request, consultation)
    context.update(
        form=form,
        mode="edit",
        contribution=contribution,
        limits=_limits(),
        breadcrumbs=consultation_crumbs(
            consultation,
            (
                _("Contribution #%(number)d") % {"number": contribution.number},
                reverse("contributions:detail", kwargs={"pk": contribution.pk}),
            ),
            (_("Edit"), None),
        ),
    )
    return render(request, "consultations/contribute/form.html", context)


def contribution_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = _visible_contribution(request, pk)
    if (response := _author_or_refuse(request, contribution)) is not None:
        return response
    if request.method == "POST":
        try:
            contributions.withdraw_contribution(request.user, contribution)
        except ValidationError as error:
            message_service_errors(request, error)
        else:
            messages.success(
                request,
                _("Contribution #%(number)d has been withdrawn.") % {"number": contribution.number},
            )
        return redirect("contributions:detail", pk=contribution.pk)
    return render(
        request,
        "consultations/contribute/withdraw.html",
        {
            "contribution": contribution,
            "consultation": contribution.consultation,
            "nav": "consultations",
            "breadcrumbs": consultation_crumbs(
                contribution.consultation,
                (
                    _("Contribution #%(number)d") % {"number": contribution.number},
                    reverse("contributions:detail", kwargs={"pk": contribution.pk}),
                ),
                (_("Withdraw"), None),
            ),
        },
    )


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Served through a view that checks who may see the contribution (media are not public)."""
    attachment = get_object_or_404(
        ContributionAttachment.objects.select_related("contribution__consultation__programme"), pk=pk
    )
    contribution = attachment.contribution
    if not request.user.has_perm("consultations.view_contribution", contribution):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not consultation_rules.is_contribution_published(request.user, contribution):
        response["Cache-Control"] = "private, no-store"
    return response
