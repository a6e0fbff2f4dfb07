from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.models.clinic_partner_relation import KINSHIP
from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group


class ClinicRepresentationRequest(models.Model):
    """Someone declared online that they are the legal representative of a child.

    A form proves nothing: the declaration waits for the front desk, who checks the documents (birth
    certificate, guardianship order) at the visit and only then makes the legal-representative link that opens
    the child's records in the portal.
    """

    _name = "clinic.representation.request"
    _description = "Declared legal representation"
    _order = "state, create_date desc, id desc"

    child_id = fields.Many2one(
        "res.partner", string="Child", required=True, readonly=True, ondelete="cascade", index=True
    )
    representative_id = fields.Many2one(
        "res.partner",
        string="Declared representative",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        help="The website account or the contact made of what the visitor typed.",
    )
    kinship = fields.Selection(KINSHIP, string="Declared kinship", required=True, readonly=True)
    typed = fields.Char(
        string="As typed online", readonly=True, help="Name and phone exactly as the visitor typed them."
    )
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", readonly=True, ondelete="set null")
    basis_document = fields.Char(
        string="Basis document", help="The document checked: birth certificate series and number, guardianship order."
    )
    state = fields.Selection(
        [("pending", "To check"), ("approved", "Confirmed"), ("rejected", "Rejected")],
        string="Status",
        default="pending",
        required=True,
        readonly=True,
    )
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_on = fields.Datetime(string="Decided on", readonly=True)

    @api.depends("representative_id", "child_id")
    def _compute_display_name(self):
        for request in self:
            request.display_name = self.env._(
                "%(rep)s for %(child)s", rep=request.representative_id.name, child=request.child_id.name
            )

    def _check_front_desk(self):
        require_group(
            self.env, RECEPTIONIST, message=self.env._("Only the front desk confirms a legal representative.")
        )

    def action_approve(self):
        """The documents were checked: link the representative to the child."""
        self._check_front_desk()
        self.check_access("write")
        for request in self:
            if request.state != "pending":
                raise UserError(self.env._("%(request)s is already decided.", request=request.display_name))
            if not request.basis_document:
                raise UserError(
                    self.env._("%(request)s: fill in the basis document you checked.", request=request.display_name)
                )
            Relation = self.env["clinic.partner.relation"].sudo()
            link = Relation.search(
                [("partner_id", "=", request.child_id.id), ("relative_id", "=", request.representative_id.id)],
                limit=1,
            )
            vals = {"is_legal_representative": True, "basis_document": request.basis_document}
            if link:
                link.write(vals)
            else:
                Relation.create(
                    {"partner_id": request.child_id.id, "relative_id": request.representative_id.id,
                     "kinship": request.kinship, **vals}
                )  # fmt: skip
        self.sudo().write({"state": "approved", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})
        return True

    def action_reject(self):
        self._check_front_desk()
        self.check_access("write")
        self.sudo().write({"state": "rejected", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})
        return True
