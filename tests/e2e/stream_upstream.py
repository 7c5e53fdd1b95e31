#!/usr/bin/env python3
"""Upstream for the proxy streaming test: GET /download/<bytes> sends that many bytes
(Content-Length), any request with a body gets back the number of body bytes it received
(Content-Length or chunked), counted without keeping them. Prints its port on stdout."""
import http.server
import socketserver
import sys

BLOCK = b"\xa5" * (1 << 20)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        size = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/download/") else 0
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        while size > 0:
            n = min(size, len(BLOCK))
            self.wfile.write(BLOCK[:n])
            size -= n

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return total
                left = size
                while left:
                    left -= len(self.rfile.read(min(left, 1 << 20)))
                total += size
                self.rfile.readline()
        left = total = int(self.headers.get("Content-Length", "0"))
        while left:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        return total - left

    def do_POST(self):
        body = str(self.read_body()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
