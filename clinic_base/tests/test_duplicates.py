from datetime import date

import psycopg2

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestDuplicates(ClinicCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["clinic.duplicate.engine"]
        cls.ivanov = cls.patient("Иванов", "Иван", "Иванович", date(1980, 1, 31), phone="8 912 345-67-89")

    def cluster_of(self, partner):
        return [c for c in self.engine.find_clusters([partner.id]) if partner.id in c["ids"]]

    def test_planted_duplicates_are_found(self):
        planted = [
            self.patient("ИВАНОВ", "иван", "", date(1980, 1, 31)),  # case, patronymic missing
            self.patient("Иван", "Иванов", "Иванович", date(1980, 1, 31)),  # swapped
            self.patient("Иванов", "Иавн", "Иванович", date(1980, 1, 31), phone="+7(912)3456789"),  # typo
        ]
        clusters = self.cluster_of(self.ivanov)
        self.assertEqual(len(clusters), 1)
        self.assertEqual(set(clusters[0]["ids"]), {self.ivanov.id, *(p.id for p in planted)})
        self.assertFalse(clusters[0]["auto"], "a typo needs a person's decision")

    def test_two_slips_need_a_matching_patronymic(self):
        copy = self.patient("Иваонв", "Иавн", "Иванович", date(1980, 1, 31))  # typo in both names
        stranger = self.patient("Ивнаов", "Ивна", "", date(1980, 1, 31))
        ids = {i for c in self.cluster_of(self.ivanov) for i in c["ids"]}
        self.assertIn(copy.id, ids)
        self.assertNotIn(stranger.id, ids, "two typos and nothing else in common is not enough")

    def test_a_card_without_patronymic_does_not_glue_two_namesakes(self):
        nikitich = self.patient("Карпов", "Ростислав", "Никитич", date(2000, 1, 1))
        arkadievich = self.patient("Карпов", "Ростислав", "Аркадьевич", date(2000, 1, 1))
        bare = self.patient("КАРПОВ", "Ростислав", "", date(2000, 1, 1))
        clusters = self.engine.find_clusters([nikitich.id, arkadievich.id, bare.id])
        for cluster in clusters:
            self.assertFalse({nikitich.id, arkadievich.id} <= set(cluster["ids"]), cluster)
        self.assertEqual(sum(bare.id in c["ids"] for c in clusters), 1, "the bare card joins one of them only")

    def test_yo_and_spacing_make_an_auto_cluster(self):
        semin = self.patient("Сёмин", "Пётр", "Олегович", date(1975, 7, 7))
        copy = self.patient("  семин ", "ПЕТР", "олегович", date(1975, 7, 7))
        clusters = self.cluster_of(semin)
        self.assertEqual(clusters[0]["ids"], sorted([semin.id, copy.id]))
        self.assertTrue(clusters[0]["auto"])

    def test_look_alikes_are_not_duplicates(self):
        namesake = self.patient("Иванов", "Иван", "Иванович", date(1991, 6, 15))
        wife = self.patient("Иванова", "Мария", "Петровна", date(1982, 2, 2), phone="8 912 345-67-89")
        twin_a = self.patient("Орлов", "Кирилл", "Андреевич", date(2015, 4, 4), phone="8 916 111-22-33")
        twin_b = self.patient("Орлов", "Даниил", "Андреевич", date(2015, 4, 4), phone="8 916 111-22-33")
        found = {i for c in self.engine.find_clusters() for i in c["ids"]}
        for partner in (namesake, wife, twin_a, twin_b):
            self.assertNotIn(partner.id, found, partner.name)

    def test_same_snils_is_a_hard_block(self):
        self.ivanov.snils = "112-233-445 95"
        with self.assertRaises(Exception) as caught:
            self.patient("Другой", "Человек", snils="11223344595")
        self.assertIn(self.ivanov.name, str(caught.exception))
        # The database refuses it too, whatever the Python path.
        other = self.patient("Другой", "Человек")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE res_partner SET snils = '11223344595' WHERE id = %s", [other.id])

    def test_matches_shown_while_typing_a_new_patient(self):
        form = Form(
            self.Partner.with_context(default_is_patient=True), view="clinic_base.res_partner_view_form_patient"
        )
        form.surname = "иванов"
        form.first_name = "Иван"
        self.assertFalse(form.duplicate_candidate_ids, "no birth date yet: a name alone is not enough")
        form.birth_date = date(1980, 1, 31)
        self.assertIn(self.ivanov.id, form.duplicate_candidate_ids.ids)
        self.assertIn("birth date", form.duplicate_reasons)

    def test_same_phone_is_shown_as_a_possible_relative(self):
        matches = self.engine.match_row(self.engine.row_from_values("Петрова", "Ольга", phones=["89123456789"]))
        self.assertEqual([m["id"] for m in matches], [self.ivanov.id])
        self.assertEqual(matches[0]["reasons"], ["phone_only"])

    def test_possible_duplicates_screen(self):
        copy = self.patient("Иванов", "Иван", "", date(1980, 1, 31))
        self.engine.refresh_clusters()
        Cluster = self.env["clinic.duplicate.cluster"]
        cluster = Cluster.search([("partner_ids", "in", self.ivanov.ids)])
        self.assertEqual(cluster.partner_ids, self.ivanov | copy)
        self.assertEqual(cluster.master_id, self.ivanov, "the card with the phone and patronymic is more complete")
        cluster.action_dismiss()
        self.engine.refresh_clusters()
        self.assertEqual(Cluster.search([("partner_ids", "in", self.ivanov.ids)]).state, "dismissed")


@tagged("post_install", "-at_install")
class TestMerge(ClinicCase):
    def test_merge_moves_every_linked_record_and_logs_it(self):
        keep = self.patient("Смирнова", "Анна", "Олеговна", date(1990, 5, 5), phone="8 916 123-45-67")
        copies = [
            self.patient("смирнова", "анна", "", date(1990, 5, 5), phone="8 (916) 123-45-67", snils="112-233-445 95"),
            self.patient("Анна", "Смирнова", "Олеговна", date(1990, 5, 5), phone="8 495 765-43-21"),
            self.patient("Смирнова", "Анна", "Олеговна", date(1990, 5, 5)),
        ]
        child = self.patient("Смирнов", "Лев", "", date(2018, 1, 1))
        self.env["clinic.partner.relation"].create(
            {"partner_id": child.id, "relative_id": copies[1].id, "kinship": "mother", "is_legal_representative": True}
        )
        consent = self.env["clinic.consent"].create(
            {"partner_id": copies[0].id, "purpose": "personal_data", "action": "given", "source": "paper"}
        )
        note = copies[2].message_post(body="Позвонить после 18:00")
        cluster = self.env["clinic.duplicate.cluster"].create(
            {"key": "test", "partner_ids": [(6, 0, (keep + copies[0] + copies[1] + copies[2]).ids)]}
        )
        cluster.master_id = keep
        cluster.action_merge()

        self.assertFalse(any(c.exists() for c in copies))
        self.assertEqual(cluster.state, "merged")
        self.assertEqual(keep.snils, "11223344595", "the SNILS of a merged card is kept")
        self.assertEqual(sorted(keep.clinic_phone_ids.mapped("number")), ["+74957654321", "+79161234567"])
        self.assertEqual(consent.partner_id, keep)
        self.assertEqual(child.representative_id, keep)
        self.assertEqual(note.res_id, keep.id)
        logs = self.env["clinic.merge.log"].search([("dst_partner_id", "=", keep.id)])
        self.assertEqual(len(logs), 2, "four cards go through Odoo's merge in two steps of at most three")
        self.assertEqual(set(logs.mapped("user_id")), {self.env.user})
        merged_ids = {int(i) for log in logs for i in log.merged_ids.split(", ")}
        self.assertEqual(merged_ids, {c.id for c in copies})
        self.assertEqual(logs.cluster_id, cluster)

    def test_merge_auto_merges_only_safe_clusters(self):
        a = self.patient("Белов", "Игорь", "Петрович", date(1970, 3, 3))
        b = self.patient("БЕЛОВ", "игорь", "петрович", date(1970, 3, 3))
        c = self.patient("Жуков", "Олег", "Ильич", date(1960, 1, 1))
        d = self.patient("Жуков", "Олжг", "Ильич", date(1960, 1, 1))  # typo: for review only
        merged = self.env["clinic.duplicate.cluster"].merge_auto([a.id, b.id, c.id, d.id])
        self.assertEqual(len(merged), 1)
        self.assertEqual(len((a | b).exists()), 1)
        self.assertEqual(len((c | d).exists()), 2)
