"""ATOL Web Requests client (``/api/v2/requests``): one task list under one uuid, never sent under another.

Plain Python (requests only): Odoo and the fiscal proxy both use it, so the idempotency rules live in
one place. ``run()`` POSTs the task list (or only asks when it was posted before), then polls its
result; it never decides to print again: a caller that gets ``PENDING``, ``UNREACHABLE`` or
``BLOCKED`` calls ``run()`` later with the same uuid.
"""

import time

import requests

DONE, FAILED, PENDING, BLOCKED, UNREACHABLE = "done", "failed", "pending", "blocked", "unreachable"
WAITING = ("wait", "inProgress")


class Outcome:
    """What one ``run()`` learnt: ``kind`` (above), the raw answer, the first error's code and text."""

    def __init__(self, kind, raw=None, code=0, text="", posted=False):
        self.kind, self.raw, self.code, self.text, self.posted = kind, raw, code, text, posted

    def as_dict(self):
        return {"kind": self.kind, "raw": self.raw, "code": self.code, "text": self.text, "posted": self.posted}

    @classmethod
    def from_dict(cls, data):
        return cls(
            data["kind"], data.get("raw"), int(data.get("code") or 0), data.get("text") or "", bool(data.get("posted"))
        )


class AtolClient:
    """One ATOL Web Requests server (``base_url`` ends with ``/api/v2``)."""

    def __init__(self, base_url, device_id=None, auth=None, timeout=10.0, poll_interval=0.5, poll_timeout=30.0):
        self.base_url = base_url.rstrip("/")
        self.params = {"deviceID": device_id} if device_id else {}
        self.auth = auth
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout

    def _call(self, method, path, body=None):
        response = requests.request(
            method,
            f"{self.base_url}{path}",
            params=self.params,
            json=body,
            auth=self.auth,
            timeout=self.timeout,
        )
        try:
            data = response.json()
        except ValueError:
            data = {"error": {"code": response.status_code, "description": response.text[:200]}}
        return response.status_code, data

    def run(self, uuid, tasks, posted=False):
        """Make sure the tasks under ``uuid`` exist on the server and report how they stand.

        ``posted``: a previous attempt got 201, so only the result is asked for. A 409 on POST means
        the uuid is already there (our own earlier attempt, whose answer was lost): read it.
        """
        try:
            if not posted:
                status, data = self._call("POST", "/requests", {"uuid": uuid, "request": tasks})
                if status == 201:
                    posted = True
                elif status != 409:
                    return _http_error(status, data)
            return self.poll(uuid, posted)
        except requests.RequestException as exc:
            return Outcome(UNREACHABLE, code=-1, text=str(exc)[:300], posted=posted)

    def poll(self, uuid, posted=True):
        """GET the result until no task waits or the poll timeout passes."""
        deadline = time.monotonic() + self.poll_timeout
        while True:
            status, data = self._call("GET", f"/requests/{uuid}")
            if status == 404:
                # 409 then 404: the uuid is not there, so the 409 said «register not activated»
                return Outcome(UNREACHABLE, data, 404, _describe(data) or "unknown uuid", posted=False)
            if status != 200:
                return _http_error(status, data, posted=True)
            outcome = read_results(data)
            outcome.posted = True
            if outcome.kind != PENDING or time.monotonic() >= deadline:
                return outcome
            time.sleep(self.poll_interval)


def read_results(data):
    """The outcome of a GET /requests/{uuid} answer: the first error fails, any waiting or blocked task waits."""
    results = data.get("results") or []
    if not results:
        return Outcome(PENDING, data)
    for item in results:
        status = item.get("status")
        error = item.get("error") or {}
        if status == "blocked":
            return Outcome(BLOCKED, data, int(error.get("code") or 0), error.get("description") or "")
        if status in ("error", "interrupted", "canceled"):
            return Outcome(FAILED, data, int(error.get("code") or 0), error.get("description") or status)
        if status in WAITING:
            return Outcome(PENDING, data)
    return Outcome(DONE, data)


def _describe(data):
    error = (data or {}).get("error") or {}
    return error.get("description") or ""


def _http_error(status, data, posted=False):
    """4xx on the task list itself is our fault (bad body): failed; 5xx is the server's: try again later."""
    kind = FAILED if status in (400, 422) else UNREACHABLE
    code = int(((data or {}).get("error") or {}).get("code") or status)
    return Outcome(kind, data, code, f"HTTP {status}: {_describe(data)}", posted=posted)
