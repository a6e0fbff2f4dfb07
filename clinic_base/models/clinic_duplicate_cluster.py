from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.access import RECEPTIONIST, require_group

# Odoo's merge wizard takes at most this many partners at once (itself included).
MERGE_CHUNK = 3


class ClinicDuplicateCluster(models.Model):
    """A group of cards that look like one patient, waiting for a person's decision."""

    _name = "clinic.duplicate.cluster"
    _description = "Possible duplicates"
    _order = "state, score desc, id"

    name = fields.Char(string="Patient", compute="_compute_name", store=True)
    key = fields.Char(string="Key", required=True, index=True, help="The sorted ids of the cards in the cluster.")
    partner_ids = fields.Many2many("res.partner", string="Cards")
    partner_count = fields.Integer(string="Cards count", compute="_compute_name", store=True)
    master_id = fields.Many2one(
        "res.partner",
        string="Card to keep",
        compute="_compute_master_id",
        store=True,
        readonly=False,
        help="The most complete card (the oldest if equal); everything of the others moves to it.",
    )
    score = fields.Integer(string="Score", help="100 = same SNILS; 90 and above are safe to merge automatically.")
    reasons = fields.Char(string="Reasons")
    auto = fields.Boolean(string="Safe to merge", help="Every link in the cluster is of merge-safe confidence.")
    state = fields.Selection(
        [("open", "To decide"), ("merged", "Merged"), ("dismissed", "Not duplicates")],
        string="Status",
        default="open",
        required=True,
    )
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_on = fields.Datetime(string="Decided on", readonly=True)

    _sql_constraints = [("key_unique", "UNIQUE(key)", "This group of cards is already listed.")]

    @api.depends("partner_ids")
    def _compute_name(self):
        for cluster in self:
            cluster.partner_count = len(cluster.partner_ids)
            cluster.name = cluster.partner_ids[:1].name or False

    @api.depends("partner_ids")
    def _compute_master_id(self):
        for cluster in self:
            cards = cluster.partner_ids
            cluster.master_id = max(cards, key=lambda p: (p._clinic_completeness(), -p.id)) if cards else False

    @api.model
    def _key_for(self, partner_ids):
        return ",".join(str(i) for i in sorted(partner_ids))

    def action_merge(self):
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        for cluster in self:
            if cluster.state != "open" or len(cluster.partner_ids) < 2:
                raise UserError(self.env._("«%(name)s» has nothing left to merge.", name=cluster.name or cluster.key))
            cluster._merge_into(cluster.master_id or cluster.partner_ids[:1])
        return True

    def action_dismiss(self):
        require_group(self.env, RECEPTIONIST)
        self.write({"state": "dismissed", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})
        return True

    def action_reopen(self):
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        self.filtered(lambda c: c.state == "dismissed").write(
            {"state": "open", "decided_by_id": False, "decided_on": False}
        )
        return True

    def _merge_into(self, master):
        """Reuse Odoo's partner merge: it rewires every foreign key and reference, whatever module added it."""
        self.ensure_one()
        others = self.partner_ids - master
        wizard = self.env["base.partner.merge.automatic.wizard"].sudo().with_context(clinic_merge_cluster_id=self.id)
        while others:
            chunk, others = others[: MERGE_CHUNK - 1], others[MERGE_CHUNK - 1 :]
            # rights were checked by action_merge; the merge rewires records of every app (website visitors...)
            wizard._merge((master | chunk).ids, master.sudo(), extra_checks=False)
        self.write({"state": "merged", "decided_by_id": self.env.uid, "decided_on": fields.Datetime.now()})

    @api.private
    @api.model
    def merge_auto(self, partner_ids=None):
        """Merge every open merge-safe cluster (used by imports); returns the clusters merged."""
        self.env["clinic.duplicate.engine"].refresh_clusters()
        domain = [("state", "=", "open"), ("auto", "=", True)]
        clusters = self.search(domain)
        if partner_ids is not None:
            wanted = set(partner_ids)
            clusters = clusters.filtered(lambda c: wanted & set(c.partner_ids.ids))
        clusters.action_merge()
        return clusters
