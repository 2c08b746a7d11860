"""The build (s2i assemble): install the app's dependencies into the app's
virtualenv (deps/ decides how), then make sure there is something to serve."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from . import asgi_mount, build_secrets, deps, django, hooks, importcheck, interface, output, sbom
from .config import APP_ROOT, BUILDER_HOME, Config, load
from .deps import PYTHON, UV
from .detect import EntryPoint, entry_point
from .errors import BuildError, RebuildFromBuilder
from .extra_processes import find as find_extra_processes
from .incremental import cache, snapshot
from .interface import ASGI, Interface
from .servers import SERVERS, asgi, choose_server


def installed(config: Config, module: str) -> bool:
    """Whether the app's virtualenv can import `module` (found, not imported)."""
    probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({module!r}) else 1)"
    return output.run([str(PYTHON), "-c", probe], cwd=config.app_dir) == 0


def pip(config: Config, *args: str, what: str) -> None:
    deps.pip_install(config, *args, what=what)


def check_importable(config: Config, entry: EntryPoint) -> None:
    """An APP_MODULE outside the source must at least be installed."""
    if entry.file is not None:
        return
    if not installed(config, entry.module):
        raise BuildError(
            f"{entry.reason.split(' (from ')[0]} names module `{entry.module}`, which is neither in the "
            "source nor installed in the app's virtualenv.",
            "The server would fail every request with ModuleNotFoundError.",
            "Check the spelling of the module path (dotted, e.g. mypackage.wsgi), or add the package "
            "that provides it to requirements.txt.",
        )


def install_server(config: Config, server: str, why: str, *, reused: bool = False) -> None:
    """Install the chosen server, pinned, unless the app's dependencies brought it."""
    chosen = SERVERS[server]
    if chosen.package is None:
        return  # mod_wsgi is part of the builder image
    if reused:
        output.step(f"Server: {chosen.title} ({why}), in the reused virtualenv")
        return
    if (APP_ROOT / "bin" / chosen.executable).exists():
        output.step(f"Server: {chosen.title} ({why}), installed by the app's dependencies")
        return
    constraints = BUILDER_HOME / "requirements" / "servers.txt"
    output.step(f"Installing {chosen.title} ({why}), pinned by the builder")
    pip(config, "--constraint", str(constraints), chosen.package, what=chosen.title)


def installed_versions(config: Config, names: tuple[str, ...]) -> dict[str, str]:
    """The versions of these distributions in the app's virtualenv (those installed)."""
    probe = (
        "import importlib.metadata as m, json, sys\n"
        "found = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try: found[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(found))"
    )
    result = subprocess.run(
        [str(PYTHON), "-c", probe, *names], cwd=config.app_dir, capture_output=True, text=True, check=False
    )
    return json.loads(result.stdout) if result.returncode == 0 else {}


def install_asgi_server(config: Config, server: str, why: str, *, reused: bool = False) -> None:
    """Install what the ASGI server needs, pinned, except what the app's dependencies installed:
    those keep their version (the constraints name it), as the app's own lock chose it."""
    title = asgi.TITLES[server]
    if reused:
        output.step(f"Server: {title} ({why}), in the reused virtualenv")
        return
    found = installed_versions(config, asgi.PACKAGES[server])
    missing = [name for name in asgi.PACKAGES[server] if name not in found]
    if not missing:
        output.step(f"Server: {title} ({why}), installed by the app's dependencies")
        return
    pins = (BUILDER_HOME / "requirements" / "servers.txt").read_text(encoding="utf-8").splitlines()
    kept = [line for line in pins if line.split("==")[0].strip().lower() not in found]
    constraints = Path(tempfile.mkdtemp()) / "constraints.txt"
    constraints.write_text("\n".join([*kept, *(f"{name}=={version}" for name, version in found.items())]) + "\n")
    shown = f" (keeping the app's {', '.join(sorted(found))})" if found else ""
    output.step(f"Installing {', '.join(missing)} for {title} ({why}), pinned by the builder{shown}")
    try:
        pip(config, "--constraint", str(constraints), *missing, what=title)
    finally:
        shutil.rmtree(constraints.parent, ignore_errors=True)


