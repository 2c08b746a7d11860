#!/bin/bash
# As sclorg's PIN_PIPENV_VERSION example does: the app image must have the pinned pipenv on PATH.
expected="pipenv, version 2026.2.2"
found="$(pipenv --version)"
if [[ "${found}" != "${expected}" ]]; then
    echo "ERROR: pipenv --version printed '${found}', expected '${expected}'." >&2
    exit 1
fi
export PIPENV_FOUND="${found}"
exec gunicorn --bind "0.0.0.0:${PORT:-8080}" wsgi
