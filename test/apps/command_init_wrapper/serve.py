"""A server that, like Django's runserver or Tornado, starts processes and never reaps the
orphans it inherits as PID 1: GET /spawn leaves a `sleep` whose parent exits at once."""

import http.server
import os
import subprocess
from pathlib import Path


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/spawn":
            subprocess.run(["sh", "-c", "sleep 0.2 & exit 0"], check=True)
            body = "spawned\n"
        else:
            pid1 = Path("/proc/1/comm").read_text().strip()
            body = f"Hello from command_init_wrapper: PID 1 is {pid1}\n"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
