"""A background worker: writes a heartbeat file (its pid and a count) and says so."""

import os
import signal
import sys
import tempfile
import time

HEARTBEAT = os.path.join(tempfile.gettempdir(), "worker-heartbeat")


def stop(_signum, _frame):
    print("worker stopping on SIGTERM", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print(f"worker started as pid {os.getpid()} on port {os.environ['PORT']}", flush=True)
beat = 0
while True:
    beat += 1
    with open(HEARTBEAT + ".new", "w") as file:
        file.write(f"{os.getpid()} {beat}\n")
    os.replace(HEARTBEAT + ".new", HEARTBEAT)
    print(f"worker beat {beat}", flush=True)
    time.sleep(0.5)
