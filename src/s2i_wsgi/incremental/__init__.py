"""Incremental builds: what one build leaves for the next, and where.

s2i runs save-artifacts in the previous app image and puts its tar in
ARTIFACTS_DIR of the new build; assemble takes it from there. Two things travel
in that one directory, side by side:

- the installers' cache (cache.py): CACHE_DIR's `pip/` and `uv/`, and CACHE_MARKER,
  which says which Python and machine the cache was made for;
- the previous build's virtualenv (snapshot.py): MANIFEST (the fingerprint of what
  decided it, and what the build changed) and SNAPSHOT (the changed files as one tar,
  unpacked into STAGING). The manifest is kept in CACHE_DIR between builds, beside
  the cache, and is saved on its own, after the cache.

This module is only the layout both sides share; it imports neither side, so
that deps/ (which caches into CACHE_DIR) and snapshot.py (which reads deps'
plan) can both import it.
"""

from __future__ import annotations

from ..paths import ARTIFACTS_DIR, BUILDER_HOME, LAYERED_MARKER

# The image's cache directory, group-0 writable, outside /opt/app-root (the runtime image never carries it).
CACHE_DIR = BUILDER_HOME / "cache"
# In CACHE_DIR (and in the artifacts): the cache's identity, then the virtualenv's manifest and snapshot.
CACHE_MARKER = "s2i-wsgi-cache.json"
MANIFEST = "venv.json"
SNAPSHOT = "venv.tar"
STAGING = "venv"

__all__ = ["ARTIFACTS_DIR", "CACHE_DIR", "CACHE_MARKER", "LAYERED_MARKER", "MANIFEST", "SNAPSHOT", "STAGING"]
