"""Public partner pages: the directory (search and filters) and an organisation's page.

Who the partners are, which programmes they sit in and who represents them is public information
(ECCP Art. 3-4; CPR Art. 39(1) for committee members); contacts of representatives are personal data and
shown only to staff and to the person concerned.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from officine.core.i18n import localized
from officine.monitoring.selectors_partners import organization_projects
from officine.programmes.models import Programme
from officine.registry.choices import CivilSocietyFocus
from officine.registry.exporting import EXPORT_FORMATS
from officine.registry.forms import DirectoryFilterForm
from officine.registry.selectors import organization_detail as select_organization
from officine.registry.selectors import organization_memberships, region_names, search_organizations

PAGE_SIZE = 25


def _programme_choices() -> list[tuple[int, str]]:
    rows = Programme.objects.order_by("-cycle", "kind", "title_it").values_list(
        "pk", "cci", "title_it", "title_en"
    )
    return [(pk, f"{localized(title_it, title_en)} ({cci})") for pk, cci, title_it, title_en in rows]


def directory(request):
    form = DirectoryFilterForm(request.GET, programme_choices=_programme_choices())
    filters = form.filters()
    paginator = Paginator(search_organizations(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for organization in page.object_list:
        organization.region_list = region_names(organization)
    query = request.GET.copy()
    query.pop("page", None)
    query_string = query.urlencode()
    export_links = []
    if request.user.has_perm("registry.export_registry"):
        export_links = [
            (
                spec.label,
                reverse("registry:export_download", args=[key])
                + (f"?{query_string}" if query_string else ""),
            )
            for key, spec in EXPORT_FORMATS.items()
        ]
    return render(
        request,
        "portal/partners/directory.html",
        {
            "form": form,
            "page": page,
            "paginator": paginator,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "has_filters": any(filters.values()),
            "export_links": export_links,
            "can_add": request.user.has_perm("registry.add_organization"),
            "can_import": request.user.has_perm("registry.import_organizations"),
            "nav": "partners",
            "breadcrumbs": [(_("Partners"), None)],
        },
    )


def organization_detail(request, pk: int):
    can_change = request.user.has_perm("registry.change_organization")
    organization = select_organization(pk, include_inactive=can_change)
    today = timezone.localdate()
    memberships = list(organization_memberships(organization))
    current = [m for m in memberships if m.end_date is None or m.end_date >= today]
    past = [m for m in memberships if m.end_date is not None and m.end_date < today]
    can_manage_representatives = request.user.has_perm("registry.change_representative")
    representatives = (
        organization.all_representatives
        if can_manage_representatives
        else organization.public_representatives
    )
    focus_names = dict(CivilSocietyFocus.choices)
    rows = [
        (rep, request.user.has_perm("registry.view_representative_contacts", rep)) for rep in representatives
    ]
    return render(
        request,
        "portal/partners/organization_detail.html",
        {
            "organization": organization,
            "current_memberships": current,
            "past_memberships": past,
            "representative_rows": rows,
            "any_contacts": any(visible for _rep, visible in rows),
            "can_change": can_change,
            "can_manage_representatives": can_manage_representatives,
            "can_delete_representatives": request.user.has_perm("registry.delete_representative"),
            "regions": region_names(organization),
            "focus_labels": [str(focus_names.get(code, code)) for code in organization.civil_society_focus],
            # projects where it is beneficiary or implementer (issue 5, point 5): own page parameter
            "funded": organization_projects(organization, page=request.GET.get("projects_page")),
            "nav": "partners",
            "breadcrumbs": [(_("Partners"), reverse("portal:directory")), (organization.name, None)],
        },
    )
