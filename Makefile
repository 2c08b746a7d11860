# s2i-wsgi: build, test and try the builder image.
#
#   make demo    build the builder and serve a sample app on http://127.0.0.1:8080
#   make test    lint, unit tests, and integration tests against real containers (real s2i)
#   make bench   ours against a Dockerfile+gunicorn and a warpdrive baseline: bench/results/
#
# Both start a container engine first where they can (bin/ensure-engine).

IMAGE_NAME       ?= s2i-wsgi
CONTAINER_ENGINE ?= docker
BASE_IMAGE       ?= debian:trixie-slim
# The other variants built and smoke-tested by `make test`: TAG=BASE pairs.
VARIANTS         ?= 3.13=debian:trixie-slim 3.11=debian:bookworm-slim 3.14=debian:forky-slim
DEMO_PORT        ?= 8080
PYTEST_WORKERS   ?= 3
# The real s2i CLI the tests and the benchmark build with (bin/ensure-s2i builds it with Go).
S2I_VERSION      ?= 1.6.3
TOOLS_BIN        := $(CURDIR)/.tools/bin
# make bench: repetitions (medians), seconds per wrk run, apps. Quick smoke run:
#   make bench BENCH_REPEAT=1 BENCH_DURATION=3
BENCH_REPEAT     ?= 3
BENCH_DURATION   ?= 6
BENCH_APPS       ?= flask_hello,django_static,asgi_hello

tag_for = $(or $(patsubst %=$(1),%,$(filter %=$(1),$(VARIANTS))),custom)
TAG     := $(call tag_for,$(BASE_IMAGE))
IMAGE   := $(IMAGE_NAME):$(TAG)
# A variant's tag is its Python version (the Dockerfile checks it).
PYTHON_ARG := $(if $(filter custom,$(TAG)),,--build-arg PYTHON_VERSION=$(TAG))
VENV    := .venv
PY      := $(VENV)/bin/python
export CONTAINER_ENGINE
# The pinned s2i (and anything else bin/ensure-s2i puts in .tools/bin) comes first.
export PATH := $(TOOLS_BIN):$(PATH)

