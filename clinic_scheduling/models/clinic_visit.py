from dateutil.relativedelta import relativedelta
from num2words import num2words

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_amount

from odoo.addons.clinic_base.models.res_partner import ADULT_AGE, MEDICAL_GROUPS

# From 15 a minor consents to medical intervention personally (323-FZ, art. 54); younger ones through a representative.
CONSENT_AGE = 15
VISIT_STATES = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")]


class ClinicVisit(models.Model):
    """What happened when the patient came: the services rendered, their price, the payments and the protocol."""

    _name = "clinic.visit"
    _description = "Visit"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(
        string="Number", readonly=True, copy=False, default="/", help="Number of the visit; also the contract number."
    )
    appointment_id = fields.Many2one(
        "clinic.appointment",
        string="Appointment",
        readonly=True,
        index=True,
        copy=False,
        ondelete="restrict",
        help="The booking the visit was opened from on arrival.",
    )
    patient_id = fields.Many2one(
        "res.partner",
        string="Patient",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_patient", "=", True)],
        help="The person who receives the services.",
    )
    employee_id = fields.Many2one(
        "hr.employee",
        string="Practitioner",
        index=True,
        tracking=True,
        domain=[("is_practitioner", "=", True)],
        help="Who sees the patient and writes the protocol.",
    )
    date = fields.Datetime(
        string="Date", required=True, index=True, tracking=True, default=fields.Datetime.now, help="When it began."
    )
    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, default=lambda self: self.env.company, help="The contractor."
    )
    currency_id = fields.Many2one(
        "res.currency", string="Currency", related="company_id.currency_id", help="The clinic's currency."
    )
    line_ids = fields.One2many(
        "clinic.visit.line", "visit_id", string="Services", copy=True, help="Services rendered during the visit."
    )
    payment_ids = fields.One2many(
        "clinic.visit.payment", "visit_id", string="Payments", help="Money received for the visit."
    )
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True, help="Price of the services after discounts."
    )
    amount_discount = fields.Monetary(
        string="Discount", compute="_compute_amounts", store=True, help="Sum of the discounts on the services."
    )
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amounts", store=True, help="Sum of the payments.")
    balance_due = fields.Monetary(
        string="Balance due", compute="_compute_amounts", store=True, help="Total less payments; negative is overpaid."
    )
    state = fields.Selection(
        VISIT_STATES,
        string="Status",
        required=True,
        default="open",
        index=True,
        tracking=True,
        copy=False,
        help="Open while the patient is being seen; done once closed; cancelled when nothing was rendered.",
    )
    is_imported = fields.Boolean(
        string="Imported",
        readonly=True,
        copy=False,
        index=True,
        help="A historical visit brought from 1C: read-only, only the import itself writes it.",
    )
    import_ref = fields.Char(
        string="Import reference", readonly=True, copy=False, index=True, help="The document's key in 1C."
    )
    # The practitioner's protocol: medical content, hidden from the front desk and accounting.
    complaints = fields.Text(string="Complaints", groups=MEDICAL_GROUPS, help="What the patient complains of.")
    anamnesis = fields.Text(string="Anamnesis", groups=MEDICAL_GROUPS, help="History of the disease and of life.")
    examination = fields.Text(string="Examination", groups=MEDICAL_GROUPS, help="Objective findings.")
    diagnosis_id = fields.Many2one(
        "clinic.nsi.icd10",
        string="Diagnosis (ICD-10)",
        groups=MEDICAL_GROUPS,
        domain=[("is_leaf", "=", True)],
        help="Main diagnosis, coded to the most detailed ICD-10 rubric.",
    )
    diagnosis_note = fields.Char(string="Diagnosis details", groups=MEDICAL_GROUPS, help="The diagnosis in words.")
    recommendations = fields.Text(
        string="Recommendations", groups=MEDICAL_GROUPS, help="Treatment, tests and the next visit."
    )

    @api.depends("line_ids.price_subtotal", "line_ids.discount_amount", "payment_ids.amount")
    def _compute_amounts(self):
        for visit in self:
            visit.amount_total = sum(visit.line_ids.mapped("price_subtotal"))
            visit.amount_discount = sum(visit.line_ids.mapped("discount_amount"))
            visit.amount_paid = sum(visit.payment_ids.mapped("amount"))
            visit.balance_due = visit.amount_total - visit.amount_paid

    @api.depends("name", "patient_id")
    def _compute_display_name(self):
        for visit in self:
            visit.display_name = " ".join(part for part in (visit.name, visit.patient_id.name) if part)

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("is_imported") for vals in vals_list):
            raise UserError(self.env._("Only the import from 1C creates imported visits."))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("clinic.visit") or "/"
        return super().create(vals_list)

    def write(self, vals):
        self._check_not_imported()
        if not self.env.su and {"is_imported", "import_ref"} & set(vals):
            raise UserError(
                self.env._(
                    "Visit %(name)s: only the import from 1C sets «Imported» and its reference.",
                    name=self[:1].display_name,
                )
            )
        return super().write(vals)

    def unlink(self):
        self._check_not_imported()
        return super().unlink()

    def _state_label(self):
        """The status as the user reads it, in their language."""
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _check_not_imported(self):
        """Imported visits are history: nobody but the superuser (the import itself) changes them."""
        if self.env.su:
            return
        imported = self.filtered("is_imported")
        if imported:
            raise UserError(
                self.env._(
                    "Visit %(name)s was imported from 1C (reference %(ref)s) and is read-only.",
                    name=imported[0].display_name,
                    ref=imported[0].import_ref or "—",
                )
            )

    # ------------------------------------------------------------------ actions

    def action_done(self):
        self.check_access("write")
        for visit in self:
            if visit.state != "open":
                raise UserError(
                    self.env._(
                        "Visit %(name)s is %(state)s: only an open visit can be closed.",
                        name=visit.display_name,
                        state=visit._state_label(),
                    )
                )
        self._close()
        self.appointment_id.filtered(lambda a: a.state in ("arrived", "in_progress")).action_done()
        return True

    def action_cancel(self):
        self.check_access("write")
        for visit in self:
            if visit.state != "open":
                raise UserError(
                    self.env._(
                        "Visit %(name)s is %(state)s: only an open visit can be cancelled.",
                        name=visit.display_name,
                        state=visit._state_label(),
                    )
                )
            if visit.payment_ids:
                raise UserError(
                    self.env._(
                        "Visit %(name)s has payments of %(amount)s: a manager must remove them before it is cancelled.",
                        name=visit.display_name,
                        amount=format_amount(self.env, visit.amount_paid, visit.currency_id),
                    )
                )
        self.write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self.check_access("write")
        for visit in self:
            if visit.state != "done":
                raise UserError(
                    self.env._(
                        "Visit %(name)s is %(state)s: only a closed visit can be reopened.",
                        name=visit.display_name,
                        state=visit._state_label(),
                    )
                )
        self.write({"state": "open"})
        return True

    def action_register_payment(self):
        """Payments are entered in their own window, so that accounting records them without editing the visit."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment for %(visit)s", visit=self.display_name),
            "res_model": "clinic.visit.payment",
            "view_mode": "form",
            "views": [(self.env.ref("clinic_scheduling.clinic_visit_payment_view_form").id, "form")],
            "target": "new",
            "context": {
                "default_visit_id": self.id,
                "default_amount": max(self.balance_due, 0.0),
            },
        }

    def _close(self):
        self.filtered(lambda v: v.state == "open").write({"state": "done"})

    def _action_show(self):
        """The window action showing these visits: their form for one, a list for several."""
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_scheduling.clinic_visit_action")
        if len(self) == 1:
            action.update({"res_id": self.id, "view_mode": "form", "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", self.ids)]
        return action

    # ------------------------------------------------------------------ prices

    def _get_service_price(self, product, quantity):
        """Unit price of a service for this patient: their price list when there is one, else the list price."""
        self.ensure_one()
        company = self.company_id or self.env.company
        date = self.date or fields.Datetime.now()
        pricelist = self.patient_id.with_company(company).property_product_pricelist
        if pricelist:
            return pricelist._get_product_price(product, quantity or 1.0, currency=self.currency_id, date=date)
        return product.currency_id._convert(product.lst_price, self.currency_id, company, date.date())

    # ------------------------------------------------------------------ print forms

    def _amount_in_words(self, amount):
        """«Одна тысяча пятьсот рублей 00 копеек», as Russian contracts write a sum."""
        self.ensure_one()
        amount = self.currency_id.round(amount)
        try:
            words = num2words(
                float(amount), lang="ru", to="currency", currency=self.currency_id.name, cents=False, separator=""
            )
        except NotImplementedError:
            return self.currency_id.amount_to_text(amount)
        return words[:1].upper() + words[1:]

    def _patient_age(self):
        """Age of the patient on the day of the visit, or None without a birth date."""
        self.ensure_one()
        birth_date = self.patient_id.birth_date
        if not birth_date:
            return None
        return relativedelta(fields.Datetime.context_timestamp(self, self.date).date(), birth_date).years

    def _is_under(self, age_limit):
        """The patient is younger than age_limit on the day of the visit (unknown age counts as adult)."""
        age = self._patient_age()
        return age is not None and age < age_limit

    def _legal_representative(self):
        """Who signs the contract for the patient: their legal representative when they are a minor."""
        self.ensure_one()
        return self.patient_id.representative_id if self._is_under(ADULT_AGE) else self.env["res.partner"]

    def _consent_by_representative(self):
        """Consent to medical intervention is given by the legal representative for a patient under 15."""
        self.ensure_one()
        return self._is_under(CONSENT_AGE)

    def _contract_customer(self):
        """A third person who pays (заказчик): neither the patient nor the representative who signs for them."""
        self.ensure_one()
        signers = self.patient_id | self._legal_representative()
        payers = self.payment_ids.payer_id or self.patient_id.relation_ids.filtered("is_payer").relative_id
        return (payers - signers)[:1]

    def _identity_document(self, partner):
        """The document the person shows: the current one, the latest issued first."""
        documents = partner.identity_document_ids
        return documents.filtered("is_current")[:1] or documents[:1]

    def _short_name(self, partner):
        """«Иванова А. П.» under a signature; the full name when it has no parts."""
        if not partner.surname:
            return partner.name or ""
        initials = " ".join(f"{part[0]}." for part in (partner.first_name, partner.patronymic) if part)
        return f"{partner.surname} {initials}".strip()

    def _postal_address(self, partner):
        """Address on one line: «620014, Свердловская обл., Екатеринбург, ул. Ленина, д. 5»."""
        parts = (
            partner.zip,
            partner.clinic_region_id.name or partner.state_id.name,
            partner.city or partner.addr_settlement,
            partner.street,
            partner.street2,
        )
        return ", ".join(part for part in parts if part)


class ClinicAppointment(models.Model):
    _inherit = "clinic.appointment"

    visit_ids = fields.One2many(
        "clinic.visit", "appointment_id", string="Visits", help="Visits opened for this appointment."
    )
    visit_id = fields.Many2one(
        "clinic.visit",
        string="Visit",
        compute="_compute_visit_id",
        help="The visit opened when the patient arrived.",
    )

    @api.depends("visit_ids.state")
    def _compute_visit_id(self):
        for appointment in self:
            appointment.visit_id = appointment.visit_ids.filtered(lambda v: v.state != "cancelled")[:1]

    def action_arrive(self):
        """The patient is here: open the visit with the booked services at their prices, and show it."""
        super().action_arrive()
        return self._open_visits()._action_show()

    def action_done(self):
        result = super().action_done()
        self.visit_ids._close()
        return result

    def action_open_visit(self):
        self.ensure_one()
        return self.visit_id._action_show()

    def _open_visits(self):
        visits = self.env["clinic.visit"]
        for appointment in self:
            visits |= appointment.visit_id or self.env["clinic.visit"].create(appointment._prepare_visit_vals())
        return visits

    def _prepare_visit_vals(self):
        self.ensure_one()
        return {
            "appointment_id": self.id,
            "patient_id": self.patient_id.id,
            "employee_id": self.employee_id.id,
            "company_id": self.company_id.id,
            "date": self.arrived_at or fields.Datetime.now(),
            "line_ids": [Command.create({"product_id": service.id}) for service in self.service_ids],
        }