def install_for(config: Config, found: Interface | None, server: str, why: str, *, reused: bool) -> None:
    if found is not None and found.kind == ASGI:
        install_asgi_server(config, server, why, reused=reused)
    else:
        install_server(config, server, why, reused=reused)


def install_whitenoise(config: Config, server: str) -> None:
    """gunicorn and waitress cannot serve files: WhiteNoise serves Django's static files for them."""
    if installed(config, "whitenoise"):
        output.step(f"Static files: served by WhiteNoise (installed by the app) in front of {SERVERS[server].title}")
        return
    constraints = BUILDER_HOME / "requirements" / "servers.txt"
    output.step(
        f"Installing WhiteNoise to serve Django's static files with {SERVERS[server].title}, pinned by the builder"
    )
    pip(config, "--constraint", str(constraints), "whitenoise", what="WhiteNoise")


def drop_pip_bytecode(app_root: Path = APP_ROOT) -> None:
    """pip writes its own modules' bytecode as it runs (about 5 MB): the image would keep it,
    though nothing in it runs pip. The packages pip installed keep theirs (pip compiles them)."""
    for found in sorted(app_root.glob("lib/python3*/site-packages/pip")):
        for cache_dir in sorted(found.rglob("__pycache__")):
            shutil.rmtree(cache_dir, ignore_errors=True)


def install_dependencies(dependency_plan: deps.DependencyPlan, config: Config, reusable: Reuse) -> bool:
    """Install with the previous build's cache when there is one; should that fail, once more without.

    An incremental build whose virtualenv is unchanged (snapshot.py) installs nothing: True. One whose
    requirements.txt only adds lines installs what they add on top of the previous virtualenv: True
    (the server is there too); should pip need to replace a package there, everything, on the builder's.
    """
    reused = snapshot.restore(
        reusable.digest,
        reusable.why_not,
        cache.ARTIFACTS_DIR,
        wanted=reusable.requirements,
        builder_installs=builder_installs(),
    )
    restored = cache.restore(cache.CACHE_DIR, cache.ARTIFACTS_DIR)
    if reused == snapshot.START and not add_requirements(dependency_plan, config, reusable.builder):
        reused = None
    if not reused:
        try:
            deps.install(dependency_plan, config)
        except BuildError:
            if not restored:
                raise
            output.warning(
                "Installing the dependencies failed with the cache from the previous build, which may be "
                "damaged. Installing them again without it."
            )
            cache.clear(cache.CACHE_DIR)
            deps.install(dependency_plan, config)
    cache.keep(config["BUILD_CACHE"], UV, cache.CACHE_DIR)
    return reused is not None


