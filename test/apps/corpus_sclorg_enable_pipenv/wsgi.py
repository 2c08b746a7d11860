"""An sclorg-style app: ENABLE_PIPENV with requirements.txt and no Pipfile (`pipenv install -r`)."""

import os

from flask import Flask

application = Flask(__name__)


@application.route("/")
def hello():
    return f"corpus_sclorg_enable_pipenv: {os.environ['PIPENV_FOUND']}\n"
