import time

from django.http import HttpResponse


def hello(request):
    return HttpResponse("Hello from django_static\n", content_type="text/plain")


def sleep20(request):
    time.sleep(0.02)
    return HttpResponse("slept 20 ms\n", content_type="text/plain")
