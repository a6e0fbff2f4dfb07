"""The electronic file for the tax office (format of FNS order ЕА-7-11/824@, KND 1151156).

The official XSD is published with the order on nalog.ru and is not in this repository: the file is checked against
``data/clinic_tax_certificate_structure.xsd``, a structural schema written from the fields of the order (the
certificate's attributes, the taxpayer and patient with INN or birth date and document, amounts by code), with the
element names of the spec marked «to verify». Replace that file with the official XSD when it is at hand: the export
validates against whatever schema lies there and refuses a file that does not pass.
"""

import uuid

from lxml import etree

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import file_path

from odoo.addons.clinic_base.tools import names

FORMAT_VERSION = "5.01"
KND = "1151156"
SCHEMA_PATH = "clinic_fiscal_atol/data/clinic_tax_certificate_structure.xsd"


def _date(value):
    return value.strftime("%d.%m.%Y") if value else None


def _amount(value):
    return f"{value or 0.0:.2f}"


class ClinicTaxCertificate(models.Model):
    _inherit = "clinic.tax.certificate"

    def _xml_attachment(self):
        """Build, validate and store the file of these certificates (one clinic); return the attachment."""
        if not self:
            raise UserError(self.env._("Select the certificates to export."))
        company = self.company_id
        if len(company) > 1:
            raise UserError(self.env._("Export the certificates of one clinic at a time."))
        file_id = self._xml_file_id(company)
        content = etree.tostring(self._xml_tree(file_id), xml_declaration=True, encoding="windows-1251")
        self._xml_validate(content)
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{file_id}.xml",
                    "raw": content,
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self[:1].id,
                }
            )
        )

    def _xml_file_id(self, company):
        """UT_SVOPLMEDUSL_<recipient>_<recipient>_<INN+KPP of the clinic>_<YYYYMMDD>_<GUID>, as FNS files are named."""
        office = company.clinic_tax_office_code or "0000"
        today = company._clinic_today().strftime("%Y%m%d")
        return f"UT_SVOPLMEDUSL_{office}_{office}_{company.vat or ''}{company.kpp or ''}_{today}_{uuid.uuid4()}".upper()

    def _xml_tree(self, file_id):
        company = self.company_id
        missing = [label for label, value in (("INN", company.vat), ("KPP", company.kpp)) if not value]
        if missing:
            raise UserError(
                self.env._(
                    "Clinic %(clinic)s: fill its %(fields)s in the company's settings before exporting.",
                    clinic=company.name,
                    fields=", ".join(missing),
                )
            )
        root = etree.Element("Файл", ИдФайл=file_id, ВерсПрог="clinic_fiscal_atol", ВерсФорм=FORMAT_VERSION)
        document = etree.SubElement(
            root,
            "Документ",
            КНД=KND,
            ДатаДок=_date(company._clinic_today()),
            КодНО=company.clinic_tax_office_code or "0000",
        )
        etree.SubElement(document, "СвМО", ИННЮЛ=company.vat, КПП=company.kpp, НаимОрг=company.name)
        signer_name = self[:1].signer_name
        surname, first_name, patronymic = names.split_full_name(signer_name)
        if not (surname and first_name):
            raise UserError(
                self.env._(
                    "Signed by «%(name)s»: the FNS file needs the signer's surname and first name. Fill the head "
                    "of the clinic (or the authorized person) in the company's settings and issue a correction.",
                    name=signer_name or "",
                )
            )
        signer = etree.SubElement(document, "Подписант", ПрПодп="1")
        self._xml_fio(signer, surname, first_name, patronymic)
        for certificate in self.sorted(lambda c: (c.year, c.number, c.correction_number)):
            certificate._xml_certificate(document)
        return root

    def _xml_certificate(self, parent):
        node = etree.SubElement(
            parent,
            "СвСправ",
            НомСправ=self.number,
            НомКорр=str(self.correction_number),
            ОтчГод=str(self.year),
            ДатаСправ=_date(self.issue_date),
            ПрПациент="1" if self.is_same_person else "0",
            СумКод1=_amount(self.amount_code1),
            СумКод2=_amount(self.amount_code2),
        )
        self._xml_person(node, "СвНП", self._person("taxpayer"))
        if not self.is_same_person:
            self._xml_person(node, "СвПациент", self._person("patient"))

    def _xml_person(self, parent, tag, person):
        node = etree.SubElement(parent, tag)
        if person["inn"]:
            node.set("ИННФЛ", person["inn"])
        else:
            node.set("ДатаРожд", _date(person["birth_date"]))
        self._xml_fio(node, person["surname"], person["first_name"], person["patronymic"])
        if not person["inn"]:
            etree.SubElement(
                node,
                "УдЛичнФЛ",
                {"КодВидДок": person["doc_code"], "СерНомДок": person["doc_number"]}
                | ({"ДатаДок": _date(person["doc_date"])} if person["doc_date"] else {}),
            )

    @staticmethod
    def _xml_fio(parent, surname, first_name, patronymic):
        attributes = {"Фамилия": surname or "", "Имя": first_name or ""}
        if patronymic:
            attributes["Отчество"] = patronymic
        etree.SubElement(parent, "ФИО", attributes)

    def _xml_validate(self, content):
        """Refuse a file the schema does not accept, naming the first error."""
        with open(file_path(SCHEMA_PATH), "rb") as schema_file:
            schema = etree.XMLSchema(etree.parse(schema_file))
        document = etree.fromstring(content)
        if not schema.validate(document):
            error = schema.error_log.last_error
            raise UserError(
                self.env._(
                    "The FNS file does not pass the schema: line %(line)s, %(message)s",
                    line=error.line,
                    message=error.message,
                )
            )
        return True
