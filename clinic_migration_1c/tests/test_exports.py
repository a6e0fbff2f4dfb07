"""CSV and XML exports of the same base, without the data dictionary; the KLADR classifier load."""

from datetime import date

from odoo.tests import tagged

from ..tools.synthetic_1c import kladr_files
from .common import MigrationCase

CLIENTS_CSV = """ID;Код;ФИО;Дата рождения;Телефон;Адрес;Пометка
1;1;Иванов Иван Иванович;31.01.80;8 (912) 345-67-89;г. Москва, ул. Ленина, д. 5, кв. 12;
2;2;Петрова Анна Сергеевна;1975-05-05;+7 916 123-45-67;Екатеринбург, Малышева 36-4;
3;3;Сидоров Пётр Петрович;3.2.1990 г.;;;
4;4;Кузнецова Мария Ивановна;31.02.1980;;;
5;5;Смирнов Алексей Викторович;01.01.1970;;;*
"""
SERVICES_XML = """<?xml version="1.0" encoding="windows-1251"?>
<Export>
  <Table name="Услуги">
    <Row ID="1" CODE="B01.047.001" DESCR="Прием терапевта первичный" PRICE="2 200,00"/>
    <Row><ID>2</ID><CODE>У-2</CODE><DESCR>Массаж</DESCR><PRICE>1200</PRICE></Row>
  </Table>
</Export>
"""


@tagged("post_install", "-at_install")
class TestExports(MigrationCase):
    def test_csv_and_xml_exports(self):
        files = {"Клиенты.csv": CLIENTS_CSV.encode("cp1251"), "Услуги.xml": SERVICES_XML.encode("cp1251")}
        wizard = self.wizard(files)
        mapping = wizard.mapping_id
        self.assertEqual((mapping.patient_table, mapping.service_table), ("КЛИЕНТЫ", "УСЛУГИ"))
        self.assertEqual(wizard.file_ids.filtered(lambda f: f.table_name == "КЛИЕНТЫ").detected_encoding, "cp1251")
        columns = {line.target: line.source_column for line in mapping.line_ids}
        self.assertEqual(
            (columns["patient.full_name"], columns["patient.birth_date"], columns.get("patient.mark")),
            ("ФИО", "Дата рождения", None),
        )
        mapping.write({"line_ids": [(0, 0, {"target": "patient.mark", "source_column": "Пометка"}),
                                    (0, 0, {"target": "service.price", "source_column": "PRICE"})]})  # fmt: skip
        run = self.run_import(wizard)
        self.assertEqual(run.state, "done")
        self.assertEqual(
            {key: run.counts.get(key, 0) for key in ("patient.new", "patient.skipped", "service.new")},
            {"patient.new": 4, "patient.skipped": 1, "service.new": 2},
        )
        births = [self.imported("КЛИЕНТЫ", number).birth_date for number in ("1", "2", "3", "4")]
        self.assertEqual(births, [date(1980, 1, 31), date(1975, 5, 5), date(1990, 2, 3), False])
        self.assertTrue(self.imported("КЛИЕНТЫ", "2").address_verified)
        self.assertEqual(self.imported("УСЛУГИ", "1").list_price, 2200.0)
        self.assertEqual(self.imported("УСЛУГИ", "1").service_code_id.code, "B01.047.001")

    def test_kladr_loaded_once(self):
        Kladr = self.env["clinic.kladr.object"]
        files = {name.split(".")[0]: data for name, data in kladr_files().items()}
        load, loaded = Kladr._load_kladr_files(files)
        self.assertTrue(loaded)
        # 4 regions and 4 cities; 35 streets in each of the 2 federal cities and 4 cities; 1 old name left out.
        self.assertEqual((load.place_count, load.street_count, load.skipped_count), (8, 210, 1))
        again, loaded = Kladr._load_kladr_files(files)
        self.assertEqual((again, loaded), (load, False))
        levels = {obj.code: obj.level for obj in Kladr.search([("code", "in", ("6600000000000", "6600000100000"))])}
        self.assertEqual(levels, {"6600000000000": "1", "6600000100000": "3"})
        self.assertEqual(Kladr.search([("code", "=", "77000000000000100")]).name_key, "ленина")
        self.assertIn("тракт", load.type_words["street"])
        found = Kladr.match_address("Свердловская", "Екатеринбург", "Малышева")
        self.assertEqual(found.code[:11], "66000001000")
