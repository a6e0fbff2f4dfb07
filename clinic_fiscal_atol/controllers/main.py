import hmac
import json

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
            body = None
        if not isinstance(body, dict):
            return None, None, self._answer(400, {"error": "body is not a JSON object"})
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
        if not isinstance(body.get("outcome"), dict) or not str(body.get("id", "")).isdigit():
            return self._answer(400, {"error": "expected {id, uuid, outcome}"})
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
