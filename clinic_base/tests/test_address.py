from odoo.tests import tagged

from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestAddress(ClinicCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["clinic.kladr.object"].create(
            [
                {"code": "7700000000000", "name": "Москва", "socr": "г", "level": "1", "postcode": ""},
                {"code": "5000000000000", "name": "Московская", "socr": "обл", "level": "1"},
                {"code": "5000002000000", "name": "Королёв", "socr": "г", "level": "3", "postcode": "141070"},
                {"code": "77000000000123400", "name": "Тверская", "socr": "ул", "level": "5", "postcode": "125009"},
                {"code": "50000020000056700", "name": "Ленина", "socr": "ул", "level": "5", "postcode": "141070"},
            ]
        )

    def test_matched_address_gets_code_and_postcode(self):
        patient = self.patient(
            "Гусев", "Олег", city="г. Москва", addr_street="ул. Тверская", addr_house="7", addr_flat="12"
        )
        self.assertEqual(patient.street, "ул. Тверская, д. 7, кв. 12")
        patient.action_clinic_verify_address()
        self.assertTrue(patient.address_verified)
        self.assertEqual(patient.kladr_code, "77000000000123400")
        self.assertEqual(patient.zip, "125009")

    def test_yo_and_type_words_do_not_block_a_match(self):
        patient = self.patient("Гусев", "Олег", city="Королев", addr_street="Ленина улица", addr_house="1")
        patient.action_clinic_verify_address()
        self.assertEqual(patient.kladr_code, "50000020000056700")

    def test_unmatched_address_is_kept_as_typed_and_unverified(self):
        patient = self.patient("Гусев", "Олег", city="Москва", addr_street="Несуществующая", addr_house="3")
        patient.action_clinic_verify_address()
        self.assertFalse(patient.address_verified)
        self.assertFalse(patient.kladr_code)
        self.assertEqual(patient.addr_street, "Несуществующая")
        self.assertEqual(patient.street, "Несуществующая, д. 3")

    def test_editing_the_address_drops_the_verification(self):
        patient = self.patient("Гусев", "Олег", city="Москва", addr_street="Тверская", addr_house="7")
        patient.action_clinic_verify_address()
        patient.addr_house = "9"
        self.assertFalse(patient.address_verified)