def builder_installs() -> frozenset[str]:
    """The packages the builder installs itself at its pinned versions (servers, WhiteNoise)."""
    try:
        lines = (BUILDER_HOME / "requirements" / "servers.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(snapshot.name_of(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


def add_requirements(dependency_plan: deps.DependencyPlan, config: Config, builder: snapshot.Listing) -> bool:
    """pip install -r requirements.txt on the previous virtualenv, with every package there pinned: pip
    adds what the new lines need and replaces nothing, so the result is what a clean install gives.
    False (the builder's virtualenv given back) when pip cannot do that."""
    scratch = Path(tempfile.mkdtemp(prefix="s2i-wsgi-pins-"))
    pinned = scratch / "installed.txt"
    pinned.write_text("".join(f"{line}\n" for line in snapshot.pins()), encoding="utf-8")
    try:
        deps.add_requirements(dependency_plan, config, pinned)
    except BuildError:
        output.warning(
            "pip could not install the new requirements on the previous build's virtualenv with every "
            "package there kept at its version (pip's output above says why: a new line may need another "
            "version of one). Installing all the dependencies, as a full build does."
        )
        snapshot.undo(builder, snapshot.backup(cache.ARTIFACTS_DIR))
        return False
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(snapshot.backup(cache.ARTIFACTS_DIR), ignore_errors=True)
    return True


@dataclasses.dataclass(frozen=True)
class Reuse:
    """The fingerprint of this build's virtualenv, or why it cannot be reused; and what the next
    build needs to start from it (snapshot.requirements)."""

    builder: snapshot.Listing  # the virtualenv as the builder made it
    digest: str | None
    why_not: str | None = None
    requirements: snapshot.Requirements | str | None = None


def reusable(config: Config, dependency_plan: deps.DependencyPlan, server: str, source_dir: Path) -> Reuse:
    builder = snapshot.listing()
    identity = snapshot.identity(builder)
    try:
        digest = snapshot.fingerprint(config, dependency_plan, server, source_dir, identity)
    except snapshot.NotReusable as exc:
        return Reuse(builder, None, str(exc))
    return Reuse(builder, digest, None, snapshot.requirements(config, dependency_plan, server, source_dir, identity))


def check_layered(config: Config, dependency_plan: deps.DependencyPlan, server: str, source_dir: Path) -> None:
    """A layered rebuild runs in the previous app image: go on only if its virtualenv is what this
    build would install (RebuildFromBuilder otherwise, and bin/s2i-build builds on the builder)."""
    found = snapshot.manifest(cache.CACHE_DIR)
    if found is None:
        raise RebuildFromBuilder("The previous image records no reusable virtualenv: building on the builder.")
    try:
        digest = snapshot.fingerprint(config, dependency_plan, server, source_dir, found["builder"])
    except snapshot.NotReusable as exc:
        raise RebuildFromBuilder(f"The previous image's virtualenv is not reused: {exc}.") from None
    if digest != found["fingerprint"]:
        raise RebuildFromBuilder(
            "The dependency files, the install settings or the hooks changed since the previous image: "
            "building on the builder."
        )
    output.step(
        "Building on the previous image: its virtualenv is what this build would install (the "
        "dependency files, the install settings, the hooks and the builder are unchanged), so nothing "
        "is installed and only the source changes"
    )


def check_mounted(config: Config, mounted: asgi_mount.Mount) -> None:
    """ASGI_MOUNT's app must import, and be ASGI: uvicorn calls it the ASGI way."""
    verdict = importcheck.check(config, mounted.entry, config.environment)
    if verdict is not None and verdict[0] != ASGI:
        raise BuildError(
            f"ASGI_MOUNT names {mounted.entry.target}, which is a WSGI application ({verdict[1]}), not an ASGI one.",
            f"The ASGI server under {mounted.prefix} would call it with (scope, receive, send), and every request "
            "there would fail.",
            "Point ASGI_MOUNT at an ASGI application; WSGI paths belong to the main app.",
        )


def serve_as(config: Config, entry: EntryPoint, serving: Serving, verdict: tuple[str, str]) -> Serving:
    """Record the import check's verdict; when reading the file guessed otherwise, choose and install
    the server for what the app is."""
    kind, what = verdict
    interface.record(entry, kind, what)
    if serving.guess is None or serving.guess.kind == kind or config["APP_INTERFACE"] != "auto":
        return serving
    found = Serving.choose(config, entry, Interface(kind, what))
    install_for(config, found.guess, found.server, found.why, reused=False)
    return found


@dataclasses.dataclass(frozen=True)
class Serving:
    """What serves the app: the server and why, the interface as far as known, and ASGI_MOUNT's app."""

    server: str
    why: str
    guess: Interface | None
    mounted: asgi_mount.Mount | None

    @classmethod
    def choose(cls, config: Config, entry: EntryPoint, known: Interface | None = None) -> Serving:
        """Before installing: the server, the interface (`known`, else APP_INTERFACE or reading the
        file, as the previous image's verdict is forgotten), and a check of ASGI_MOUNT."""
        server, why = choose_server(config)
        if known is None:
            interface.forget()  # the previous image's verdict, if an incremental build brought it
        guess = known or interface.decide(config, entry)
        if guess is not None and guess.is_asgi:
            server, why = asgi.choose(config, server, why, entry.target)
        asgi_mount.check(config, entry, server, guess)
        return cls(server, why, guess, asgi_mount.mount(config))

    @property
    def is_asgi(self) -> bool:
        return self.guess is not None and self.guess.is_asgi

    @property
    def installs(self) -> str:
        """What the server install puts in the virtualenv, for the incremental fingerprint."""
        return (f"asgi-{self.server}" if self.is_asgi else self.server) + ("+asgi-mount" if self.mounted else "")

    def install(self, config: Config, entry: EntryPoint, *, reused: bool) -> None:
        if entry.is_wsgi:
            install_for(config, self.guess, self.server, self.why, reused=reused)
            check_importable(config, entry)
        if self.mounted:
            install_asgi_server(config, "uvicorn", f"ASGI_MOUNT={config['ASGI_MOUNT']}", reused=reused)


def build(environ: Mapping[str, str], source_dir: Path) -> EntryPoint:
    """The whole build, in the order docs/hooks-and-processes.md documents, with the build secrets provided."""
    config = load(environ, source_dir)
    with build_secrets.provided(build_secrets.secrets_dir(config["S2I_WSGI_SECRETS_DIR"])) as found:
        return _build(environ, source_dir, config, found)


def _build(
    environ: Mapping[str, str], source_dir: Path, config: Config, found: build_secrets.BuildSecrets
) -> EntryPoint:
    output.step(f"Building the app in {config.app_dir} with Python {sys.version.split()[0]}")
    overridden = sorted(name for name in found.environment if name in config.environment and name in config.settings)
    build_secrets.describe(found, [name for name in overridden if name != "S2I_WSGI_SECRETS_DIR"])
    build_secrets.warn_exposed({**environ, **config.app_environment})
    env = {**environ, **config.app_environment, **found.environment}
    changes = hooks.environment_from("build-env", source_dir, config.app_dir, env)
    if changes:
        env.update(changes)
        config = load({**environ, **changes}, source_dir)
    config = dataclasses.replace(config, build_secrets=found.environment)
    hooks.run_heroku("pre_compile", source_dir, env)
    hooks.run("pre-build", source_dir, config.app_dir, env)
    # All five fail fast, before a long install.
    entry = entry_point(config)
    serving = Serving.choose(config, entry)
    extra = find_extra_processes(source_dir, config.app_dir)
    dependency_plan = deps.plan(config)
    installs = serving.installs
    layered = snapshot.LAYERED.exists()
    if layered:
        snapshot.LAYERED.unlink()
        check_layered(config, dependency_plan, installs, source_dir)
        reuse, reused = None, True
    else:
        reuse = reusable(config, dependency_plan, installs, source_dir)
        reused = install_dependencies(dependency_plan, config, reuse)
    serving.install(config, entry, reused=reused)
    hooks.run("build", source_dir, config.app_dir, env)
    verdict = importcheck.check(config, entry, django.django_env(entry, config.environment))
    if verdict is not None:
        serving = serve_as(config, entry, serving, verdict)
    if serving.mounted:
        check_mounted(config, serving.mounted)
    django.collectstatic(config, entry, env)
    if entry.django and not serving.is_asgi and serving.server in ("gunicorn", "waitress") and django.static_alias():
        install_whitenoise(config, serving.server)
    hooks.run_heroku("post_compile", source_dir, env)  # where Heroku runs it: after collectstatic
    drop_pip_bytecode()  # nothing runs pip after this
    # Last of all that installs: the list is of the virtualenv as the image keeps it. No build secret
    # is passed on (the generator needs none); the app's own settings are (PYTHONPATH, .pth paths).
    sbom.write(config, {**environ, **config.app_environment, **changes})
    output.step(f"Entry point: {entry.target} ({entry.reason})")
    found = interface.decide(config, entry)
    if found is not None and found.is_asgi:
        output.step(
            f"{entry.target} is an ASGI application ({found.why}): served by {asgi.TITLES[serving.server]} "
            f"({serving.why})"
        )
    if serving.mounted:
        output.step(
            f"{serving.mounted.prefix} is proxied by Apache to {serving.mounted.entry.target}, served by uvicorn "
            f"under supervisord (ASGI_MOUNT)"
        )
    if extra:
        listed = ", ".join(f"{name} ({origin})" for name, origin in extra.names())
        output.step(f"Extra processes, run under supervisord beside the web server: {listed}")
    if reuse is not None:  # a layered rebuild keeps the previous image's record
        snapshot.record(reuse.digest, config["BUILD_CACHE"], cache.CACHE_DIR, reuse.builder, wanted=reuse.requirements)
    return entry
