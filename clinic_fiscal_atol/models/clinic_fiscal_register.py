import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, RECEPTIONIST, require_group, require_one

from ..proxy.clinic_fiscal_proxy.atol import AtolClient

SHIFT_STATES = [("closed", "Closed"), ("opened", "Open"), ("expired", "Expired (over 24 h)"), ("unknown", "Unknown")]
SHIFT_LIMIT = timedelta(hours=24)
CASHIERS = (RECEPTIONIST, ACCOUNTANT, MANAGER)


class ClinicFiscalRegister(models.Model):
    """A cash desk's ATOL register, reached directly (Odoo calls its Web Requests server) or through the
    fiscal proxy on the front-desk PC, which pulls the tasks with the desk's token."""

    _name = "clinic.fiscal.register"
    _description = "Cash register"
    _order = "name, id"

    name = fields.Char(string="Cash desk", required=True, help="Where the register stands, e.g. «Ресепшн 1».")
    active = fields.Boolean(string="Active", default=True)
    company_id = fields.Many2one("res.company", string="Clinic", required=True, default=lambda self: self.env.company)
    connection = fields.Selection(
        [("direct", "Odoo calls the register"), ("proxy", "Fiscal proxy at the desk")],
        string="Connection",
        required=True,
        default="proxy",
        help="Direct: Odoo reaches the ATOL Web Requests server itself. Proxy: the program next to the register "
        "fetches the receipts over HTTPS (no inbound port at the clinic).",
    )
    base_url = fields.Char(
        string="ATOL server address",
        default="http://127.0.0.1:16732/api/v2",
        groups=MANAGER,
        help="ATOL Web Requests API root, as seen by Odoo (direct) or by the proxy.",
    )
    device_id = fields.Char(
        string="Device ID", groups=MANAGER, help="deviceID of the register when the server has several."
    )
    login = fields.Char(string="Login", groups=MANAGER, help="HTTP Basic login of the ATOL server, if set.")
    password = fields.Char(string="Password", groups=MANAGER)
    timeout = fields.Float(string="Timeout, s", default=10.0, groups=MANAGER)
    poll_timeout = fields.Float(
        string="Wait for result, s", default=20.0, groups=MANAGER, help="How long one attempt polls a queued task."
    )
    proxy_token = fields.Char(
        string="Proxy token",
        copy=False,
        groups=MANAGER,
        default=lambda self: secrets.token_urlsafe(32),
        help="The desk's secret: the fiscal proxy sends it as «Authorization: Bearer …».",
    )
    terminal = fields.Selection(
        [("none", "No terminal"), ("sberbank", "Sberbank (UPOS sb_pilot)")],
        string="Card terminal",
        default="none",
        required=True,
        help="The bank terminal at this desk; card payments are charged through it before the receipt.",
    )
    terminal_path = fields.Char(
        string="Terminal program", groups=MANAGER, help="Path to sb_pilot (the folder holds its files e and p)."
    )
    terminal_timeout = fields.Integer(string="Terminal timeout, s", default=120, groups=MANAGER)
    shift_state = fields.Selection(SHIFT_STATES, string="Shift", default="unknown", readonly=True)
    shift_number = fields.Integer(string="Shift number", readonly=True)
    shift_opened_at = fields.Datetime(string="Shift opened", readonly=True)
    last_fd_number = fields.Integer(
        string="Last FD number", readonly=True, help="Last fiscal document the register closed."
    )
    status_at = fields.Datetime(string="Status as of", readonly=True)
    status_note = fields.Char(string="Register says", readonly=True)
    shift_warning = fields.Char(
        string="Warning", compute="_compute_shift_warning", help="Why sales are blocked on this register."
    )
    backlog_count = fields.Integer(string="Receipts waiting", compute="_compute_backlog_count")
    receipt_ids = fields.One2many("clinic.fiscal.receipt", "register_id", string="Receipts")

    _sql_constraints = [("proxy_token_unique", "UNIQUE(proxy_token)", "Each cash desk has its own proxy token.")]

    @api.depends("shift_state", "shift_opened_at")
    def _compute_shift_warning(self):
        now = fields.Datetime.now()
        for register in self:
            expired = register.shift_state == "expired" or (
                register.shift_state == "opened"
                and register.shift_opened_at
                and now - register.shift_opened_at > SHIFT_LIMIT
            )
            register.shift_warning = (
                self.env._("The shift is older than 24 hours: close it (Z report) and open a new one before selling.")
                if expired
                else False
            )

    def _compute_backlog_count(self):
        groups = self.env["clinic.fiscal.receipt"]._read_group(
            [("register_id", "in", self.ids), ("state", "in", ("draft", "sent", "blocked", "error"))],
            ["register_id"],
            ["__count"],
        )
        counts = {register.id: count for register, count in groups}
        for register in self:
            register.backlog_count = counts.get(register.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        registers = super().create(vals_list)
        registers._ensure_channel()
        return registers

    # ------------------------------------------------------------------ actions

    def _require_cashier(self):
        require_group(
            self.env, *CASHIERS, message=self.env._("Only the front desk, accountants and managers work the register.")
        )
        self.check_access("read")

    def action_open_shift(self):
        """Open the shift (the morning's first document)."""
        return self._queue_operation("openShift")

    def action_close_shift(self):
        """Close the shift: the Z report."""
        return self._queue_operation("closeShift")

    def action_report_x(self):
        """Print the X report (the day's totals so far, the shift stays open)."""
        return self._queue_operation("reportX")

    def action_refresh_status(self):
        """Ask the register for its shift and fiscal storage state."""
        return self._queue_operation("getShiftStatus")

    def action_view_receipts(self):
        self._require_cashier()
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_fiscal_atol.clinic_fiscal_receipt_action")
        action["domain"] = [("register_id", "=", self.id)]
        action["context"] = {}
        return action

    def _queue_operation(self, operation, **values):
        self._require_cashier()
        require_one(self)
        if operation in ("cashIn", "cashOut") and self.shift_warning:
            raise UserError(self.shift_warning)
        receipt = self.env["clinic.fiscal.receipt"].sudo()._create_operation(self, operation, **values)
        return receipt._open_form()

    # ------------------------------------------------------------------ business

    def _ensure_channel(self):
        """A queue_job channel of capacity 1 per register: the runner starts one of its tasks at a time."""
        parent = self.env.ref("clinic_fiscal_atol.queue_job_channel_fiscal", raise_if_not_found=False)
        if not parent:
            return
        Channel = self.env["queue.job.channel"].sudo()
        for register in self:
            name = f"register_{register.id}"
            if not Channel.search_count([("parent_id", "=", parent.id), ("name", "=", name)]):
                Channel.create({"name": name, "parent_id": parent.id, "capacity": 1})

    @api.model
    def _default_for(self, company):
        return self.sudo().search([("company_id", "=", company.id)], limit=1)

    def _client(self):
        self.ensure_one()
        register = self.sudo()
        auth = (register.login, register.password or "") if register.login else None
        return AtolClient(
            register.base_url,
            device_id=register.device_id,
            auth=auth,
            timeout=register.timeout,
            poll_timeout=register.poll_timeout,
        )

    def _check_can_sell(self):
        """Refuse a sale while the shift is over 24 h old: the register would refuse it (error 68)."""
        self.ensure_one()
        if self.shift_warning:
            raise UserError(self.env._("Register %(name)s: %(warning)s", name=self.name, warning=self.shift_warning))

    def _apply_status(self, kind, result, fiscal_params=None):
        """What a finished task tells about the register: shift state and the last FD number."""
        self.ensure_one()
        vals = {"status_at": fields.Datetime.now()}
        status = (result or {}).get("shiftStatus")
        if status:
            vals.update(shift_state=status.get("state") or "unknown", shift_number=status.get("number") or 0)
            if status.get("state") != "opened":
                vals["shift_opened_at"] = False
            elif not self.shift_opened_at:
                vals["shift_opened_at"] = fields.Datetime.now()
        device = (result or {}).get("deviceStatus")
        if device:
            vals["status_note"] = self.env._(
                "Paper: %(paper)s; cover: %(cover)s; register clock: %(clock)s",
                paper=self.env._("yes") if device.get("paperPresent") else self.env._("no"),
                cover=self.env._("open") if device.get("coverOpened") else self.env._("closed"),
                clock=device.get("currentDateTime") or "?",
            )
        if kind == "openShift":
            vals.update(shift_state="opened", shift_opened_at=fields.Datetime.now())
        elif kind == "closeShift":
            vals.update(shift_state="closed", shift_opened_at=False)
        if fiscal_params:
            vals["last_fd_number"] = max(self.last_fd_number, int(fiscal_params.get("fiscalDocumentNumber") or 0))
            if fiscal_params.get("shiftNumber"):
                vals["shift_number"] = fiscal_params["shiftNumber"]
            if (
                kind in ("sell", "sellReturn", "sellCorrection", "sellReturnCorrection")
                and self.shift_state != "opened"
            ):
                vals.update(shift_state="opened", shift_opened_at=self.shift_opened_at or fields.Datetime.now())
        self.sudo().write(vals)
