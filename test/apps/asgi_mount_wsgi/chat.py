"""The ASGI side of a mixed app, mounted at /ws by ASGI_MOUNT: a WebSocket echo, and an HTTP
answer saying the path and root_path it was given."""


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": f"chat echoes {message.get('text')}"})
    client = scope["client"][0] if scope.get("client") else "-"
    body = f"Hello from chat at {scope['path']} (root_path {scope['root_path']}) for {client}\n"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body.encode()})
