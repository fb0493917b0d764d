"""Real servers on 127.0.0.1 that receive run notices: a webhook (HTTP, in a thread) and aiosmtpd's handler."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: The key a robot's webhook URL carries: it must never show in output, logs or records.
SECRET_KEY = "robot-key-5f1e"


class Webhook:
    """An HTTP server taking POSTs; `reply` is what it answers (status, JSON body)."""

    def __init__(self, reply=(200, {"errcode": 0, "errmsg": "ok"})):
        self.posts: list[dict] = []
        self.reply = reply
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                hook.posts.append({"path": self.path, "type": self.headers.get("Content-Type"),
                                   "body": json.loads(self.rfile.read(length).decode("utf-8"))})
                status, body = hook.reply
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key={SECRET_KEY}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd's handler: keeps every message received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"
