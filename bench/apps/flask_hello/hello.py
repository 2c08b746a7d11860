"""Benchmark app: a Flask hello endpoint and one that waits 20 ms (standing in
for a database or an upstream call), with a few ordinary dependencies loaded."""

import time

import requests
import yaml
from flask import Flask

app = Flask(__name__)
app.config.update(yaml.safe_load("greeting: Hello from flask_hello\n"))
session = requests.Session()


@app.route("/")
def hello():
    return app.config["greeting"] + "\n"


@app.route("/sleep20")
def sleep20():
    time.sleep(0.02)
    return "slept 20 ms\n"
