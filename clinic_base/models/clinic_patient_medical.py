from odoo import api, fields, models
from odoo.tools import SQL

BLOOD_GROUPS = [
    ("0+", "O(I) Rh+"),
    ("0-", "O(I) Rh−"),
    ("A+", "A(II) Rh+"),
    ("A-", "A(II) Rh−"),
    ("B+", "B(III) Rh+"),
    ("B-", "B(III) Rh−"),
    ("AB+", "AB(IV) Rh+"),
    ("AB-", "AB(IV) Rh−"),
]
MEDICAL_FIELDS = ("blood_group", "allergies", "chronic_conditions")


class ClinicPatientMedical(models.Model):
    """A patient's medical summary, one per patient, kept apart from the card so that record rules
    protect it per patient: managers, the doctors who treat the patient and logged emergency access."""

    _name = "clinic.patient.medical"
    _description = "Patient medical summary"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Patient", required=True, index=True, ondelete="cascade")
    blood_group = fields.Selection(BLOOD_GROUPS, string="Blood group")
    allergies = fields.Text(string="Allergies")
    chronic_conditions = fields.Text(string="Chronic conditions")

    _sql_constraints = [("partner_unique", "UNIQUE(partner_id)", "A patient has one medical summary.")]

    def init(self):
        """Every patient has a summary (the rules need a row to decide on); cards made before the
        summary existed bring their medical columns along."""
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name IN %s",
            [(*MEDICAL_FIELDS, "is_patient")],
        )
        found = {row[0] for row in self.env.cr.fetchall()}
        if "is_patient" not in found:
            return  # first install: res.partner gets its clinic columns later, and there is no patient yet
        old = [name for name in MEDICAL_FIELDS if name in found]
        columns = [SQL.identifier(name) for name in old]
        self.env.cr.execute(
            SQL(
                "INSERT INTO clinic_patient_medical (partner_id, create_date, write_date%s) "
                "SELECT p.id, now() at time zone 'UTC', now() at time zone 'UTC'%s FROM res_partner p "
                "WHERE p.is_patient AND NOT EXISTS (SELECT 1 FROM clinic_patient_medical m WHERE m.partner_id = p.id)",
                SQL("").join(SQL(", %s", column) for column in columns),
                SQL("").join(SQL(", p.%s", column) for column in columns),
            )
        )

    @api.model
    def _ensure_for(self, partners):
        """Create the missing summaries of these patients (as superuser: creating an empty one reveals nothing)."""
        patients = partners.sudo().filtered("is_patient")
        if not patients:
            return
        known = self.sudo().search([("partner_id", "in", patients.ids)]).partner_id
        self.sudo().create([{"partner_id": partner.id} for partner in patients - known])

    @api.model
    def _merge_into(self, sources, destination):
        """Before a merge drops the duplicates' summaries (one per patient): keep what they said on the kept card."""
        Medical = self.sudo()
        self._ensure_for(destination)
        kept = Medical.search([("partner_id", "=", destination.id)])
        others = Medical.search([("partner_id", "in", sources.ids)])
        if not kept or not others:
            return
        vals = {"blood_group": kept.blood_group or others.filtered("blood_group")[:1].blood_group}
        for name in ("allergies", "chronic_conditions"):
            texts = [text for text in [kept[name], *others.mapped(name)] if text]
            vals[name] = "\n".join(dict.fromkeys(texts)) or False
        kept.write(vals)
        others.unlink()
