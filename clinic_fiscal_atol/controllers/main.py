import hmac
import json
import re
from datetime import datetime

from odoo import fields, http
from odoo.http import request

from ..models.clinic_fiscal_receipt import PENDING
from ..proxy.clinic_fiscal_proxy.atol import Outcome

BATCH = 20
# The proxy's calls: JSON over POST, authenticated by the desk token alone (no session, no CSRF token).
PROXY_ROUTE = {
    "type": "http",
    "auth": "none",
    "methods": ["POST"],
    "csrf": False,
    "save_session": False,
    "readonly": False,
}

ASCII_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() takes «²», int() does not
OUTCOME_KINDS = ("done", "failed", "pending", "blocked", "unreachable")
RESULT_OBJECTS = ("fiscalParams", "shiftStatus", "deviceStatus", "warnings")
FISCAL_NUMBERS = ("fiscalDocumentNumber", "shiftNumber", "fiscalReceiptNumber")


def result_payload_error(body):
    """The field of a proxy's report that is not what the proxy sends, or None when the shape is right.

    Only the shape: which receipt it is, and whether it is still waiting, is the route's business.
    """
    if not isinstance(body, dict):
        return "body: a JSON object {id, uuid, outcome} expected"
    if not isinstance(body.get("id"), int | str) or not ASCII_DIGITS.fullmatch(str(body["id"])):
        return "id: the receipt's id (digits) expected"
    if not isinstance(body.get("uuid"), str):
        return "uuid: a string expected"
    outcome = body.get("outcome")
    if not isinstance(outcome, dict):
        return "outcome: an object expected"
    if outcome.get("kind") not in OUTCOME_KINDS:
        return f"outcome.kind: one of {', '.join(OUTCOME_KINDS)} expected"
    code = outcome.get("code") or 0
    if isinstance(code, bool) or not isinstance(code, int) or not -(2**31) <= code < 2**31:
        return "outcome.code: a whole number expected"
    if not isinstance(outcome.get("text") or "", str):
        return "outcome.text: a string expected"
    raw = outcome.get("raw")
    if outcome["kind"] != "done" or raw is None:
        return None  # only a printed receipt's answer is read; the others are kept as they came
    if not isinstance(raw, dict) or not isinstance(raw.get("results") or [], list):
        return "outcome.raw: an object with a list of results expected"
    for item in raw.get("results") or []:
        result = item.get("result") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(result or {}, dict):
            return "outcome.raw.results: objects with a result object expected"
        if any(not isinstance((result or {}).get(key) or {}, dict) for key in RESULT_OBJECTS):
            return f"outcome.raw.results.result: {', '.join(RESULT_OBJECTS)} must be objects"
        params = (result or {}).get("fiscalParams") or {}
        if not all(_is_count(params.get(key)) for key in FISCAL_NUMBERS):
            return f"outcome.raw.results.result.fiscalParams: {', '.join(FISCAL_NUMBERS)} must be numbers"
        if not _is_count(((result or {}).get("shiftStatus") or {}).get("number")):
            return "outcome.raw.results.result.shiftStatus.number: a number expected"
        try:
            datetime.fromisoformat(params.get("fiscalDocumentDateTime") or "2000-01-01")
        except (TypeError, ValueError):
            return "outcome.raw.results.result.fiscalParams.fiscalDocumentDateTime: a date-time expected"
    return None


def _is_count(value):
    """Absent, or a whole number ≥ 0 (as a number or ASCII digits) that PostgreSQL's integer holds."""
    text = str(value or 0)
    return not isinstance(value, bool | float) and ASCII_DIGITS.fullmatch(text) is not None and int(text) < 2**31


class FiscalProxyController(http.Controller):
    """What the fiscal proxy at a desk talks to: it pulls its register's pending tasks and reports outcomes.

    The desk's token (``Authorization: Bearer …``) is the only credential; it names the register, so a
    proxy only ever sees its own desk's receipts.
    """

    def _register(self):
        header = request.httprequest.headers.get("Authorization", "")
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        if len(token) < 20:
            return None
        register = request.env["clinic.fiscal.register"].sudo().search([("proxy_token", "=", token)], limit=1)
        if not register or not hmac.compare_digest(register.proxy_token, token):
            return None
        return register

    def _answer(self, status, data):
        return request.make_json_response(data, status=status)

    def _authorized_body(self):
        """The desk's register and the JSON body of a proxy call, or the error answer to send back instead."""
        register = self._register()
        if not register:
            return None, None, self._answer(401, {"error": "unknown or missing desk token"})
        try:
            body = json.loads(request.httprequest.get_data() or b"{}")
        except ValueError:
            return None, None, self._answer(400, {"error": "body is not JSON"})
        if not isinstance(body, dict):
            return None, None, self._answer(400, {"error": "body: a JSON object expected"})
        return register, body, None

    @http.route("/clinic_fiscal/proxy/jobs", **PROXY_ROUTE)
    def jobs(self):
        register, body, refusal = self._authorized_body()
        if refusal:
            return refusal
        if body.get("serial"):
            register.write({"status_at": fields.Datetime.now(), "status_note": str(body["serial"])[:200]})
        receipts = request.env["clinic.fiscal.receipt"]._due(register, limit=BATCH)
        jobs = [{"id": r.id, "uuid": r.uuid, "posted": r.posted, "request": r._tasks()} for r in receipts]
        return self._answer(200, {"register": register.name, "jobs": jobs})

    @http.route("/clinic_fiscal/proxy/result", **PROXY_ROUTE)
    def result(self):
        register, body, refusal = self._authorized_body()
        if refusal:
            return refusal
        error = result_payload_error(body)
        if error:
            return self._answer(400, {"error": error})
        receipt = request.env["clinic.fiscal.receipt"].sudo().browse(int(body["id"])).exists()
        if receipt:  # one report at a time per receipt: a late duplicate sees the first one's state
            request.env.cr.execute("SELECT id FROM clinic_fiscal_receipt WHERE id = %s FOR UPDATE", [receipt.id])
            receipt.invalidate_recordset()
        if not receipt or receipt.register_id != register:
            return self._answer(404, {"error": "no such task for this desk"})
        if receipt.uuid != body.get("uuid") or receipt.state not in PENDING:
            return self._answer(409, {"error": "stale result", "state": receipt.state})
        try:
            outcome = Outcome.from_dict(body["outcome"])
        except (KeyError, TypeError, ValueError):
            return self._answer(400, {"error": "malformed outcome"})
        receipt.write({"attempts": receipt.attempts + 1})
        return self._answer(200, {"state": receipt._apply_outcome(outcome)})
