"""How big each server runs: processes (workers), threads and timeouts, per server.

mod_wsgi's own MOD_WSGI_* variables win over the general WSGI_* ones for mod_wsgi only;
without either, the process count follows the container's CPUs and memory (resources.py).
"""

from __future__ import annotations

from ..config import QUEUE_TIMEOUT_DEFAULT, Config
from ..resources import Limits, default_processes

# mod_wsgi runs at least two daemon processes when memory allows. With one CPU, a single process of
# five threads caps requests that wait 20 ms (a database, an upstream call) at 250 a second, half
# of what two give, and while the request timeout recycles a process stuck on hung requests there
# would be none left to serve; a second one costs about 20 MiB idle (bench/README.md).
MOD_WSGI_MIN_PROCESSES = 2


def processes(config: Config, limits: Limits, server: str = "mod_wsgi") -> tuple[int, str]:
    """The process (worker) count and where it came from."""
    if server == "waitress":
        return 1, "waitress is single-process"
    if server == "mod_wsgi" and config.is_set("MOD_WSGI_PROCESSES"):
        return config["MOD_WSGI_PROCESSES"], "MOD_WSGI_PROCESSES"
    if config.is_set("WEB_CONCURRENCY"):
        return config["WEB_CONCURRENCY"], "WEB_CONCURRENCY"
    memory = f", {limits.memory // (1024 * 1024)} MiB" if limits.memory else ""
    if server == "mod_wsgi":
        count = default_processes(limits, MOD_WSGI_MIN_PROCESSES)
        floor = f", at least {MOD_WSGI_MIN_PROCESSES}" if count > default_processes(limits) else ""
        return count, f"{limits.cpus:g} CPUs{memory}{floor}"
    return default_processes(limits), f"{limits.cpus:g} CPUs{memory}"


def threads(config: Config, server: str = "mod_wsgi") -> int:
    if server == "mod_wsgi" and config["MOD_WSGI_THREADS"] is not None:
        return config["MOD_WSGI_THREADS"]
    return config["WSGI_THREADS"]


def request_timeout(config: Config, server: str = "mod_wsgi") -> int:
    if server == "mod_wsgi" and config["MOD_WSGI_REQUEST_TIMEOUT"] is not None:
        return config["MOD_WSGI_REQUEST_TIMEOUT"]
    return config["WSGI_REQUEST_TIMEOUT"]


def queue_timeout(config: Config) -> tuple[int, str]:
    """mod_wsgi's queue timeout and where it came from: unless set, never longer than the request timeout.

    mod_wsgi checks the queue timeout only when a daemon thread takes a request. Threads held by hung
    requests take nothing until the request timeout recycles their process; then the new process
    takes the queue in order. A request that waited longer than a request may run is shed (504) at
    once, so a burst of hung requests (clients retrying a deadlocked endpoint) costs one recycle.
    Under a longer queue timeout each queued hung request was run in turn and hung again, one
    recycle per `threads` of them, until the queue timeout finally caught up.
    """
    if config.is_set("MOD_WSGI_QUEUE_TIMEOUT"):
        return config["MOD_WSGI_QUEUE_TIMEOUT"], f"set in {config.source_of('MOD_WSGI_QUEUE_TIMEOUT')}"
    seconds = request_timeout(config, "mod_wsgi")
    if seconds == 0:
        return QUEUE_TIMEOUT_DEFAULT, f"{QUEUE_TIMEOUT_DEFAULT} s, as the request timeout is off"
    if seconds < QUEUE_TIMEOUT_DEFAULT:
        name = "MOD_WSGI_REQUEST_TIMEOUT" if config["MOD_WSGI_REQUEST_TIMEOUT"] is not None else "WSGI_REQUEST_TIMEOUT"
        return seconds, f"the request timeout, {name}={seconds}"
    return QUEUE_TIMEOUT_DEFAULT, f"{QUEUE_TIMEOUT_DEFAULT} s, no longer than the request timeout ({seconds} s)"
