"""A woman's card under her married surname, on people drawn from the engine's own test generator
(``tools.synthetic``, not the benchmark's): a review for a person with the reason in Russian, and the
namesakes that must stay apart."""

from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import tagged

from ..tools import dedupe, names, synthetic
from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestMarriedSurname(ClinicCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env["res.lang"]._lang_get("ru_RU"):
            cls.env["res.lang"]._activate_lang("ru_RU")
            cls.env["ir.module.module"].search([("name", "=", "clinic_base")])._update_translations("ru_RU")
        cls.engine = cls.env["clinic.duplicate.engine"]
        gen = synthetic.PatientGenerator(seed=10)
        cls.gen = gen
        cls.first_name = gen.pick_female_name()
        cls.father = gen.pick_male_name()
        cls.birth = gen.birth_date(gen.adult_age(low=25))
        cls.maiden_name = synthetic.feminine_surname(gen.pick_surname())
        cls.married_name = cls.maiden_name
        while cls.married_name == cls.maiden_name:
            cls.married_name = synthetic.feminine_surname(gen.pick_surname())
        cls.phone = gen.new_mobile()
        cls.maiden = cls.patient(cls.maiden_name, cls.first_name, cls.father[2], cls.birth, mobile=cls.phone)

    def cluster_with(self, partner):
        return next((c for c in self.engine.find_clusters([partner.id]) if partner.id in c["ids"]), None)

    def other_patronymic(self):
        father = self.father
        while father[2] == self.father[2]:
            father = self.gen.pick_male_name()
        return father[2]

    def test_married_surname_with_a_shared_phone_is_reviewed_with_the_reason_in_russian(self):
        # Typed at the front desk: her new surname, her first name, patronymic, birth date and her number.
        married = self.patient(self.married_name, self.first_name, self.father[2], self.birth, mobile=self.phone)
        cluster = self.cluster_with(self.maiden)
        self.assertEqual(cluster["ids"], sorted((self.maiden | married).ids))
        self.assertFalse(cluster["auto"], "another surname is never merged without a person")
        self.assertGreaterEqual(cluster["score"], dedupe.REVIEW_SCORE)
        self.assertEqual(
            cluster["reasons"], [dedupe.REASON_SURNAME_CHANGED, dedupe.REASON_BIRTH_SAME, dedupe.REASON_SAME_PHONE]
        )
        # The screen, refreshed by the scheduled job in English, reads in Russian for a Russian user.
        self.engine.with_context(lang="en_US").refresh_clusters()
        screen = self.env["clinic.duplicate.cluster"].search([("partner_ids", "in", self.maiden.ids)])
        self.assertEqual(screen.partner_ids, self.maiden | married)
        self.assertEqual(screen.state, "open")
        self.assertFalse(screen.auto)
        self.assertEqual(
            screen.with_context(lang="ru_RU").reasons,
            "другая фамилия (замужество?), те же имя и отчество, та же дата рождения, тот же телефон",
        )
        # The form and the website ask the same engine: a match to review, not a sure one, in Russian.
        row = self.engine.row_from_values(
            self.married_name, self.first_name, self.father[2], self.birth, phones=[self.gen.type_phone(self.phone)]
        )
        found = {m["id"]: m for m in self.engine.with_context(lang="ru_RU").match_row(row)}
        self.assertTrue(dedupe.REVIEW_SCORE <= found[self.maiden.id]["score"] < dedupe.AUTO_SCORE, found)
        labels = found[self.maiden.id]["reason_labels"]
        self.assertEqual(labels[0], "другая фамилия (замужество?), те же имя и отчество")

    def test_married_surname_with_a_shared_phone_but_no_birth_date_is_reviewed(self):
        married = self.patient(self.married_name, self.first_name, self.father[2], mobile=self.phone)
        cluster = self.cluster_with(self.maiden)
        self.assertEqual(cluster["ids"], sorted((self.maiden | married).ids))
        self.assertFalse(cluster["auto"])
        self.assertIn(dedupe.REASON_BIRTH_MISSING, cluster["reasons"])

    def test_a_namesake_with_another_patronymic_is_never_joined(self):
        other = self.other_patronymic()
        # Same first name, birth date and phone (a family number), under her surname or another one.
        cousin = self.patient(self.maiden_name, self.first_name, other, self.birth, mobile=self.phone)
        in_law = self.patient(self.married_name, self.first_name, other, self.birth, mobile=self.phone)
        self.assertIsNone(self.cluster_with(self.maiden))
        for namesake in (cousin, in_law):
            found = {m["id"]: m for m in self.engine.match_partner(namesake)}
            self.assertEqual(found[self.maiden.id]["reasons"], ["phone_only"], "a possible relative at most")
            self.assertLess(found[self.maiden.id]["score"], dedupe.REVIEW_SCORE)
        # A card without a patronymic does not glue her and the namesake into one cluster.
        self.patient(self.married_name, self.first_name, "", self.birth, mobile=self.phone)
        for cluster in self.engine.find_clusters():
            self.assertFalse({self.maiden.id, in_law.id} <= set(cluster["ids"]), cluster)
            self.assertFalse({self.maiden.id, cousin.id} <= set(cluster["ids"]), cluster)

    def test_married_surname_with_nothing_shared_is_no_evidence_on_a_common_birth_day(self):
        # Nothing but a rare first name with patronymic and the birth date: a person reviews it...
        married = self.patient(self.married_name, self.first_name, self.father[2], self.birth)
        self.assertEqual(self.cluster_with(self.maiden)["ids"], sorted((self.maiden | married).ids))
        # ...unless the base shows that day is carried by many cards (1 January typed for an unknown date).
        for _n in range(3):
            self.patient(self.gen.pick_surname(), self.gen.pick_male_name()[0], "", self.birth)
        self.assertIsNone(self.cluster_with(self.maiden))

    # ------------------------------------------------------------------ how likely a namesake is

    def namesake_base(self, birth, namesakes_dated=True):
        """Engine rows: 3,000 cards born in 1980-1989 (a crowded stretch), 30 other women of her first name and
        patronymic born there too (or without a birth date), and her maiden and married cards born on ``birth``
        with no phone in common."""
        gen, first, patronymic = synthetic.PatientGenerator(seed=11), names.fold(self.first_name), self.father[2]
        patronymic = names.fold(patronymic)

        def row(surname, first_name, patronymic, birth, phone=None):
            return {"id": len(rows) + 1, "surname": names.fold(surname), "first_name": first_name,
                    "patronymic": patronymic, "birth_date": birth, "snils": "", "phones": {phone} - {None}}  # fmt: skip

        rows, start = [], date(1980, 1, 1)
        for n in range(3000):
            born = start + timedelta(days=n * 6 // 5)
            rows.append(row(gen.pick_surname(), names.fold(gen.pick_male_name()[0]), "", born))
        for n in range(30):
            born = start + timedelta(days=100 + n * 97) if namesakes_dated else None
            rows.append(row(synthetic.feminine_surname(gen.pick_surname()), first, patronymic, born))
        maiden = row(self.maiden_name, first, patronymic, birth, "+79160000001")
        rows.append(maiden)
        married = row(self.married_name, first, patronymic, birth, "+79160000002")
        rows.append(married)
        return rows, maiden, married

    def test_a_namesake_is_likelier_where_the_base_is_crowded(self):
        # 30 other women of her name born in the 1980s among 3,000 cards: another one born on her day in 1985
        # is a chance of about 1 in 120, above the limit. The pair stays apart.
        rows, maiden, married = self.namesake_base(date(1985, 3, 15))
        self.assertEqual(dedupe.score_pair(maiden, married, dedupe.name_counts(rows)), (0, []))
        self.assertFalse([c for c in dedupe.clusters(rows) if maiden["id"] in c["ids"]])
        # Born in 1946, where nobody else of this base was born within a year: a person looks at the pair.
        rows, maiden, married = self.namesake_base(date(1946, 3, 15))
        score, reasons = dedupe.score_pair(maiden, married, dedupe.name_counts(rows))
        self.assertTrue(dedupe.REVIEW_SCORE <= score < dedupe.AUTO_SCORE, score)
        self.assertEqual(reasons, [dedupe.REASON_SURNAME_CHANGED, dedupe.REASON_BIRTH_SAME])
        (cluster,) = [c for c in dedupe.clusters(rows) if maiden["id"] in c["ids"]]
        self.assertEqual((cluster["ids"], cluster["auto"]), ([maiden["id"], married["id"]], False))

    def test_namesakes_without_a_birth_date_cannot_share_hers(self):
        rows, maiden, married = self.namesake_base(date(1985, 3, 15), namesakes_dated=False)
        score, reasons = dedupe.score_pair(maiden, married, dedupe.name_counts(rows))
        self.assertEqual((score, reasons[0]), (dedupe.REVIEW_SCORE, dedupe.REASON_SURNAME_CHANGED))

    def test_the_form_and_the_screen_weigh_the_same_chance(self):
        """The chance of a namesake, counted in SQL here as ``dedupe._rare`` describes it, decides the same way for
        a card being typed (``match_row``, the form and the website) and for the Possible duplicates screen."""
        self.patient(synthetic.feminine_surname(self.gen.pick_surname()), self.first_name, self.father[2],
                     self.birth + timedelta(days=40))  # fmt: skip
        first, patronymic = names.fold(self.first_name), names.fold(self.father[2])
        window = timedelta(days=dedupe.BIRTH_WINDOW)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(birth_date), count(*) FILTER (WHERE birth_date BETWEEN %s AND %s), "
            "count(*) FILTER (WHERE birth_date = %s), "
            "count(*) FILTER (WHERE first_name_key = %s AND patronymic_key = %s AND birth_date IS NOT NULL) "
            "FROM res_partner WHERE is_patient AND active",
            [self.birth - window, self.birth + window, self.birth, first, patronymic],
        )
        # Her married card, not typed yet, is one more card of each count.
        dated, near, same_day, given = (count + 1 for count in self.env.cr.fetchone())
        chance = (given - 1) * max((near - 1) / (dated * (2 * dedupe.BIRTH_WINDOW + 1)), (same_day - 2) / dated)
        self.assertGreater(chance, 0)
        row = self.engine.row_from_values(self.married_name, self.first_name, self.father[2], self.birth)
        typed = {}
        for limit in (chance * 1.001, chance * 0.999):
            with patch.object(dedupe, "NAMESAKE_CHANCE", limit):
                typed[limit] = {m["id"]: m["reasons"] for m in self.engine.match_row(row)}.get(self.maiden.id)
        married = self.patient(self.married_name, self.first_name, self.father[2], self.birth)
        for limit, reasons in typed.items():
            with patch.object(dedupe, "NAMESAKE_CHANCE", limit):
                cluster = self.cluster_with(self.maiden)
            if limit > chance:
                self.assertEqual(reasons, [dedupe.REASON_SURNAME_CHANGED, dedupe.REASON_BIRTH_SAME])
                self.assertEqual((cluster["ids"], cluster["auto"]), (sorted((self.maiden | married).ids), False))
            else:
                self.assertIsNone(reasons)
                self.assertIsNone(cluster)
