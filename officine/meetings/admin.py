"""Django admin for platform admins only: a read-mostly view of bodies and meetings. Staff work in the
product's pages, whose services audit every write; votes are shown but never editable here."""

from django.contrib import admin

from .models import AgendaItem, Body, Meeting, Seat, Vote


class SeatInline(admin.TabularInline):
    model = Seat
    fk_name = "body"
    extra = 0
    fields = [
        "organization",
        "role",
        "member_name",
        "substitute_name",
        "start_date",
        "end_date",
        "act_number",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name_it", "kind", "notice_working_days", "quorum_fraction", "majority_rule"]
    list_filter = ["kind", "majority_rule"]
    search_fields = ["name_it", "name_en"]
    filter_horizontal = ["programmes"]
    inlines = [SeatInline]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title_it", "kind", "outcome", "decided_by"]
    readonly_fields = ["outcome", "decided_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title_it", "body", "kind", "starts_at", "state", "sequence"]
    list_filter = ["state", "kind", "mode"]
    search_fields = ["title_it", "title_en", "body__name_it"]
    readonly_fields = ["uid", "sequence", "notice_sent_at", "state"]
    inlines = [AgendaItemInline]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["item", "seat", "choice", "cast_at"]
    list_filter = ["choice"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
