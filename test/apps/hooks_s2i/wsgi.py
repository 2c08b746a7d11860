from pathlib import Path


def application(environ, start_response):
    pre_build = Path("pre-build.txt").read_text().strip()
    build = Path("build.txt").read_text().strip()
    deploy = Path("/tmp/deploy.txt").read_text().strip()
    body = f"Hello from hooks_s2i: pre-build={pre_build} build={build} deploy={deploy}\n"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
