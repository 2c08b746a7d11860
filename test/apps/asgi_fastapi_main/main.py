"""A FastAPI app in main.py (FastAPI's own tutorial layout), dependencies in requirements.txt:
an ASGI app, which a WSGI server must never receive. FastAPI alone lists no server: the builder
supplies the ASGI server and the WebSocket library."""

import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/", response_class=PlainTextResponse)
def read_root():
    return "Hello from asgi_fastapi_main\n"


@app.get("/sleep", response_class=PlainTextResponse)
async def sleep(s: float = 1):
    await asyncio.sleep(s)
    return f"slept {s:g}\n"


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass
