"""An sclorg-style app: requirements.txt at the top of the repository, the app in web/ named by
APP_HOME, which sclorg's image documents as the directory holding wsgi.py. Its assemble installs the
requirements from the top; its run changes to APP_HOME and serves wsgi.py there."""

import importlib.metadata
import os

from flask import Flask
from shared import NAME

application = Flask(__name__)


@application.route("/")
def hello():
    flask = importlib.metadata.version("flask")
    return f"{NAME}: Flask {flask} in {os.path.basename(os.getcwd())}\n"
