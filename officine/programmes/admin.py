"""Technical administration of programmes, for platform admins only (staff work in the product's pages)."""

from django.contrib import admin

from .models import Fund, Membership, Priority, Programme, ProgrammeStaff


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["code", "acronym_it", "name_it", "order"]


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


class ProgrammeStaffInline(admin.TabularInline):
    model = ProgrammeStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["cci", "title_it", "cycle", "kind", "region", "is_demo"]
    list_filter = ["cycle", "kind", "funds", "is_demo"]
    search_fields = ["cci", "title_it", "title_en"]
    raw_id_fields = ["managing_authority", "region"]
    filter_horizontal = ["funds"]
    inlines = [PriorityInline, ProgrammeStaffInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "programme", "start_date", "end_date", "is_committee_member", "is_demo"]
    list_filter = ["programme__cycle", "is_committee_member", "is_working_group_member", "is_demo"]
    search_fields = ["organization__name", "programme__cci", "selection_act_number"]
    raw_id_fields = ["organization", "programme"]
    list_select_related = ["organization", "programme"]
