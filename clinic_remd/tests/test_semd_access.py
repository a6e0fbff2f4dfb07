from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SemdCase


@tagged("post_install", "-at_install")
class TestSemdAccess(SemdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit = cls.make_visit(cls)
        cls.visit.with_user(cls.doctor_user).action_semd_generate()
        cls.document = cls.visit.semd_document_ids

    def test_doctor_sees_own_documents_only(self):
        Document = self.env["clinic.semd.document"]
        self.assertEqual(Document.with_user(self.doctor_user).search([]), self.document)
        self.assertFalse(Document.with_user(self.other_user).search([]))
        self.assertIn(self.document, Document.with_user(self.manager_user).search([]))

    def test_front_desk_and_no_group_see_nothing_medical(self):
        with self.assertRaises(AccessError):
            self.document.with_user(self.receptionist_user).read(["name"])
        nobody = new_test_user(self.env, "semd_nobody", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["clinic.semd.document"].with_user(nobody).search([])
        # The front desk still reads the visit's status flags (the lock), not the documents.
        visit = self.visit.with_user(self.receptionist_user)
        self.assertEqual(visit.semd_state, "validated")
        with self.assertRaises(AccessError):
            visit.read(["semd_errors"])

    def test_keys_are_their_owners(self):
        Key = self.env["clinic.semd.key"]
        own = Key.with_user(self.doctor_user).search([])
        self.assertEqual(own.employee_id, self.doctor)
        self.assertGreaterEqual(len(Key.with_user(self.manager_user).search([])), 3)
        with self.assertRaises(AccessError):
            own.with_user(self.doctor_user).read(["private_key"])
        with self.assertRaises(AccessError):
            own.with_user(self.doctor_user).write({"active": False})

    def test_generate_test_key_rights(self):
        Key = self.env["clinic.semd.key"]
        key_id = Key.with_user(self.doctor_user).action_generate_test_key(self.doctor.id, "rsa")
        self.assertEqual(Key.browse(key_id).employee_id, self.doctor)
        with self.assertRaisesRegex(UserError, "only for themselves"):
            Key.with_user(self.doctor_user).action_generate_test_key(self.other.id, "rsa")
        with self.assertRaises(AccessError):
            Key.with_user(self.receptionist_user).action_generate_test_key(self.doctor.id, "rsa")
