from itertools import combinations

from odoo.tests import BaseCase, tagged

from ..tools import checksums, dedupe, names, synthetic


def planted_pairs(population):
    """Pairs of generated cards that are one person (copies of one original, and copy-original)."""
    groups = {}
    for copy, original in population["duplicates"].items():
        groups.setdefault(original, {original}).add(copy)
    return {tuple(sorted(pair)) for group in groups.values() for pair in combinations(group, 2)}


@tagged("post_install", "-at_install")
class TestSynthetic(BaseCase):
    """The generator the demo and the benchmarks use, and the engine measured on it."""

    def test_same_seed_same_clinic(self):
        first = synthetic.generate_patients(300, seed=7)
        again = synthetic.generate_patients(300, seed=7)
        other = synthetic.generate_patients(300, seed=8)
        self.assertEqual(first["patients"], again["patients"])
        self.assertNotEqual(first["patients"], other["patients"])

    def test_identifiers_are_valid(self):
        population = synthetic.generate_patients(2000, seed=3)
        snils = [p["snils"] for p in population["patients"] if p["snils"]]
        self.assertTrue(snils)
        self.assertTrue(all(checksums.snils_is_valid(s) for s in snils))
        self.assertGreater(len(population["duplicates"]), 30, "3% of 2000 are planted copies")

    def test_engine_finds_planted_copies_and_nothing_else(self):
        population = synthetic.generate_patients(5000, seed=11)
        rows = [
            {
                "id": p["id"],
                "surname": names.fold(p["surname"]),
                "first_name": names.fold(p["first_name"]),
                "patronymic": names.fold(p["patronymic"]),
                "birth_date": p["birth_date"],
                "snils": p["snils"],
                "phones": set(p["phones"]),
            }
            for p in population["patients"]
        ]
        found = {tuple(sorted(pair)) for c in dedupe.clusters(rows) for pair in combinations(c["ids"], 2)}
        truth = planted_pairs(population)
        precision = len(found & truth) / len(found)
        recall = len(found & truth) / len(truth)
        self.assertGreaterEqual(precision, 0.99, f"precision {precision:.3f}")
        self.assertGreaterEqual(recall, 0.97, f"recall {recall:.3f}")
