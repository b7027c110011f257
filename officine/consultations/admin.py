from django.contrib import admin

from .models import Document, DocumentVersion, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "level", "heading", "change"]
    readonly_fields = ["change"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title_it", "programme", "created_at"]
    search_fields = ["title_it", "title_en", "programme__cci"]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "status", "published_at"]
    list_filter = ["status"]
    inlines = [SectionInline]
