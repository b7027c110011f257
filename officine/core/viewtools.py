"""Small helpers every app's views share: permission checks, showing service errors, file downloads."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse


def permission_required(perm: str, get_object: Callable | None = None) -> Callable:
    """Login page for visitors, 403 for users without ``perm`` (checked on the object, if one is given).

    Unlike Django's decorator, an authenticated user without the permission gets 403 rather than a login
    page they cannot get past, and object permissions (django-rules) are honoured.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = get_object(request, *args, **kwargs) if get_object else None
            if not request.user.has_perm(perm, obj):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names (or above the form), so nothing the
    user typed is lost when a rule only the service knows is broken."""
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(None, error)


def message_service_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's ValidationError where there is no form to hold it (a state button, a confirmation):
    each message goes to the messages framework, so the page the user is redirected to says why."""
    for message in error.messages:
        messages.error(request, message)


def download_response(
    content: bytes, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """A generated file as a download (or, with ``inline``, shown in the browser) under ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
