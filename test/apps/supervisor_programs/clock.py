"""A clock process declared in .s2i/supervisor/clock.conf: ticks every half second."""

import sys
import time

print(f"clock started (port {sys.argv[1]})", flush=True)
tick = 0
while True:
    tick += 1
    print(f"tick {tick}", flush=True)
    time.sleep(0.5)
