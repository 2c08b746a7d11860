from django.db import connection
from django.http import HttpResponse


def hello(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'auth'")
        (auth_migrations,) = cursor.fetchone()
    migrated = "migrated" if auth_migrations else "NOT migrated"
    return HttpResponse(f"Hello from django_collectstatic ({migrated})\n", content_type="text/plain")
