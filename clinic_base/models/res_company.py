from datetime import datetime, time

import pytz

from odoo import fields, models, tools

from odoo.addons.base.models.res_partner import _tz_get

DEFAULT_CLINIC_TZ = "Europe/Moscow"


class ResCompany(models.Model):
    """The clinic as registered in the FRMO (federal register of medical organizations)."""

    _name = "res.company"
    _inherit = ["res.company", "clinic.cache.source.mixin"]  # _clinic_tz_name is cached
    _cache_fields = frozenset({"clinic_tz"})

    frmo_oid = fields.Char(
        string="FRMO OID", help="OID of the medical organization, 1.2.643.5.1.13.13.12.2.<region>.<n>."
    )
    medical_license_number = fields.Char(string="Medical licence No.")
    medical_license_date = fields.Date(string="Medical licence date")
    medical_license_issuer = fields.Char(string="Licence issued by")
    cabinet_ids = fields.One2many("clinic.cabinet", "company_id", string="Cabinets")
    clinic_tz = fields.Selection(
        _tz_get,
        string="Clinic time zone",
        required=True,
        default=DEFAULT_CLINIC_TZ,
        help="The one time zone of the clinic: slots, the front desk, the website and the API show times in it, "
        "whatever the zone of the user's browser or of a practitioner working remotely.",
    )

    def _clinic_tzinfo(self):
        """The clinic's time zone as a pytz zone (readable by every caller, the website's visitor included)."""
        return pytz.timezone(self._clinic_tz_name())

    @tools.ormcache("self.id")
    def _clinic_tz_name(self):
        """The zone's name, read once per worker: every website and API request asks for it, and reading one field
        of a company fetches its hundred columns."""
        return self.sudo().clinic_tz or DEFAULT_CLINIC_TZ

    def _clinic_now(self):
        """The clinic's wall-clock time now, naive."""
        return datetime.now(self._clinic_tzinfo()).replace(tzinfo=None)

    def _clinic_today(self):
        """Today's date at the clinic (not in UTC, not in the user's browser zone)."""
        return self._clinic_now().date()

    def _clinic_to_utc(self, moment):
        """A clinic wall-clock datetime (naive), or a date meaning its midnight, as naive UTC for the ORM."""
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time.min)
        return self._clinic_tzinfo().localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _clinic_from_utc(self, moment):
        """A naive UTC datetime from the ORM as the clinic's wall-clock time (naive)."""
        return pytz.utc.localize(moment).astimezone(self._clinic_tzinfo()).replace(tzinfo=None)
