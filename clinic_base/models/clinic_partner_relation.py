from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.display import selection_label

KINSHIP = [
    ("mother", "Mother"),
    ("father", "Father"),
    ("spouse", "Spouse"),
    ("son", "Son"),
    ("daughter", "Daughter"),
    ("guardian", "Guardian"),
    ("other", "Other"),
]
# Kinships that make the relative a parent-like person of the patient.
PARENT_KINSHIPS = ("mother", "father", "guardian")


class ClinicPartnerRelation(models.Model):
    """One link between two people, shown on both cards (never stored twice)."""

    _name = "clinic.partner.relation"
    _description = "Relative"
    _order = "partner_id, is_legal_representative desc, id"

    partner_id = fields.Many2one("res.partner", string="Patient", required=True, ondelete="cascade", index=True)
    relative_id = fields.Many2one("res.partner", string="Relative", required=True, ondelete="cascade", index=True)
    kinship = fields.Selection(
        KINSHIP, string="Kinship", required=True, help="Who the relative is to the patient: «mother» of the patient."
    )
    is_legal_representative = fields.Boolean(
        string="Legal representative",
        help="Signs consents and contracts for a minor or an incapable patient.",
    )
    is_payer = fields.Boolean(string="Usually pays", help="Pays for the patient's services; used for tax certificates.")
    basis_document = fields.Char(
        string="Basis document",
        help="What makes a guardian the representative: a guardianship decision, its number and date.",
    )
    relative_phone = fields.Char(related="relative_id.phone", string="Relative's phone")

    @api.depends("partner_id", "relative_id", "kinship")
    def _compute_display_name(self):
        """«Иванова Анна Петровна (Мать) — Иванов Михаил Петрович»: the relative, who they are, the patient."""
        for link in self:
            link.display_name = (
                f"{link.relative_id.name or ''} ({selection_label(link, 'kinship')}) — {link.partner_id.name or ''}"
            )

    _sql_constraints = [
        ("relation_not_self", "CHECK (partner_id != relative_id)", "A person cannot be their own relative."),
    ]

    @api.constrains("partner_id", "relative_id", "kinship")
    def _check_unique_link(self):
        for link in self:
            twins = self.search_count(
                [
                    ("partner_id", "=", link.partner_id.id),
                    ("relative_id", "=", link.relative_id.id),
                    ("id", "!=", link.id),
                ]
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "%(relative)s is already linked to %(patient)s: edit that link instead of adding another.",
                        relative=link.relative_id.display_name,
                        patient=link.partner_id.display_name,
                    )
                )
