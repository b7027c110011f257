"""Template helpers shared by every app: Bootstrap Italia form fields, language links, icons, paging."""

from django import forms, template
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_url(context, language: str) -> str:
    """The current page in another language (falls back to that language's home page)."""
    request = context.get("request")
    if request is None:
        return f"/{language}/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def icon(name: str, css: str = "") -> str:
    """An ``it-*`` icon from Bootstrap Italia's sprite (same origin, so ``<use>`` works under CSP)."""
    sprite = static("vendor/bootstrap-italia/svg/sprites.svg")
    return format_html(
        '<svg class="icon {}" aria-hidden="true" focusable="false"><use href="{}#it-{}"></use></svg>',
        css,
        sprite,
        name,
    )


@register.inclusion_tag("core/field.html")
def field(bound_field, css: str = ""):
    """Render one form field the Bootstrap Italia way, with its help and errors linked by ARIA."""
    widget = bound_field.field.widget
    kind = "input"
    if isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.Select):
        kind = "select"
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
    elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        kind = "file"
    describedby = []
    if bound_field.help_text:
        describedby.append(f"{bound_field.auto_id}-help")
    if bound_field.errors:
        describedby.append(f"{bound_field.auto_id}-errors")
    attrs = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if bound_field.field.required and kind not in ("checkbox", "checkboxes"):
        attrs["required"] = True
    base_class = {
        "input": "form-control",
        "textarea": "form-control",
        "select": "form-select"
        if not getattr(widget, "allow_multiple_selected", False)
        else "form-select select-multiple",
        "checkbox": "form-check-input",
        "file": "form-control",
        "checkboxes": "",
    }[kind]
    if bound_field.errors and base_class:
        base_class += " is-invalid"
    if base_class:
        attrs["class"] = f"{widget.attrs.get('class', '')} {base_class}".strip()
    return {
        "f": bound_field,
        "kind": kind,
        "widget": bound_field.as_widget(attrs=attrs),
        "css": css,
        "has_value": bound_field.value() not in (None, "", []),
    }


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int, param: str = "page", fragment: str = "") -> str:
    """Query string for another page of the same listing, keeping the current filters.

    ``param`` names the page parameter when a page holds two paginated lists; ``fragment`` brings the
    reader back to the list rather than to the top of the page."""
    request = context["request"]
    params = request.GET.copy()
    params[param] = page_number
    query = "?" + urlencode(sorted((k, v) for k, values in params.lists() for v in values))
    return f"{query}#{fragment}" if fragment else query


@register.filter
def percent(value, total) -> int:
    try:
        return round(100 * float(value) / float(total)) if total else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def width_class(pct) -> str:
    """Nearest ``w-N`` utility (steps of 5) for bar charts without inline styles (CSP forbids them)."""
    try:
        step = max(0, min(100, int(round(float(pct) / 5.0) * 5)))
    except (TypeError, ValueError):
        step = 0
    return f"w-{step}"


@register.filter
def thousands(value) -> str:
    """An integer with the locale's grouping (1.234.567 in Italian, 1,234,567 in English)."""
    if value in (None, ""):
        return ""
    return number_format(value, 0, force_grouping=True)


@register.filter
def euro(value, decimals: int = 2) -> str:
    """An amount in euro written the locale's way: "€ 1.234.567,89" (Italian), "€1,234,567.89" (English)."""
    if value in (None, ""):
        return ""
    amount = number_format(value, int(decimals), force_grouping=True)
    return f"€ {amount}" if get_language() == "it" else f"€{amount}"
