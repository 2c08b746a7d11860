"""Kept at the top of the repository, beside requirements.txt: with APP_HOME=web, sclorg's image
puts the source root on the Python path after APP_HOME, so web/wsgi.py imports it."""

NAME = "corpus_sclorg_app_home"
