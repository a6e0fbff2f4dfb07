"""FNSI books the clinic has no export of: filled at install with the hand-entered rows the SEMD use
(data/editions/codes_unshipped.json), each flagged until the administrator loads the book's real export."""

import logging
from typing import ClassVar

from odoo import api, fields, models

from odoo.addons.clinic_base.models.clinic_nsi import ClinicNsiMixin

from ..semd import edition as editions

_logger = logging.getLogger(__name__)


class ClinicNsiUnshippedMixin(models.AbstractModel):
    _name = "clinic.nsi.unshipped.mixin"
    _inherit = "clinic.nsi.mixin"
    _description = "FNSI reference book without a shipped export"

    hand_entered = fields.Boolean(
        string="To verify",
        readonly=True,
        help="Hand-entered at install from the codes the SEMD use, not from an FNSI export: its name and the book's "
        "version may be wrong. Loading the book's export from nsi.rosminzdrav.ru replaces it.",
    )

    @api.model
    def _nsi_prepare_values(self, values):
        """A row delivered by an FNSI export is the book's own: no longer to verify."""
        return {**super()._nsi_prepare_values(values), "hand_entered": False}


class ClinicNsiPaymentSource(models.Model):
    _name = "clinic.nsi.payment.source"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Source of payment for medical care"

    _nsi_oid = "1.2.643.5.1.13.13.11.1039"


class ClinicNsiNosologyKind(models.Model):
    _name = "clinic.nsi.nosology.kind"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Kind of nosological unit of a diagnosis"

    _nsi_oid = "1.2.643.5.1.13.13.11.1077"


class ClinicNsiLabTest(models.Model):
    _name = "clinic.nsi.lab.test"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Laboratory test (FSLI)"
    _order = "name"  # thousands of surrogate numbers: people look tests up by name

    _nsi_oid = "1.2.643.5.1.13.13.11.1080"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "name": ("NAME", "FULL_NAME", "NAME_FULL"),
    }


class ClinicNsiMedicalOrganization(models.Model):
    _name = "clinic.nsi.medical.organization"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Medical organization (FRMO)"
    _order = "name"

    _nsi_oid = "1.2.643.5.1.13.13.11.1461"
    # Coded by the organization's OID; column names as the register's export is believed to write them.
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "code": ("oid", "OID", "ID"),
        "name": ("nameFull", "NAME_FULL", "NAME"),
    }


class ClinicNsiEmdKind(models.Model):
    _name = "clinic.nsi.emd.kind"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Kind of electronic medical document"

    _nsi_oid = "1.2.643.5.1.13.13.11.1520"


class ClinicNsiMedicalDocKind(models.Model):
    _name = "clinic.nsi.medical.doc.kind"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Kind of medical documentation"

    _nsi_oid = "1.2.643.5.1.13.13.11.1522"


class ClinicNsiBiomaterial(models.Model):
    _name = "clinic.nsi.biomaterial"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Biomaterial for laboratory tests"
    _order = "name"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.1019"


class ClinicNsiSemdKind(models.Model):
    _name = "clinic.nsi.semd.kind"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Kind of structured electronic medical document"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.1079"


class ClinicNsiLabInterpretation(models.Model):
    _name = "clinic.nsi.lab.interpretation"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Interpretation of a laboratory result"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.257"
    # Coded by letters (N, H, L) next to a numeric row ID.
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "code": ("CODE", "ID")}


class ClinicNsiVitalParameter(models.Model):
    _name = "clinic.nsi.vital.parameter"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Vital parameter"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.262"


class ClinicNsiSigningRule(models.Model):
    _name = "clinic.nsi.signing.rule"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "Rule of signing electronic medical documents"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.42"


class ClinicNsiRemdMessage(models.Model):
    _name = "clinic.nsi.remd.message"
    _inherit = "clinic.nsi.unshipped.mixin"
    _description = "REMD message code"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.305"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "code": ("CODE", "ID"),
        "name": ("NAME", "MESSAGE"),
    }


class ClinicNsiLoader(models.AbstractModel):
    _inherit = "clinic.nsi.loader"

    @api.private
    @api.model
    def load_unshipped_books(self):
        """Add the hand-entered rows of codes_unshipped.json the books lack, flagged to verify.

        A book holding a row of an FNSI export is left alone: its export replaced the hand-entered rows.
        :return: {book OID: number of rows created}
        """
        created = {}
        for oid, book in editions.unshipped_codes().items():
            if oid.startswith("_"):
                continue
            Book = self._get_book_model({"oid": oid}).sudo().with_context(active_test=False)
            if Book.search_count([("hand_entered", "=", False)], limit=1):
                continue
            known = set(Book.search([]).mapped("code"))
            rows = Book.create(
                [
                    {"code": code, "name": name, "version": book["version"], "hand_entered": True}
                    for code, name in book["codes"].items()
                    if code not in known
                ]
            )
            created[oid] = len(rows)
            _logger.info("FNSI %s: %s hand-entered rows to verify", oid, len(rows))
        return created
