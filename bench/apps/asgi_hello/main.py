"""Benchmark app: a FastAPI hello endpoint and one that waits 20 ms without
blocking its event loop (standing in for a database or an upstream call), with
a few ordinary dependencies loaded. `main.py` defining `app` is how FastAPI
apps are laid out for Google's, Paketo's and Heroku's buildpacks, and what
detection finds here."""

import asyncio

import httpx
import yaml
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()
greeting = yaml.safe_load("greeting: Hello from asgi_hello\n")["greeting"]
client = httpx.AsyncClient()


@app.get("/", response_class=PlainTextResponse)
async def hello():
    return greeting + "\n"


@app.get("/sleep20", response_class=PlainTextResponse)
async def sleep20():
    await asyncio.sleep(0.02)
    return "slept 20 ms\n"
