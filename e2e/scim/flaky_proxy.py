"""A SCIM target that fails intermittently (e2e/tests/scim_sync.rs): forwards every request to an upstream
SCIM server, except that, counting requests from 1, every 3rd answers 429 with `Retry-After: 0` and every
5th (not already a 429) answers 503 without one — but the same request (method, path and body) is failed at
most twice in a row, so a client that retries converges whatever the interleaving of its concurrent requests
(a 6-attempt client could otherwise meet six failures in a row). Prints "ready" once listening.

Usage: python3 flaky_proxy.py PORT UPSTREAM_URL
"""

import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream = int(sys.argv[1]), sys.argv[2].rstrip("/")
lock = threading.Lock()
count = 0
# (method, path, body) -> failures answered in a row
streaks = {}


class Proxy(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _forward(self):
        global count
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        key = (self.command, self.path, body)
        with lock:
            count += 1
            fail = (count % 3 == 0 or count % 5 == 0) and streaks.get(key, 0) < 2
            streaks[key] = streaks.get(key, 0) + 1 if fail else 0
            n = count
        if fail:
            status = 429 if n % 3 == 0 else 503
            payload = b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "%d"}' % status
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/scim+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(upstream + self.path, data=body, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, answer_headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as e:
            status, answer_headers, payload = e.code, e.headers, e.read()
        self.send_response(status)
        for k, v in answer_headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward


server = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
print("ready", flush=True)
server.serve_forever()
