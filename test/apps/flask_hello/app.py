"""A Flask app as people write it, including a development-server block
that must never be what serves it."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    print("flask_hello: handled /", flush=True)
    return "Hello from flask_hello\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)
