"""Error pages in the site's own layout (the 500 page renders with no context but the
request id); each shows the request id for the visitor to quote."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def forbidden(request, exception=None):
    return render(
        request, "smartnet/refused.html", {"reason": "You may not see this page."}, status=403
    )


def not_found(request, exception=None):
    return render(request, "smartnet/not_found.html", status=404)


def server_error(request):
    # The request id (smartnet.logs) so the visitor can quote it.
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
