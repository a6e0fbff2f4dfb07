"""The common part of the suite's fake external systems (REMD, ATOL, messaging providers), for tests, benches and
the demo (no test framework imported, so a fake can also run standalone).

Each fake speaks its system's wire protocol in its own request handler; this base only serves that
handler on 127.0.0.1 at a free port, in threads, until ``stop()``.
"""

import threading
from http.server import ThreadingHTTPServer


class FakeHttpServer:
    server_class = ThreadingHTTPServer

    def _serve(self, handler, port=0):
        """Bind ``handler`` (a BaseHTTPRequestHandler class) now, on ``port`` or a free one; ``start()`` begins
        answering."""
        self.server = self.server_class(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self):
        """Where the client under test is configured to call; a fake with a base path overrides it."""
        return self.address

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
