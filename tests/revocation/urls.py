"""A logout view, as a project has one: the fleet test logs a user out on one process."""

from django.contrib.auth import logout
from django.http import JsonResponse
from django.urls import path


def logout_view(request):
    logout(request)
    return JsonResponse({"logged_out": True})


urlpatterns = [path("logout/", logout_view)]
