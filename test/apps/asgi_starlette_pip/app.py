"""A Starlette app in app.py (Starlette's own README layout), dependencies in requirements.txt:
an HTTP route and a WebSocket echo route."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect


async def homepage(request):
    return PlainTextResponse("Hello from asgi_starlette_pip\n")


async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


app = Starlette(routes=[Route("/", homepage), WebSocketRoute("/ws", echo)])
