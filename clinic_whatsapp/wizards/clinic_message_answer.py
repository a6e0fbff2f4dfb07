from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import require_one

from ..models.clinic_message_reply import require_front_desk


class ClinicMessageAnswer(models.TransientModel):
    """The front desk's answer to a patient's message the system did not understand."""

    _name = "clinic.message.answer"
    _description = "Answer to a patient's message"

    message_id = fields.Many2one("clinic.message", string="Patient's message", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="message_id.partner_id", string="Patient")
    channel_id = fields.Many2one(related="message_id.channel_id", string="Channel")
    question = fields.Text(related="message_id.body", string="The patient wrote")
    body = fields.Text(string="Answer", required=True, help="Sent back on the channel the patient wrote on.")

    def action_send(self):
        """Queue the answer on the patient's channel and close the conversation."""
        require_front_desk(self.env)
        require_one(self)
        inbound = self.message_id
        inbound.check_access("read")
        if inbound.direction != "in":
            raise UserError(self.env._("Only a patient's message can be answered."))
        if not (self.body or "").strip():
            raise UserError(self.env._("Answer: write the text to send."))
        inbound = inbound.sudo()
        answer = inbound._send_text(self.body.strip(), "answer", tag=str(self.id))
        inbound.write({"needs_answer": False, "answer_id": answer.id})
        return {"type": "ir.actions.act_window_close"}
