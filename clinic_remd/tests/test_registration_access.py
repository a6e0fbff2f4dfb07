from odoo.exceptions import AccessError
from odoo.tests import tagged

from .remd_common import RemdCase


@tagged("post_install", "-at_install")
class TestRegistrationAccess(RemdCase):
    def test_only_the_treating_doctor_and_managers_send(self):
        own, foreign = self.signed_document(), self.signed_document(employee=self.other_doctor)
        with self.assertRaises(AccessError):
            own.with_user(self.receptionist).action_register()
        with self.assertRaises(AccessError):
            foreign.with_user(self.doctor_user).action_register()
        self.assertEqual(foreign.state, "signed")
        foreign.with_user(self.manager).action_register()
        self.assertEqual(foreign.state, "sending")

    def test_registry_lookup_and_exchanges_are_for_managers(self):
        document = self.signed_document()
        self.send(document)
        with self.assertRaises(AccessError):
            document.with_user(self.doctor_user).action_check_remd()
        with self.assertRaises(AccessError):
            self.env["clinic.remd.exchange"].with_user(self.doctor_user).search([])
        self.assertTrue(
            self.env["clinic.remd.exchange"].with_user(self.manager).search([("document_id", "=", document.id)])
        )
        self.fake.deliver()
        document.with_user(self.manager).action_check_remd()  # registered already: nothing to look up
        self.assertEqual(document.state, "registered")

    def test_remd_status_cannot_be_written_by_hand(self):
        document = self.signed_document()
        for vals in ({"state": "registered"}, {"remd_registry_number": "16.62.23.09.000000001"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                document.with_user(self.doctor_user).write(vals)
        self.assertEqual(document.state, "signed")

    def test_dashboard_shows_a_doctor_their_own_documents(self):
        own, foreign = self.signed_document(), self.signed_document(employee=self.other_doctor)
        groups = (
            self.env["clinic.semd.document"]
            .with_user(self.doctor_user)
            .read_group([("id", "in", (own | foreign).ids)], ["employee_id"], ["employee_id"])
        )
        self.assertEqual([g["employee_id"][0] for g in groups], [self.doctor.id])
        groups = (
            self.env["clinic.semd.document"]
            .with_user(self.manager)
            .read_group([("id", "in", (own | foreign).ids)], ["state"], ["state"])
        )
        self.assertEqual(groups[0]["state_count"], 2)
