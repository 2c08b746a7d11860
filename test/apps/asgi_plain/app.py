"""A framework-free ASGI app (no dependencies), for the ASGI reliability tests: endpoints that
misbehave on purpose, a WebSocket echo and the lifespan protocol.

  /              the marker, with the ASGI version the server speaks
  /sleep?s=N     awaits N seconds (says so first, so that a test knows the request is in flight)
  /hang          awaits forever: only a request timeout ends it
  /block?s=N     time.sleep(N): blocks the whole event loop, as a sync call in async code does
  /pid           the worker's process id
  /whoami        the UID and user name it runs as
  /print?text=T  prints T on standard output (the app's own output, not a log record)
  /ws            WebSocket: echoes every message, text or bytes
  /ws/pid        the same, after first sending the worker's process id
Lifespan startup and shutdown are printed with the process id."""

import asyncio
import getpass
import os
import time
from urllib.parse import parse_qs


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    elif scope["type"] == "websocket":
        await echo(receive, send, tell_pid=scope["path"] == "/ws/pid")
    else:
        await http(scope, send)


async def lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            print(f"asgi_plain: lifespan startup in {os.getpid()}")
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            print(f"asgi_plain: lifespan shutdown in {os.getpid()}")
            await send({"type": "lifespan.shutdown.complete"})
            return


async def echo(receive, send, *, tell_pid=False):
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            if tell_pid:
                await send({"type": "websocket.send", "text": str(os.getpid())})
        elif message["type"] == "websocket.receive":
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
        elif message["type"] == "websocket.disconnect":
            print(f"asgi_plain: websocket closed with code {message.get('code')}")
            return


async def http(scope, send):
    query = {name: values[-1] for name, values in parse_qs(scope["query_string"].decode()).items()}
    path = scope["path"]
    if path == "/sleep":
        seconds = float(query.get("s", "1"))
        print(f"asgi_plain: sleeping {seconds:g} s")
        await asyncio.sleep(seconds)
        body = f"slept {seconds:g}\n"
    elif path == "/hang":
        print("asgi_plain: hanging")
        await asyncio.Event().wait()
    elif path == "/block":
        seconds = float(query.get("s", "1"))
        print(f"asgi_plain: blocking the event loop for {seconds:g} s")
        time.sleep(seconds)
        body = f"blocked {seconds:g}\n"
    elif path == "/pid":
        body = f"{os.getpid()}\n"
    elif path == "/whoami":
        body = f"{os.getuid()} {getpass.getuser()}\n"
    elif path == "/print":
        print(query.get("text", ""))
        body = "printed\n"
    else:
        body = f"Hello from asgi_plain (ASGI {scope['asgi'].get('version', '2.0')})\n"
    data = body.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": data})
