"""gunicorn settings, as Heroku's guide keeps them: in a file named by the Procfile line."""

import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8080')}"]
workers = 2
accesslog = "-"
access_log_format = "corpus_heroku_django %(m)s %(U)s %(s)s"
