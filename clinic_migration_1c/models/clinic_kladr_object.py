import hashlib
import io

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.models.clinic_kladr_object import address_key

from ..tools import tables

# SOCRBASE levels and the part of a typed address they name.
LEVEL_PARTS = {"1": "region", "2": "district", "3": "city", "4": "settlement", "5": "street"}
CURRENT = "00"


def place_level(code):
    """KLADR level of a 13-digit code СС РРР ГГГ ППП АА: 1 region, 2 district, 3 city, 4 settlement."""
    if code[8:11] != "000":
        return "4"
    if code[5:8] != "000":
        return "3"
    return "2" if code[2:5] != "000" else "1"


def _copy_text(value):
    return (value or "").replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") or "\\N"


class ClinicKladrObject(models.Model):
    _inherit = "clinic.kladr.object"

    @api.model
    def _load_kladr_files(self, files):
        """Load KLADR.DBF (levels 1-4), STREET.DBF (level 5) and SOCRBASE.DBF ({NAME: bytes}) in bulk.

        Returns (load record, True when loaded now / False when these very files were loaded before).
        Objects under a former name (actuality other than 00) are left out; a code loaded before is updated.
        """
        if not {"KLADR", "STREET"} & set(files):
            raise UserError(self.env._("Upload the classifier files KLADR.DBF and STREET.DBF (SOCRBASE.DBF helps)."))
        digest = hashlib.sha1()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name])
        Load = self.env["clinic.migration.kladr.load"].sudo()
        known = Load.search([("file_hash", "=", digest.hexdigest())], limit=1)
        if known:
            return known, False
        counts = {"place": 0, "street": 0, "skipped": 0}
        buffer = io.StringIO()
        for name, code_length in (("KLADR", 13), ("STREET", 17)):
            if name not in files:
                continue
            table = tables.read_dbf(f"{name}.DBF", files[name])
            for _number, row in table.rows():
                code = row.get("CODE", "").strip()
                if len(code) != code_length or code[-2:] != CURRENT:
                    counts["skipped"] += 1
                    continue
                level = "5" if code_length == 17 else place_level(code)
                counts["street" if level == "5" else "place"] += 1
                buffer.write("\t".join(_copy_text(value) for value in (
                    code, row.get("NAME", "").strip(), row.get("SOCR", "").strip(), level,
                    row.get("INDEX", "").strip(), address_key(row.get("NAME", "")),
                )) + "\n")  # fmt: skip
        self._copy_objects(buffer)
        load = Load.create({
            "name": ", ".join(f"{name}.DBF" for name in sorted(files)),
            "file_hash": digest.hexdigest(),
            "place_count": counts["place"],
            "street_count": counts["street"],
            "skipped_count": counts["skipped"],
            "type_words": self._socrbase_words(files.get("SOCRBASE")),
        })  # fmt: skip
        return load, True

    @api.model
    def _copy_objects(self, buffer):
        """COPY the rows into a scratch table, then insert or update clinic_kladr_object by code in one statement."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS clinic_kladr_in")
        cr.execute(
            "CREATE TEMP TABLE clinic_kladr_in (code varchar, name varchar, socr varchar, level varchar, "
            "postcode varchar, name_key varchar) ON COMMIT DROP"
        )
        buffer.seek(0)
        cr._obj.copy_expert("COPY clinic_kladr_in FROM STDIN", buffer)
        cr.execute(
            """INSERT INTO clinic_kladr_object (code, name, socr, level, postcode, name_key, create_uid, write_uid,
                   create_date, write_date)
               SELECT DISTINCT ON (code) code, name, socr, level, postcode, name_key, %s, %s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
               FROM clinic_kladr_in
               ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, socr = EXCLUDED.socr, level = EXCLUDED.level,
                   postcode = EXCLUDED.postcode, name_key = EXCLUDED.name_key, write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date""",
            [self.env.uid, self.env.uid],
        )
        cr.execute("DROP TABLE clinic_kladr_in")
        cr.execute("ANALYZE clinic_kladr_object")
        self.invalidate_model()

    @api.model
    def _socrbase_words(self, data):
        """{part: [abbreviation, full name...]} from SOCRBASE.DBF, lower case."""
        if not data:
            return {}
        words = {}
        for _number, row in tables.read_dbf("SOCRBASE.DBF", data).rows():
            part = LEVEL_PARTS.get(row.get("LEVEL", "").strip())
            if part:
                bucket = words.setdefault(part, [])
                for word in (row.get("SCNAME", ""), row.get("SOCRNAME", "")):
                    word = word.strip().lower().rstrip(".")
                    if word and word not in bucket:
                        bucket.append(word)
        return words
