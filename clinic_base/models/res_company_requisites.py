from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import checksums, names
from ..tools import phone as phone_tools

CONTRACT_SIGNATORIES = [("head", "Head of the clinic"), ("attorney", "Authorized person (power of attorney)")]


class ResCompany(models.Model):
    """The clinic's requisites as print forms and the website show them: tax numbers, the head and who signs
    contracts. INN is the company's ``vat``, OGRN its ``company_registry``."""

    _inherit = "res.company"

    kpp = fields.Char(string="KPP", size=9, help="Tax registration reason code (КПП), 9 characters: 667101001.")
    clinic_head_name = fields.Char(
        string="Head of the clinic", help="Full name of the chief physician or director: «Петрова Анна Сергеевна»."
    )
    clinic_head_job_title = fields.Char(string="Head's position", help="«Главный врач», «Генеральный директор».")
    clinic_head_in_person = fields.Char(
        string="Head in contracts",
        help="Position and name after «в лице», in the genitive: «главного врача Петровой Анны Сергеевны». "
        "Empty: the position and the name as they are.",
    )
    contract_signatory = fields.Selection(
        CONTRACT_SIGNATORIES,
        string="Contracts signed by",
        required=True,
        default="head",
        help="Who signs contracts and acts for the clinic, whoever prints them.",
    )
    signatory_name = fields.Char(string="Authorized person", help="Full name of the person with a power of attorney.")
    signatory_job_title = fields.Char(string="Authorized person's position", help="«Администратор», «Управляющий».")
    signatory_in_person = fields.Char(
        string="Authorized person in contracts",
        help="Position and name after «в лице», in the genitive: «администратора Соколовой Марии Игоревны». "
        "Empty: the position and the name as they are.",
    )
    power_of_attorney_number = fields.Char(string="Power of attorney No.")
    power_of_attorney_date = fields.Date(string="Power of attorney date")
    clinic_working_hours = fields.Char(
        string="Working hours", help="As patients read them on the website: «Пн–Пт 8:00–20:00, Сб 9:00–15:00»."
    )

    @api.constrains("vat", "company_registry", "kpp", "country_id")
    def _check_clinic_requisites(self):
        """Russian tax numbers are checked as the tax office checks them, so a typo never reaches a contract."""
        for company in self.filtered(lambda c: not c.country_id or c.country_id.code == "RU"):
            if company.vat and not checksums.inn_is_valid(company.vat):
                raise ValidationError(
                    self.env._(
                        "Clinic %(company)s: INN «%(value)s» is not valid: an organisation's INN has 10 digits, "
                        "an entrepreneur's 12, the last ones being check digits.",
                        company=company.name,
                        value=company.vat,
                    )
                )
            if company.company_registry and not checksums.ogrn_is_valid(company.company_registry):
                raise ValidationError(
                    self.env._(
                        "Clinic %(company)s: OGRN «%(value)s» is not valid: an organisation's OGRN has 13 digits, "
                        "an entrepreneur's OGRNIP 15, the last one being a check digit.",
                        company=company.name,
                        value=company.company_registry,
                    )
                )
            if company.kpp and not checksums.kpp_is_valid(company.kpp):
                raise ValidationError(
                    self.env._(
                        "Clinic %(company)s: KPP «%(value)s» is not valid: it has 9 characters, e.g. 667101001.",
                        company=company.name,
                        value=company.kpp,
                    )
                )

    @api.constrains("contract_signatory", "signatory_name", "power_of_attorney_number", "power_of_attorney_date")
    def _check_signatory(self):
        for company in self.filtered(lambda c: c.contract_signatory == "attorney"):
            if not (company.signatory_name and company.power_of_attorney_number and company.power_of_attorney_date):
                raise ValidationError(
                    self.env._(
                        "Clinic %(company)s: contracts are signed by an authorized person; fill in the authorized "
                        "person, the power of attorney number and its date, or let the head sign.",
                        company=company.name,
                    )
                )

    def _clinic_signatory(self):
        """Who signs for the clinic: ``{name, short_name, job_title, in_person, by_attorney}``."""
        self.ensure_one()
        by_attorney = self.contract_signatory == "attorney"
        name = (self.signatory_name if by_attorney else self.clinic_head_name) or ""
        job_title = (self.signatory_job_title if by_attorney else self.clinic_head_job_title) or ""
        in_person = self.signatory_in_person if by_attorney else self.clinic_head_in_person
        return {
            "name": name,
            "short_name": names.short_name(name),
            "job_title": job_title,
            "in_person": in_person or " ".join(part for part in (job_title.lower(), name) if part),
            "by_attorney": by_attorney,
        }

    def _clinic_address(self):
        """The clinic's address on one line: «620014, Свердловская обл., Екатеринбург, ул. Ленина, д. 5»."""
        self.ensure_one()
        # The company's own (related) address fields: readable by whoever reads the company, portal users too.
        parts = (self.zip, self.state_id.name, self.city, self.street, self.street2)
        return ", ".join(part for part in parts if part)

    def _clinic_tel_href(self):
        """``tel:`` link that dials the number shown: «+7 343 222-10-20» -> ``tel:+73432221020``."""
        self.ensure_one()
        try:
            return f"tel:{phone_tools.normalize(self.phone)['e164']}"
        except phone_tools.PhoneError:
            return "tel:" + "".join(char for char in self.phone or "" if char.isdigit() or char == "+")
