# s2i-wsgi: a Source-to-Image builder for Python web applications, served by
# Apache httpd + mod_wsgi (mod_wsgi-express, daemon mode).
#
#   docker build -t s2i-wsgi:3.13 .                                          # Debian trixie, Python 3.13
#   docker build -t s2i-wsgi:3.11 --build-arg BASE_IMAGE=debian:bookworm-slim .   # Python 3.11
#   docker build -t s2i-wsgi:3.13-runtime --target runtime .                  # the runtime image
#
# Stages: `base` (Python, Apache, locale), `compile` (mod_wsgi and the tools
# virtualenv, built with the headers and compiler), `build-tools` (uv and
# micropipenv added to the tools virtualenv, and the SBOM generator's own
# virtualenv), `runtime` (base plus what
# `compile` built, the launcher and the s2i scripts: no compiler, no headers,
# for lean app images through s2i's extended builds) and `builder` (runtime
# plus the compiler, headers and dependency tools; the default target).
#
# Only the classic builder's features are used, so Docker, Podman and Buildah
# build it alike.
#
# Behind a TLS-inspecting proxy, put its CA certificate (PEM) into certs/ as
# *.crt before building. Only the stages that install from PyPI (`compile`,
# `build-tools`) see it; the published images copy the installed virtualenvs
# from them, so the certificate is in none of their layers. With certs/ empty
# nothing changes.
ARG BASE_IMAGE=debian:trixie-slim
# The Python that BASE_IMAGE's python3 is (trixie 3.13, bookworm 3.11, forky 3.14): checked below,
# and named in the image's PYTHON_VERSION (as in sclorg's images) and labels.
ARG PYTHON_VERSION=3.13
FROM ${BASE_IMAGE} AS base
ARG PYTHON_VERSION

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

# No documentation, manual pages or message catalogues enter either image:
# nothing in a container reads them. These are the rules Debian's official
# slim images already carry (a no-op there); a base made with debootstrap has
# none. Copyright files stay, and locale.alias, which localedef reads below.
RUN set -eux; \
    printf '%s\n' \
        'path-exclude=/usr/share/doc/*' \
        'path-include=/usr/share/doc/*/copyright' \
        'path-exclude=/usr/share/man/*' \
        'path-exclude=/usr/share/info/*' \
        'path-exclude=/usr/share/locale/*' \
        'path-include=/usr/share/locale/locale.alias' \
        >/etc/dpkg/dpkg.cfg.d/s2i-wsgi-nodoc

# What both images run: Debian's Python and its shared library (mod_wsgi links
# against it), Apache httpd, and what s2i and OpenShift need (tar, sh, chown).
# hadolint ignore=DL3008
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        apache2-bin \
        ca-certificates \
        dumb-init \
        libnss-wrapper \
        locales \
        media-types \
        procps \
        python3 \
        tar \
    ; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "libpython$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    ; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*; \
    # A real en_US.UTF-8 locale, not just the variable (forky has no locale.alias any more).
    aliases=/usr/share/locale/locale.alias; \
    if [ -e "${aliases}" ]; then set -- -A "${aliases}"; else set --; fi; \
    localedef -i en_US -c -f UTF-8 "$@" en_US.UTF-8; \
    locale -a | grep -qx 'en_US.utf8'; \
    # The locale sources (17 MB) only serve localedef, which has compiled the one
    # locale the images use into /usr/lib/locale; they are needed up to here, so
    # they are removed in this layer rather than excluded from the install.
    rm -rf /usr/share/i18n/charmaps /usr/share/i18n/locales; \
    /usr/sbin/apache2 -v; \
    found="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"; \
    if [ "${found}" != "${PYTHON_VERSION}" ]; then \
        echo "ERROR: the base image has Python ${found}; build with --build-arg PYTHON_VERSION=${found}" >&2; \
        exit 1; \
    fi

# Set only now that the locale exists (earlier, apt's perl would warn about it).
ENV LANG=en_US.UTF-8 \
    LC_ALL=en_US.UTF-8 \
    PYTHON_VERSION=${PYTHON_VERSION}

# The compiler and headers mod_wsgi builds with (also installed in `builder`,
# for the app's packages; never in `runtime`).
FROM base AS compile
# hadolint ignore=DL3008
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        apache2-dev \
        gcc \
        libc6-dev \
        python3-dev \
        python3-venv \
    ; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*

