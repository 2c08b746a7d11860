"""The application factory, as Flask's tutorial writes one: no module-level app; `flask --app
flaskr run` (and here, detection) finds create_app and calls it without arguments."""

import os

from flask import Flask

from . import pages


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev", GREETING="create_app")
    if test_config is None:
        # Settings for a deployment, kept out of the source (absent here).
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    # Where the tutorial keeps its database; a read-only source is fine until something is written.
    try:
        os.makedirs(app.instance_path, exist_ok=True)
    except OSError as exc:
        app.logger.warning("instance folder %s not created: %s", app.instance_path, exc)

    app.register_blueprint(pages.bp)
    return app
