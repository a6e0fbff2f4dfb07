import base64
import json
import uuid
from datetime import datetime, timedelta

import psycopg2
import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, RECEPTIONIST, require_group

OPERATIONS = [
    ("sell", "Sale"),
    ("sellReturn", "Refund"),
    ("sellCorrection", "Correction (sale)"),
    ("sellReturnCorrection", "Correction (reversal)"),
    ("openShift", "Shift opening"),
    ("closeShift", "Shift closing (Z report)"),
    ("reportX", "X report"),
    ("cashIn", "Cash in"),
    ("cashOut", "Cash out"),
    ("getShiftStatus", "Status request"),
]
RECEIPT_OPERATIONS = ("sell", "sellReturn", "sellCorrection", "sellReturnCorrection")
STATES = [
    ("draft", "Waiting to be sent"),
    ("sent", "Queued on the register"),
    ("blocked", "Outcome unknown (register blocked)"),
    ("done", "Done"),
    ("error", "Error"),
]
PENDING = ("draft", "sent", "blocked")
# Driver errors that go away by themselves or once the cashier fixes the device (paper, cover, link):
# the register closed no document, so the receipt is tried again under a new uuid.
TRANSIENT_ERRORS = {1, 2, 3, 4, 44, 45, 46, 115, 177, 241, 502}
# Driver errors that tell the shift's state: 68 shift over 24 h, 141 FN shift expired, 73 shift closed.
SHIFT_ERRORS = {68: "expired", 141: "expired", 73: "closed"}
REGISTER_LOCK = 0x46495343  # «FISC»: advisory lock class of the registers
QR_SIGN = {"sell": 1, "sellReturn": 2, "sellCorrection": 1, "sellReturnCorrection": 2}


