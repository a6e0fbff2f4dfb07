"""Sberbank UPOS through its command-line agent ``sb_pilot`` (``sb_pilot 1 <kopecks>`` sale,
``sb_pilot 3 <kopecks> 0 QSELECT <RRN>`` refund by reference).

The agent writes the result in the file ``e`` of its folder (first line ``code,text``; ``0`` is
approved) and the slip in ``p`` (KOI8-R on Linux). The RRN and the authorization code are read from
the slip lines ``RRN:`` and ``Код авторизации:`` [verify against the installed UPOS version].
"""

import os
import re
import subprocess

from .base import AcquiringError, AcquiringProvider, AcquiringResult

SLIP_ENCODING = "koi8-r"
_RRN = re.compile(r"RRN:?\s*(\d{6,12})")
_AUTH = re.compile(r"(?:Код авторизации|КОД АВТОРИЗАЦИИ|AUTH)[:\s]*([0-9A-Z]{4,8})")


class SberbankPilot(AcquiringProvider):
    def __init__(self, path, timeout=120):
        if not path:
            raise AcquiringError("sb_pilot path is not set")
        self.path = path
        self.folder = os.path.dirname(os.path.abspath(path))
        self.timeout = timeout

    def sale(self, amount):
        return self._run(["1", str(_kopecks(amount))])

    def refund(self, amount, rrn):
        return self._run(["3", str(_kopecks(amount)), "0", "QSELECT", rrn])

    def _run(self, args):
        for name in ("e", "p"):
            path = os.path.join(self.folder, name)
            if os.path.exists(path):
                os.remove(path)  # a stale answer must not pass for this operation's
        try:
            subprocess.run([self.path, *args], cwd=self.folder, timeout=self.timeout, check=False, capture_output=True)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AcquiringError(f"sb_pilot: {exc}") from exc
        try:
            with open(os.path.join(self.folder, "e"), encoding=SLIP_ENCODING) as answer:
                first = answer.readline().strip()
        except OSError as exc:
            raise AcquiringError("sb_pilot wrote no result file «e»") from exc
        code, _sep, message = first.partition(",")
        slip = ""
        slip_path = os.path.join(self.folder, "p")
        if os.path.exists(slip_path):
            with open(slip_path, encoding=SLIP_ENCODING, errors="replace") as slip_file:
                slip = slip_file.read().strip()
        rrn, auth = _RRN.search(slip), _AUTH.search(slip)
        return AcquiringResult(
            approved=code.strip() == "0",
            code=code.strip(),
            message=message.strip(),
            rrn=rrn.group(1) if rrn else "",
            auth_code=auth.group(1) if auth else "",
            slip=slip,
        )


def _kopecks(amount):
    return int(round(amount * 100))