SHELL_SCRIPTS := s2i/bin/* bin/ensure-engine bin/ensure-s2i root/usr/local/bin/container-entrypoint \
                 root/usr/local/bin/fix-permissions root/opt/app-root/etc/activate root/opt/app-root/etc/generate-container-user .ci/run

.PHONY: help build build-all engine s2i test test-unit test-integration test-smoke test-variants lint readme demo demo-stop clean \
        bench bench-tools

help:
	@sed -n 's/^#   //p' Makefile

engine:
	@bin/ensure-engine $(foreach v,$(VARIANTS),$(lastword $(subst =, ,$(v))))

# The pinned s2i CLI in .tools/bin (built from its Go module; see bin/ensure-s2i).
s2i:
	@bin/ensure-s2i $(S2I_VERSION) $(TOOLS_BIN)

$(PY): requirements/dev.txt
	@python3 -m venv $(VENV) || { echo "ERROR: python3 -m venv failed; install python3-venv (Debian/Ubuntu: apt-get install python3-venv)." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $(PY)

# The builder (the Dockerfile's last stage) and the runtime image (`--target runtime`, tagged TAG-runtime).
build: engine
	$(CONTAINER_ENGINE) build --build-arg BASE_IMAGE=$(BASE_IMAGE) $(PYTHON_ARG) --target runtime -t $(IMAGE)-runtime \
		$(if $(filter $(BASE_IMAGE),debian:trixie-slim),-t $(IMAGE_NAME):latest-runtime) .
	$(CONTAINER_ENGINE) build --build-arg BASE_IMAGE=$(BASE_IMAGE) $(PYTHON_ARG) -t $(IMAGE) \
		$(if $(filter $(BASE_IMAGE),debian:trixie-slim),-t $(IMAGE_NAME):latest) .

build-all: engine
	@set -e; for v in $(VARIANTS); do \
		$(MAKE) --no-print-directory build BASE_IMAGE=$${v#*=}; \
	done

lint: $(PY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/shellcheck --enable=all --exclude=SC2250,SC2310,SC2312 $(SHELL_SCRIPTS)
	$(VENV)/bin/hadolint Dockerfile test/integration/lb/Dockerfile
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.renovate renovate.json
	$(PY) -m pytest -q test/unit/test_readme.py

# Some compare bin/s2i-build with the real s2i (no engine needed): the pinned s2i first.
test-unit: $(PY) s2i
	$(PY) -m pytest test/unit -q

# The whole suite against the default image, in parallel (one worker per test file).
test-integration: $(PY) s2i build
	S2I_WSGI_IMAGE=$(IMAGE) S2I_WSGI_RUNTIME_IMAGE=$(IMAGE)-runtime BASE_IMAGE=$(BASE_IMAGE) \
		$(PY) -m pytest test/integration -q -n $(PYTEST_WORKERS) --dist loadfile

# The smoke subset against the default image (CI runs it for each variant and architecture).
test-smoke: $(PY) s2i build
	S2I_WSGI_IMAGE=$(IMAGE) S2I_WSGI_RUNTIME_IMAGE=$(IMAGE)-runtime BASE_IMAGE=$(BASE_IMAGE) \
		$(PY) -m pytest test/integration -q -m smoke -n $(PYTEST_WORKERS) --dist loadfile

# The smoke subset against every other variant.
test-variants: $(PY) s2i build-all
	@set -e; for v in $(VARIANTS); do \
		[ "$${v#*=}" = "$(BASE_IMAGE)" ] && continue; \
		echo "---> Smoke tests against $(IMAGE_NAME):$${v%%=*}"; \
		S2I_WSGI_IMAGE=$(IMAGE_NAME):$${v%%=*} S2I_WSGI_RUNTIME_IMAGE=$(IMAGE_NAME):$${v%%=*}-runtime BASE_IMAGE=$${v#*=} \
			$(PY) -m pytest test/integration -q -m smoke -n $(PYTEST_WORKERS) --dist loadfile; \
	done

test: lint test-unit test-variants test-integration

readme: $(PY)
	PYTHONPATH=src python3 -m s2i_wsgi envvars --update docs/configuration.md

demo: build
	@$(CONTAINER_ENGINE) rm -f s2i-wsgi-demo >/dev/null 2>&1 || true
	bin/s2i-build test/apps/flask_hello $(IMAGE) s2i-wsgi-demo-app
	$(CONTAINER_ENGINE) run -d --name s2i-wsgi-demo -p 127.0.0.1:$(DEMO_PORT):8080 s2i-wsgi-demo-app
	@for i in $$(seq 100); do \
		if out=$$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode(), end="")' http://127.0.0.1:$(DEMO_PORT)/ 2>/dev/null); then \
			echo "---> The sample app answers on http://127.0.0.1:$(DEMO_PORT)/ : $$out"; \
			echo "     Logs: $(CONTAINER_ENGINE) logs -f s2i-wsgi-demo    Stop: make demo-stop"; exit 0; fi; \
		sleep 0.3; done; \
	echo "ERROR: the sample app did not answer within 30 s; its logs follow." >&2; \
	$(CONTAINER_ENGINE) logs s2i-wsgi-demo >&2; exit 1

demo-stop:
	-$(CONTAINER_ENGINE) rm -f s2i-wsgi-demo

$(VENV)/.bench-installed: requirements/bench.txt $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/bench.txt
	@touch $@

# wrk (the load generator) from Debian when missing, as bin/ensure-engine does for the engine.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "---> Installing wrk with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
		else echo "ERROR: wrk is not installed; install it (Debian/Ubuntu: apt-get install wrk), then run make bench again." >&2; exit 1; fi; }

# Builds the builder, both baselines and the reference apps, measures them, and
# writes bench/results/latest.{md,json,png} (about 35 minutes on 2 cores).
bench: bench-tools s2i $(VENV)/.bench-installed
	@bin/ensure-engine $(BASE_IMAGE)
	$(PY) bench/run.py --repeat $(BENCH_REPEAT) --duration $(BENCH_DURATION) --apps $(BENCH_APPS) --base $(BASE_IMAGE)

clean: demo-stop
	rm -rf $(VENV) .pytest_cache .ruff_cache