class ClinicFiscalReceipt(models.Model):
    """One ATOL task list under one uuid: a receipt (sale, refund, correction) or a register operation.

    The uuid is written with the payment, so it is committed before any HTTP call, and every attempt
    reuses it: the register prints a uuid once. A new uuid is only taken after the register answered
    «error» (no document closed), never after a silence or a block.
    """

    _name = "clinic.fiscal.receipt"
    _description = "Fiscal receipt"
    _order = "id desc"

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/")
    register_id = fields.Many2one(
        "clinic.fiscal.register", string="Register", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="register_id.company_id", string="Clinic", store=True, index=True)
    operation = fields.Selection(OPERATIONS, string="Operation", required=True, readonly=True)
    settlement = fields.Boolean(
        string="Settles an advance", readonly=True, help="Full settlement of services paid in advance (offset)."
    )
    payment_id = fields.Many2one(
        "clinic.visit.payment", string="Payment", index=True, readonly=True, ondelete="restrict"
    )
    visit_id = fields.Many2one(related="payment_id.visit_id", string="Visit", store=True, index=True)
    patient_id = fields.Many2one(related="payment_id.patient_id", string="Patient", store=True)
    corrected_id = fields.Many2one(
        "clinic.fiscal.receipt",
        string="Corrects",
        readonly=True,
        ondelete="restrict",
        help="The wrong receipt reversed.",
    )
    uuid = fields.Char(
        string="Task uuid",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
        help="Sent with every attempt: the register runs a uuid once.",
    )
    previous_uuids = fields.Char(
        string="Earlier uuids", readonly=True, help="Attempts the register refused with an error (nothing printed)."
    )
    state = fields.Selection(STATES, string="Status", required=True, default="draft", index=True, readonly=True)
    cashier_id = fields.Many2one("res.users", string="Cashier", readonly=True, default=lambda self: self.env.user)
    payment_type = fields.Selection(
        [("cash", "Cash"), ("electronically", "Card or transfer")], string="Paid by", readonly=True
    )
    amount = fields.Float(string="Amount", digits=(16, 2), readonly=True)
    email_or_phone = fields.Char(string="Electronic copy to", readonly=True, help="Tag 1008: e-mail or phone.")
    slip = fields.Text(string="Card slip", readonly=True)
    correction_type = fields.Selection(
        [("self", "On our own"), ("instruction", "By the tax office's instruction")], string="Correction basis"
    )
    correction_date = fields.Date(string="Date of the error")
    correction_number = fields.Char(string="Instruction number")
    line_ids = fields.One2many("clinic.fiscal.receipt.line", "receipt_id", string="Lines", readonly=True)
    request_json = fields.Text(string="Request", readonly=True)
    result_json = fields.Text(string="Register's answer", readonly=True)
    attempts = fields.Integer(string="Attempts", readonly=True)
    posted = fields.Boolean(string="Accepted by the server", readonly=True, help="A POST got 201: only poll now.")
    next_try = fields.Datetime(string="Next attempt", readonly=True, index=True)
    error_code = fields.Integer(string="Error code", readonly=True)
    error = fields.Char(string="Error", readonly=True)
    fd_number = fields.Integer(string="FD number", readonly=True, help="Fiscal document number (tag 1040).")
    fiscal_sign = fields.Char(string="Fiscal sign", readonly=True, help="FPD (tag 1077).")
    fn_number = fields.Char(string="FN number", readonly=True, help="Fiscal storage serial (tag 1041).")
    registration_number = fields.Char(string="Registration number", readonly=True, help="Tag 1037.")
    shift_number = fields.Integer(string="Shift", readonly=True)
    receipt_number = fields.Integer(string="Receipt in shift", readonly=True)
    fiscal_datetime = fields.Datetime(string="Fiscalized at", readonly=True)
    fns_url = fields.Char(string="FNS site", readonly=True)
    not_printed = fields.Boolean(string="Not printed", readonly=True, help="Closed in the FN, paper ran out.")
    qr_code = fields.Char(string="QR code text", compute="_compute_qr", help="t=…&s=…&fn=…&i=…&fp=…&n=…")
    qr_image = fields.Binary(string="QR code", compute="_compute_qr")

    _sql_constraints = [
        ("uuid_unique", "UNIQUE(uuid)", "A task uuid is used once."),
        (
            "done_has_fiscal_sign",
            "CHECK(state != 'done' OR operation NOT IN ('sell', 'sellReturn', 'sellCorrection', "
            "'sellReturnCorrection') OR fiscal_sign IS NOT NULL)",
            "A printed receipt carries its fiscal sign.",
        ),
    ]

    def init(self):
        # one sale (and one settlement) and one refund receipt per payment record, whatever the races
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS clinic_fiscal_receipt_one_per_payment ON clinic_fiscal_receipt "
            "(payment_id, operation, COALESCE(settlement, false)) "
            "WHERE payment_id IS NOT NULL AND operation IN ('sell', 'sellReturn')"
        )

    @api.depends("fiscal_datetime", "amount", "fn_number", "fd_number", "fiscal_sign", "operation")
    def _compute_qr(self):
        Report = self.env["ir.actions.report"]
        for receipt in self:
            if receipt.state != "done" or not receipt.fiscal_sign or receipt.operation not in QR_SIGN:
                receipt.qr_code = receipt.qr_image = False
                continue
            # the register's local time, as printed on the receipt: the clinic's zone, whoever looks at it
            zone = receipt.company_id._clinic_tzinfo()
            stamp = pytz.utc.localize(receipt.fiscal_datetime).astimezone(zone).strftime("%Y%m%dT%H%M")
            receipt.qr_code = (
                f"t={stamp}&s={receipt.amount:.2f}&fn={receipt.fn_number}&i={receipt.fd_number}"
                f"&fp={receipt.fiscal_sign}&n={QR_SIGN[receipt.operation]}"
            )
            receipt.qr_image = base64.b64encode(Report.barcode("QR", receipt.qr_code, width=180, height=180))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("clinic.fiscal.receipt") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------ actions

    def action_retry(self):
        """Try again now: the same uuid while the outcome is open; a new one after the register's «error»."""
        require_group(
            self.env,
            RECEPTIONIST,
            ACCOUNTANT,
            MANAGER,
            message=self.env._("Only the front desk, accountants and managers work the register."),
        )
        self.check_access("read")
        for receipt in self.sudo():
            if receipt.state == "done":
                raise UserError(self.env._("Receipt %(name)s is printed already.", name=receipt.name))
            if receipt.state == "error":
                receipt._renew_uuid()
            receipt.write({"next_try": fields.Datetime.now()})
            receipt._schedule()
        return True

    def _open_form(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------ building

    @api.model
    def _create_operation(self, register, operation, amount=0.0):
        """A register operation (shift, reports, cash in/out, status), queued like a receipt."""
        receipt = self.create(
            {"register_id": register.id, "operation": operation, "amount": amount, "payment_type": "cash"}
        )
        receipt._freeze_request()
        receipt._schedule()
        return receipt

    def _operator(self):
        user = self.cashier_id or self.env.user
        employee = user.sudo().employee_id
        operator = {"name": (employee.name or user.name)[:64]}
        if employee.clinic_inn:
            operator["vatin"] = employee.clinic_inn
        return operator

    def _task(self):
        """The ATOL task (dict) of this record."""
        self.ensure_one()
        operator = self._operator()
        if self.operation not in RECEIPT_OPERATIONS:
            task = {"type": self.operation}
            if self.operation in ("openShift", "closeShift", "reportX", "cashIn", "cashOut"):
                task["operator"] = operator
            if self.operation in ("cashIn", "cashOut"):
                task["cashSum"] = round(self.amount, 2)
            return task
        total = round(sum(self.line_ids.mapped("amount")), 2)
        payment = {"type": "prepaid" if self.settlement else self.payment_type, "sum": total}
        if self.slip and not self.settlement:
            payment["printItems"] = [{"type": "text", "text": line} for line in self.slip.splitlines() if line]
        task = {
            "type": self.operation,
            "taxationType": self.company_id.clinic_taxation_type or "usnIncome",
            "electronically": False,
            "ignoreNonFiscalPrintErrors": True,
            "additionalAttribute": self.name,
            "operator": operator,
            "items": self.line_ids._as_atol(),
            "payments": [payment],
            "total": total,
        }
        if self.email_or_phone:
            task["clientInfo"] = {"emailOrPhone": self.email_or_phone}
        if self.operation in ("sellCorrection", "sellReturnCorrection"):
            task["correctionType"] = self.correction_type or "self"
            task["correctionBaseDate"] = (self.correction_date or fields.Date.today()).strftime("%Y.%m.%d")
            if self.correction_type == "instruction":
                task["correctionBaseNumber"] = self.correction_number or ""
        return task

    def _freeze_request(self):
        """Write the request once, with the record: every attempt sends exactly these bytes."""
        for receipt in self:
            tasks = [receipt._task()]
            if receipt.operation == "getShiftStatus":
                tasks.append({"type": "getDeviceStatus"})
            receipt.request_json = json.dumps({"uuid": receipt.uuid, "request": tasks}, ensure_ascii=False)

    def _tasks(self):
        return json.loads(self.request_json)["request"]

    # ------------------------------------------------------------------ sending

    def _channel(self):
        return f"root.fiscal.register_{self.register_id.id}"

    def _schedule(self, eta=None):
        """Queue the attempt (direct registers); the proxy fetches proxy registers' receipts itself."""
        for receipt in self.filtered(lambda r: r.register_id.connection == "direct" and r.state in PENDING):
            when = eta or receipt.next_try
            receipt.with_delay(
                channel=receipt._channel(),
                eta=when,
                identity_key=f"clinic.fiscal.receipt:{receipt.id}:{receipt.uuid}:{receipt.attempts}:{when}",
                max_retries=0,
                description=f"Fiscal receipt {receipt.name}",
            )._process()

    def _claim(self):
        """Lock the register (one task at a time per register, across processes) and this row; False if busy.

        A row another transaction changed since ours began (a concurrent attempt that finished) is a
        serialization failure, which means the same: not ours to send.
        """
        self.env.flush_all()
        cr = self.env.cr
        try:
            with mute_logger("odoo.sql_db"), cr.savepoint(flush=False):
                cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REGISTER_LOCK, self.register_id.id])
                if not cr.fetchone()[0]:
                    return False
                cr.execute("SELECT state FROM clinic_fiscal_receipt WHERE id = %s FOR UPDATE SKIP LOCKED", [self.id])
                row = cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            row = None
        self.invalidate_recordset()
        return bool(row) and row[0] in PENDING

    def _process(self):
        """The job: one attempt on the register, then the outcome is written (and the next attempt queued)."""
        self.ensure_one()
        receipt = self.sudo()
        if not receipt._claim():
            if receipt.state in PENDING:  # another attempt holds the register: look again shortly
                receipt._schedule(eta=fields.Datetime.now() + timedelta(seconds=5))
                return "busy"
            return "already handled"
        receipt.write({"attempts": receipt.attempts + 1})
        outcome = receipt.register_id._client().run(receipt.uuid, receipt._tasks(), posted=receipt.posted)
        return receipt._apply_outcome(outcome)

    def _apply_outcome(self, outcome):
        """Write what the register said; shared by the job and the proxy's report. Returns the new state."""
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"posted": self.posted or outcome.posted}
        if outcome.raw is not None:
            vals["result_json"] = json.dumps(outcome.raw, ensure_ascii=False)
        if outcome.kind == "done":
            results = [item.get("result") or {} for item in (outcome.raw or {}).get("results") or [{}]]
            result = results[0]
            vals.update(self._fiscal_values(result), state="done", error=False, error_code=0, next_try=False)
            self.write(vals)
            merged = {key: value for item in results for key, value in item.items()}
            self.register_id._apply_status(self.operation, merged, result.get("fiscalParams"))
        elif outcome.kind == "failed":
            vals.update(state="error", error_code=outcome.code, error=(outcome.text or "")[:250])
            self.write(vals)
            if outcome.code in SHIFT_ERRORS:  # the register knows better: warn (and block sales) at once
                self.register_id.sudo().write(
                    {"shift_state": SHIFT_ERRORS[outcome.code], "shift_opened_at": False, "status_at": now}
                )
            if outcome.code in TRANSIENT_ERRORS:
                self._renew_uuid()
                self.write({"next_try": now + self._backoff()})
                self._schedule()
        else:
            # unreachable, still queued or blocked: the same uuid, later
            state = "blocked" if outcome.kind == "blocked" else ("sent" if vals["posted"] else "draft")
            vals.update(state=state, error_code=outcome.code, error=(outcome.text or "")[:250] or False)
            vals["next_try"] = now + self._backoff()
            self.write(vals)
            self._schedule()
        self._sync_payment()
        return self.state

    def _backoff(self):
        return timedelta(seconds=min(300, 2 * 2 ** min(self.attempts, 8)))

    def _fiscal_values(self, result):
        params = result.get("fiscalParams") or {}
        if not params:
            return {}
        stamp = params.get("fiscalDocumentDateTime")
        when = False
        if stamp:
            moment = datetime.fromisoformat(stamp)
            when = (moment - moment.utcoffset()).replace(tzinfo=None) if moment.utcoffset() is not None else moment
        return {
            "fd_number": int(params.get("fiscalDocumentNumber") or 0),
            "fiscal_sign": str(params.get("fiscalDocumentSign") or "") or False,
            "fn_number": params.get("fnNumber") or False,
            "registration_number": params.get("registrationNumber") or False,
            "shift_number": int(params.get("shiftNumber") or 0),
            "receipt_number": int(params.get("fiscalReceiptNumber") or 0),
            "fiscal_datetime": when,
            "fns_url": params.get("fnsUrl") or False,
            "not_printed": bool((result.get("warnings") or {}).get("notPrinted")),
        }

    def _renew_uuid(self):
        """After an «error» (nothing closed) the next attempt is a new task: a new uuid, the old one kept."""
        for receipt in self:
            history = ", ".join(filter(None, [receipt.previous_uuids, receipt.uuid]))
            receipt.write({"uuid": str(uuid.uuid4()), "previous_uuids": history, "posted": False, "state": "draft"})
            receipt._freeze_request()

    def _sync_payment(self):
        """The payment's receipt state: its sale or refund, or the sale correction that replaced it."""
        for receipt in self.filtered(
            lambda r: r.payment_id and r.operation in ("sell", "sellReturn", "sellCorrection")
        ):
            state = {"done": "done", "error": "failed"}.get(receipt.state, "queued")
            if receipt.settlement:
                continue  # the payment's own receipt (the advance) decides its state
            receipt.payment_id.sudo().with_context(clinic_fiscal_sync=True).write({"fiscal_state": state})

    @api.model
    def _cron_retry(self):
        """Queue again every receipt whose attempt is due: a stopped worker, a register back online."""
        due = self._due()
        due._schedule()
        return due

    @api.model
    def _due(self, register=None, limit=None):
        """Receipts not finished whose next attempt is due, oldest first (of one register when given)."""
        domain = [("state", "in", PENDING), "|", ("next_try", "=", False), ("next_try", "<=", fields.Datetime.now())]
        if register:
            domain = [("register_id", "=", register.id), *domain]
        return self.sudo().search(domain, order="id", limit=limit)
