from django.urls import include, path

from . import views

urlpatterns = [
    path("emit/", views.emit_view),
    # A login page, as a project has one: LOGIN_URL resolves (asynction.W004 stays quiet).
    path("accounts/", include("django.contrib.auth.urls")),
]
