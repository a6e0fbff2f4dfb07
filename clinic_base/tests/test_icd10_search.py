from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestIcd10Search(TransactionCase):
    """A doctor types what they say: «ОРВИ», «ГБ», «ангина»; the picker offers the code."""

    def search(self, text, user=None):
        """Codes offered by the diagnosis picker for ``text``, best first."""
        Icd = self.env["clinic.nsi.icd10"].with_user(user or self.env.user)
        return Icd.browse([record_id for record_id, _name in Icd.name_search(text, limit=20)]).mapped("code")

    def test_common_names_and_abbreviations_find_the_code(self):
        doctor = new_test_user(self.env, "icd_doctor", groups="clinic_base.group_clinic_doctor")
        for text, code in (
            ("ОРВИ", "J06.9"),
            ("орви", "J06.9"),
            ("простуда", "J06.9"),
            ("ангина", "J03.9"),
            ("гипертония", "I10"),
            ("ИБС", "I25.1"),
            ("СД2", "E11.9"),
            ("ковид", "U07.1"),
        ):
            with self.subTest(text=text):
                self.assertIn(code, self.search(text, doctor))

    def test_code_and_official_name_still_found(self):
        self.assertEqual(self.search("J06.9")[0], "J06.9")
        self.assertIn("J06.9", self.search("инфекция верхних дыхательных путей неуточненная"))
        self.assertNotIn("J06.9", self.search("гастрит"))
