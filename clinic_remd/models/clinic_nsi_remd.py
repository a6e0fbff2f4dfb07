"""FNSI reference books a SEMD codes its header and body with, filled by clinic_base's loader."""

import os
from typing import ClassVar

from odoo import api, fields, models
from odoo.tools.misc import file_path

from odoo.addons.clinic_base.models.clinic_nsi import ClinicNsiMixin

SHIPPED_FOLDER = "clinic_remd/data/fnsi"


class ClinicNsiCareCondition(models.Model):
    _name = "clinic.nsi.care.condition"
    _inherit = "clinic.nsi.mixin"
    _description = "Severity of condition"

    _nsi_oid = "1.2.643.5.1.13.13.11.1006"


class ClinicNsiCareReason(models.Model):
    _name = "clinic.nsi.care.reason"
    _inherit = "clinic.nsi.mixin"
    _description = "First or repeated visit"

    _nsi_oid = "1.2.643.5.1.13.13.11.1007"


class ClinicNsiCarePlace(models.Model):
    _name = "clinic.nsi.care.place"
    _inherit = "clinic.nsi.mixin"
    _description = "Place of care"

    _nsi_oid = "1.2.643.5.1.13.13.11.1008"


class ClinicNsiReferralKind(models.Model):
    _name = "clinic.nsi.referral.kind"
    _inherit = "clinic.nsi.mixin"
    _description = "Kind of referral"

    _nsi_oid = "1.2.643.5.1.13.13.11.1009"


class ClinicNsiCareType(models.Model):
    _name = "clinic.nsi.care.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Type of medical care"

    _nsi_oid = "1.2.643.5.1.13.13.11.1034"


class ClinicNsiPolicyType(models.Model):
    _name = "clinic.nsi.policy.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Type of OMS policy"

    _nsi_oid = "1.2.643.5.1.13.13.11.1035"


class ClinicNsiAddressType(models.Model):
    _name = "clinic.nsi.address.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Patient address type"

    _nsi_oid = "1.2.643.5.1.13.13.11.1504"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("ADDRESS_TYPE",)}


class ClinicNsiCareForm(models.Model):
    _name = "clinic.nsi.care.form"
    _inherit = "clinic.nsi.mixin"
    _description = "Form of medical care"

    _nsi_oid = "1.2.643.5.1.13.13.11.1551"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("S_NAME",)}


class ClinicNsiUnit(models.Model):
    _name = "clinic.nsi.unit"
    _inherit = "clinic.nsi.mixin"
    _description = "Unit of measurement"

    _nsi_oid = "1.2.643.5.1.13.13.11.1358"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "name": ("FULLNAME",),
        "ucum": ("UCUM",),
        "short_name": ("SHORTNAME",),
    }

    ucum = fields.Char(string="UCUM code", help="The unit as CDA's physical quantities write it (cm, kg, mm[Hg]).")
    short_name = fields.Char(string="Short name", help="As the protocol prints it (см, кг, мм.рт.ст.).")


class ClinicNsiSemdField(models.Model):
    _name = "clinic.nsi.semd.field"
    _inherit = "clinic.nsi.mixin"
    _description = "Coded field of CDA documents"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.166"


class ClinicNsiSemdSection(models.Model):
    _name = "clinic.nsi.semd.section"
    _inherit = "clinic.nsi.mixin"
    _description = "Section of medical documents"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.197"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "code": ("CODE",)}


class ClinicNsiConfidentiality(models.Model):
    _name = "clinic.nsi.confidentiality"
    _inherit = "clinic.nsi.mixin"
    _description = "Confidentiality level"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.285"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "code": ("CODE",)}


class ClinicNsiCareSetting(models.Model):
    _name = "clinic.nsi.care.setting"
    _inherit = "clinic.nsi.mixin"
    _description = "Conditions of medical care"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.322"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "code": ("CODE",),
        "nsi_id": ("IDUMP",),
    }


class ClinicNsiSignerRole(models.Model):
    _name = "clinic.nsi.signer.role"
    _inherit = "clinic.nsi.mixin"
    _description = "Role of a document signer"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.368"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {
        **ClinicNsiMixin._nsi_columns,
        "code": ("CODE_ROLE",),
        "name": ("NAME_ROLE",),
    }


class ClinicNsiCardType(models.Model):
    _name = "clinic.nsi.card.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Type of medical card"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.723"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("Name",)}


class ClinicNsiBasisDocType(models.Model):
    _name = "clinic.nsi.basis.doc.type"
    _inherit = "clinic.nsi.mixin"
    _description = "Type of basis document"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.724"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("Name",)}


class ClinicNsiServiceEvent(models.Model):
    _name = "clinic.nsi.service.event"
    _inherit = "clinic.nsi.mixin"
    _description = "Type of documented event"

    _nsi_oid = "1.2.643.5.1.13.13.99.2.726"
    _nsi_columns: ClassVar[dict[str, tuple[str, ...]]] = {**ClinicNsiMixin._nsi_columns, "name": ("Type",)}


class ClinicNsiLoader(models.AbstractModel):
    _inherit = "clinic.nsi.loader"

    @api.private
    @api.model
    def load_remd_books(self):
        """Fill the SEMD books from the copies shipped in clinic_remd/data/fnsi (a fresh install works offline)."""
        folder = file_path(SHIPPED_FOLDER)
        files = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json.gz"):
                with open(os.path.join(folder, name), "rb") as export_file:
                    files.append((name, export_file.read()))
        return [self.load_export(passport, rows) for passport, rows in self._read_export_files(files)]
