"""A Flask app laid out as Google Cloud's buildpacks document it: main.py defining `app`, and
requirements.txt. The buildpacks serve it with `gunicorn -b :8080 main:app`; run directly, it
starts Flask's development server on PORT, which must never be what serves it here."""

import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from corpus_google_main_pip\n"


if __name__ == "__main__":
    app.run(debug=True, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
