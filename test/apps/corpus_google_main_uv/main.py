"""A Flask app laid out as Google Cloud's buildpacks document a uv project: main.py defining `app`,
pyproject.toml and uv.lock (found by uv.lock, or GOOGLE_PYTHON_PACKAGE_MANAGER=uv), served with
`gunicorn -b :8080 main:app`. uv.lock records the index it was made against, so the tests make it
with the builder's pinned uv (`uv lock`) instead of committing it."""

import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from corpus_google_main_uv\n"


if __name__ == "__main__":
    app.run(debug=True, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