# The launcher runs on the system Python, outside the app's virtualenv, so it
# never conflicts with (or depends on) the app's packages. Supervisor lives in
# a tools virtualenv of its own for the same reason (the builder adds the
# dependency managers, uv and micropipenv, there).
COPY requirements/ /opt/s2i-wsgi/requirements/
COPY certs/ /tmp/build-certs/
# A build CA (certs/*.crt) joins the system bundle for pip in this stage only.
# hadolint ignore=SC2086
RUN set -eux; \
    certs="$(find /tmp/build-certs -name '*.crt' -type f)"; \
    cat /etc/ssl/certs/ca-certificates.crt ${certs} >/tmp/build-ca-bundle.pem
ENV PIP_CERT=/tmp/build-ca-bundle.pem \
    SSL_CERT_FILE=/tmp/build-ca-bundle.pem
RUN set -eux; \
    python3 -m venv /opt/s2i-wsgi/tools; \
    /opt/s2i-wsgi/tools/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/tools.txt; \
    find /opt/s2i-wsgi/tools -name '__pycache__' -prune -exec rm -rf {} +; \
    /opt/s2i-wsgi/tools/bin/supervisord --version

# The app's virtualenv, with mod_wsgi compiled against this Apache and Python.
# Group permissions are set here (g=u, what fix-permissions does), so that the
# stages that copy it need not change every file again in a layer of their own.
RUN set -eux; \
    python3 -m venv /opt/app-root; \
    /opt/app-root/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/venv.txt; \
    /opt/app-root/bin/pip install --no-cache-dir -r /opt/s2i-wsgi/requirements/builder.txt; \
    /opt/app-root/bin/mod_wsgi-express module-config; \
    find /opt/app-root -name '__pycache__' -prune -exec rm -rf {} +; \
    mkdir -p /opt/app-root/src /opt/app-root/etc; \
    chmod -R g=u /opt/app-root

# The dependency managers the builder adds to the tools virtualenv (uv,
# micropipenv), installed here where a build CA is trusted.
# They go to a staging prefix laid out like the tools virtualenv, so that the
# builder copies only them on top of the runtime's tools (copying the whole
# virtualenv would ship supervisor's files a second time); neither has a
# dependency the tools virtualenv must provide.
FROM compile AS build-tools
RUN set -eux; \
    /opt/s2i-wsgi/tools/bin/pip install --no-cache-dir --prefix /tmp/build-tools/opt/s2i-wsgi/tools \
        -r /opt/s2i-wsgi/requirements/build-tools.txt; \
    find /tmp/build-tools -name '__pycache__' -prune -exec rm -rf {} +; \
    cp -a /tmp/build-tools/opt/s2i-wsgi/tools/. /opt/s2i-wsgi/tools/; \
    /opt/s2i-wsgi/tools/bin/uv --version; \
    /opt/s2i-wsgi/tools/bin/micropipenv --version

# The SBOM generator (cyclonedx-py), in a virtualenv of its own so that its
# pins never meet the tools' or the app's; without pip (the tools' pip
# installs into it), and with --no-deps from a complete list (see
# requirements/sbom.txt: no lxml). Its bytecode is kept: assemble runs it as
# 1001, which could not write it, and compiling on every build costs time.
# The smoke check reads the app virtualenv this stage already has.
RUN set -eux; \
    python3 -m venv --without-pip /opt/s2i-wsgi/sbom; \
    /opt/s2i-wsgi/tools/bin/pip --python /opt/s2i-wsgi/sbom/bin/python install --no-cache-dir --no-deps \
        -r /opt/s2i-wsgi/requirements/sbom.txt; \
    /opt/s2i-wsgi/sbom/bin/python -m compileall -q /opt/s2i-wsgi/sbom/lib; \
    /opt/s2i-wsgi/sbom/bin/cyclonedx-py environment --no-validate -o /dev/null /opt/app-root/bin/python

# The runtime image: what an app image needs to serve, nothing to build with.
FROM base AS runtime
ARG BASE_IMAGE
ARG PYTHON_VERSION
COPY --from=compile /opt/s2i-wsgi/ /opt/s2i-wsgi/
COPY --from=compile --chown=1001:0 /opt/app-root/ /opt/app-root/
COPY root/ /
COPY src/s2i_wsgi/ /opt/s2i-wsgi/lib/s2i_wsgi/
COPY s2i/bin/ /usr/libexec/s2i/

