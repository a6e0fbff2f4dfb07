from odoo import api, fields, models


class ClinicMigrationKladrLoad(models.Model):
    """A set of KLADR files loaded into the address classifier; the same files are not loaded twice."""

    _name = "clinic.migration.kladr.load"
    _description = "Loaded KLADR files"
    _order = "id desc"

    name = fields.Char(string="Files", required=True, help="The classifier files that were loaded.")
    file_hash = fields.Char(string="Files fingerprint", required=True, index=True, help="SHA-1 of the files' content.")
    place_count = fields.Integer(string="Places", help="Regions, districts, cities and settlements loaded.")
    street_count = fields.Integer(string="Streets", help="Streets loaded.")
    skipped_count = fields.Integer(
        string="Old names left out", help="Objects under a former name or gone (KLADR actuality other than 00)."
    )
    type_words = fields.Json(
        string="Address type words",
        help="Abbreviations of SOCRBASE by part of the address, used to read typed addresses.",
    )

    _sql_constraints = [("file_hash_unique", "UNIQUE(file_hash)", "These KLADR files are already loaded.")]

    @api.model
    def _latest_type_words(self):
        return self.search([("type_words", "!=", False)], limit=1).type_words or {}
