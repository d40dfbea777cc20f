"""The ceiling for the load benchmarks: the smallest Flask application, served by the same
gunicorn configuration and driven by the same client as the real one."""

from flask import Flask

app = Flask(__name__)


@app.post("/")
def hello() -> dict[str, bool]:
    return {"saved": True}
