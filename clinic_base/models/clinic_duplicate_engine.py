import functools
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

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
        """Reason codes as the reader reads them: codes are stored, labels are made in the reader's language."""
        _ = self.env._
        return {
            dedupe.REASON_SNILS: _("same SNILS"),
            dedupe.REASON_NAME_BIRTH: _("same full name and birth date"),
            dedupe.REASON_NAME_ONLY: _("same full name"),
            dedupe.REASON_SWAPPED: _("name parts in another order"),
            dedupe.REASON_TYPO: _("name differs by one letter"),
            dedupe.REASON_INITIALS: _("initials of the same name"),
            dedupe.REASON_SURNAME_CHANGED: _("other surname (marriage?), same first name and patronymic"),
            dedupe.REASON_BIRTH_SAME: _("same birth date"),
            dedupe.REASON_BIRTH_MISSING: _("no birth date on one card"),
            dedupe.REASON_BIRTH_SWAPPED: _("birth date with day and month swapped"),
            dedupe.REASON_BIRTH_TYPO: _("birth date differs by one digit"),
            dedupe.REASON_BIRTH_VISIT: _("the birth date on one card is the day it was typed (a visit date)"),
            dedupe.REASON_BIRTH_DIFFERS: _("other birth date"),
            dedupe.REASON_SAME_PHONE: _("same phone"),
            REASON_PHONE_ONLY: _("same phone (maybe a relative)"),
        }

    @api.model
    def _labels_of(self, codes):
        """«same full name, same phone» from stored codes (unknown codes are shown as they are)."""
        labels = self._reason_labels()
        return ", ".join(labels.get(code, code) for code in codes if code)

    @api.model
    def _load_rows(self, where="", params=()):
        """Patients as engine rows, read in two queries whatever their number; the day a card was typed is
        a day the patient was seen (a birth date equal to it is that visit's date in the wrong field), a day of the
        clinic's calendar."""
        self.env.flush_all()
        query = (
            "SELECT id, surname_key, first_name_key, patronymic_key, birth_date, snils, "
            "(create_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date FROM res_partner WHERE is_patient AND active"
        )
        self.env.cr.execute(query + where, (self.env.company._clinic_tz_name(), *params))
        rows = {
            pid: {
                "id": pid,
                "surname": surname or "",
                "first_name": first or "",
                "patronymic": patronymic or "",
                "birth_date": birth,
                "snils": snils or "",
                "phones": set(),
                "seen": {typed} if typed else set(),
            }
            for pid, surname, first, patronymic, birth, snils, typed in self.env.cr.fetchall()
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
        with dedupe.without_gc():
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
        best first: ``dedupe.AUTO_SCORE`` and above is sure, ``dedupe.REVIEW_SCORE``
        and above uncertain; a shared phone alone is listed with its own reason
        and a low score, since parents share phones with their children.
        """
        today = self.env.company._clinic_today()
        # A card typed now: a birth date of today is today's visit typed in the wrong field.
        row = dict(row, id=0, seen=row.get("seen") or {today})
        surname, first = row.get("surname") or "", row.get("first_name") or ""
        clauses, params = [], []
        if row.get("snils"):
            clauses.append("snils = %s")
            params.append(row["snils"])
        keys = [k for k in (surname, first, row.get("patronymic") or "") if len(k) > 1]
        birth = row.get("birth_date")
        if birth and keys:
            births = {birth}
            if birth.day <= 12:
                births.add(birth.replace(day=birth.month, month=birth.day))
            clauses.append(
                "(birth_date = ANY(%s) AND (surname_key = ANY(%s) OR first_name_key = ANY(%s)"
                " OR patronymic_key = ANY(%s)))"
            )
            params += [sorted(births), keys, keys, keys]
        name_key = " ".join(sorted(k for k in (surname, first, row.get("patronymic") or "") if k))
        if len(name_key.split()) >= 2:
            clauses.append("name_key = %s")
            params.append(name_key)
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
        matches = []
        counts = functools.cache(lambda: self._name_counts(row))
        for candidate in self._load_rows(where + " LIMIT 50", tuple(params)):
            score, reasons = dedupe.score_pair(row, candidate, counts)
            if score < dedupe.REVIEW_SCORE:
                if not set(phones) & candidate["phones"]:
                    continue
                score, reasons = 30, [REASON_PHONE_ONLY]
            matches.append({"id": candidate["id"], "score": score, "reasons": reasons})
        matches.sort(key=lambda m: -m["score"])
        partners = self.env["res.partner"].browse([m["id"] for m in matches])
        for match, partner in zip(matches, partners, strict=True):
            match["name"] = partner.display_name
            match["reason_labels"] = [self._labels_of([r]) for r in match["reasons"]]
        return matches

    @api.model
    def _name_counts(self, row):
        """``dedupe.name_counts`` of the base for the names of one row (asked only when a rare name decides)."""
        key, first, patronymic = dedupe.name_key(row), row["first_name"], row.get("patronymic") or ""
        birth = row.get("birth_date")
        self.env.cr.execute(
            "SELECT count(*) FILTER (WHERE name_key = %s), "
            "count(*) FILTER (WHERE first_name_key = %s AND patronymic_key = %s AND birth_date IS NOT NULL) "
            "FROM res_partner WHERE is_patient AND active AND (name_key = %s OR first_name_key = %s)",
            [key, first, patronymic, key, first],
        )
        same_name, same_given = self.env.cr.fetchone()
        window = timedelta(days=dedupe.BIRTH_WINDOW)
        self.env.cr.execute(
            "SELECT count(*) FILTER (WHERE birth_date = %s), count(*) FILTER (WHERE birth_date BETWEEN %s AND %s), "
            "count(birth_date) FROM res_partner WHERE is_patient AND active",
            [birth, birth and birth - window, birth and birth + window],
        )
        same_day, near, dated = self.env.cr.fetchone()
        # The row being matched is one more card of the base.
        return {
            "names": {key: same_name + 1},
            "given": {(first, patronymic): same_given + bool(birth)},
            "births": {birth: same_day + 1} if birth else {},
            "near": {birth: near + 1} if birth else {},
            "dated": dated + bool(birth),
        }

    @api.private
    @api.model
    def row_from_values(self, surname="", first_name="", patronymic="", birth_date=None, snils="", phones=()):
        """Engine row from raw typed values; phones that do not parse are ignored here."""
        surname, first_name, patronymic = names.with_initials(surname, first_name, patronymic)
        if isinstance(birth_date, str):
            birth_date = fields.Date.to_date(birth_date)
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
        to_create = []
        by_key = defaultdict(dict)
        for cluster in found:
            key = Cluster._key_for(cluster["ids"])
            vals = {
                "partner_ids": [(6, 0, cluster["ids"])],
                "score": cluster["score"],
                "auto": cluster["auto"],
                "reason_codes": ",".join(cluster["reasons"]),
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
