"""The table's mod_wsgi-express rows: each sets one mod_wsgi-express option (`--name`) or one
Apache directive the launcher writes, by the row's `option`."""

from __future__ import annotations

from typing import Any

from .kinds import (
    ADDRESSES,
    BOOLEAN,
    DURATION,
    FRACTION,
    HEADER_NAMES,
    TEXT,
    URL_ALIASES,
    Kind,
    choice,
    integer,
)
from .variable import MOD_WSGI, Variable


def _mod_wsgi(
    name: str, kind: Kind, default: Any, help_text: str, *, option: str | None = None, default_doc: str | None = None
) -> Variable:
    return Variable(
        f"MOD_WSGI_{name}",
        kind,
        default,
        help_text,
        MOD_WSGI,
        option=option or "--" + name.lower().replace("_", "-"),
        default_doc=default_doc,
    )


SECONDS = integer(0, 86400)

# mod_wsgi-express's queue timeout, which ours never exceeds (servers.queue_timeout lowers it to the
# request timeout when that is shorter).
QUEUE_TIMEOUT_DEFAULT = 45

# Production values chosen explicitly rather than inherited, so they are
# visible in `s2i-wsgi config` and do not change under us with mod_wsgi.
MOD_WSGI_ROWS: list[Variable] = [
    _mod_wsgi(
        "PROCESSES",
        integer(1, 64),
        None,
        "Daemon processes running the app. Default: `WEB_CONCURRENCY`, else derived from limits.",
        default_doc="from `WEB_CONCURRENCY` or limits",
    ),
    _mod_wsgi(
        "THREADS", integer(1, 256), None, "Request threads in each daemon process.", default_doc="`WSGI_THREADS` (5)"
    ),
    _mod_wsgi(
        "MAX_CLIENTS",
        integer(1, 10000),
        None,
        "Simultaneous client connections Apache serves. It must exceed the connections clients and proxies "
        "keep open, or Apache closes keep-alive connections under load (clients see reset connections).",
        default_doc="the larger of 100 and 1.5 x processes x threads",
    ),
    _mod_wsgi("INITIAL_WORKERS", FRACTION, None, "Apache workers started at once, as a fraction of max clients."),
    _mod_wsgi("MINIMUM_SPARE_WORKERS", FRACTION, None, "Idle Apache workers kept, as a fraction of max clients."),
    _mod_wsgi("MAXIMUM_SPARE_WORKERS", FRACTION, None, "Most idle Apache workers kept, as a fraction of max clients."),
    _mod_wsgi(
        "REQUEST_TIMEOUT",
        SECONDS,
        None,
        "Seconds a request may run before the daemon process is recycled to recover the thread; "
        "mod_wsgi acts at this x (1 + ln threads): 1.7x at 2 threads, 2.6x at 5.",
        default_doc="`WSGI_REQUEST_TIMEOUT` (60)",
    ),
    _mod_wsgi(
        "INTERRUPT_TIMEOUT",
        SECONDS,
        None,
        "When non-zero, a request over the request timeout gets a RequestTimeout exception and the "
        "process is kept if it unwinds within this many seconds. Only a thread running Python code "
        "can; one blocked in C (a lock, a read without a timeout) is recycled this much later.",
    ),
    _mod_wsgi(
        "QUEUE_TIMEOUT",
        SECONDS,
        None,
        "Seconds a request may wait for a free daemon thread: one that waited longer is answered 504, "
        "without running, when a thread takes it. Unset, it is never longer than the request timeout, so "
        "requests queued behind hung ones are shed when the stuck process is recycled instead of each "
        "hanging in turn (see [Backlogs](production.md#backlogs-when-every-thread-is-busy)).",
        default_doc=f"the request timeout, at most {QUEUE_TIMEOUT_DEFAULT}",
    ),
    _mod_wsgi(
        "CONNECT_TIMEOUT",
        SECONDS,
        15,
        "Seconds Apache retries connecting to the daemon processes while their queue is full "
        "(`MOD_WSGI_DAEMON_BACKLOG`) before answering 503.",
    ),
    _mod_wsgi("SOCKET_TIMEOUT", SECONDS, 60, "Seconds a read or write on a socket may block."),
    _mod_wsgi(
        "RESPONSE_SOCKET_TIMEOUT",
        SECONDS,
        None,
        "Seconds a write of the response to the client may block (mod_wsgi's default: the socket timeout).",
    ),
    _mod_wsgi(
        "STARTUP_TIMEOUT", SECONDS, 15, "Seconds a daemon process may take to load the app before it is restarted."
    ),
    _mod_wsgi("SHUTDOWN_TIMEOUT", SECONDS, 5, "Seconds a daemon process is given to exit when told to."),
    _mod_wsgi(
        "GRACEFUL_TIMEOUT", SECONDS, 15, "Seconds in-flight requests get to finish when a daemon process is restarted."
    ),
    _mod_wsgi(
        "EVICTION_TIMEOUT",
        SECONDS,
        None,
        "Seconds in-flight requests get on a forced graceful restart (mod_wsgi's default: the graceful timeout).",
    ),
    _mod_wsgi("DEADLOCK_TIMEOUT", SECONDS, 60, "Seconds the GIL may stay held before the process is restarted."),
    _mod_wsgi(
        "INACTIVITY_TIMEOUT", SECONDS, None, "Restart a daemon process after this many idle seconds (unset: never)."
    ),
    _mod_wsgi(
        "RESTART_INTERVAL",
        SECONDS,
        None,
        "Restart daemon processes every this many seconds, gracefully (unset: never).",
    ),
    _mod_wsgi(
        "CPU_TIME_LIMIT", SECONDS, None, "Restart a daemon process after this many seconds of CPU time (unset: never)."
    ),
    _mod_wsgi("HEADER_TIMEOUT", SECONDS, 15, "Seconds allowed to receive the request line and headers."),
    _mod_wsgi(
        "HEADER_MAX_TIMEOUT",
        SECONDS,
        None,
        "Hard limit on the header timeout after increases by the minimum rate (mod_wsgi's default: 30).",
    ),
    _mod_wsgi(
        "HEADER_MIN_RATE",
        integer(0),
        None,
        "Bytes of headers that extend the header timeout by a second (mod_wsgi's default: 500).",
    ),
    _mod_wsgi("BODY_TIMEOUT", SECONDS, 15, "Seconds allowed to receive the request body (raised by a minimum rate)."),
    _mod_wsgi(
        "BODY_MAX_TIMEOUT",
        SECONDS,
        None,
        "Hard limit on the body timeout after increases by the minimum rate (mod_wsgi's default: none).",
    ),
    _mod_wsgi(
        "BODY_MIN_RATE",
        integer(0),
        None,
        "Bytes of body that extend the body timeout by a second (mod_wsgi's default: 500).",
    ),
    _mod_wsgi(
        "KEEP_ALIVE_TIMEOUT",
        SECONDS,
        None,
        "Seconds an idle client connection is kept open (mod_wsgi's default: 2). Behind a load balancer, "
        "set it above the time the load balancer keeps idle connections open. "
        "See [Scaling out](production.md#scaling-out).",
    ),
    _mod_wsgi("MAXIMUM_REQUESTS", integer(0), 0, "Recycle a daemon process after this many requests (0: never)."),
    _mod_wsgi(
        "LIMIT_REQUEST_BODY",
        integer(0),
        10485760,
        "Largest request body accepted, in bytes (0: no limit); a larger one is answered 413.",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_LINE",
        integer(1, 1048576),
        8190,
        "Longest request line (method, URL, protocol) accepted, in bytes; a longer one is answered 414.",
        option="LimitRequestLine",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_FIELDS",
        integer(1, 10000),
        100,
        "Most request header lines accepted; more are answered 400.",
        option="LimitRequestFields",
    ),
    _mod_wsgi(
        "LIMIT_REQUEST_FIELD_SIZE",
        integer(1, 1048576),
        8190,
        "Longest request header line accepted, in bytes; a longer one is answered 400.",
        option="LimitRequestFieldSize",
    ),
    _mod_wsgi(
        "SERVER_BACKLOG", integer(1, 65535), None, "Listen backlog of Apache's socket (mod_wsgi's default: 500)."
    ),
    _mod_wsgi(
        "DAEMON_BACKLOG",
        integer(1, 65535),
        None,
        "Requests that may wait for a daemon thread before more get 503 after `MOD_WSGI_CONNECT_TIMEOUT` "
        "(the daemon socket's listen backlog; mod_wsgi's default: 100). "
        "See [Backlogs](production.md#backlogs-when-every-thread-is-busy).",
    ),
    _mod_wsgi(
        "SERVER_MPM",
        choice("event", "worker", "prefork"),
        None,
        "Apache MPM to prefer (mod_wsgi's default order: event, worker, prefork).",
    ),
    _mod_wsgi("ACCESS_LOG", BOOLEAN, True, "Log every request (Apache's access log) to the terminal."),
    _mod_wsgi(
        "ACCESS_LOG_FORMAT",
        TEXT,
        None,
        "Format of access log lines (Apache LogFormat, or a name: common, combined, referer, agent).",
    ),
    _mod_wsgi(
        "LOG_LEVEL",
        choice("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"),
        "warn",
        "Apache's log level.",
    ),
    _mod_wsgi(
        "URL_ALIAS",
        URL_ALIASES,
        None,
        "Static files or directories served by Apache at a URL, not by the app.",
        option="--url-alias",
    ),
    _mod_wsgi(
        "TRUST_PROXY_HEADERS",
        HEADER_NAMES,
        None,
        "Front-end proxy headers to trust (e.g. X-Forwarded-Proto sets `wsgi.url_scheme`).",
        option="--trust-proxy-header",
    ),
    _mod_wsgi(
        "TRUST_PROXY",
        ADDRESSES,
        None,
        "Proxies (IPs or subnets) whose trusted headers are believed; from any other client they are "
        "removed before the app sees them. See [Behind a proxy](production.md#behind-a-proxy-or-router).",
        option="--trust-proxy",
        default_doc="the private networks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, ::1, fc00::/7)",
    ),
    _mod_wsgi("COMPRESS_RESPONSES", BOOLEAN, False, "Compress text responses (HTML, CSS, JSON, ...)."),
    _mod_wsgi("CHUNKED_REQUEST", BOOLEAN, False, "Accept request bodies sent with chunked transfer encoding."),
    _mod_wsgi(
        "SERVER_STATUS",
        BOOLEAN,
        False,
        "Serve Apache's status page at /server-status, to clients inside the container only (other clients get 403).",
    ),
    _mod_wsgi(
        "SLOW_REQUESTS",
        DURATION,
        None,
        "Log every request that runs longer than this many seconds, with the time it was queued and spent in "
        "the app: once while it still runs, once when it ends (mod_wsgi's telemetry, as `METRICS_PORT` reads it).",
        default_doc="unset: not logged (see [Slow requests](observability.md#slow-requests))",
    ),
    _mod_wsgi(
        "RELOAD_ON_CHANGES",
        BOOLEAN,
        False,
        "Development only (`SERVER_MODE=development`): restart daemon processes when a loaded Python file changes.",
    ),
    _mod_wsgi(
        "ENABLE_DEBUGGER",
        BOOLEAN,
        False,
        "Development only (`SERVER_MODE=development`): one process, and pdb on the terminal for uncaught "
        "exceptions (run the container with -it).",
        option="--debug-mode --enable-debugger",
    ),
    _mod_wsgi(
        "ENABLE_RECORDER",
        BOOLEAN,
        False,
        "Development only (`SERVER_MODE=development`): one process, and every request and response (headers and "
        "bodies) written to files under `/tmp/mod_wsgi-PORT/archive` for inspection.",
        option="--debug-mode --enable-recorder",
    ),
]
