"""waitress-serve that stops on SIGTERM: `python THIS [waitress-serve options] MODULE:CALLABLE`.

waitress-serve installs no SIGTERM handler, and the kernel delivers no signal to a container's
PID 1 that has no handler for it: `docker stop` and Kubernetes would wait out their grace period
and then kill it (exit 137). Here SIGTERM raises SystemExit in the main thread, which waitress's
main loop catches: it stops serving, waits up to 5 s for the request threads, and waitress-serve
returns 0. SIGINT (Ctrl-C) stays Python's KeyboardInterrupt, which waitress handles the same way.

The app's virtualenv runs this file (waitress is installed there), so it uses only the standard
library and waitress, and never imports the s2i_wsgi package.
"""

import os
import signal
import sys

# Python puts a script's directory first on sys.path: the launcher's modules must not shadow the
# app's modules or the standard library's (this directory has a config package, a build.py and a paths.py).
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    del sys.path[0]

# Imported only once the launcher's directory is off sys.path.
from waitress.runner import run


def _stop(_signum, _frame):
    raise SystemExit(0)


signal.signal(signal.SIGTERM, _stop)
sys.exit(run(["waitress-serve", *sys.argv[1:]]))
