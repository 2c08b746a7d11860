"""s2i-wsgi: the launcher behind the s2i-wsgi builder image."""

__version__ = "0.1.0"
