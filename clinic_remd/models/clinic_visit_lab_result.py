from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ClinicVisitLabResult(models.Model):
    """One laboratory test's result recorded on the visit: what the laboratory protocol SEMD (kind 186) codes."""

    _name = "clinic.visit.lab.result"
    _description = "Laboratory result of a visit"
    _order = "visit_id, sequence, id"

    visit_id = fields.Many2one("clinic.visit", string="Visit", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(string="Sequence", default=10)
    test_id = fields.Many2one(
        "clinic.nsi.lab.test",
        string="Laboratory test",
        ondelete="restrict",
        help="The test as the federal reference book of laboratory tests (FSLI, 1.2.643.5.1.13.13.11.1080) names it.",
    )
    specimen_id = fields.Many2one(
        "clinic.nsi.biomaterial",
        string="Biomaterial",
        ondelete="restrict",
        help="What was taken for the test (reference book 1.2.643.5.1.13.13.99.2.1019).",
    )
    sampled_at = fields.Datetime(string="Sample taken", default=fields.Datetime.now)
    result_at = fields.Datetime(string="Result time", default=fields.Datetime.now)
    value_type = fields.Selection(
        [("numeric", "Number"), ("text", "Text")], string="Result kind", required=True, default="numeric"
    )
    value_numeric = fields.Float(string="Result", digits=(12, 3))
    unit_id = fields.Many2one(
        "clinic.nsi.unit", string="Unit", help="The unit of a numeric result and of its reference range (book 1358)."
    )
    value_text = fields.Char(string="Result (text)", help="A result in words, e.g. «не обнаружено».")
    range_low = fields.Float(string="Reference range from", digits=(12, 3))
    range_high = fields.Float(string="Reference range to", digits=(12, 3))
    interpretation_id = fields.Many2one(
        "clinic.nsi.lab.interpretation",
        string="Interpretation",
        ondelete="restrict",
        help="The result against its reference range (reference book 1.2.643.5.1.13.13.99.2.257).",
    )
    analyser = fields.Char(string="Analyser", help="The analyser's model the result comes from, if any.")
    performer_id = fields.Many2one(
        "hr.employee", string="Performed by", help="Who did the test; the visit's practitioner when empty."
    )

    @api.constrains("range_low", "range_high")
    def _check_range(self):
        for line in self:
            if line.range_low > line.range_high:
                raise ValidationError(
                    self.env._(
                        "%(test)s: the reference range starts (%(low)s) above its end (%(high)s): swap them.",
                        test=line._label(),
                        low=line.range_low,
                        high=line.range_high,
                    )
                )

    # ------------------------------------------------------------------ CRUD: a signed protocol locks its results

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # the caller's rights first: the lock check reads the visit as superuser
        self.env["clinic.visit"].browse(
            {vals["visit_id"] for vals in vals_list if vals.get("visit_id")}
        )._semd_check_unlocked({"lab_result_ids"})
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")
        visits = self.visit_id | self.env["clinic.visit"].browse(vals.get("visit_id"))
        visits._semd_check_unlocked({"lab_result_ids"})
        return super().write(vals)

    def unlink(self):
        self.check_access("unlink")
        self.visit_id._semd_check_unlocked({"lab_result_ids"})
        return super().unlink()

    # ------------------------------------------------------------------ business

    def _label(self):
        """The test's name as the book gives it, or a dash when no test is chosen yet."""
        self.ensure_one()
        return self.test_id.sudo().name or "—"

    def _errors(self):
        """What keeps each line out of a valid protocol, in the user's language: [message]."""
        _ = self.env._
        errors = []
        for number, line in enumerate(self, start=1):
            missing = [
                label
                for label, value in (
                    (_("the test"), line.test_id),
                    (_("the biomaterial"), line.specimen_id),
                    (_("when the sample was taken"), line.sampled_at),
                    (_("the result time"), line.result_at),
                    (_("the unit"), line.value_type != "numeric" or line.unit_id),
                    (_("the result"), line.value_type != "text" or line.value_text),
                )
                if not value
            ]
            if missing:
                errors.append(
                    _(
                        "line %(number)s (%(test)s): not filled in: %(missing)s.",
                        number=number,
                        test=line._label(),
                        missing=", ".join(str(m) for m in missing),
                    )
                )
            elif line.value_type == "numeric" and line.unit_id and not line.unit_id.ucum:
                errors.append(
                    _("line %(number)s: the unit %(unit)s has no UCUM code.", number=number, unit=line.unit_id.name)
                )
        return errors
