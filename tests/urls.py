from django.urls import path

from . import views

urlpatterns = [path("emit/", views.emit_view)]
