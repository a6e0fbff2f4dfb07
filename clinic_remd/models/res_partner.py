from odoo import fields, models


class ResPartner(models.Model):
    """What a SEMD header needs of a patient's address beyond the postal one."""

    _inherit = "res.partner"

    address_type_id = fields.Many2one(
        "clinic.nsi.address.type",
        string="Address type",
        help="Reference book 1.2.643.5.1.13.13.11.1504: registration, actual residence... Actual residence when empty.",
    )
    fias_house_guid = fields.Char(
        string="FIAS house GUID", help="HOUSEGUID of the building in the FIAS; the street's GUID is «FIAS GUID»."
    )
