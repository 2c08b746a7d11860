"""Extra processes: what runs beside the web server, a pure function of the app's files.

Two sources, both optional, read and never run:
- the app directory's Procfile: every `name: command` line except
  - `web`, the web server itself (detect.py, rule 4; without it the WSGI app is served), and
  - `release`, Heroku's release phase: a one-off task run once per release, not a
    long-running process. It is not run at all (run it as a Job; see docs/hooks-and-processes.md).
- the source's .s2i/supervisor/*.conf: supervisord files of [program:x] sections (also
  [group:x] and [eventlistener:x]), taken as they are.

When there is any, `s2i-wsgi start` makes supervisord PID 1, running the web server and these
(supervisord.py writes its configuration). Without, the web server is PID 1 as always.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from . import appfiles
from .errors import ConfigError

PROCFILE_LINE = re.compile(r"\s*([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*")
NOT_DAEMONS = {"web": "the web server itself", "release": "a one-off release task, not a long-running process"}
SUPERVISOR_DIR = ".s2i/supervisor"
# Sections a program file may hold; the rest belong to the builder's own supervisord configuration.
SECTION_KINDS = ("program", "group", "eventlistener")
RESERVED = ("web",)  # the web server's program


@dataclass(frozen=True)
class ProcfileProcess:
    """A command run by bash under supervisord: a Procfile line, or one the launcher adds (`declared`
    says by which setting: asgi_mount.py)."""

    name: str
    command: str
    line: int
    declared: str = ""

    @property
    def origin(self) -> str:
        return self.declared or f"Procfile line {self.line}"


@dataclass(frozen=True)
class ProgramFile:
    """A .s2i/supervisor/*.conf file: its sections and their options, in file order."""

    path: Path
    relative: str
    sections: dict[str, dict[str, str]]

    @property
    def programs(self) -> list[str]:
        return [name.split(":", 1)[1] for name in self.sections if name.startswith(("program:", "eventlistener:"))]


@dataclass(frozen=True)
class ExtraProcesses:
    procfile: tuple[ProcfileProcess, ...] = ()
    files: tuple[ProgramFile, ...] = ()
    not_run: tuple[ProcfileProcess, ...] = ()  # Procfile `release:`

    def __bool__(self) -> bool:
        return bool(self.procfile) or any(f.programs for f in self.files)

    def names(self) -> list[tuple[str, str]]:
        """(name, where it is declared) for every extra process."""
        found = [(p.name, p.origin) for p in self.procfile]
        for program_file in self.files:
            found += [(name, program_file.relative) for name in program_file.programs]
        return found


def _read(path: Path, shown: str, what_for: str) -> str:
    """The UTF-8 text of a file the app declares processes in; a NUL byte (which no command can hold) is refused."""
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text(): it would make a lone "\r" a line break
    except UnicodeDecodeError:
        raise ConfigError(
            f"{shown} is not UTF-8 text.", f"{what_for} It is read as UTF-8.", "Save it as UTF-8."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{shown} cannot be read ({exc.strerror}).",
            what_for,
            f"Make {shown} a file the build can read (e.g. `chmod a+r {shown}`).",
        ) from None
    number = appfiles.nul_byte_line(text)
    if number is not None:
        raise ConfigError(
            f"{shown} line {number} contains a NUL byte.",
            f"{what_for} No command or setting can hold a NUL byte; a file that has one is binary, or saved "
            "in another encoding such as UTF-16.",
            f"Save {shown} as UTF-8 text.",
        )
    return text


def read_procfile(path: Path) -> list[ProcfileProcess]:
    """Every process type of a Procfile (web and release included), checked.

    Lines end at "\n" only, as Heroku reads them (a form feed or U+2028 is part of a command)."""
    what_for = "A Procfile declares the app's processes, one `name: command` per line."
    appfiles.check_link(path, path.name, what_for)
    if not path.is_file():
        return []
    text = _read(path, path.name, what_for)
    found: dict[str, ProcfileProcess] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PROCFILE_LINE.fullmatch(line)
        if not match or not match.group(2):
            raise ConfigError(
                f"Procfile line {number} is not `name: command`: {line.strip()!r}.",
                "Each line of a Procfile declares one process type: a name (letters, digits, _ and -), "
                "a colon, and the command that runs it.",
                "Fix the line (e.g. `worker: python worker.py`), or make it a comment with #.",
            )
        name, command = match.group(1), match.group(2)
        if name in found:
            raise ConfigError(
                f"Procfile declares `{name}` twice (lines {found[name].line} and {number}).",
                "Each process type runs one command; which one was meant is a guess.",
                f"Keep one `{name}:` line.",
            )
        found[name] = ProcfileProcess(name, command, number)
    return list(found.values())


def read_program_file(path: Path, source_dir: Path) -> ProgramFile:
    relative = str(path.relative_to(source_dir))
    # As supervisord reads it: no interpolation (it expands %(...)s itself), ; and # comments.
    parser = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign] - keep option names as written
    what_for = "Files in .s2i/supervisor/ are INI files of [program:NAME] sections read by supervisord."
    appfiles.check_link(path, relative, what_for)
    try:
        parser.read_string(_read(path, relative, what_for), source=relative)
    except configparser.Error as exc:
        raise ConfigError(
            f"{relative} is not a valid supervisord configuration file: {exc.message.strip()}",
            "Files in .s2i/supervisor/ are INI files of [program:NAME] sections read by supervisord.",
            "Fix the file, e.g.\n  [program:clock]\n  command=python clock.py",
        ) from None
    sections: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        kind, _, name = section.partition(":")
        if kind not in SECTION_KINDS or not name:
            raise ConfigError(
                f"{relative} has a [{section}] section.",
                "Files in .s2i/supervisor/ add programs; supervisord itself is configured by the builder "
                "(running in the foreground, logging to the terminal).",
                "Keep only [program:NAME], [group:NAME] and [eventlistener:NAME] sections.",
            )
        options = dict(parser.items(section))
        if kind != "group" and not options.get("command"):
            raise ConfigError(
                f"[{section}] in {relative} has no command.",
                "supervisord needs to know what to run.",
                f"Add a line `command=...` to [{section}].",
            )
        sections[section] = options
    return ProgramFile(path, relative, sections)


def find(source_dir: Path, app_dir: Path) -> ExtraProcesses:
    """The extra processes an app declares (see the module docstring)."""
    declared = read_procfile(app_dir / "Procfile")
    procfile = tuple(p for p in declared if p.name not in NOT_DAEMONS)
    not_run = tuple(p for p in declared if p.name == "release")
    directory = source_dir / SUPERVISOR_DIR
    files = tuple(
        read_program_file(p, source_dir)
        for p in sorted(directory.glob("*.conf"))
        if p.is_file() or (p.is_symlink() and not p.exists())  # a link to nothing is reported
    )
    extra = ExtraProcesses(procfile, files, not_run)
    seen: dict[str, str] = {}
    for name, origin in extra.names():
        if name in RESERVED:  # a Procfile `web:` is never an extra process
            raise ConfigError(
                f"{origin} declares a program named `{name}`.",
                f"`{name}` is the web server's program under supervisord.",
                "Give the program another name.",
            )
        if name in seen:
            raise ConfigError(
                f"Two extra processes are named `{name}`: in {seen[name]} and in {origin}.",
                "supervisord runs one program per name.",
                "Rename one of them.",
            )
        seen[name] = origin
    return extra
