import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.models.res_partner import MEDICAL_GROUPS
from odoo.addons.clinic_base.tools.access import DOCTOR, MANAGER, require_group

from ..semd import edition as editions
from .clinic_semd_builder import SOURCE_FIELDS
from .clinic_semd_document import SEMD_STATES

CONSULTATION_KIND = "119"  # what «Build SEMD» builds; another kind is asked for in the context (semd_kind)
PAYMENT_SOURCES = [
    ("paid", "Patient's own funds"),
    ("dms", "Voluntary insurance (DMS)"),
    ("oms", "Compulsory insurance (OMS)"),
]
# Visit fields a signed SEMD was built from: changing them afterwards needs a new document version. A field only
# some kinds read (the medical conclusion's text) is locked by a signed document of those kinds alone: see
# _semd_locked_fields.
SEMD_SOURCE_FIELDS = {
    "patient_id",
    "employee_id",
    "date",
    "complaints",
    "anamnesis",
    "life_history",
    "examination",
    "diagnosis_id",
    "diagnosis_note",
    "recommendations",
    "specialty_id",
    "department_id",
    "care_reason_id",
    "care_place_id",
    "care_condition_id",
    "care_setting_id",
    "care_form_id",
    "care_type_id",
    "referral_kind_id",
    "payment_source",
    "height_cm",
    "weight_kg",
    "bp_systolic",
    "bp_diastolic",
    "heart_rate",
    "temperature",
}
SIGNED_STATES = ("signed", "sending", "sent", "registered")


def _default_code(model, code):
    return lambda self: self.env[model]._nsi_by_code(code)


