from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..tools import checksums, dedupe, names
from ..tools.access import DOCTOR, RECEPTIONIST, require_group
from .clinic_partner_relation import PARENT_KINSHIPS
from .clinic_patient_medical import BLOOD_GROUPS, MEDICAL_FIELDS

ADULT_AGE = 18
MEDICAL_GROUPS = "clinic_base.group_clinic_doctor,clinic_base.group_clinic_manager"
MANAGER_GROUP = "clinic_base.group_clinic_manager"
NAME_PARTS = ("surname", "first_name", "patronymic")
PHONE_FIELDS = ("phone", "mobile")
# Fewer digits than this are part of a name, a card number or a typo, not a phone to search by.
MIN_PHONE_DIGITS = 4
CARD_SEQUENCE = "clinic.medical.card"
# Fields that make a card "complete"; the most complete record survives a merge.
COMPLETENESS_FIELDS = (
    "surname",
    "first_name",
    "patronymic",
    "birth_date",
    "gender",
    "snils",
    "inn",
    "email",
    "zip",
    "city",
    "addr_street",
    "addr_house",
    "kladr_code",
)


ADDRESS_PARTS = ("addr_street", "addr_house", "addr_building", "addr_flat")


def compose_street(parts):
    """«ул. Ленина, д. 5, корп. 1, кв. 3» for apps that only read Odoo's street."""
    pieces = [parts.get("addr_street")]
    for key, prefix in (("addr_house", "д."), ("addr_building", "корп."), ("addr_flat", "кв.")):
        if parts.get(key):
            pieces.append(f"{prefix} {parts[key]}")
    return ", ".join(p for p in pieces if p)


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_patient = fields.Boolean(string="Patient", index=True, tracking=True)
    surname = fields.Char(string="Surname", tracking=True)
    first_name = fields.Char(string="First name", tracking=True)
    patronymic = fields.Char(string="Patronymic", tracking=True)
    surname_key = fields.Char(string="Surname key", compute="_compute_name_keys", store=True, index=True)
    first_name_key = fields.Char(string="First name key", compute="_compute_name_keys", store=True, index=True)
    patronymic_key = fields.Char(string="Patronymic key", compute="_compute_name_keys", store=True)
    name_key = fields.Char(
        string="Full name key",
        compute="_compute_name_keys",
        store=True,
        index=True,
        help="The folded name words in alphabetical order: finds a name typed in any order.",
    )
    birth_date = fields.Date(string="Birth date", index=True, tracking=True)
    age = fields.Integer(string="Age", compute="_compute_age")
    is_child = fields.Boolean(
        string="Child",
        compute="_compute_age",
        search="_search_is_child",
        help="Under 18 today: consents and contracts are signed by the legal representative.",
    )
    gender = fields.Selection([("male", "Male"), ("female", "Female")], string="Gender")
    snils = fields.Char(
        string="SNILS",
        index=True,
        copy=False,
        tracking=True,
        help="Individual insurance account number, 11 digits; checked by its control number.",
    )
    inn = fields.Char(string="INN", copy=False, help="Taxpayer number of a person, 12 digits with control digits.")
    medical_card_number = fields.Char(string="Medical card No.", readonly=True, copy=False, index=True)
    clinic_phone_ids = fields.One2many("clinic.partner.phone", "partner_id", string="Phones")
    identity_document_ids = fields.One2many("clinic.identity.document", "partner_id", string="Identity documents")
    insurance_policy_ids = fields.One2many("clinic.insurance.policy", "partner_id", string="Insurance policies")
    relation_ids = fields.One2many("clinic.partner.relation", "partner_id", string="Relatives")
    relative_of_ids = fields.One2many(
        "clinic.partner.relation", "relative_id", string="Relative of", help="People this person is a relative of."
    )
    representative_id = fields.Many2one(
        "res.partner", string="Legal representative", compute="_compute_family", help="Signs for the patient."
    )
    child_patient_ids = fields.Many2many(
        "res.partner", string="Children", compute="_compute_family", help="Patients this person is a parent of."
    )
    consent_ids = fields.One2many("clinic.consent", "partner_id", string="Consents")
    # Russian address, parts as the classifier knows them; Odoo's zip/city/street stay filled for other apps.
    clinic_region_id = fields.Many2one("clinic.nsi.region", string="Region")
    addr_district = fields.Char(string="District")
    addr_settlement = fields.Char(string="Settlement", help="Village or urban settlement when not a city.")
    addr_street = fields.Char(string="Street name")
    addr_house = fields.Char(string="House")
    addr_building = fields.Char(string="Building", help="Корпус / строение.")
    addr_flat = fields.Char(string="Flat")
    kladr_code = fields.Char(string="KLADR code", help="Code of the matched street or settlement in the classifier.")
    fias_guid = fields.Char(string="FIAS GUID")
    address_verified = fields.Boolean(
        string="Address verified",
        readonly=True,
        help="Matched to the address classifier; an unmatched address is kept as typed.",
    )
    # Medical content: per patient, see clinic.patient.medical (its record rules decide who reads it).
    clinic_medical_ids = fields.One2many(
        "clinic.patient.medical", "partner_id", string="Medical summary", groups=MEDICAL_GROUPS
    )
    clinic_medical_access = fields.Boolean(
        string="Medical data open to me",
        compute="_compute_medical",
        groups=MEDICAL_GROUPS,
        help="You treat this patient, manage the clinic or opened an emergency access.",
    )
    clinic_emergency_access_ids = fields.One2many(
        "clinic.emergency.access", "partner_id", string="Emergency accesses", groups=MANAGER_GROUP
    )
    blood_group = fields.Selection(
        BLOOD_GROUPS,
        string="Blood group",
        compute="_compute_medical",
        inverse="_inverse_medical",
        groups=MEDICAL_GROUPS,
    )
    allergies = fields.Text(
        string="Allergies", compute="_compute_medical", inverse="_inverse_medical", groups=MEDICAL_GROUPS
    )
    chronic_conditions = fields.Text(
        string="Chronic conditions", compute="_compute_medical", inverse="_inverse_medical", groups=MEDICAL_GROUPS
    )
    clinic_phone_search = fields.Char(
        string="Phone (any format)", compute="_compute_clinic_phone_search", search="_search_clinic_phone_search"
    )
    duplicate_candidate_ids = fields.Many2many(
        "res.partner",
        string="Possible duplicates",
        compute="_compute_duplicate_candidate_ids",
        help="Patients already in the base that look like this one.",
    )
    duplicate_reasons = fields.Char(string="Why they look alike", compute="_compute_duplicate_candidate_ids")
    clinic_not_duplicate = fields.Boolean(
        string="Not the same person",
        copy=False,
        help="Ticked by the front desk after checking that the card shown as already registered is another "
        "person: the new card can then be saved.",
    )
    duplicate_blocking = fields.Boolean(
        string="Already registered",
        compute="_compute_duplicate_candidate_ids",
        help="A card of this person surely exists (same SNILS, or name, birth date and phone agree).",
    )

    @api.depends("surname", "first_name", "patronymic")
    def _compute_name_keys(self):
        for partner in self:
            partner.surname_key = names.fold(partner.surname) or False
            partner.first_name_key = names.fold(partner.first_name) or False
            partner.patronymic_key = names.fold(partner.patronymic) or False
            partner.name_key = names.name_key(partner.surname, partner.first_name, partner.patronymic) or False

    def _compute_clinic_phone_search(self):
        for partner in self:
            partner.clinic_phone_search = ", ".join(partner.clinic_phone_ids.mapped("display"))

    def _search_clinic_phone_search(self, operator, value):
        """Find a card by any way of typing its number: 8 912…, +7(912)…, or the last digits."""
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        if len(digits) == 11 and digits[0] == "8":
            digits = "7" + digits[1:]
        if len(digits) < MIN_PHONE_DIGITS or operator not in ("ilike", "=", "like"):
            return [("id", "=", False)]
        return [("clinic_phone_ids.number", "like", digits)]

    @api.model
    def _search_display_name(self, operator, value):
        """At the front desk a patient is found by name, card number or phone typed any way."""
        domain = super()._search_display_name(operator, value)
        if self.env.context.get("clinic_patient_search") and value and operator in ("ilike", "="):
            extra = [("medical_card_number", "ilike", value)]
            extra = expression.OR([extra, [("clinic_phone_search", "ilike", value)]])
            domain = expression.OR([domain, extra])
        return domain

    @api.depends("birth_date")
    @api.depends_context("clinic_age_date")
    def _compute_age(self):
        # the clinic's calendar: an 18th birthday begins at midnight at the clinic, not in the user's browser zone
        today = self.env.context.get("clinic_age_date") or self.env.company._clinic_today()
        for partner in self:
            if partner.birth_date:
                partner.age = relativedelta(fields.Date.to_date(today), partner.birth_date).years
                partner.is_child = partner.age < ADULT_AGE
            else:
                partner.age = 0
                partner.is_child = False

    def _search_is_child(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("«Child» can only be searched as true or false."))
        limit = self.env.company._clinic_today() - relativedelta(years=ADULT_AGE)
        child = (operator == "=") == bool(value)
        return [("birth_date", ">", limit)] if child else ["|", ("birth_date", "<=", limit), ("birth_date", "=", False)]

    @api.depends("relation_ids.is_legal_representative", "relative_of_ids.kinship")
    def _compute_family(self):
        for partner in self:
            reps = partner.relation_ids.filtered("is_legal_representative")
            partner.representative_id = reps[:1].relative_id
            parents_of = partner.relative_of_ids.filtered(lambda r: r.kinship in PARENT_KINSHIPS)
            partner.child_patient_ids = parents_of.partner_id

    @api.depends(
        "clinic_medical_ids.blood_group", "clinic_medical_ids.allergies", "clinic_medical_ids.chronic_conditions"
    )
    @api.depends_context("uid")
    def _compute_medical(self):
        """Searched as the user: a summary the record rules hide reads as empty."""
        found = self.env["clinic.patient.medical"].search([("partner_id", "in", self._origin.ids)])
        by_partner = {medical.partner_id.id: medical for medical in found}
        for partner in self:
            medical = by_partner.get(partner._origin.id, found.browse())
            partner.clinic_medical_access = bool(medical)
            for name in MEDICAL_FIELDS:
                partner[name] = medical[name]

    def _inverse_medical(self):
        Medical = self.env["clinic.patient.medical"]
        for partner in self:
            Medical._ensure_for(partner)
            medical = Medical.sudo().search([("partner_id", "=", partner.id)])
            if not self.env.context.get("clinic_medical_on_create"):
                # written as the user: the record rules refuse a patient the doctor does not treat
                medical = medical.with_env(self.env)
            medical.write({name: partner[name] for name in MEDICAL_FIELDS})

    @api.depends("surname", "first_name", "patronymic", "birth_date", "snils", "phone", "mobile", "clinic_phone_ids")
    def _compute_duplicate_candidate_ids(self):
        engine = self.env["clinic.duplicate.engine"]
        for partner in self:
            matches = engine.match_partner(partner) if partner.is_patient else []
            partner.duplicate_candidate_ids = [m["id"] for m in matches]
            partner.duplicate_reasons = (
                "; ".join(f"{m['name']}: {', '.join(m['reason_labels'])}" for m in matches) or False
            )
            partner.duplicate_blocking = any(m["score"] >= dedupe.AUTO_SCORE for m in matches)

    @api.constrains("snils")
    def _check_snils(self):
        for partner in self.filtered("snils"):
            if not checksums.snils_is_valid(partner.snils):
                raise ValidationError(
                    self.env._(
                        "SNILS «%(value)s» of %(person)s is not valid: its control number does not match. "
                        "Check the digits against the card.",
                        value=checksums.format_snils(partner.snils),
                        person=partner.display_name,
                    )
                )

    @api.constrains("inn")
    def _check_inn(self):
        for partner in self.filtered("inn"):
            if not checksums.inn_is_valid(partner.inn):
                raise ValidationError(
                    self.env._(
                        "INN «%(value)s» of %(person)s is not valid: it must have 10 or 12 digits "
                        "with matching control digits.",
                        value=partner.inn,
                        person=partner.display_name,
                    )
                )

    @api.constrains("birth_date")
    def _check_birth_date(self):
        today = self.env.company._clinic_today()
        for partner in self.filtered("birth_date"):
            if partner.birth_date > today or partner.birth_date.year < 1900:
                raise ValidationError(
                    self.env._(
                        "Birth date %(value)s of %(person)s is impossible: check the year.",
                        value=partner.birth_date.strftime("%d.%m.%Y"),
                        person=partner.display_name,
                    )
                )

    def init(self):
        result = super().init()
        # The hard block on a second card with one SNILS, safe from concurrent inserts.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS res_partner_snils_unique ON res_partner (snils) "
            "WHERE snils IS NOT NULL AND snils != ''"
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clinic_prepare_vals(vals, vals.get("is_patient"), check_snils=False)
        self._clinic_check_snils_free(*(vals["snils"] for vals in vals_list if vals.get("snils")))
        numbered = [vals for vals in vals_list if vals.get("is_patient") and not vals.get("medical_card_number")]
        for vals, number in zip(numbered, self._clinic_card_numbers(len(numbered)), strict=True):
            vals["medical_card_number"] = number
        # the medical data typed on a new card is written by whoever creates it (see _inverse_medical)
        partners = super(ResPartner, self.with_context(clinic_medical_on_create=True)).create(vals_list)
        partners = partners.with_env(self.env)
        for partner, vals in zip(partners, vals_list, strict=True):
            partner._clinic_phone_lines_from_vals(vals)
        self.env["clinic.patient.medical"]._ensure_for(partners)
        if self.env.context.get("clinic_duplicate_guard"):
            partners.filtered(lambda p: p.is_patient and not p.clinic_not_duplicate)._clinic_check_not_registered()
        return partners

    def write(self, vals):
        if self.env.context.get("clinic_phone_sync") or not (
            set(vals) & {*NAME_PARTS, *PHONE_FIELDS, "snils", "inn", "is_patient", "name", *ADDRESS_PARTS}
        ):
            return super().write(vals)
        for partner in self:
            partner_vals = dict(vals)
            is_patient = partner_vals.get("is_patient", partner.is_patient)
            partner._clinic_prepare_vals(partner_vals, is_patient)
            if partner_vals.get("is_patient") and not partner.medical_card_number:
                partner_vals["medical_card_number"] = self._clinic_card_numbers(1)[0]
            super(ResPartner, partner).write(partner_vals)
            partner._clinic_phone_lines_from_vals(partner_vals)
        if vals.get("is_patient"):
            self.env["clinic.patient.medical"]._ensure_for(self)
        return True

    @api.model
    def _clinic_card_numbers(self, count):
        """``count`` new medical card numbers, as ``next_by_code`` draws them, but with the sequence looked up
        once: looked up per card, it took a third of the time of creating cards by the thousand (1C import)."""
        if not count:
            return []
        Sequence = self.env["ir.sequence"]
        Sequence.browse().check_access("read")
        sequence = Sequence.search(
            [("code", "=", CARD_SEQUENCE), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        return [sequence._next() for _number in range(count)] if sequence else [False] * count

    def _clinic_prepare_vals(self, vals, is_patient, check_snils=True):
        """Name in Russian order from its parts (or parts from a typed name); identifiers as digits (the SNILS
        checked free unless the caller checks a whole batch at once)."""
        for key in ("snils", "inn"):
            if vals.get(key):
                vals[key] = checksums.clean_digits(vals[key]) or vals[key]
        if vals.get("snils") and check_snils:
            self._clinic_check_snils_free(vals["snils"])
        if not is_patient:
            return
        if any(key in vals for key in NAME_PARTS):
            parts = {key: vals.get(key, self[key] if len(self) == 1 else False) for key in NAME_PARTS}
            if vals.get("first_name") and not parts["patronymic"]:
                # «Е.А.» typed as the first name: two initials, kept as such.
                _surname, first, patronymic = names.with_initials("", vals["first_name"], "")
                if patronymic:
                    vals["first_name"], vals["patronymic"] = first, patronymic
            for key in NAME_PARTS:
                if vals.get(key):
                    vals[key] = names.tidy(vals[key])
                    parts[key] = vals[key]
            full = names.full_name(parts["surname"], parts["first_name"], parts["patronymic"])
            if full:
                vals["name"] = full
        elif vals.get("name") and not (len(self) == 1 and self.surname):
            vals["surname"], vals["first_name"], vals["patronymic"] = names.split_full_name(vals["name"])
            vals["name"] = names.full_name(vals["surname"], vals["first_name"], vals["patronymic"])
        if any(key in vals for key in ADDRESS_PARTS):
            parts = {key: vals.get(key, self[key] if len(self) == 1 else False) for key in ADDRESS_PARTS}
            vals["street"] = compose_street(parts) or vals.get("street") or False
            vals.setdefault("address_verified", False)
        Phone = self.env["clinic.partner.phone"]
        for key in PHONE_FIELDS:
            if vals.get(key):
                vals[key] = Phone._parse(vals[key], self._fields[key].get_description(self.env)["string"])["e164"]

    def _clinic_check_snils_free(self, *snils):
        """Same SNILS is a hard block: say whose card it is (the unique index also stops concurrent saves).
        Several numbers (cards created together) are checked in one query."""
        if not snils:
            return
        other = (
            self.with_context(active_test=False)
            .sudo()
            .search([("snils", "in", list(snils)), ("id", "not in", self.ids)], limit=1)
        )
        if other:
            raise ValidationError(
                self.env._(
                    "SNILS «%(value)s» already belongs to %(other)s (card %(card)s): open that card instead "
                    "of creating a second one, or merge them on the Possible duplicates screen.",
                    value=checksums.format_snils(other.snils),
                    other=other.display_name,
                    card=other.medical_card_number or other.id,
                )
            )

    def _clinic_check_not_registered(self):
        """The patient form does not save a second card of a person the engine is sure about."""
        engine = self.env["clinic.duplicate.engine"]
        for partner in self:
            sure = [m for m in engine.match_partner(partner) if m["score"] >= dedupe.AUTO_SCORE]
            if sure:
                raise ValidationError(
                    self.env._(
                        "%(person)s is already registered: card %(card)s (%(reasons)s). Open that card instead of "
                        "creating a second one, or tick «Not the same person» after checking it is someone else.",
                        person=partner.name,
                        card=sure[0]["name"],
                        reasons=", ".join(sure[0]["reason_labels"]),
                    )
                )

    def _clinic_phone_lines_from_vals(self, vals):
        """A number written into Odoo's phone/mobile becomes a phone line of the card."""
        if not self.is_patient:
            return
        known = set(self.clinic_phone_ids.mapped("number"))
        lines = []
        for key in PHONE_FIELDS:
            number = vals.get(key)
            if number and number not in known:
                known.add(number)
                lines.append({"partner_id": self.id, "number": number, "kind": "mobile" if key == "mobile" else False})
        for line in lines:
            if not line["kind"]:
                line.pop("kind")
        if lines:
            self.env["clinic.partner.phone"].with_context(clinic_phone_sync=True).create(lines)

    def _sync_phone_fields(self):
        """Odoo's phone/mobile mirror the first lines, so every other app sees the normalized number."""
        for partner in self:
            lines = partner.clinic_phone_ids
            mobile = lines.filtered(lambda p: p.kind == "mobile")[:1]
            other = (lines - mobile)[:1] or mobile
            vals = {"mobile": mobile.number or False, "phone": other.number or False}
            if vals != {"mobile": partner.mobile, "phone": partner.phone}:
                partner.with_context(clinic_phone_sync=True).write(vals)

    def _clinic_completeness(self):
        """How much the card holds: the richest card survives a merge."""
        self.ensure_one()
        filled = sum(1 for field in COMPLETENESS_FIELDS if self[field])
        return filled + len(self.clinic_phone_ids) + len(self.identity_document_ids) + len(self.insurance_policy_ids)

    def _clinic_dedupe_lines(self):
        """After a merge the kept card holds both cards' lines: drop the exact repeats."""
        self.ensure_one()
        for lines, key in (
            (self.clinic_phone_ids, lambda p: (p.number, p.extension or "")),
            (self.identity_document_ids, lambda d: (d.doc_type_id.id, d.series or "", d.number)),
            (self.insurance_policy_ids, lambda p: (p.kind, p.number)),
            (self.relation_ids, lambda r: r.relative_id.id),
            (self.relative_of_ids, lambda r: r.partner_id.id),
        ):
            seen, repeats = set(), lines.browse()
            for line in lines:
                if key(line) in seen:
                    repeats |= line
                seen.add(key(line))
            repeats.unlink()
        self._sync_phone_fields()

    @api.private
    def clinic_may_contact(self, purpose, channel, at=None):
        """Every module asks this before it writes, calls or sends to a person."""
        return self.env["clinic.consent"].may_contact(self, purpose, channel, at)

    def action_clinic_emergency_access(self):
        """Ask for a logged emergency access to the medical data of a patient the doctor does not treat."""
        self.ensure_one()
        require_group(self.env, DOCTOR)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Emergency access"),
            "res_model": "clinic.emergency.access.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def get_formview_id(self, access_uid=None):
        """Every link to a patient (an appointment, a visit, the chatter) opens the clinic's patient card."""
        if len(self) == 1 and self.is_patient:
            return self.env.ref("clinic_base.res_partner_view_form_patient").id
        return super().get_formview_id(access_uid=access_uid)

    def action_clinic_verify_address(self):
        """Match the typed address against the KLADR classifier; keep it as typed when nothing matches."""
        require_group(self.env, RECEPTIONIST, DOCTOR)
        kladr = self.env["clinic.kladr.object"]
        for partner in self:
            match = kladr.match_address(
                region=partner.clinic_region_id.name or partner.state_id.name,
                city=partner.city or partner.addr_settlement,
                street=partner.addr_street,
            )
            partner.write(
                {
                    "kladr_code": match.code if match else False,
                    "zip": partner.zip or (match.postcode if match else False),
                    "address_verified": bool(match),
                }
            )
        return True
