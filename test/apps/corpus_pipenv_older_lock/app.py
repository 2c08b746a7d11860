"""Pipfile.lock made by an older pipenv (LOCKED_WITH), whose Pipfile hash today's pipenv computes otherwise."""

from importlib.metadata import version

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return f"corpus_pipenv_older_lock: Flask {version('flask')}\n"
