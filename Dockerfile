# s2i-wsgi: a Source-to-Image builder for Python web applications, served by
# Apache httpd + mod_wsgi (mod_wsgi-express, daemon mode).
#
#   docker build -t s2i-wsgi:3.13 .                                          # Debian trixie, Python 3.13
#   docker build -t s2i-wsgi:3.11 --build-arg BASE_IMAGE=debian:bookworm-slim .   # Python 3.11
#
# Only the classic builder's features are used, so Docker, Podman and Buildah
# build it alike.
#
# Behind a TLS-inspecting proxy, put its CA certificate (PEM) into certs/ as
# *.crt before building. Only the `pypi` stage, which installs from PyPI, sees
# it; the published image copies the installed virtualenvs from that stage, so
# the certificate is in none of its layers. With certs/ empty nothing changes.
ARG BASE_IMAGE=debian:trixie-slim
FROM ${BASE_IMAGE} AS system

# BASH_ENV and ENV are read by non-interactive bash (bash -c) and interactive sh
# (sh -ic), keeping the venv first on PATH even where PATH was reset. Tunables
# such as PORT are not set here: their defaults live in the launcher, so an
# app's .warpdrive/environment can still override them.
ENV APP_ROOT=/opt/app-root \
    HOME=/opt/app-root/src \
    VIRTUAL_ENV=/opt/app-root \
    PATH=/opt/app-root/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONIOENCODING=UTF-8 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    STI_SCRIPTS_PATH=/usr/libexec/s2i \
    S2I_WSGI_HOME=/opt/s2i-wsgi \
    BASH_ENV=/opt/app-root/etc/activate \
    ENV=/opt/app-root/etc/activate

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Debian's Python (with venv and headers), Apache httpd with the headers and
# apxs that mod_wsgi compiles against, a C toolchain for packages built from
# source, and what s2i and OpenShift need in a builder (tar, sh, chown).
# hadolint ignore=DL3008
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        apache2-bin \
        apache2-dev \
        ca-certificates \
        g++ \
        gcc \
        git \
        libc6-dev \
        libnss-wrapper \
        locales \
        make \
        media-types \
        pkg-config \
        procps \
        python3 \
        python3-dev \
        python3-venv \
        tar \
    ; \
    rm -rf /var/lib/apt/lists/*; \
    # A real en_US.UTF-8 locale, not just the variable.
    localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8; \
    locale -a | grep -qx 'en_US.utf8'; \
    apachectl -v 2>/dev/null || /usr/sbin/apache2 -v; \
    python3 --version

# Set only now that the locale exists (earlier, apt's perl would warn about it).
ENV LANG=en_US.UTF-8 \
    LC_ALL=en_US.UTF-8

# PyPI packages, in a stage of their own so that a build CA in certs/ is
# trusted here and never reaches the final image (see the top of this file).
FROM system AS pypi
COPY certs/ /tmp/build-certs/
COPY requirements/ /opt/s2i-wsgi/requirements/
# hadolint ignore=SC2086
RUN set -eux; \
    certs="$(find /tmp/build-certs -name '*.crt' -type f)"; \
    if [ -n "${certs}" ]; then \
        cat /etc/ssl/certs/ca-certificates.crt ${certs} >/tmp/build-ca-bundle.pem; \
        export PIP_CERT=/tmp/build-ca-bundle.pem SSL_CERT_FILE=/tmp/build-ca-bundle.pem; \
    fi; \
    # The launcher runs on the system Python, outside the app's virtualenv, so
    # it never conflicts with (or depends on) the app's packages. Supervisor and
    # the dependency managers (uv, micropipenv) live in a tools virtualenv of
    # their own for the same reason; the launcher calls them by full path.
    python3 -m venv /opt/s2i-wsgi/tools; \
    /opt/s2i-wsgi/tools/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/tools.txt; \
    find /opt/s2i-wsgi/tools -name '__pycache__' -prune -exec rm -rf {} +; \
    # The app's virtualenv, with mod_wsgi compiled against this Apache and Python.
    python3 -m venv /opt/app-root; \
    /opt/app-root/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/venv.txt; \
    /opt/app-root/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/builder.txt; \
    find /opt/app-root -name '__pycache__' -prune -exec rm -rf {} +

# The published image: the system stage plus the virtualenvs, no build CA.
FROM system
ARG BASE_IMAGE
COPY requirements/ /opt/s2i-wsgi/requirements/
COPY --from=pypi /opt/s2i-wsgi/tools/ /opt/s2i-wsgi/tools/
COPY --from=pypi /opt/app-root/ /opt/app-root/
RUN set -eux; \
    ln -s /opt/s2i-wsgi/tools/bin/supervisord /opt/s2i-wsgi/tools/bin/supervisorctl /usr/local/bin/; \
    supervisord --version; \
    /opt/s2i-wsgi/tools/bin/uv --version; \
    /opt/s2i-wsgi/tools/bin/micropipenv --version; \
    /opt/app-root/bin/mod_wsgi-express module-config

COPY root/ /
COPY src/s2i_wsgi/ /opt/s2i-wsgi/lib/s2i_wsgi/
COPY s2i/bin/ /usr/libexec/s2i/

# UID 1001 owns the app; group 0 may write everything the app or server
# writes, so OpenShift's arbitrary UIDs (always in group 0) work too. /etc/passwd
# is group-writable so the entrypoint can name such a UID (getpwuid, getuser).
RUN set -eux; \
    useradd --uid 1001 --gid 0 --no-create-home --home-dir /opt/app-root/src \
        --shell /bin/bash --comment 'Default application user' default; \
    mkdir -p /opt/app-root/src /opt/app-root/etc; \
    python3 -m compileall -q /opt/s2i-wsgi/lib; \
    chown -R 1001:0 /opt/app-root; \
    fix-permissions /opt/app-root; \
    chmod g+w /etc/passwd; \
    s2i-wsgi --version

LABEL name="s2i-wsgi" \
      summary="Python WSGI applications on Apache httpd + mod_wsgi, built with Source-to-Image" \
      description="Builds Python web applications from source into images that serve them with Apache httpd and mod_wsgi (mod_wsgi-express, daemon mode)." \
      io.k8s.display-name="s2i-wsgi (Python + Apache httpd + mod_wsgi)" \
      io.k8s.description="Builds Python web applications from source into images that serve them with Apache httpd and mod_wsgi (mod_wsgi-express, daemon mode)." \
      io.openshift.expose-services="8080:http" \
      io.openshift.tags="builder,python,wsgi,mod_wsgi,apache,httpd" \
      io.openshift.s2i.scripts-url="image:///usr/libexec/s2i" \
      io.s2i.scripts-url="image:///usr/libexec/s2i" \
      org.opencontainers.image.title="s2i-wsgi" \
      org.opencontainers.image.description="Source-to-Image builder for Python WSGI applications served by Apache httpd + mod_wsgi" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

WORKDIR /opt/app-root/src
USER 1001
EXPOSE 8080
# Docker's health status (Kubernetes ignores this: use probes, see the README).
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 CMD ["s2i-wsgi", "ready", "--timeout", "5"]
ENTRYPOINT ["container-entrypoint"]
CMD ["/usr/libexec/s2i/usage"]