class ClinicVisit(models.Model):
    """The data a consultation SEMD needs beyond the protocol, and the doctor's «build» and «sign» buttons."""

    _inherit = "clinic.visit"

    specialty_id = fields.Many2one(
        "clinic.nsi.specialty",
        string="Specialty",
        help="The practitioner's specialty this consultation is given in (a practitioner may have several).",
    )
    department_id = fields.Many2one("hr.department", string="Department", help="The clinic's unit of the visit.")
    care_reason_id = fields.Many2one(
        "clinic.nsi.care.reason", string="First or repeated", default=_default_code("clinic.nsi.care.reason", "1")
    )
    care_place_id = fields.Many2one(
        "clinic.nsi.care.place", string="Place of care", default=_default_code("clinic.nsi.care.place", "1")
    )
    care_setting_id = fields.Many2one(
        "clinic.nsi.care.setting",
        string="Conditions of care",
        default=_default_code("clinic.nsi.care.setting", "2"),
    )
    care_form_id = fields.Many2one(
        "clinic.nsi.care.form", string="Form of care", default=_default_code("clinic.nsi.care.form", "1")
    )
    care_type_id = fields.Many2one(
        "clinic.nsi.care.type", string="Type of care", default=_default_code("clinic.nsi.care.type", "3")
    )
    care_condition_id = fields.Many2one(
        "clinic.nsi.care.condition",
        string="Patient's condition",
        groups=MEDICAL_GROUPS,
        default=_default_code("clinic.nsi.care.condition", "1"),
    )
    referral_kind_id = fields.Many2one(
        "clinic.nsi.referral.kind", string="Referral", groups=MEDICAL_GROUPS, help="Where the patient is referred."
    )
    payment_source = fields.Selection(PAYMENT_SOURCES, string="Payment source", required=True, default="paid")
    life_history = fields.Text(string="Life history", groups=MEDICAL_GROUPS, help="Apart from the disease history.")
    medical_conclusion = fields.Text(
        string="Medical conclusion",
        groups=MEDICAL_GROUPS,
        help="The doctor's conclusion for the patient who asks for a medical conclusion (SEMD «Медицинское "
        "заключение»): what it states, in the doctor's words.",
    )
    height_cm = fields.Integer(string="Height, cm", groups=MEDICAL_GROUPS)
    weight_kg = fields.Float(string="Weight, kg", digits=(5, 1), groups=MEDICAL_GROUPS)
    bp_systolic = fields.Integer(string="Blood pressure, systolic", groups=MEDICAL_GROUPS)
    bp_diastolic = fields.Integer(string="Blood pressure, diastolic", groups=MEDICAL_GROUPS)
    heart_rate = fields.Integer(string="Heart rate, /min", groups=MEDICAL_GROUPS)
    temperature = fields.Float(string="Temperature, °C", digits=(3, 1), groups=MEDICAL_GROUPS)
    lab_result_ids = fields.One2many(
        "clinic.visit.lab.result",
        "visit_id",
        string="Laboratory tests",
        groups=MEDICAL_GROUPS,
        help="The tests' results the laboratory protocol SEMD (kind 186) is built from.",
    )
    semd_document_ids = fields.One2many(
        "clinic.semd.document", "visit_id", string="SEMD", groups=MEDICAL_GROUPS, readonly=True
    )
    semd_document_id = fields.Many2one(
        "clinic.semd.document", string="Current SEMD", compute="_compute_semd_document", groups=MEDICAL_GROUPS
    )
    # Status flags, not medical content: the header's buttons and the lock read them for every role.
    semd_state = fields.Selection(SEMD_STATES, string="SEMD status", compute="_compute_semd_state", compute_sudo=True)
    semd_locked = fields.Boolean(
        string="Signed",
        compute="_compute_semd_state",
        compute_sudo=True,
        help="A signed SEMD was built from this visit: a change needs a correction (a new document version).",
    )
    semd_kind = fields.Char(
        string="Kind of the current SEMD", compute="_compute_semd_state", compute_sudo=True, help="Its code in 1520."
    )
    semd_signed_kinds = fields.Char(
        string="Signed SEMD kinds",
        compute="_compute_semd_state",
        compute_sudo=True,
        help="Kinds (codes in 1520) whose last version is signed and not under correction, comma-separated.",
    )
    semd_correction = fields.Boolean(
        string="Correction under way", groups=MEDICAL_GROUPS, copy=False, help="The next SEMD is a new version."
    )
    semd_errors = fields.Text(string="Why no SEMD", groups=MEDICAL_GROUPS, copy=False, readonly=True)
    semd_error_fields = fields.Char(string="Fields to fix", groups=MEDICAL_GROUPS, copy=False, readonly=True)

    @api.depends("semd_document_ids.state")
    def _compute_semd_document(self):
        for visit in self:
            visit.semd_document_id = visit.semd_document_ids.sorted("id")[-1:]

    @api.depends("semd_document_ids.state", "semd_correction")
    def _compute_semd_state(self):
        for visit in self:
            document = visit.semd_document_ids.sorted("id")[-1:]
            signed = visit._semd_signed_documents()
            visit.semd_state = document.state
            visit.semd_kind = document.kind_code
            visit.semd_locked = bool(signed)
            visit.semd_signed_kinds = ",".join(sorted(signed.mapped("kind_code"))) or False

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        if set(vals) & (SEMD_SOURCE_FIELDS | set(SOURCE_FIELDS.values())):
            self._semd_check_unlocked(set(vals))
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_reopen(self):
        self.check_access("write")
        locked = self.sudo().filtered("semd_locked")
        if locked:
            raise UserError(
                self.env._(
                    "Visit %(name)s is signed in a SEMD and cannot be reopened: use «Correct SEMD» on it.",
                    name=locked[0].display_name,
                )
            )
        return super().action_reopen()

    def action_semd_generate(self):
        """Build a SEMD of the visit (the consultation protocol, or the kind in the context's ``semd_kind``, e.g. the
        medical conclusion), validate it and freeze it, or tell the doctor what to fix."""
        require_group(self.env, DOCTOR, MANAGER)
        self.check_access("write")
        kind = self.env.context.get("semd_kind") or CONSULTATION_KIND
        if kind not in {edition_kind for edition_kind, _number in editions.editions()}:
            raise UserError(self.env._("SEMD kind %(kind)s is not supported.", kind=kind))
        for visit in self:
            visit._semd_check_author()
            if visit.state != "done":
                raise UserError(self.env._("Close visit %(name)s before building its SEMD.", name=visit.display_name))
            if kind in visit._semd_signed_documents().mapped("kind_code"):
                raise UserError(
                    self.env._(
                        "Visit %(name)s already has a signed SEMD: press «Correct SEMD» first.",
                        name=visit.display_name,
                    )
                )
            visit._semd_generate(kind)
        return True

    def action_semd_sign(self):
        """The treating doctor signs the current document, then the clinic's key adds the organization's signature."""
        require_group(self.env, DOCTOR)
        self.check_access("write")
        for visit in self:
            document = visit.semd_document_id
            if not document or document.state != "validated":
                raise UserError(
                    self.env._("Visit %(name)s has no validated SEMD to sign: build it first.", name=visit.display_name)
                )
            document._sign()
            visit.sudo().semd_correction = False
        return True

    def action_semd_correct(self):
        """Unlock a signed visit for a correction: the next SEMD is a new version replacing the signed one."""
        require_group(self.env, DOCTOR, MANAGER)
        self.check_access("write")
        for visit in self:
            visit._semd_check_author()
            if not visit.semd_locked:
                raise UserError(self.env._("Visit %(name)s has no signed SEMD to correct.", name=visit.display_name))
        self.sudo().semd_correction = True
        return True

    # ------------------------------------------------------------------ business

    def _semd_check_author(self):
        """Only the treating doctor (or a manager) builds and corrects the visit's document."""
        if self.env.su or self.env.user.has_group(MANAGER):
            return
        if self.employee_id.user_id != self.env.user:
            raise UserError(
                self.env._(
                    "Only the visit's practitioner %(doctor)s builds and signs its SEMD.",
                    doctor=self.employee_id.name or "—",
                )
            )

    def _semd_signed_documents(self):
        """The last version of each kind, when it is signed and no correction is under way."""
        self.ensure_one()
        if self.semd_correction:
            return self.env["clinic.semd.document"]
        documents = self.sudo().semd_document_ids.sorted("id")
        last = {document.kind_code: document for document in documents}
        return documents.browse([d.id for d in last.values() if d.state in SIGNED_STATES])

    def _semd_locked_fields(self):
        """Visit fields a signed document was built from: the common ones once any document is signed, and the
        sources that only some kinds read (the medical conclusion's text) when a document of such a kind is."""
        self.ensure_one()
        locked = set()
        for document in self._semd_signed_documents():
            edition = editions.editions().get((document.kind_code, document.edition), {})
            locked |= SEMD_SOURCE_FIELDS | {SOURCE_FIELDS[source] for source in editions.sources(edition)}
        return locked

    def _semd_check_unlocked(self, field_names):
        """Refuse a change to ``field_names`` that a signed SEMD of the visit was built from (its laboratory results
        included): a signed document changes only through a correction, a new version signed again."""
        if self.env.su:
            return
        self.check_access("read")  # the refusal names the visit and its patient: only to those who may read it
        locked = self.sudo().filtered(lambda visit: visit._semd_locked_fields() & field_names)
        if locked:
            raise UserError(
                self.env._(
                    "Visit %(name)s is signed in a SEMD: to change it, press «Correct SEMD» (a new version of the "
                    "document will be built and signed).",
                    name=locked[0].display_name,
                )
            )

    def _semd_generate(self, kind=CONSULTATION_KIND):
        """One visit: field checks, then the document (validated, frozen) or the errors stored on the visit."""
        self.ensure_one()
        visit_date = fields.Datetime.context_timestamp(self, self.date).date()
        edition = editions.current(kind, visit_date)
        if not edition:
            raise UserError(
                self.env._("No SEMD edition of kind %(kind)s is in force on %(date)s.", kind=kind, date=visit_date)
            )
        Builder = self.env["clinic.semd.builder"]
        errors = Builder._visit_errors(self, edition)
        if errors:
            self._semd_store_errors(errors)
            return self.env["clinic.semd.document"]
        Document = self.env["clinic.semd.document"].sudo()
        same_kind = self.semd_document_ids.filtered(lambda d: d.kind_code == kind)
        previous = same_kind.filtered(lambda d: d.state in SIGNED_STATES).sorted("version")[-1:]
        # An unsigned validated version never left the clinic: it is replaced, not versioned.
        same_kind.filtered(lambda d: d.state in ("draft", "validated")).sudo().unlink()
        document = Document.create(
            {
                "visit_id": self.id,
                "kind_code": edition["kind"],
                "edition": edition["edition"],
                "version": previous.version + 1 if previous else 1,
                "previous_id": previous.id,
                "local_uid": str(uuid.uuid4()),
            }
        )
        xml, errors, validate_ms = Builder._build_and_validate(self, edition, document)
        if errors:
            document.unlink()
            self._semd_store_errors(errors)
            return Document
        document._freeze(xml, validate_ms)
        if self.semd_errors:
            self.sudo().write({"semd_errors": False, "semd_error_fields": False})
        return document

    def _semd_store_errors(self, errors):
        lines = []
        for field, message in errors:
            label = self._fields[field].get_description(self.env)["string"] if field in self._fields else "XML"
            lines.append(f"{label}: {message}")
        self.sudo().write(
            {
                "semd_errors": "\n".join(lines),
                "semd_error_fields": ",".join(sorted({field for field, _message in errors})),
            }
        )

    def _semd_vitals_text(self):
        """The vitals as the protocol prints them (the narrative of the examination)."""
        _ = self.env._
        parts = [
            self.height_cm and _("height %(v)s cm", v=self.height_cm),
            self.weight_kg and _("weight %(v)s kg", v=self.weight_kg),
            self.bp_systolic
            and self.bp_diastolic
            and _("BP %(s)s/%(d)s mm Hg", s=self.bp_systolic, d=self.bp_diastolic),
            self.heart_rate and _("HR %(v)s/min", v=self.heart_rate),
            self.temperature and _("t %(v)s °C", v=self.temperature),
        ]
        return ", ".join(str(part) for part in parts if part)
