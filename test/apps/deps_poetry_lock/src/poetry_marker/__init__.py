"""Importable only when the project itself was installed (src layout)."""

import attrs


@attrs.define
class Marker:
    text: str


MARKER = Marker("deps_poetry_lock")
