import asyncio

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpResponse


def _auth_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'auth'")
        return cursor.fetchone()[0]


async def hello(request):
    """An async view: it runs on the ASGI server's event loop, which only an ASGI server gives it."""
    await asyncio.sleep(0)
    migrated = "migrated" if await sync_to_async(_auth_migrations)() else "NOT migrated"
    loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    return HttpResponse(f"Hello from asgi_django_settings ({migrated}, {loop} loop)\n", content_type="text/plain")