# UID 1001 owns the app; group 0 may write everything the app or server
# writes, so OpenShift's arbitrary UIDs (always in group 0) work too. Such a UID
# is named through nss_wrapper (generate-container-user), never by writing
# /etc/passwd, which stays root's. No program keeps a set-UID or set-GID bit: in
# a container nothing needs su, passwd or mount, and none can then become root.
# /opt/s2i-wsgi/cache holds the dependency cache incremental builds reuse
# (outside /opt/app-root, so the runtime image never receives it).
RUN set -eux; \
    useradd --uid 1001 --gid 0 --no-create-home --home-dir /opt/app-root/src \
        --shell /bin/bash --comment 'Default application user' default; \
    ln -s /opt/s2i-wsgi/tools/bin/supervisord /opt/s2i-wsgi/tools/bin/supervisorctl /usr/local/bin/; \
    mkdir -p /opt/s2i-wsgi/cache; \
    chown 1001:0 /opt/s2i-wsgi/cache /opt/app-root; \
    chown -R 1001:0 /opt/app-root/etc /opt/app-root/src; \
    chmod 0775 /opt/s2i-wsgi/cache /opt/app-root; \
    fix-permissions /opt/app-root/etc /opt/app-root/src; \
    # The system Python (python3 on PATH is the app's venv, which root must not write to).
    /usr/bin/python3 -m compileall -q /opt/s2i-wsgi/lib; \
    find / -xdev -perm /6000 -type f -exec chmod ug-s {} +; \
    test -z "$(find / -xdev -perm /6000 -type f)"; \
    supervisord --version; \
    s2i-wsgi --version

# io.s2i-wsgi.sbom: where an app image built on this image or on the builder
# keeps its bill of materials (written by assemble, see src/s2i_wsgi/sbom.py);
# app images inherit the label. These images themselves carry no such file.
LABEL name="s2i-wsgi-runtime" \
      summary="Runtime image for Python WSGI applications built with s2i-wsgi (Apache httpd + mod_wsgi)" \
      description="Serves Python web applications built by the s2i-wsgi builder image, without compiler, headers or build caches (s2i extended builds: --runtime-image)." \
      io.k8s.display-name="s2i-wsgi runtime (Python + Apache httpd + mod_wsgi)" \
      io.k8s.description="Serves Python web applications built by the s2i-wsgi builder image, without compiler, headers or build caches (s2i extended builds: --runtime-image)." \
      io.openshift.expose-services="8080:http" \
      io.openshift.tags="runtime,python,wsgi,mod_wsgi,apache,httpd" \
      io.openshift.s2i.scripts-url="image:///usr/libexec/s2i" \
      io.s2i.scripts-url="image:///usr/libexec/s2i" \
      io.openshift.s2i.assemble-input-files="/opt/app-root" \
      io.openshift.s2i.assemble-runtime-user="0" \
      org.opencontainers.image.title="s2i-wsgi-runtime" \
      org.opencontainers.image.description="Runtime image for Python WSGI applications built with s2i-wsgi" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${BASE_IMAGE}" \
      io.s2i-wsgi.python-version="${PYTHON_VERSION}" \
      io.s2i-wsgi.sbom="/opt/app-root/sbom.cdx.json"

WORKDIR /opt/app-root/src
USER 1001
EXPOSE 8080
# Docker's health status (Kubernetes ignores this: use probes, see docs/production.md).
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 CMD ["s2i-wsgi", "ready", "--timeout", "5"]
ENTRYPOINT ["container-entrypoint"]
CMD ["/usr/libexec/s2i/usage"]

# The builder image: the runtime image plus a C toolchain and headers for
# packages built from source, git, and the dependency managers (uv,
# micropipenv) in the tools virtualenv; the launcher calls them by full path.
FROM runtime AS builder
ARG BASE_IMAGE
USER 0
# What the toolchain brings that building a package's extension never uses is
# excluded from the install (dpkg path-exclude: the files never enter a layer):
# - sanitizer runtimes (libasan, libhwasan, liblsan, libtsan, libubsan; 40 MB):
#   loaded only by programs compiled with -fsanitize, which wheels never are;
# - LTO (lto1 and lto-dump, 64 MB): Debian's Python builds extensions without
#   -flto (sysconfig's CFLAGS and LDSHARED); the linker plugin stays, so a
#   package that asks for -flto fails to link with a clear message;
# - the static libpython (libpython3.X.a and -pic.a, 25 MB): extensions link to
#   nothing, and what embeds Python (uWSGI) links the shared library, which the
#   config directory names first;
# - gprofng (4 MB), a profiler nothing runs in a build.
RUN set -eux; \
    printf '%s\n' \
        'path-exclude=/usr/lib/*/libasan.so*' \
        'path-exclude=/usr/lib/*/libhwasan.so*' \
        'path-exclude=/usr/lib/*/liblsan.so*' \
        'path-exclude=/usr/lib/*/libtsan.so*' \
        'path-exclude=/usr/lib/*/libubsan.so*' \
        'path-exclude=/usr/lib/gcc/*/*/libasan*' \
        'path-exclude=/usr/lib/gcc/*/*/libhwasan*' \
        'path-exclude=/usr/lib/gcc/*/*/liblsan*' \
        'path-exclude=/usr/lib/gcc/*/*/libtsan*' \
        'path-exclude=/usr/lib/gcc/*/*/libubsan*' \
        'path-exclude=/usr/libexec/gcc/*/*/lto1' \
        'path-exclude=/usr/bin/*lto-dump*' \
        'path-exclude=/usr/lib/python3*/config-*/libpython*.a' \
        'path-exclude=/usr/lib/*/libpython*.a' \
        'path-exclude=/usr/lib/*/libgprofng.so*' \
        'path-exclude=/usr/lib/*/gprofng/*' \
        'path-exclude=/usr/bin/*gprofng*' \
        >/etc/dpkg/dpkg.cfg.d/s2i-wsgi-builder
