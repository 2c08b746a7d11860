"""A Paketo-style app: Procfile `web: gunicorn app:app` (gunicorn binds 0.0.0.0:$PORT by itself)."""

from importlib.metadata import version

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return f"corpus_paketo_procfile_pipfile: Flask {version('flask')} on gunicorn {version('gunicorn')}\n"
