"""Endpoints that misbehave on purpose, for the reliability tests:
/sleep/<seconds>, /hang (never returns on its own, but runs Python code, so mod_wsgi's
RequestTimeout can interrupt it), /deadlock (waits forever on a lock it already holds:
blocked in C, no exception can reach it), /pid, /whoami, /release (the RELEASE variable it
runs with: a rolling update's old and new versions), /fail (an uncaught exception: the debugger's
test), and / (marker)."""

import getpass
import os
import sys
import threading
import time


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/sleep/"):
        seconds = float(path.rsplit("/", 1)[1])
        time.sleep(seconds)
        body = f"slept {seconds:g}\n"
    elif path == "/hang":
        while True:
            time.sleep(0.1)
    elif path == "/deadlock":
        lock = threading.Lock()
        lock.acquire()
        # Said first, so that a test knows when every thread is stuck (it reaches the server's log).
        print("deadlocked: waiting for a lock this thread holds", file=sys.stderr, flush=True)
        lock.acquire()
    elif path == "/fail":
        divisor = 0
        body = f"{1 / divisor}\n"
    elif path == "/pid":
        body = f"{os.getpid()}\n"
    elif path == "/release":
        body = f"release {os.environ.get('RELEASE', 'unset')}\n"
    elif path == "/whoami":
        body = f"{os.getuid()} {getpass.getuser()}\n"
    else:
        body = "Hello from reliability\n"
    data = body.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