# apache2-dev (apxs and Apache's headers: an app that pins another mod_wsgi
# builds it from its sdist with them) depends on debhelper, which is for
# packaging Apache modules as .debs and brings dpkg-dev, autoconf, automake,
# libtool, gettext, man-db and groff with it (about 35 MB); apxs needs none of
# them. An empty local package that provides debhelper satisfies the
# dependency, so apt stays consistent and installs the rest as usual.
# hadolint ignore=DL3008
RUN set -eux; \
    stub=/tmp/s2i-wsgi-no-debhelper; \
    mkdir -p "${stub}/DEBIAN"; \
    printf '%s\n' \
        'Package: s2i-wsgi-no-debhelper' \
        'Version: 1.0' \
        'Architecture: all' \
        'Maintainer: s2i-wsgi' \
        'Provides: debhelper (= 13)' \
        'Description: stands in for debhelper, which apache2-dev requires but apxs does not use' \
        >"${stub}/DEBIAN/control"; \
    dpkg-deb --build "${stub}" "${stub}.deb"; \
    dpkg -i "${stub}.deb"; \
    rm -rf "${stub}" "${stub}.deb"; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        apache2-dev \
        g++ \
        gcc \
        git \
        libc6-dev \
        make \
        pkg-config \
        python3-dev \
        python3-venv \
    ; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*; \
    # C and C++ still compile and link without what was excluded; apxs answers.
    printf 'int main(void) { return 0; }\n' >/tmp/smoke.c; \
    gcc -O2 -o /tmp/smoke /tmp/smoke.c; \
    /tmp/smoke; \
    g++ -x c++ -O2 -o /tmp/smoke /tmp/smoke.c; \
    /tmp/smoke; \
    rm -f /tmp/smoke /tmp/smoke.c; \
    apxs -q INCLUDEDIR; \
    # What these packages bring with a set-UID or set-GID bit loses it too (see runtime).
    find / -xdev -perm /6000 -type f -exec chmod ug-s {} +; \
    test -z "$(find / -xdev -perm /6000 -type f)"
COPY --from=build-tools /tmp/build-tools/opt/s2i-wsgi/tools/ /opt/s2i-wsgi/tools/
COPY --from=build-tools /opt/s2i-wsgi/sbom/ /opt/s2i-wsgi/sbom/
RUN set -eux; \
    /opt/s2i-wsgi/tools/bin/uv --version; \
    /opt/s2i-wsgi/tools/bin/micropipenv --version; \
    /opt/s2i-wsgi/sbom/bin/cyclonedx-py --version

LABEL name="s2i-wsgi" \
      summary="Python WSGI applications on Apache httpd + mod_wsgi, built with Source-to-Image" \
      description="Builds Python web applications from source into images that serve them with Apache httpd and mod_wsgi (mod_wsgi-express, daemon mode)." \
      io.k8s.display-name="s2i-wsgi (Python + Apache httpd + mod_wsgi)" \
      io.k8s.description="Builds Python web applications from source into images that serve them with Apache httpd and mod_wsgi (mod_wsgi-express, daemon mode)." \
      io.openshift.tags="builder,python,wsgi,mod_wsgi,apache,httpd" \
      io.openshift.s2i.assemble-input-files="" \
      io.openshift.s2i.assemble-runtime-user="" \
      io.s2i-wsgi.cache-dir="/opt/s2i-wsgi/cache" \
      org.opencontainers.image.title="s2i-wsgi" \
      org.opencontainers.image.description="Source-to-Image builder for Python WSGI applications served by Apache httpd + mod_wsgi" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

USER 1001
