from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group


class ResPartner(models.Model):
    """A card made from an online booking keeps what the visitor typed; when it looks like a known patient, the
    front desk decides, and only then is it merged into that card."""

    _inherit = "res.partner"

    online_candidate_id = fields.Many2one(
        "res.partner",
        string="Possibly the same as",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        groups="clinic_base.group_clinic_receptionist",
        help="An existing card that this card, made from an online booking, resembles (name, birth date or phone). "
        "Nothing of it was shown to the visitor or changed: merge the two once you have checked it is the same "
        "person, or dismiss the suggestion.",
    )

    def _check_front_desk(self):
        require_group(
            self.env, RECEPTIONIST, message=self.env._("Only the front desk decides whether two cards are one patient.")
        )
        self.check_access("read")

    def action_merge_online_candidate(self):
        """Checked: the online card is the known patient; everything of it (appointments, consents) moves there."""
        self._check_front_desk()
        for card in self:
            candidate = card.sudo().online_candidate_id
            if not candidate:
                raise UserError(self.env._("%(card)s has no suggested card to merge into.", card=card.name))
            Cluster = self.env["clinic.duplicate.cluster"].sudo()
            key = Cluster._key_for((card | candidate).ids)
            cluster = Cluster.search([("key", "=", key)], limit=1) or Cluster.create(
                {"key": key, "partner_ids": [fields.Command.set((card | candidate).ids)], "reasons": "online"}
            )
            cluster._merge_into(candidate)
        return True

    def action_dismiss_online_candidate(self):
        """Checked: another person; the card stays as it is."""
        self._check_front_desk()
        self.sudo().write({"online_candidate_id": False})
        return True
