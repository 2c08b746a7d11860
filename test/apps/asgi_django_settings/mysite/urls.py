from django.urls import path
from pages.views import hello

urlpatterns = [path("", hello)]
