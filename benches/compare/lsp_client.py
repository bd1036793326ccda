"""A small synchronous LSP client for benchmarks: one server process over stdio."""

import json
import os
import subprocess
import threading
import time
from queue import Empty, Queue


class LspClient:
    def __init__(self, command, cwd, configuration=None):
        """`configuration` answers workspace/configuration: an item naming a section gets
        that key of it, an item naming none gets all of it."""
        self.configuration = configuration or {}
        self.proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox = Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            # Stamped on arrival: parsing a large reply here is the client's cost, not the server's.
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, predicate, timeout=60):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message")
            try:
                at, message = self.inbox.get(timeout=left)
            except Empty:
                raise TimeoutError("no matching message")
            if "method" in message and "id" in message:  # a server request: answer it
                result = None
                if message["method"] == "workspace/configuration":
                    result = [self.configuration.get(item["section"]) if item.get("section") else self.configuration
                              for item in message["params"].get("items", [])]
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            if predicate(message):
                return at, message

    def drain(self, seconds):
        """Reads (and answers) whatever the server sends for `seconds`."""
        try:
            self.wait(lambda m: False, timeout=seconds)
        except TimeoutError:
            pass

    def request(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        start = time.perf_counter()
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        at, message = self.wait(lambda m: m.get("id") == request_id and "method" not in m)
        return at - start, message.get("result")

    def initialize(self, root, options=None):
        """Returns the server's capabilities; `options` go as initializationOptions."""
        uri = "file://" + root
        _, result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "workspace": {"configuration": True},
                             "textDocument": {"publishDiagnostics": {}, "hover": {"contentFormat": ["markdown"]}}},
            "initializationOptions": options,
        })
        self.notify("initialized", {})
        return result["capabilities"]

    def peak_rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
