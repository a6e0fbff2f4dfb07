import zlib

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.clinic_base.tools import names
from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, require_group

from .clinic_fns_document_code import fns_document_code

# The form of FNS order ЕА-7-11/824@ of 08.11.2023 applies to expenses from 2024 on; earlier years keep the 2001 form.
FIRST_YEAR = 2024
CERTIFICATE_STATES = [
    ("issued", "Issued"),
    ("cancelled", "Cancelled by a correction"),
    ("annulled", "Annulled"),
    ("annulment", "Annulling certificate"),
]
# «Номер корректировки» of an annulling certificate: the form's three cells filled with 999 [verify against the filling
# procedure of order ЕА-7-11/824@, the spec leaves it open]; corrections are numbered 1…998 below it.
ANNULMENT_NUMBER = 999
REGISTER_LOCK = zlib.crc32(b"clinic.tax.certificate") & 0x7FFFFFFF  # advisory lock class of the register
NUMBER_LOCK = zlib.crc32(b"clinic.tax.certificate.number") & 0x7FFFFFFF  # advisory lock class of a clinic's numbers
SEQUENCE_CODE = "clinic.tax.certificate"
PERSON_FIELDS = ("surname", "first_name", "patronymic", "inn", "birth_date", "doc_code", "doc_number", "doc_date")


