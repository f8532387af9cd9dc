import json

from django.http import JsonResponse

from asynction_django import ValidationError, emit


def emit_view(request):
    """A plain sync view emitting through the spec (tests the sync API from views)."""
    try:
        emit(request.GET["event"], json.loads(request.GET["data"]), namespace="/")
    except ValidationError as exc:
        return JsonResponse(exc.as_wire(), status=400)
    return JsonResponse({"sent": True})
