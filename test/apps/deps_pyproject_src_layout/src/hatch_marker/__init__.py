"""Importable only when the project itself was installed (src layout)."""

from importlib.metadata import version

MARKER = f"deps_pyproject_src_layout {version('deps-pyproject-src-layout')}"
