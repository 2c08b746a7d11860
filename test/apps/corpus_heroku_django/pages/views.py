from django.shortcuts import render


def index(request):
    return render(request, "pages/index.html", content_type="text/plain")
