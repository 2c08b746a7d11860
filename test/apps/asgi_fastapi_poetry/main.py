"""A FastAPI app in main.py with FastAPI's recommended `fastapi[standard]` extras (which bring
uvicorn[standard] and its WebSocket library), managed by poetry: pyproject.toml + poetry.lock."""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/", response_class=PlainTextResponse)
def read_root():
    return "Hello from asgi_fastapi_poetry\n"


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass
