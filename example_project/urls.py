from django.contrib import admin
from django.urls import include, path

from example_project.chat import views

urlpatterns = [
    path("", views.chat, name="chat"),
    path("announce/", views.announce, name="announce"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
