import os

import markupsafe


def application(environ, start_response):
    # Proves the requirements.txt under APP_HOME was installed and that the
    # working directory is APP_HOME.
    body = f"Hello from app_home_subdir in {os.path.basename(os.getcwd())} {markupsafe.escape('<ok>')}\n"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
