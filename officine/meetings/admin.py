"""Django admin for platform admins only: a read-mostly view of bodies and meetings. Staff work in the
product's pages, whose services audit every write; votes are shown but never editable here."""

from django.contrib import admin

from .models import (
    AgendaItem,
    AgendaRequest,
    Body,
    InvitationDispatch,
    Meeting,
    MeetingDocument,
    Minutes,
    MinutesVersion,
    Recommendation,
    Registration,
    Seat,
    Vote,
    WrittenProcedure,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by audited services (minutes, procedures, dispatches): admins look, never edit here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title_it", "meeting", "procedure", "published_at", "is_confidential"]
    list_filter = ["is_confidential"]
    search_fields = ["title_it", "title_en"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["name", "email", "organization_name", "meeting", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "organization_name"]


@admin.register(InvitationDispatch)
class InvitationDispatchAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "sequence", "method", "recipients", "failed", "created_at"]
    list_filter = ["method"]


class MinutesVersionInline(admin.TabularInline):
    model = MinutesVersion
    extra = 0
    fields = ["number", "circulated_at", "change_note", "author"]
    readonly_fields = fields
    can_delete = False


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "state", "comments_deadline", "approved_at", "published_at"]
    list_filter = ["state"]
    inlines = [MinutesVersionInline]


@admin.register(WrittenProcedure)
class WrittenProcedureAdmin(ReadOnlyAdmin):
    list_display = ["title_it", "body", "opened_at", "deadline", "state", "result"]
    list_filter = ["state", "result"]
    search_fields = ["title_it", "title_en"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["body", "date", "status", "reply_date"]
    list_filter = ["status"]


@admin.register(AgendaRequest)
class AgendaRequestAdmin(ReadOnlyAdmin):
    list_display = ["title_it", "meeting", "seat", "status", "created_at", "answered_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title_it", "reason", "answer"]
