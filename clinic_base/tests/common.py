from odoo.tests import TransactionCase


class ClinicCase(TransactionCase):
    """Patients built through the ORM, as the front desk creates them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"].with_context(tracking_disable=True)

    @classmethod
    def patient(cls, surname, first_name, patronymic="", birth_date=None, **vals):
        return cls.Partner.create(
            dict(
                is_patient=True,
                surname=surname,
                first_name=first_name,
                patronymic=patronymic,
                birth_date=birth_date,
                **vals,
            )
        )
