"""gunicorn's configuration file when s2i-wsgi starts gunicorn (`gunicorn -c THIS`).

gunicorn reads one configuration file, and its command line and
GUNICORN_CMD_ARGS override it. So the builder's production defaults are not
command-line options (they would beat the app's settings) but the first layer
of this file, and the app's own file (APP_CONFIG, `--config` in
GUNICORN_CMD_ARGS, or gunicorn.conf.py) is run on top of them:

    builder defaults < app's config file < GUNICORN_CMD_ARGS < command line

The launcher passes the defaults as JSON in S2I_WSGI_GUNICORN_DEFAULTS and the
app's file in S2I_WSGI_GUNICORN_APP_CONFIG. gunicorn runs this file in the
app's virtualenv, so it uses only the standard library and never imports the
s2i_wsgi package.
"""

import json
import os
import runpy

globals().update(json.loads(os.environ.get("S2I_WSGI_GUNICORN_DEFAULTS", "{}")))

_app_config = os.environ.get("S2I_WSGI_GUNICORN_APP_CONFIG")
if _app_config:
    for _name, _value in runpy.run_path(_app_config, run_name="__config__").items():
        if not _name.startswith("_"):
            globals()[_name] = _value
