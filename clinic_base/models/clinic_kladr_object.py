import re

from odoo import api, fields, models

from ..tools import names

# Type abbreviations that people type in front of or after a name («ул.», «г.», «пр-кт»).
_TYPE_WORDS = re.compile(
    r"\b(г|гор|город|ул|улица|пр|пр-кт|просп|проспект|пер|переулок|б-р|бул|бульвар|ш|шоссе|пл|площадь|наб|"
    r"набережная|д|дер|деревня|с|село|пгт|п|пос|поселок|посёлок|обл|область|край|респ|республика|р-н|район|"
    r"мкр|микрорайон|проезд|пр-д|тупик|туп|аллея|ал|линия|лн|ао|аобл)\b\.?",
    re.IGNORECASE,
)


def address_key(text):
    """Name of an address object without its type, folded for matching."""
    return names.fold(_TYPE_WORDS.sub(" ", (text or "").replace("ё", "е")))


class ClinicKladrObject(models.Model):
    """Objects of the KLADR address classifier a clinic loads for its region (offline matching)."""

    _name = "clinic.kladr.object"
    _description = "Address classifier object"
    _order = "code"

    code = fields.Char(string="KLADR code", required=True, index=True, help="13 digits for places, 17 for streets.")
    name = fields.Char(string="Name", required=True)
    socr = fields.Char(string="Type", help="Abbreviated type: г, ул, пр-кт, д…")
    level = fields.Selection(
        [("1", "Region"), ("2", "District"), ("3", "City"), ("4", "Settlement"), ("5", "Street")],
        string="Level",
        required=True,
    )
    postcode = fields.Char(string="Postcode")
    name_key = fields.Char(string="Matching key", compute="_compute_name_key", store=True, index=True)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "This KLADR code is already loaded.")]

    @api.depends("name")
    def _compute_name_key(self):
        for obj in self:
            obj.name_key = address_key(obj.name)

    @api.private
    @api.model
    def match_address(self, region=None, city=None, street=None):
        """The most specific classifier object for a typed address, or an empty recordset.

        A city (or a federal city at region level) must match; when a street is
        typed it must match too, otherwise the address stays unverified.
        """
        city_key = address_key(city)
        if not city_key:
            return self.browse()
        places = self.search([("name_key", "=", city_key), ("level", "in", ("1", "3", "4"))])
        region_key = address_key(region)
        if region_key and len(places) > 1:
            regions = self.search([("name_key", "=", region_key), ("level", "=", "1")])
            prefixes = {r.code[:2] for r in regions}
            places = places.filtered(lambda p: p.code[:2] in prefixes) or places
        if not places:
            return self.browse()
        street_key = address_key(street)
        if not street_key:
            return places[:1]
        for place in places:
            # Streets carry the 11-digit code of their place (region, district, city, settlement).
            found = self.search(
                [("level", "=", "5"), ("name_key", "=", street_key), ("code", "=like", place.code[:11] + "%")],
                limit=1,
            )
            if found:
                return found
        return self.browse()
