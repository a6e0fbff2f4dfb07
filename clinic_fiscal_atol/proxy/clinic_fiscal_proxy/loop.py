"""The proxy's loop: pull the desk's pending tasks from Odoo, run them on the local ATOL server, report back.

Only outgoing HTTPS: Odoo never connects to the clinic's network. The uuid comes from Odoo and is
sent unchanged, so a task reported twice, or run again after the proxy restarts, prints once.
"""

import logging
import time

import requests

from .atol import UNREACHABLE, AtolClient, Outcome

_logger = logging.getLogger("clinic_fiscal_proxy")


class ProxyLoop:
    def __init__(self, odoo_url, token, atol=None, serial_port=None, timeout=30.0, verify=True):
        self.odoo_url = odoo_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.atol = atol  # an AtolClient, or None when the register has no Web Requests server
        self.serial_port = serial_port
        self.timeout = timeout
        self.verify = verify

    def _post(self, path, body):
        response = requests.post(
            f"{self.odoo_url}{path}", json=body, headers=self.headers, timeout=self.timeout, verify=self.verify
        )
        response.raise_for_status()
        return response.json()

    def run_once(self):
        """One round: returns the number of tasks run (and reported)."""
        body = {}
        if self.serial_port:
            body["serial"] = serial_status(self.serial_port)
        jobs = self._post("/clinic_fiscal/proxy/jobs", body).get("jobs", [])
        for job in jobs:
            if self.atol:
                outcome = self.atol.run(job["uuid"], job["request"], posted=job.get("posted", False))
            else:
                outcome = Outcome(UNREACHABLE, code=-1, text="no ATOL Web Requests server at this desk")
            self._post(
                "/clinic_fiscal/proxy/result", {"id": job["id"], "uuid": job["uuid"], "outcome": outcome.as_dict()}
            )
        return len(jobs)

    def run_forever(self, interval=3.0):
        while True:
            try:
                if self.run_once():
                    continue  # more may be waiting
            except requests.RequestException as exc:
                _logger.warning("Odoo unreachable: %s", exc)
            time.sleep(interval)


def serial_status(port):
    """Whether the register's serial (USB-CDC) port opens: diagnostics only, the driver owns the protocol."""
    try:
        import serial  # pylint: disable=import-outside-toplevel  # pyserial, only where a port is configured

        with serial.Serial(port, 115200, timeout=1):
            return f"{port}: open"
    except Exception as exc:  # noqa: BLE001  # any failure is the status to report
        return f"{port}: {exc}"


def build(args):
    atol = None
    if args.atol:
        auth = (args.atol_login, args.atol_password or "") if args.atol_login else None
        atol = AtolClient(args.atol, device_id=args.device_id, auth=auth, poll_timeout=args.poll_timeout)
    with open(args.token_file, encoding="utf-8") as token_file:
        token = token_file.read().strip()
    return ProxyLoop(args.odoo, token, atol=atol, serial_port=args.serial)
