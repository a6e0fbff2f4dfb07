from odoo import fields, models

from .clinic_migration_wizard import ENCODINGS


class ClinicMigrationWizardFile(models.TransientModel):
    """A file of the upload as the wizard read it, with the encoding it will be read in."""

    _name = "clinic.migration.wizard.file"
    _description = "File of a 1C upload"
    _order = "role, table_name, filename"

    wizard_id = fields.Many2one("clinic.migration.wizard", string="Wizard", required=True, ondelete="cascade")
    filename = fields.Char(string="File", required=True, readonly=True)
    role = fields.Selection(
        [("table", "1C table"), ("dd", "Data dictionary"), ("kladr", "KLADR"), ("ignored", "Not used")],
        string="Read as",
        required=True,
        readonly=True,
    )
    table_name = fields.Char(string="Table", readonly=True)
    title = fields.Char(string="1C object", readonly=True, help="What the data dictionary calls the table.")
    row_count = fields.Integer(string="Rows", readonly=True)
    deleted_count = fields.Integer(string="Deleted rows", readonly=True, help="Rows with the DBF deletion flag.")
    detected_encoding = fields.Selection(ENCODINGS, string="Detected encoding", readonly=True)
    encoding = fields.Selection(
        ENCODINGS, string="Read in", help="Leave empty to read the file in the detected encoding."
    )
    scores = fields.Char(string="Russian letters", readonly=True, help="Share of Russian letters in each encoding.")
