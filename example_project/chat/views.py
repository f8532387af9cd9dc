from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from asynction_django import PayloadValidationError, emit


@login_required
def chat(request):
    return render(request, "chat/index.html")


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
