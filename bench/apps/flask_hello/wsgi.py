"""The WSGI entry point every server here is pointed at (warpdrive would run an
app.py with `python`, so the app lives in hello.py)."""

from hello import app as application

__all__ = ["application"]
