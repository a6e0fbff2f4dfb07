"""A receptionist-kept 1C base at test size, imported through the wizard (issue 10, «done when»): every planted
second card ends on its person's card or waits with it on the Possible duplicates screen, every doubt the engine
still has is on that screen, and no two people end on one card.

The people come from ``clinic_base``'s own test generator (``tools.synthetic``: households, twins, namesakes,
its planted copies); the second cards of the kinds a front desk makes and the issue lists (initials, a name
typed backwards in capitals, Latin look-alikes, no birth date, a married surname, the visit's date as the birth
date, day and month swapped) are typed here from those people.
"""

import random
from datetime import timedelta

from odoo.tests import tagged

from odoo.addons.clinic_base.tools import synthetic

from ..tools.synthetic_1c import CLIENT_TABLE
from .common import MigrationCase, build_base, client, header, line

PEOPLE = 240
SECOND_CARDS = 1 / 3  # the share of the people (those with a patronymic, phone and birth date) typed twice
LATIN = str.maketrans("аоеАОЕ", "aoeAOE")


def _initials(person, rng, visit):
    return f"{person['surname']} {person['first_name'][0]}.{person['patronymic'][0]}.", person["birth_date"]


def _reversed_caps(person, rng, visit):
    return f"{person['first_name']} {person['patronymic']} {person['surname']}".upper(), None


def _latin(person, rng, visit):
    return f"{person['surname'].translate(LATIN)} {person['first_name']} {person['patronymic']}", None


def _birth_missing(person, rng, visit):
    return f"{person['surname'].replace('ё', 'е')} {person['first_name']} {person['patronymic']}", None


def _visit_date(person, rng, visit):
    return f"{person['surname']} {person['first_name']} {person['patronymic']}", visit


def _day_month_swapped(person, rng, visit):
    birth = person["birth_date"]
    swapped = birth.replace(day=birth.month, month=birth.day) if birth.day <= 12 else birth  # noqa: PLR2004
    return f"{person['surname']} {person['first_name']} {person['patronymic']}", swapped


def _married(person, rng, visit):
    surname = person["surname"]
    while surname == person["surname"]:
        surname = synthetic.feminine_surname(rng.choice(synthetic.SURNAMES))
    return f"{surname} {person['first_name']} {person['patronymic']}", person["birth_date"]


KINDS = (_initials, _reversed_caps, _latin, _birth_missing, _visit_date, _day_month_swapped, _married)


def receptionist_base(seed=10):
    """(clients, documents, planted pairs (copy's and original's 1C row numbers, kind), {row number: person id})
    of a base of PEOPLE people."""
    rng = random.Random(seed)
    population = synthetic.generate_patients(PEOPLE, duplicate_share=0.05, seed=seed)
    clients, documents, planted, person_of = [], [], [], {}
    number_of = {}
    for number, person in enumerate(population["patients"], 100):
        name = " ".join(part for part in (person["surname"], person["first_name"], person["patronymic"]) if part)
        gender = {"male": "М", "female": "Ж"}[person["gender"]]
        clients.append(client(number, name, person["birth_date"], gender, person["phone"]))
        number_of[person["id"]] = number
        person_of[number] = person["copy_of"] or person["id"]
    planted += [(number_of[c], number_of[o], "synthetic") for c, o in population["duplicates"].items()]
    # One second card of each kind in turn for the originals it fits: a patronymic, a phone on file, a birth
    # date (a married surname only for a woman), typed on a later visit with the same number.
    number, kinds = 100 + len(clients), list(KINDS)
    for person in population["patients"]:
        if person["copy_of"] or not (person["patronymic"] and person["phones"] and person["birth_date"]):
            continue
        if rng.random() > SECOND_CARDS:
            continue
        kind = kinds[0]
        adult = person["birth_date"] < synthetic.REFERENCE_DATE - timedelta(days=18 * 365)
        if kind is _married and not (person["gender"] == "female" and adult):
            continue
        visit = synthetic.REFERENCE_DATE - timedelta(days=rng.randrange(30, 900))
        name, birth = kind(person, rng, visit)
        clients.append(client(number, name, birth, "", person["phones"][0]))
        documents.append((len(documents) + 1, visit, header(number, 2200, paid_on=visit), [line(10, 2200)], False,
                          True))  # fmt: skip
        planted.append((number, number_of[person["id"]], kind.__name__.strip("_")))
        person_of[number] = person["id"]
        number += 1
        kinds = kinds[1:] + kinds[:1]
    return clients, documents, planted, person_of


@tagged("post_install", "-at_install")
class TestReceptionistBase(MigrationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clients, documents, cls.planted, cls.person_of = receptionist_base()
        cls.files = build_base(clients=cls.clients, documents=documents)

    def test_every_doubt_ends_on_one_card_or_on_the_review_screen(self):
        typed = [kind for _copy, _original, kind in self.planted if kind != "synthetic"]
        self.assertTrue(all(typed.count(kind.__name__.strip("_")) >= 5 for kind in KINDS), typed)  # noqa: PLR2004
        run = self.run_import(self.wizard())
        self.assertEqual(run.state, "done")
        screen = [set(cluster.partner_ids.ids) for cluster in self.env["clinic.duplicate.cluster"].search([])]
        open_screen = [
            set(cluster.partner_ids.ids)
            for cluster in self.env["clinic.duplicate.cluster"].search([("state", "=", "open")])
        ]
        self.assertEqual(len(screen), len(open_screen), "nobody decided anything yet")
        missed = []
        for copy, original, kind in self.planted:
            card, other = self.imported(CLIENT_TABLE, copy), self.imported(CLIENT_TABLE, original)
            self.assertTrue(card and other, (copy, original))
            if card != other and not any({card.id, other.id} <= group for group in open_screen):
                missed.append((kind, card.name, other.name))
        self.assertFalse(missed, "planted pairs neither merged nor on the Possible duplicates screen")
        # Every doubt the engine still has over the imported base is shown to a person.
        for cluster in self.env["clinic.duplicate.engine"].find_clusters():
            self.assertTrue(any(set(cluster["ids"]) <= group for group in open_screen), cluster)
        # No card holds two people (twins, namesakes, relatives on one phone stay apart).
        rows_of = {}
        for number in (int(row["CODE"]) for row in self.clients):
            card = self.imported(CLIENT_TABLE, number)
            if card:
                rows_of.setdefault(card.id, set()).add(number)
        for card_id, numbers in rows_of.items():
            people = {self.person_of[number] for number in numbers}
            self.assertEqual(len(people), 1, (card_id, sorted(numbers)))
        self.assertTrue(any(len(numbers) > 1 for numbers in rows_of.values()), "sure copies were merged")
