#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An OTLP/HTTP traces receiver on loopback, for tests/cli/otlp_export.sh.

    receiver.py DIR [--mode ok|unavailable|throttle|slow|reject] [--fail N]
                    [--retry-after S] [--delay S]

Listens on 127.0.0.1, a free port, which it writes to DIR/port once it
accepts connections.  Every request is logged in DIR/requests.log, one line
"N METHOD PATH STATUS CONTENT-TYPE"; the body of each request it accepts
(200) is saved as DIR/bodies/NNNN.json (one file per request: what
tests/otlp/decode.mjs --summary reads) and its headers as
DIR/headers/NNNN.json.

Modes: ok answers 200 "{}" (an ExportTraceServiceResponse); unavailable
answers 503 to the first --fail requests, then 200; throttle 429 with
Retry-After: --retry-after to the first --fail, then 200; slow sleeps
--delay seconds before each answer; reject answers 400 with a
google.rpc.Status; partial answers 200 with a partialSuccess that rejects
--fail spans of each request.  A request that is not POST /v1/traces with
Content-Type application/json is answered 404 or 415, and logged.
"""
import argparse
import http.server
import json
import os
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mode", default="ok",
                    choices=["ok", "unavailable", "throttle", "slow", "reject", "partial"])
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--delay", type=float, default=0)
    args = ap.parse_args()
    for sub in ("bodies", "headers"):
        os.makedirs(os.path.join(args.dir, sub), exist_ok=True)
    lock = threading.Lock()
    state = {"n": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"   # keep-alive, as collectors do

        def log_message(self, *a):
            pass

        def answer(self, status, body=b"{}", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ctype = self.headers.get("Content-Type", "")
            with lock:
                state["n"] += 1
                n = state["n"]
            if self.path != "/v1/traces":
                status = 404
            elif ctype.split(";")[0].strip() != "application/json":
                status = 415
            elif args.mode == "unavailable" and n <= args.fail:
                status = 503
            elif args.mode == "throttle" and n <= args.fail:
                status = 429
            elif args.mode == "reject":
                status = 400
            else:
                status = 200
            if args.mode == "slow":
                time.sleep(args.delay)
            if status == 200:
                name = "%04d.json" % n
                with open(os.path.join(args.dir, "bodies", name), "wb") as f:
                    f.write(body)
                with open(os.path.join(args.dir, "headers", name), "w") as f:
                    json.dump({k.lower(): v for k, v in self.headers.items()}, f)
            with lock, open(os.path.join(args.dir, "requests.log"), "a") as f:
                f.write("%d POST %s %d %s\n" % (n, self.path, status, ctype))
            if status == 429:
                self.answer(429, b'{"code":8,"message":"slow down"}',
                            [("Retry-After", str(args.retry_after))])
            elif status == 400:
                self.answer(400, b'{"code":3,"message":"test receiver rejects every request"}')
            elif status != 200:
                self.answer(status, b'{"code":14,"message":"unavailable"}')
            elif args.mode == "partial":
                self.answer(200, json.dumps({"partialSuccess": {
                    "rejectedSpans": str(args.fail), "errorMessage": "spans too old"}}).encode())
            else:
                self.answer(200)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(args.dir, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
