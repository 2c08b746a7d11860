from flask import Blueprint, current_app

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    return f"Hello from corpus_flask_factory ({current_app.config['GREETING']})\n"
