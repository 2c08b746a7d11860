"""Importable only when the project itself was installed (src layout)."""

MARKER = "deps_requirements_includes"
