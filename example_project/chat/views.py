from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from asynction_django import PayloadValidationError, emit, get_server
from asynction_django.asgi import docs_base
from asynction_django.conf import get_settings

LIMITS = ("minLength", "maxLength")


@login_required
def chat(request):
    docs = f"{docs_base()}docs" if get_settings().DOCS else None
    return render(request, "chat/index.html", {"limits": length_limits(), "docs_url": docs})


def length_limits() -> dict[str, dict[str, dict[str, int]]]:
    """The length limits of the fields each client event sends, read from the spec.

    The page words the server's refusals with them ("Message too long (max 500
    characters)"), so the numbers it shows are the ones the server enforces.
    """
    limits: dict[str, dict[str, dict[str, int]]] = {}
    for namespace in get_server().spec.namespaces.values():
        for event, message in namespace.received.items():
            schema = message.payload.schema if message.payload else None
            properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
            fields = {name: {key: rule[key] for key in LIMITS if key in rule}
                      for name, rule in properties.items() if isinstance(rule, dict)}
            limits[event] = {name: rule for name, rule in fields.items() if rule}
    return limits


@require_POST
@staff_member_required
def announce(request):
    """A plain sync Django view emitting through the spec: invalid input never goes out."""
    announcement = {
        "text": request.POST.get("text", ""),
        "level": request.POST.get("level", "info"),
    }
    try:
        emit("announcement", announcement, namespace="/")
    except PayloadValidationError as exc:
        return JsonResponse(exc.as_wire(), status=400)
    return JsonResponse({"sent": announcement})
