"""A Flask app laid out as Railpack documents it: main.py in the root, a uv project with Flask and
gunicorn, which Railpack starts with `gunicorn --bind 0.0.0.0:${PORT:-8000} main:app`. uv.lock
records the index it was made against, so the tests make it (`uv lock`) instead of committing it."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello from corpus_railpack_main_flask\n"


if __name__ == "__main__":
    app.run(port=8000)