class ClinicTaxCertificate(models.Model):
    """One issued «Справка об оплате медицинских услуг для представления в налоговый орган» (KND 1151156).

    The register of issued certificates: one per clinic, year, taxpayer and patient while in force. The people's data
    and the amounts are copied at issue, so that a certificate reads the same years later; a correction is a new
    certificate with the same number and the next correction number (as the form numbers them), which cancels the
    previous one.
    """

    _name = "clinic.tax.certificate"
    _description = "Tax deduction certificate"
    _inherit = ["mail.thread"]
    _order = "year desc, number desc, correction_number desc"
    _sql_constraints = (
        (
            "number_correction_uniq",
            "unique(company_id, number, correction_number)",
            "A certificate number and correction number are issued once per clinic.",
        ),
        (
            "correction_number_check",
            "CHECK(correction_number >= 0 AND correction_number <= 999 "
            "AND (correction_number = 999) = (state = 'annulment'))",
            "Correction No.: 0 for a first certificate, 1 to 998 for its corrections, 999 only for an annulling one.",
        ),
    )

    number = fields.Char(
        string="Number", required=True, readonly=True, copy=False, index=True, help="From the register, per clinic."
    )
    correction_number = fields.Integer(
        string="Correction No.",
        readonly=True,
        default=0,
        help="0 for the first certificate; 1, 2… for the corrected ones issued under the same number; 999 for the "
        "certificate annulling it.",
    )
    year = fields.Integer(string="Year", required=True, readonly=True, index=True, help="Year the money was paid in.")
    issue_date = fields.Date(string="Issue date", required=True, readonly=True)
    company_id = fields.Many2one("res.company", string="Clinic", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id", string="Currency")
    state = fields.Selection(CERTIFICATE_STATES, string="Status", required=True, default="issued", readonly=True)
    taxpayer_id = fields.Many2one(
        "res.partner", string="Taxpayer", required=True, readonly=True, index=True, help="Who paid (the payer)."
    )
    patient_id = fields.Many2one(
        "res.partner", string="Patient", required=True, readonly=True, index=True, help="Who received the services."
    )
    is_same_person = fields.Boolean(
        string="Taxpayer is the patient", compute="_compute_is_same_person", store=True, help="«1» on the form."
    )
    amount_code1 = fields.Monetary(
        string="Code 1 amount", readonly=True, help="Medical services of the list of Government Decree No. 458."
    )
    amount_code2 = fields.Monetary(
        string="Code 2 amount", readonly=True, help="Expensive treatment of the list of Government Decree No. 458."
    )
    replaced_id = fields.Many2one(
        "clinic.tax.certificate",
        string="Corrects",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The certificate this correction cancels or this annulment annuls.",
    )
    replacement_ids = fields.One2many(
        "clinic.tax.certificate",
        "replaced_id",
        string="Corrected by",
        help="The correction that cancelled this one, or the certificate that annulled it.",
    )
    annulment_reason = fields.Text(
        string="Reason for annulment", readonly=True, help="Why the accountant annulled the certificate."
    )
    request_id = fields.Many2one(
        "clinic.tax.certificate.request",
        string="Request",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The taxpayer's request it answers, if any.",
    )
    signer_name = fields.Char(string="Signed by", readonly=True, help="Who confirms the data: full name.")
    # The people as they were at issue.
    taxpayer_surname = fields.Char(string="Taxpayer's surname", readonly=True)
    taxpayer_first_name = fields.Char(string="Taxpayer's first name", readonly=True)
    taxpayer_patronymic = fields.Char(string="Taxpayer's patronymic", readonly=True)
    taxpayer_inn = fields.Char(string="Taxpayer's INN", readonly=True)
    taxpayer_birth_date = fields.Date(string="Taxpayer's birth date", readonly=True)
    taxpayer_doc_code = fields.Char(string="Taxpayer's document code", readonly=True, help="FNS code, 21 = passport.")
    taxpayer_doc_number = fields.Char(string="Taxpayer's document series and number", readonly=True)
    taxpayer_doc_date = fields.Date(string="Taxpayer's document issue date", readonly=True)
    patient_surname = fields.Char(string="Patient's surname", readonly=True)
    patient_first_name = fields.Char(string="Patient's first name", readonly=True)
    patient_patronymic = fields.Char(string="Patient's patronymic", readonly=True)
    patient_inn = fields.Char(string="Patient's INN", readonly=True)
    patient_birth_date = fields.Date(string="Patient's birth date", readonly=True)
    patient_doc_code = fields.Char(string="Patient's document code", readonly=True, help="FNS code, 03 = birth cert.")
    patient_doc_number = fields.Char(string="Patient's document series and number", readonly=True)
    patient_doc_date = fields.Date(string="Patient's document issue date", readonly=True)

    @api.depends("taxpayer_id", "patient_id")
    def _compute_is_same_person(self):
        for certificate in self:
            certificate.is_same_person = certificate.taxpayer_id == certificate.patient_id

    @api.depends("number", "correction_number", "state", "year", "taxpayer_id")
    def _compute_display_name(self):
        for certificate in self:
            label = self.env._("Certificate No. %(number)s", number=certificate.number or "")
            if certificate.state == "annulment":
                label += self.env._(" (annulment)")
            elif certificate.correction_number:
                label += self.env._(" (correction %(n)s)", n=certificate.correction_number)
            certificate.display_name = f"{label}, {certificate.year}, {certificate.taxpayer_id.name or ''}"

    def init(self):
        # While in force, one certificate per clinic, year, taxpayer and patient: two accountants issuing at once
        # end with one certificate and a unique-violation, never two.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS clinic_tax_certificate_in_force_uniq
               ON clinic_tax_certificate (company_id, year, taxpayer_id, patient_id) WHERE state = 'issued'"""
        )

    @api.constrains("year")
    def _check_year(self):
        for certificate in self:
            if certificate.year < FIRST_YEAR:
                raise ValidationError(
                    self.env._(
                        "Certificate for %(year)s: the form KND 1151156 covers payments from %(first)s on; "
                        "earlier years are certified on the 2001 form.",
                        year=certificate.year,
                        first=FIRST_YEAR,
                    )
                )

    # ------------------------------------------------------------------ actions

    def action_correct(self):
        """Issue a correction: today's data and amounts under the same number, the next correction number."""
        require_group(self.env, ACCOUNTANT, MANAGER)
        self.check_access("read")
        for certificate in self:  # all refusals before anything is written
            if certificate.state != "issued":
                raise UserError(
                    self.env._(
                        "%(name)s is not in force (%(state)s): correct the one in force.",
                        name=certificate.display_name,
                        state=certificate._state_label(),
                    )
                )
            if certificate.correction_number + 1 >= ANNULMENT_NUMBER:
                raise UserError(
                    self.env._(
                        "%(name)s has had %(n)s corrections, the most the form numbers: annul it and issue a new one.",
                        name=certificate.display_name,
                        n=certificate.correction_number,
                    )
                )
        corrections = self.browse()
        for certificate in self:
            amounts = self._amounts(certificate.year, certificate.company_id, certificate.taxpayer_id)
            code1, code2 = amounts.get((certificate.taxpayer_id.id, certificate.patient_id.id), (0.0, 0.0))
            certificate.sudo().state = "cancelled"
            certificate.flush_recordset(["state"])  # out of the unique index before its correction goes in
            common = self._common_values(certificate.company_id)
            values = certificate._certificate_values(
                certificate.taxpayer_id, certificate.patient_id, code1, code2, common
            )
            values.update(
                number=certificate.number,
                correction_number=certificate.correction_number + 1,
                replaced_id=certificate.id,
                request_id=certificate.request_id.id,
                year=certificate.year,
                company_id=certificate.company_id.id,
            )
            corrections |= self.sudo().create(values)
            certificate.sudo().message_post(
                body=self.env._("Cancelled by correction %(n)s.", n=certificate.correction_number + 1)
            )
        return corrections._action_open()

    def action_print(self):
        require_group(self.env, ACCOUNTANT, MANAGER)
        self.check_access("read")
        return self.env.ref("clinic_fiscal_atol.action_report_tax_certificate").report_action(self)

    def action_export_xml(self):
        """The FNS file for the selected certificates, checked against the schema, as a download."""
        require_group(self.env, ACCOUNTANT, MANAGER)
        self.check_access("read")
        attachment = self._xml_attachment()
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    # ------------------------------------------------------------------ business methods

    def _annul(self, reason):
        """Annul the certificates in force: each gets an annulling certificate under its number, correction number
        999, repeating its data as issued; a new certificate may then be issued for the same people and year."""
        if not (reason or "").strip():
            raise UserError(self.env._("Reason for annulment: say why the certificate is annulled."))
        annulments = self.browse()
        for certificate in self:
            if certificate.state != "issued":
                raise UserError(
                    self.env._(
                        "%(name)s is not in force (%(state)s): only a certificate in force can be annulled.",
                        name=certificate.display_name,
                        state=certificate._state_label(),
                    )
                )
            certificate.sudo().state = "annulled"
            values = {
                key: certificate[key]
                for key in ("number", "year", "amount_code1", "amount_code2")
                + tuple(f"{prefix}_{key}" for prefix in ("taxpayer", "patient") for key in PERSON_FIELDS)
            }
            values.update(
                self._common_values(certificate.company_id),
                correction_number=ANNULMENT_NUMBER,
                state="annulment",
                annulment_reason=reason.strip(),
                replaced_id=certificate.id,
                company_id=certificate.company_id.id,
                taxpayer_id=certificate.taxpayer_id.id,
                patient_id=certificate.patient_id.id,
                request_id=certificate.request_id.id,
            )
            annulments |= self.sudo().create(values)
            certificate.sudo().message_post(body=self.env._("Annulled: %(reason)s", reason=reason.strip()))
        return annulments.sudo(False)

    @api.model
    def _issue(self, taxpayer, year, company=None, request=None):
        """Certificates of ``taxpayer`` for ``year``, one per patient they paid for; those in force are kept."""
        company = company or self.env.company
        if year < FIRST_YEAR:
            raise UserError(
                self.env._(
                    "Year %(year)s: the form KND 1151156 covers payments from %(first)s on; earlier years are "
                    "certified on the 2001 form.",
                    year=year,
                    first=FIRST_YEAR,
                )
            )
        amounts = self._amounts(year, company, taxpayer)
        return self._issue_many(amounts, year, company, request=request)

    @api.model
    def _issue_many(self, amounts, year, company, request=None):
        """Create the certificates of ``{(taxpayer_id, patient_id): (code1, code2)}`` not yet issued (in bulk)."""
        self._lock_register(company, year)
        existing = self.search(
            [
                ("company_id", "=", company.id),
                ("year", "=", year),
                ("state", "=", "issued"),
                ("taxpayer_id", "in", list({key[0] for key in amounts})),
            ]
        )
        in_force = {(c.taxpayer_id.id, c.patient_id.id): c for c in existing}
        # one recordset, so that names, INNs and documents are read for all the people at once
        people = self.env["res.partner"].browse({pid for key in amounts for pid in key})
        people = {person.id: person for person in people}
        common = self._common_values(company)
        values_list = []
        for (taxpayer_id, patient_id), (code1, code2) in sorted(amounts.items()):
            if (taxpayer_id, patient_id) in in_force or (code1 <= 0 and code2 <= 0):
                continue
            values = self._certificate_values(
                people[taxpayer_id], people[patient_id], max(code1, 0.0), max(code2, 0.0), common
            )
            values.update(
                year=year,
                company_id=company.id,
                request_id=request.id if request else False,
            )
            values_list.append(values)
        for values, number in zip(values_list, self._take_numbers(company, len(values_list)), strict=True):
            values["number"] = number
        created = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True).create(values_list)
        return existing.filtered(lambda c: (c.taxpayer_id.id, c.patient_id.id) in amounts) | created.sudo(False)

    @api.model
    def _lock_register(self, company, year):
        """One issuing at a time per clinic and year: a second accountant is told to retry, never given a second
        certificate (the unique index stands behind) nor an error from the database."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REGISTER_LOCK, company.id * 10000 + year])
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                self.env._(
                    "Certificates of %(year)s are being issued by someone else right now: try again in a moment.",
                    year=year,
                )
            )

    @api.model
    def _take_numbers(self, company, count):
        """The next ``count`` numbers of ``company``'s register. Its numbers are taken one transaction at a time (a
        lock held until commit), so a transaction that rolls back leaves no gap and two clinics never share a counter.
        """
        if not count:
            return []
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NUMBER_LOCK, company.id])
        sequence = self._number_sequence(company)
        self.env.cr.execute("SELECT number_next FROM ir_sequence WHERE id = %s FOR UPDATE", [sequence.id])
        first = self.env.cr.fetchone()[0]
        self.env.cr.execute("UPDATE ir_sequence SET number_next = %s WHERE id = %s", [first + count, sequence.id])
        sequence.invalidate_recordset(["number_next"])
        return [sequence.get_next_char(first + offset) for offset in range(count)]

    @api.model
    def _number_sequence(self, company):
        """``company``'s sequence of certificate numbers, made with its first certificate after the numbers it has
        already used (under the register's lock: see ``_take_numbers``)."""
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", SEQUENCE_CODE), ("company_id", "=", company.id)], limit=1)
        if sequence:
            return sequence
        self.env.cr.execute(
            "SELECT max(number::bigint) FROM clinic_tax_certificate WHERE company_id = %s AND number ~ '^[0-9]{1,18}$'",
            [company.id],
        )
        return Sequence.create(
            {
                "name": self.env._("Tax deduction certificates of %(clinic)s", clinic=company.name),
                "code": SEQUENCE_CODE,
                "company_id": company.id,
                "implementation": "no_gap",
                "padding": 6,
                "number_next": (self.env.cr.fetchone()[0] or 0) + 1,
            }
        )

    @api.model
    def _common_values(self, company):
        """What every certificate issued now by ``company`` shares: the issue date and who confirms."""
        return {
            "issue_date": company._clinic_today(),
            "signer_name": company._clinic_signatory()["name"] or self.env.user.name,
        }

    def _certificate_values(self, taxpayer, patient, code1, code2, common):
        values = {
            "taxpayer_id": taxpayer.id,
            "patient_id": patient.id,
            "amount_code1": code1,
            "amount_code2": code2,
            **common,
        }
        for prefix, person in (("taxpayer", taxpayer), ("patient", patient)):
            values.update({f"{prefix}_{key}": value for key, value in self._person_values(person).items()})
        return values

    @api.model
    def _person_values(self, person):
        """Name, INN and, for a person without an INN, birth date and the current identity document (FNS code)."""
        surname, first_name, patronymic = person.surname, person.first_name, person.patronymic
        if not (surname and first_name):
            surname, first_name, patronymic = names.split_full_name(person.name or "")
        values = dict.fromkeys(PERSON_FIELDS, False)
        values.update(
            surname=surname, first_name=first_name, patronymic=patronymic, inn=person.inn, birth_date=person.birth_date
        )
        if person.inn:
            return values
        document = person.identity_document_ids.filtered("is_current").sorted(
            lambda d: (d.issue_date or fields.Date.to_date("1900-01-01"), d.id), reverse=True
        )[:1]
        if not (person.birth_date and document):
            raise UserError(
                self.env._(
                    "%(person)s has no INN: the certificate then needs their birth date and a current identity "
                    "document. Add them on the person's card.",
                    person=person.display_name,
                )
            )
        values.update(
            doc_code=fns_document_code(document.doc_type_id.code),
            doc_number=" ".join(filter(None, (document.series, document.number))),
            doc_date=document.issue_date,
        )
        return values

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _action_open(self):
        action = {
            "type": "ir.actions.act_window",
            "res_model": "clinic.tax.certificate",
            "name": self.env._("Tax certificates"),
            "domain": [("id", "in", self.ids)],
            "views": [(False, "list"), (False, "form")],
        }
        if len(self) == 1:
            action.update(res_id=self.id, views=[(False, "form")])
        return action

    def _person(self, prefix):
        """The form's block of a person: ``{field: value}`` of the snapshot (``prefix`` taxpayer or patient)."""
        self.ensure_one()
        return {key: self[f"{prefix}_{key}"] for key in PERSON_FIELDS}

    # ------------------------------------------------------------------ print form

    @api.model
    def _cells(self, value, size):
        """``value`` spread over ``size`` cells of the form, upper case, unused cells dashed as FNS forms are."""
        text = str(value or "").upper()[:size].replace(" ", "\u00a0")  # a blank cell keeps its width
        return list(text) + ["-"] * (size - len(text))

    @api.model
    def _date_cells(self, value):
        """dd.mm.yyyy as three groups of cells (dashes when there is no date)."""
        text = value.strftime("%d%m%Y") if value else ""
        cells = self._cells(text, 8)
        return cells[:2], cells[2:4], cells[4:]

    @api.model
    def _amount_cells(self, value, size=13):
        """Roubles (left-aligned in ``size`` cells) and kopecks of an amount."""
        roubles, kopecks = f"{value or 0.0:.2f}".split(".")
        return self._cells(roubles, size), list(kopecks)

    def _signer_initials(self):
        """«Фамилия, И.О.» of the one who confirms: Петрова Анна Сергеевна → Петрова А.С."""
        self.ensure_one()
        surname, first_name, patronymic = names.split_full_name(self.signer_name or "")
        initials = "".join(f"{part[0]}." for part in (first_name, patronymic) if part)
        return " ".join(filter(None, (surname, initials)))

    def _pages(self):
        """The pages of the form: the second one (the patient) only when the taxpayer paid for someone else."""
        self.ensure_one()
        return 1 if self.is_same_person else 2
