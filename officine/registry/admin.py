"""Django admin for platform admins only (staff work in the product's own pages).

Saves made here still keep the search document current and leave an audit event, like the services do.
"""

from django.contrib import admin

from officine.core import audit

from .models import Organization, PendingImport, Representative, Territory
from .services import refresh_search_documents, representative_snapshot


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    fields = ("first_name", "last_name", "role", "mandate_date", "mandate_expires", "is_public", "user")
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "acronym",
        "cpr_category",
        "eccp_subcategory",
        "territorial_level",
        "is_active",
        "is_demo",
    )
    list_filter = (
        "cpr_category",
        "eccp_subcategory",
        "territorial_level",
        "is_umbrella",
        "is_active",
        "is_demo",
    )
    search_fields = ("name", "acronym", "tax_code", "vat_number", "ipa_code")
    autocomplete_fields = ("territories",)
    filter_horizontal = ("umbrella_networks",)
    inlines = [RepresentativeInline]
    readonly_fields = ("created_at", "updated_at")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        organization = form.instance
        refresh_search_documents(Organization.objects.filter(pk=organization.pk))
        snap = audit.snapshot(organization)
        audit.record(
            request.user,
            "registry.organization.admin_changed" if change else "registry.organization.admin_created",
            organization,
            {name: snap.get(name) for name in form.changed_data},
        )

    def delete_model(self, request, obj) -> None:
        audit.record(request.user, "registry.organization.admin_deleted", obj, audit.snapshot(obj))
        super().delete_model(request, obj)


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ("full_name", "organization", "role", "mandate_date", "mandate_expires", "is_public")
    list_filter = ("role", "is_public", "is_demo")
    search_fields = ("first_name", "last_name", "email", "organization__name")
    raw_id_fields = ("organization", "user")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        snap = representative_snapshot(obj)
        audit.record(
            request.user,
            "registry.representative.admin_changed" if change else "registry.representative.admin_created",
            obj,
            {name: snap.get(name) for name in form.changed_data},
        )

    def delete_model(self, request, obj) -> None:
        audit.record(request.user, "registry.representative.admin_deleted", obj, representative_snapshot(obj))
        super().delete_model(request, obj)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    """The ISTAT list is loaded by a migration: read-only here."""

    list_display = ("name", "level", "code", "car_plate", "nuts_code")
    list_filter = ("level",)
    search_fields = ("name", "code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "file_format", "created_by", "created_at", "imported_at", "imported_count")
    readonly_fields = ("filename", "file_format", "created_by", "imported_at", "imported_count")
    exclude = ("content",)

    def has_add_permission(self, request) -> bool:
        return False
