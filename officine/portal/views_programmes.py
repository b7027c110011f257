"""Public programme pages: the filterable list and a programme's page with its partnership.

Both cost a fixed number of queries whatever the number of programmes or partners (see the selectors).
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from officine.programmes import selectors
from officine.programmes.forms import ProgrammeFilterForm

PAGE_SIZE = 25


def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the valid filters; invalid ones are reported and ignored
    filters = form.filters()
    paginator = Paginator(selectors.list_programmes(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/programmes/list.html",
        {
            "form": form,
            "page_obj": page,
            "programmes": page.object_list,
            "result_count": paginator.count,
            "is_filtered": any(filters.values()),
            "can_add": request.user.has_perm("programmes.add_programme"),
            "nav": "programmes",
            "breadcrumbs": [(_("Programmes"), None)],
        },
    )


def programme_detail(request: HttpRequest, cci: str) -> HttpResponse:
    programme = selectors.programme_detail(cci)
    if programme is None:
        raise Http404(_("No programme has this CCI code."))
    panel = selectors.representativeness(programme)
    user = request.user
    return render(
        request,
        "portal/programmes/detail.html",
        {
            "programme": programme,
            "memberships": selectors.partnership_composition(programme),
            "panel": panel,
            "chart_data": panel.chart,
            "can_change": user.has_perm("programmes.change_programme", programme),
            "can_manage_partnership": user.has_perm("programmes.manage_partnership", programme),
            "can_manage_staff": user.has_perm("programmes.manage_staff", programme),
            "nav": "programmes",
            "breadcrumbs": [(_("Programmes"), reverse("portal:programme_list")), (programme.title, None)],
        },
    )


def selection_document(request: HttpRequest, cci: str, pk: int) -> HttpResponse:
    """The act that selected a partner: public (ECCP Art. 2), served from storage whatever the deployment.

    Media are not served by the web server in production, so documents go through a view; this one needs no
    permission check because selection acts are published by law.
    """
    from django.http import FileResponse
    from django.shortcuts import get_object_or_404

    from officine.programmes.models import Membership

    membership = get_object_or_404(Membership.objects.select_related("programme"), pk=pk, programme__cci=cci)
    if not membership.selection_document:
        raise Http404
    document = membership.selection_document
    return FileResponse(document.open("rb"), as_attachment=False, filename=document.name.rsplit("/", 1)[-1])
