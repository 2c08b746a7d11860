"""A minimal Django project as `django-admin startproject` lays it out (asgi.py and wsgi.py side by
side), served through its asgi.py: .s2i/environment names mysite.asgi:application. No apps that
need tables: the in-memory database makes the start-time migrate a no-op, even on a read-only root."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "test-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
