"""A FastAPI app in main.py (FastAPI's own tutorial layout): an ASGI app, which a WSGI server must
never receive; the build says how to start it instead."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def read_root():
    return {"app": "asgi_fastapi_main"}
