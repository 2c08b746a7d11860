from django.http import HttpResponse
from django.urls import path


def hello(request):
    # The request's class tells which handler served it: ASGIRequest (asgi.py) or WSGIRequest (wsgi.py).
    return HttpResponse(f"Hello from asgi_django ({type(request).__name__})\n", content_type="text/plain")


urlpatterns = [path("", hello)]
