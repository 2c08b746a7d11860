import os
from pathlib import Path


def count(path):
    return len(Path(path).read_text().split()) if Path(path).exists() else 0


def application(environ, start_response):
    body = (
        f"Hello from warpdrive_app: greeting={os.environ.get('GREETING')} "
        f"build={Path('build-flavour.txt').read_text().strip()} runtime={os.environ.get('RUNTIME_FLAVOUR')} "
        f"deploy-cfg={count('/tmp/deploy-cfg.count')} deploy={count('/tmp/deploy.count')}\n"
    )
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
