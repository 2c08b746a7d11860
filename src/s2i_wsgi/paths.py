"""Where things are in the image, and the constants the launcher shares with the host tool.

One place for them, so that a path is never spelled twice: the image contract
(/opt/app-root as sclorg's images have it), the builder's own files, the one
rule for the directory a start writes in, and what bin/s2i-build (which runs
on the host and imports this stdlib-only module from the clone) and the
launcher agree on for incremental builds.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The app's virtualenv, and its source (= HOME = WORKDIR).
APP_ROOT = Path("/opt/app-root")
SOURCE_DIR = APP_ROOT / "src"
# The app's interpreter (its virtualenv's python), which runs every installer and app probe.
APP_PYTHON = APP_ROOT / "bin" / "python"
# The builder's own files: pinned requirements, the launcher's package, the dependency cache.
BUILDER_HOME = Path("/opt/s2i-wsgi")
# The installers the builder brings (uv, micropipenv) and their pins; the image sets
# S2I_WSGI_HOME to BUILDER_HOME, which a test or a derived image may move.
TOOLS_HOME = Path(os.environ.get("S2I_WSGI_HOME", str(BUILDER_HOME)))

# Everything a start writes goes under the temporary directory ($TMPDIR, else /tmp): the one
# place a restricted container (read-only root, arbitrary UID) is sure to be able to write.
STATE_DIR = Path(tempfile.gettempdir()) / "s2i-wsgi"

# Where s2i puts what save-artifacts streamed from the previous image (incremental builds).
ARTIFACTS_DIR = Path("/tmp/artifacts")
# Where s2i build --inject puts build secrets unless S2I_WSGI_SECRETS_DIR says otherwise.
SECRETS_DIR = Path("/tmp/secrets")
# bin/s2i-build --incremental puts this file in /tmp when it builds on the previous app image
# itself (a layered rebuild) instead of on the builder.
LAYERED_MARKER = Path("/tmp/s2i-wsgi-layered-rebuild")
# The launcher's answer in a layered rebuild when the previous image will not do (EX_TEMPFAIL):
# bin/s2i-build then builds on the builder.
REBUILD_FROM_BUILDER = 75
