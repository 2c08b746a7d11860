"""What Apache refuses before the app sees a request: TRACE, oversized request lines, headers and
bodies, proxy headers from clients that are not a proxy, and its status page from outside the
container; and it names no version."""

from __future__ import annotations

import http.client
import json
import random
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

import harness


@pytest.fixture(scope="module")
def image(built):
    return built("flask_hello").assert_ok().image


def status_declaring_a_body(url: str, length: int) -> int:
    """The status of a POST that announces `length` bytes of body, before sending any."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
    try:
        connection.putrequest("POST", "/")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_apache_refuses_trace_and_names_no_version(image, containers):
    container = containers(image)
    container.wait_ready()
    status, body, _ = harness.request(container.url + "/", method="TRACE")
    assert status == 405
    _, page, headers = container.get("/no-such-page-the-app-404s")
    assert headers.get("Server") == "Apache", headers
    assert b"Apache/" not in body + page


def test_request_line_header_and_body_limits_answer_before_the_app(image, containers):
    container = containers(image, "--user", "123456:0")
    container.wait_ready()
    url = container.url + "/"
    # The defaults: Apache's own, written out (a long cookie still fits).
    assert harness.request(url, headers={"Cookie": "c=" + "x" * 6000})[:2] == (200, b"Hello from flask_hello\n")
    assert harness.request(url + "?" + "q" * 9000)[0] == 414
    assert harness.request(url, headers={"Cookie": "c=" + "x" * 9000})[0] == 400
    assert harness.request(url, headers={f"X-Extra-{n}": "1" for n in range(101)})[0] == 400
    assert status_declaring_a_body(url, 10 * 1024 * 1024 + 1) == 413

    tight = containers(
        image,
        "-e", "MOD_WSGI_LIMIT_REQUEST_LINE=200",
        "-e", "MOD_WSGI_LIMIT_REQUEST_FIELDS=10",
        "-e", "MOD_WSGI_LIMIT_REQUEST_FIELD_SIZE=1000",
        "-e", "MOD_WSGI_LIMIT_REQUEST_BODY=1000",
    )  # fmt: skip
    tight.wait_ready()
    url = tight.url + "/"
    assert harness.request(url + "?" + "q" * 150)[0] == 200
    assert harness.request(url + "?" + "q" * 250)[0] == 414
    assert harness.request(url, headers={"Cookie": "c=" + "x" * 1200})[0] == 400
    assert harness.request(url, headers={f"X-Extra-{n}": "1" for n in range(12)})[0] == 400
    assert harness.request(url, method="POST", data=b"x" * 1001)[0] == 413
    assert harness.request(url, method="POST", data=b"x" * 1000)[0] == 405  # within the limit: Flask's own answer
    assert tight.logs().count("flask_hello: handled /") == 2, tight.logs()  # only the 200s reached the view


# Clients on a subnet of public addresses (198.18.0.0/15 is reserved for benchmarks, and private to
# no one) are what clients on the internet reaching the container directly would be.

FETCH_SCHEME = """
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"X-Forwarded-Proto": "https"})
print(urllib.request.urlopen(request, timeout=30).read().decode(), end="")
"""


@pytest.fixture
def public_network():
    """(name, subnet) of a network whose addresses are public; requested before `containers`, so
    that its containers are gone when it is removed."""
    name = f"s2i-wsgi-test-public-{uuid.uuid4().hex[:8]}"
    for _ in range(10):  # a random /24, in case another run holds one
        subnet = f"198.{random.choice((18, 19))}.{random.randrange(256)}.0/24"
        created = harness.engine("network", "create", "--label", harness.LABEL, "--subnet", subnet, name, check=False)
        if created.returncode == 0:
            break
    else:
        pytest.fail(f"No network with a public subnet could be made: {harness.text(created)}")
    yield name, subnet
    harness.engine("network", "rm", name, check=False)


def scheme_seen_from(network: str, container: harness.Container) -> str:
    """What the app makes of `X-Forwarded-Proto: https` sent by a client on `network`."""
    fetch = harness.run_once(
        container.image, "python", "-c", FETCH_SCHEME, f"http://{container.name}:8080/", run_args=("--network", network)
    )
    assert fetch.returncode == 0, harness.text(fetch) + container.logs()
    return fetch.stdout.decode()


def test_proxy_headers_are_believed_only_from_a_proxy(public_network, built, containers):
    network, subnet = public_network
    image = built("mod_wsgi_tuning").assert_ok().image  # trusts X-Forwarded-Proto
    # From the host, through the default network's gateway (a private address, as an OpenShift
    # router's or an ingress controller's is): believed.
    private = containers(image)
    private.wait_ready()
    request = urllib.request.Request(private.url + "/", headers={"X-Forwarded-Proto": "https"})
    assert urllib.request.urlopen(request, timeout=30).read() == b"mod_wsgi_tuning scheme=https\n"
    # From a public address: removed before the app sees it.
    default = containers(image, "--network", network)
    default.wait_ready()
    assert scheme_seen_from(network, default) == "mod_wsgi_tuning scheme=http\n"

    named = containers(image, "--network", network, "-e", f"MOD_WSGI_TRUST_PROXY={subnet}")
    named.wait_ready()
    assert scheme_seen_from(network, named) == "mod_wsgi_tuning scheme=https\n"


STATUS_FROM_INSIDE = """
import json, urllib.request
with urllib.request.urlopen("http://127.0.0.1:8080/server-status?auto", timeout=10) as response:
    print(json.dumps([response.status, response.read().decode()]))
"""


def test_the_server_status_page_answers_only_inside_the_container(image, containers):
    container = containers(image, "-e", "MOD_WSGI_SERVER_STATUS=true")
    container.wait_ready()
    assert harness.request(container.url + "/server-status")[0] == 403
    assert harness.request(container.url + "/server-status?auto")[0] == 403
    inside = container.exec("python", "-c", STATUS_FROM_INSIDE)
    assert inside.returncode == 0, harness.text(inside)
    status, page = json.loads(inside.stdout)
    assert status == 200 and "BusyWorkers:" in page, page
