"""A Flask app laid out as Google Cloud's buildpacks document a poetry project: main.py defining
`app`, and a poetry 2 pyproject.toml (PEP 621 [project] dependencies, no package: package-mode =
false) with its poetry.lock. The buildpacks install it with poetry (found by poetry.lock, or
GOOGLE_PYTHON_PACKAGE_MANAGER=poetry) and serve it with `gunicorn -b :8080 main:app`."""

import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from corpus_google_main_poetry\n"


if __name__ == "__main__":
    app.run(debug=True, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
