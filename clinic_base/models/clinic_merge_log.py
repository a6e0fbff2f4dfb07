from odoo import api, fields, models

from ..tools.display import moment


class ClinicMergeLog(models.Model):
    """Who merged which cards into which, and when; kept after the merged cards are gone."""

    _name = "clinic.merge.log"
    _description = "Patient merge log"
    _order = "date desc, id desc"

    date = fields.Datetime(string="Merged on", required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one("res.users", string="Merged by", required=True, readonly=True)
    dst_partner_id = fields.Many2one("res.partner", string="Kept card", ondelete="set null", readonly=True)
    merged_ids = fields.Char(string="Merged card ids", readonly=True)
    merged_names = fields.Text(string="Merged cards", readonly=True, help="Name, birth date and card number of each.")
    cluster_id = fields.Many2one("clinic.duplicate.cluster", string="Duplicates cluster", readonly=True)
    reasons = fields.Char(related="cluster_id.reasons", string="Reasons")

    @api.depends("dst_partner_id", "date")
    def _compute_display_name(self):
        """«Иванова Анна Петровна, 03.12.2026 10:00»: the card kept and when."""
        for log in self:
            log.display_name = f"{log.dst_partner_id.name or log.merged_names or ''}, {moment(self.env, log.date)}"
