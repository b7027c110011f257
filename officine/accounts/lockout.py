"""django-axes needs the login name: allauth passes it as ``email`` in the credentials, forms as ``login``."""


def username_from_request(request, credentials=None) -> str:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login", "")
    return (value or "").strip().lower()
