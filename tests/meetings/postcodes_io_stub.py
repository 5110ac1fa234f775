"""A local stand-in for the postcodes.io API, speaking its JSON (never the internet).

The shapes follow postcodes.io's documentation: ``GET /postcodes/:postcode``
-> ``{"status": 200, "result": {"postcode": "EX16 5BL", "outcode": "EX16",
"incode": "5BL", "latitude": 50.90006, "longitude": -3.50197, ...}}`` or
``{"status": 404, "error": "Postcode not found"}``; ``POST /postcodes`` with
``{"postcodes": [...]}`` (at most 100) -> ``{"status": 200, "result":
[{"query": "EX165BL", "result": {...} | null}, ...]}``; ``GET
/outcodes/:outcode`` -> ``{"status": 200, "result": {"outcode": "EX16",
"latitude": ..., "longitude": ..., "admin_district": [...]}}``.
Used by the tests and by ``bench/geocoding.py`` (``delay`` seconds per answer).
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


def _compact(code: str) -> str:
    return re.sub(r"\s+", "", unquote(code)).upper()


def _formatted(code: str) -> str:
    code = _compact(code)
    return f"{code[:-3]} {code[-3:]}"


class PostcodesIo:
    """``with PostcodesIo({"DE221AA": (52.9, -1.5)}) as api: api.url``"""

    def __init__(self, postcodes: dict, outcodes: dict | None = None, *, delay: float = 0.0):
        self.postcodes = {_compact(k): v for k, v in postcodes.items()}
        self.outcodes = {_compact(k): v for k, v in (outcodes or {}).items()}
        self.delay = delay
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict) -> None:
                if stub.delay:
                    time.sleep(stub.delay)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                stub.requests.append(("GET", self.path))
                kind, _, code = self.path.strip("/").partition("/")
                if kind == "postcodes" and _compact(code) in stub.postcodes:
                    return self._send(200, {"status": 200, "result": stub.unit(code)})
                if kind == "outcodes" and _compact(code) in stub.outcodes:
                    return self._send(200, {"status": 200, "result": stub.outcode(code)})
                error = "Outcode not found" if kind == "outcodes" else "Postcode not found"
                return self._send(404, {"status": 404, "error": error})

            def do_POST(self):
                stub.requests.append(("POST", self.path))
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    asked = json.loads(self.rfile.read(length))["postcodes"]
                except (ValueError, KeyError):
                    return self._send(
                        400,
                        {"status": 400, "error": "Invalid JSON query submitted."},
                    )
                if len(asked) > 100:
                    return self._send(
                        400, {"status": 400, "error": "Too many postcodes submitted. Up to 100"}
                    )
                result = [
                    {
                        "query": q,
                        "result": stub.unit(q) if _compact(q) in stub.postcodes else None,
                    }
                    for q in asked
                ]
                return self._send(200, {"status": 200, "result": result})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def unit(self, code: str) -> dict:
        lat, lon = self.postcodes[_compact(code)]
        full = _formatted(code)
        return {
            "postcode": full,
            "quality": 1,
            "country": "England",
            "longitude": lon,
            "latitude": lat,
            "region": "East Midlands",
            "admin_district": "Derby",
            "outcode": full.split()[0],
            "incode": full.split()[1],
            "codes": {},
        }

    def outcode(self, code: str) -> dict:
        lat, lon = self.outcodes[_compact(code)]
        return {
            "outcode": _compact(code),
            "longitude": lon,
            "latitude": lat,
            "northings": 0,
            "eastings": 0,
            "admin_district": ["Derby"],
            "parish": [],
            "admin_county": [],
            "admin_ward": [],
            "country": ["England"],
        }

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> PostcodesIo:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
