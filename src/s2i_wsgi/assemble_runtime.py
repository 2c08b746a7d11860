"""assemble-runtime: finish an app image based on the runtime image (s2i extended builds).

s2i copies the builder output's /opt/app-root (the runtime image's
io.openshift.s2i.assemble-input-files) into the runtime container's WORKDIR,
i.e. to /opt/app-root/src/app-root, and runs assemble-runtime there. This
moves that tree into place: the virtualenv over the runtime image's own, the
source into /opt/app-root/src. s2i uploads it as root-owned files (modes
0644/0755), which UID 1001 cannot move, so s2i starts assemble-runtime as
root (the io.openshift.s2i.assemble-runtime-user label) for this move only;
see s2i/bin/assemble-runtime. bin/s2i-build --runtime-image copies
/opt/app-root into place itself, so then there is nothing to move.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import output
from .config import APP_ROOT
from .errors import BuildError

STAGED = "app-root"


def staged_tree(app_root: Path = APP_ROOT) -> Path | None:
    """The tree s2i copied in, recognised by the virtualenv's pyvenv.cfg (an app's own
    app-root/ directory has none)."""
    staged = app_root / "src" / STAGED
    if (staged / "pyvenv.cfg").is_file() and (staged / "src").is_dir():
        return staged
    return None


def _replace(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    shutil.move(str(source), str(target))


def place(app_root: Path = APP_ROOT) -> bool:
    """Move a staged /opt/app-root into place; False when it already is in place."""
    staged = staged_tree(app_root)
    if staged is None:
        return False
    output.step(f"Moving the app and its virtualenv from {staged} into {app_root}")
    source = app_root / "src"
    try:
        for entry in sorted(staged.iterdir()):
            if entry.name == "src":
                continue
            _replace(entry, app_root / entry.name)
        for entry in sorted((staged / "src").iterdir()):
            _replace(entry, source / entry.name)
        shutil.rmtree(staged)
    except OSError as exc:
        raise BuildError(
            f"Moving {staged} into {app_root} failed: {exc}",
            "s2i copies the builder's output into the runtime image's working directory as root-owned "
            "files; only root can move them into place.",
            "Build with s2i's default assemble-runtime user (the runtime image's "
            "io.openshift.s2i.assemble-runtime-user label), not with --assemble-runtime-user.",
        ) from None
    return True


def check(app_root: Path = APP_ROOT) -> None:
    """The copied virtualenv must be one the runtime image can run."""
    python = app_root / "bin" / "python"
    if not python.exists():
        raise BuildError(
            f"There is no virtualenv in {app_root} ({python} is missing).",
            "The runtime image serves the app from the virtualenv the builder image installed it into.",
            "Copy /opt/app-root from the builder's output into the runtime image (the "
            "io.openshift.s2i.assemble-input-files label says so; with --runtime-artifact give /opt/app-root).",
        )
