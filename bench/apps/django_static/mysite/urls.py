from django.urls import path
from pages.views import hello, sleep20

urlpatterns = [path("", hello), path("sleep20", sleep20)]
