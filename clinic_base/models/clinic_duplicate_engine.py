from collections import defaultdict

from odoo import api, models

from ..tools import dedupe, names
from ..tools import phone as phone_tools

REASON_PHONE_ONLY = "phone_only"


class ClinicDuplicateEngine(models.AbstractModel):
    """The one place that decides whether two patients are the same person.

    The Possible duplicates screen, the patient form, website booking and the
    1C import all call it; the rules themselves live in ``tools.dedupe``.
    """

    _name = "clinic.duplicate.engine"
    _description = "Patient duplicate detection"

    @api.model
    def _reason_labels(self):
        return {
            dedupe.REASON_SNILS: self.env._("same SNILS"),
            dedupe.REASON_NAME_BIRTH: self.env._("same full name and birth date"),
            dedupe.REASON_SWAPPED: self.env._("surname and first name swapped, same birth date"),
            dedupe.REASON_TYPO: self.env._("name differs by one letter, same birth date"),
            dedupe.REASON_PHONE: self.env._("same phone, first name, patronymic and birth date"),
            REASON_PHONE_ONLY: self.env._("same phone (maybe a relative)"),
        }

    @api.model
    def _load_rows(self, where="", params=()):
        """Patients as engine rows, read in two queries whatever their number."""
        self.env.flush_all()
        query = (
            "SELECT id, surname_key, first_name_key, patronymic_key, birth_date, snils FROM res_partner "
            "WHERE is_patient AND active"
        )
        self.env.cr.execute(query + where, params)
        rows = {
            pid: {
                "id": pid,
                "surname": surname or "",
                "first_name": first or "",
                "patronymic": patronymic or "",
                "birth_date": birth,
                "snils": snils or "",
                "phones": set(),
            }
            for pid, surname, first, patronymic, birth, snils in self.env.cr.fetchall()
        }
        if rows:
            self.env.cr.execute(
                "SELECT partner_id, number FROM clinic_partner_phone WHERE partner_id = ANY(%s)", [list(rows)]
            )
            for pid, number in self.env.cr.fetchall():
                rows[pid]["phones"].add(number)
        return list(rows.values())

    @api.private
    @api.model
    def find_clusters(self, partner_ids=None):
        """Clusters of likely duplicates over the whole base.

        With ``partner_ids``, only the clusters that hold one of them (the
        rest of the base is still searched for their twins).
        """
        found = dedupe.clusters(self._load_rows())
        if partner_ids is not None:
            wanted = set(partner_ids)
            found = [cluster for cluster in found if wanted.intersection(cluster["ids"])]
        return found

    @api.private
    @api.model
    def match_row(self, row, exclude_id=None):
        """Existing patients that look like one person not saved yet (typed on a form, booked online, imported).

        Returns dicts ``{"id", "name", "score", "reasons", "reason_labels"}``,
        best first; a shared phone alone is listed with its own reason and a
        low score, since parents share phones with their children.
        """
        row = dict(row, id=0)
        surname, first = row.get("surname") or "", row.get("first_name") or ""
        clauses, params = [], []
        if row.get("snils"):
            clauses.append("snils = %s")
            params.append(row["snils"])
        if row.get("birth_date") and (surname or first):
            clauses.append("(birth_date = %s AND (surname_key = ANY(%s) OR first_name_key = ANY(%s)))")
            keys = [k for k in (surname, first) if k]
            params += [row["birth_date"], keys, keys]
        phones = list(row.get("phones") or ())
        if phones:
            clauses.append("id IN (SELECT partner_id FROM clinic_partner_phone WHERE number = ANY(%s))")
            params.append(phones)
        if not clauses:
            return []
        where = " AND (" + " OR ".join(clauses) + ")"
        if exclude_id:
            where += " AND id != %s"
            params.append(exclude_id)
        labels = self._reason_labels()
        matches = []
        for candidate in self._load_rows(where + " LIMIT 50", tuple(params)):
            score, reasons = dedupe.score_pair(row, candidate)
            if score < dedupe.REVIEW_SCORE:
                if not set(phones) & candidate["phones"]:
                    continue
                score, reasons = 30, [REASON_PHONE_ONLY]
            matches.append({"id": candidate["id"], "score": score, "reasons": reasons})
        matches.sort(key=lambda m: -m["score"])
        partners = self.env["res.partner"].browse([m["id"] for m in matches])
        for match, partner in zip(matches, partners, strict=True):
            match["name"] = partner.display_name
            match["reason_labels"] = [labels[r] for r in match["reasons"]]
        return matches

    @api.private
    @api.model
    def row_from_values(self, surname="", first_name="", patronymic="", birth_date=None, snils="", phones=()):
        """Engine row from raw typed values; phones that do not parse are ignored here."""
        normalized = set()
        for raw in phones:
            for piece in phone_tools.split_numbers(raw or ""):
                try:
                    normalized.add(phone_tools.normalize(piece)["e164"])
                except phone_tools.PhoneError:
                    continue
        return {
            "surname": names.fold(surname),
            "first_name": names.fold(first_name),
            "patronymic": names.fold(patronymic),
            "birth_date": birth_date or None,
            "snils": "".join(ch for ch in snils or "" if ch.isdigit()),
            "phones": normalized,
        }

    @api.private
    @api.model
    def match_partner(self, partner):
        """Matches for a card being typed (``partner`` may be a new, unsaved record)."""
        row = self.row_from_values(
            partner.surname or "",
            partner.first_name or "",
            partner.patronymic or "",
            partner.birth_date,
            partner.snils or "",
            [partner.phone, partner.mobile, *partner.clinic_phone_ids.mapped("number")],
        )
        return self.match_row(row, exclude_id=partner._origin.id or None)

    @api.private
    @api.model
    def refresh_clusters(self):
        """Rebuild the Possible duplicates screen; decided clusters are not offered again."""
        Cluster = self.env["clinic.duplicate.cluster"].sudo()
        found = self.find_clusters()
        existing = {c.key: c for c in Cluster.with_context(active_test=False).search([])}
        labels = self._reason_labels()
        to_create = []
        by_key = defaultdict(dict)
        for cluster in found:
            key = Cluster._key_for(cluster["ids"])
            vals = {
                "partner_ids": [(6, 0, cluster["ids"])],
                "score": cluster["score"],
                "auto": cluster["auto"],
                "reasons": ", ".join(labels[r] for r in cluster["reasons"]),
            }
            by_key[key] = vals
            if key in existing:
                if existing[key].state == "open":
                    existing[key].write(vals)
            else:
                to_create.append(dict(vals, key=key))
        stale = Cluster.browse([c.id for k, c in existing.items() if c.state == "open" and k not in by_key])
        stale.unlink()
        Cluster.create(to_create)
        return len(found)
