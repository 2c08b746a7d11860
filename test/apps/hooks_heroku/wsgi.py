import os
from pathlib import Path


def application(environ, start_response):
    pre_compile = Path("pre_compile.txt").read_text().strip()
    post_compile = Path("post_compile.txt").read_text().strip()
    profile = os.environ.get("PROFILE_GREETING", "unset")
    body = f"Hello from hooks_heroku: pre_compile={pre_compile} post_compile={post_compile} profile={profile}\n"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
