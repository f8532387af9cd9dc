"""The Admin UI tests' URLconf: the docs (where the Admin UI's page is) and a bare login
page, so the browser test logs in as a person would."""

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse, HttpResponseRedirect
from django.template import RequestContext, Template
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme

LOGIN_FORM = Template('<form method="post">{{ form.as_p }}'
                      '<button type="submit">Log in</button></form>')


def log_in(request):
    """A bare login page, so the browser test logs in as a person would."""
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        target = request.GET.get("next", "/")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = "/"
        return HttpResponseRedirect(target)
    return HttpResponse(LOGIN_FORM.render(RequestContext(request, {"form": form})))


urlpatterns = [
    path("", include("asynction_django.urls")),
    path("accounts/login/", log_in),
]
