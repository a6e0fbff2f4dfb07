from odoo import api, fields, models

from ..semd import edition as editions

SEMD_STATES = [
    ("draft", "Draft"),
    ("validated", "Validated"),
    ("signed", "Signed"),
    ("sending", "Sending"),
    ("sent", "Awaiting REMD"),
    ("registered", "Registered"),
    ("rejected", "Rejected"),
    ("error", "Error"),
]


class ClinicSemdDocument(models.Model):
    """One version of a structured medical document (SEMD) built from a visit.

    Once validated its XML bytes are frozen: signatures, the checksum and the file REMD fetches all
    refer to those bytes, and a correction is a new version with its own id.
    """

    _name = "clinic.semd.document"
    _inherit = ["mail.thread"]
    _description = "Structured medical document (SEMD)"
    _order = "create_date desc, id desc"

    name = fields.Char(string="Document", required=True, default="/", copy=False)
    visit_id = fields.Many2one(
        "clinic.visit", string="Visit", required=True, index=True, ondelete="restrict", readonly=True
    )
    patient_id = fields.Many2one(related="visit_id.patient_id", string="Patient", store=True, index=True)
    employee_id = fields.Many2one(related="visit_id.employee_id", string="Practitioner", store=True, index=True)
    company_id = fields.Many2one(related="visit_id.company_id", string="Clinic", store=True)
    kind_code = fields.Char(
        string="Kind",
        required=True,
        readonly=True,
        help="The SEMD kind's code in reference book 1.2.643.5.1.13.13.11.1520 (e.g. 119).",
    )
    edition = fields.Char(string="Edition", readonly=True, help="The edition of the kind the XML follows.")
    kind_name = fields.Char(
        string="Document kind", compute="_compute_kind_name", help="The kind and its edition as book 1520 names them."
    )
    version = fields.Integer(string="Version", default=1, readonly=True, copy=False)
    previous_id = fields.Many2one(
        "clinic.semd.document", string="Replaces", readonly=True, copy=False, help="The version this one corrects."
    )
    local_uid = fields.Char(
        string="Local id", readonly=True, copy=False, index=True, help="The document's id in the clinic (a UUID)."
    )
    state = fields.Selection(
        SEMD_STATES, string="Status", required=True, default="draft", index=True, tracking=True, copy=False
    )
    xml_content = fields.Binary(string="XML", readonly=True, copy=False, attachment=True, help="Frozen bytes.")
    checksum = fields.Char(string="Checksum", readonly=True, copy=False)
    doctor_signature = fields.Binary(string="Doctor's signature", readonly=True, copy=False, attachment=True)
    org_signature = fields.Binary(string="Clinic's signature", readonly=True, copy=False, attachment=True)
    remd_message_id = fields.Char(string="REMD message id", readonly=True, copy=False, index=True)
    remd_registry_number = fields.Char(string="REMD registration number", readonly=True, copy=False)
    error_text = fields.Text(string="Errors", readonly=True, copy=False)

    _sql_constraints = [
        ("local_uid_unique", "unique(local_uid)", "Two SEMD versions cannot share one local id."),
        ("message_id_unique", "unique(remd_message_id)", "Two SEMD versions cannot share one REMD message id."),
    ]

    @api.depends("kind_code", "edition")
    def _compute_kind_name(self):
        for document in self:
            edition = editions.editions().get((document.kind_code, document.edition))
            document.kind_name = edition["name"] if edition else document.kind_code
