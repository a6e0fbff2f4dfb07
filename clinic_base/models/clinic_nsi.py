"""Federal reference books of the Ministry of Health (FNSI, nsi.rosminzdrav.ru)."""

from typing import ClassVar

from odoo import api, fields, models, tools


class ClinicNsiMixin(models.AbstractModel):
    """Shape shared by every FNSI book, so that one loader fills them all."""

    _name = "clinic.nsi.mixin"
    _inherit = "clinic.cache.source.mixin"  # _nsi_by_code: a code looked up before may exist now, or no longer
    _description = "FNSI reference book"
    _order = "code"
    _rec_names_search = ("code", "name")
    _sql_constraints = (("code_uniq", "unique(code)", "A code can appear only once in a reference book."),)
    _cache_fields = frozenset({"code", "active"})

    # OID of the book on nsi.rosminzdrav.ru: the loader picks the model by the OID of an export's passport.
    _nsi_oid = None
    # Model field -> export columns that may hold it, the first one present wins. The loader owns these
    # fields plus date_from and date_to: a field whose column the export lacks is cleared.
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "code": ("ID",),
        "name": ("NAME",),
        "nsi_id": ("ID",),
        "active": ("ACTUAL", "REL"),
        "date_to": ("DATEOUT", "DATA_END"),
    }

    # The unique constraint already gives equality lookups a btree; trigrams serve the ilike of name search.
    code = fields.Char(string="Code", required=True, index="trigram")
    name = fields.Char(string="Name", required=True, index="trigram")
    version = fields.Char(string="Version", help="Version of the book that last delivered this row.")
    date_from = fields.Date(string="Valid from")
    date_to = fields.Date(string="Valid to")
    active = fields.Boolean(
        string="Active",
        default=True,
        help="Rows retired by the Ministry or missing from the last full export are archived, not deleted, "
        "so that old documents keep their codes.",
    )
    nsi_id = fields.Char(string="Row ID in the book", help="Value of the ID column in the FNSI export.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = " ".join(part for part in (record.code, record.name) if part)

    @api.model
    def _nsi_prepare_values(self, values):
        """Hook for books whose columns mean more than one field each; gets and returns a row's values."""
        return values

    @api.model
    def _nsi_by_code(self, code):
        """The active row of ``code`` (empty when none) from a cache shared by the requests of every worker.

        For lookups made on every record, such as a field's default code: the search runs once per book and
        code until a row of the book is created, deleted, archived or recoded.
        """
        return self.browse(self._nsi_id_by_code(code))

    @tools.ormcache("code")
    def _nsi_id_by_code(self, code):
        return self.sudo().with_context(active_test=True).search([("code", "=", code)], limit=1).id


class ClinicNsiPosition(models.Model):
    _name = "clinic.nsi.position"
    _inherit = "clinic.nsi.mixin"
    _description = "Position of medical worker"
    _order = "name"  # codes are surrogate numbers: people look positions up by name

    _nsi_oid = "1.2.643.5.1.13.13.11.1002"


class ClinicNsiSpecialty(models.Model):
    _name = "clinic.nsi.specialty"
    _inherit = "clinic.nsi.mixin"
    _description = "Specialty of medical worker"
    _order = "name"  # codes are surrogate numbers: people look specialties up by name

    _nsi_oid = "1.2.643.5.1.13.13.11.1066"


class ClinicNsiServiceCode(models.Model):
    _name = "clinic.nsi.service.code"
    _inherit = "clinic.nsi.mixin"
    _description = "Medical service code"

    _nsi_oid = "1.2.643.5.1.13.13.11.1070"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "code": ("S_CODE",)}


class ClinicNsiIcd10(models.Model):
    _name = "clinic.nsi.icd10"
    _inherit = "clinic.nsi.mixin"
    _description = "ICD-10 diagnosis"

    _nsi_oid = "1.2.643.5.1.13.13.11.1005"
    _rec_names_search = ("code", "name", "synonyms")
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "code": ("MKB_CODE",),
        "name": ("MKB_NAME",),
        "nsi_id": ("ID",),
        "parent_id": ("ID_PARENT",),
        "active": ("ACTUAL",),
        "date_from": ("DATE",),
    }

    parent_id = fields.Many2one(
        "clinic.nsi.icd10",
        string="Parent",
        index=True,
        ondelete="restrict",
        help="Class, block or rubric this code belongs to.",
    )
    child_ids = fields.One2many("clinic.nsi.icd10", "parent_id", string="Subdivisions")
    synonyms = fields.Char(
        string="Common names",
        index="trigram",
        help="Names and abbreviations doctors type, comma-separated («ОРВИ, простуда»): the diagnosis search "
        "finds the code by them too. Kept when the book is reloaded.",
    )
    is_leaf = fields.Boolean(
        string="Selectable",
        compute="_compute_is_leaf",
        store=True,
        help="The code has no active subdivision, so a diagnosis may be coded with it. Classes, blocks and "
        "rubrics with subdivisions are too coarse.",
    )

    @api.depends("child_ids.active")
    def _compute_is_leaf(self):
        for record in self:
            record.is_leaf = not record.child_ids.filtered("active")

    @api.model
    def _set_synonyms(self, synonyms_by_code):
        """Common names of frequent diagnoses (data/clinic_nsi_icd10_synonyms.xml); codes not in the book are
        skipped, so a partial book loads too."""
        rows = self.with_context(active_test=False).search([("code", "in", list(synonyms_by_code))])
        for row in rows:
            row.synonyms = synonyms_by_code[row.code]

    @api.model
    def _nsi_prepare_values(self, values):
        """DATE is when a row changed status: the start of an actual row, the end of a retired one."""
        if not values["active"]:
            values["date_from"], values["date_to"] = False, values["date_from"]
        return values


class ClinicNsiGender(models.Model):
    _name = "clinic.nsi.gender"
    _inherit = "clinic.nsi.mixin"
    _description = "Patient gender"

    _nsi_oid = "1.2.643.5.1.13.13.11.1040"


class ClinicNsiIdentityDocumentType(models.Model):
    _name = "clinic.nsi.identity.document.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Identity document type"
    _order = "name"  # codes are surrogate numbers: people look document types up by name

    _nsi_oid = "1.2.643.5.1.13.13.99.2.48"


class ClinicNsiRegion(models.Model):
    _name = "clinic.nsi.region"
    _inherit = "clinic.nsi.mixin"
    _description = "Region of the Russian Federation"
    _order = "name"  # codes are surrogate numbers: people look regions up by name

    _nsi_oid = "1.2.643.5.1.13.13.99.2.206"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("SUBJECT",)}
