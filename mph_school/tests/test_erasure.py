from odoo.tests import tagged

from .common import MphCommon


@tagged("post_install", "-at_install", "mph_retention")
class TestErasureOfSignups(MphCommon):
    """The eraser's entry point for the purge of sign-ups nobody confirmed:
    the pupil, its contact, its enrolments, a guardian contact nobody else
    uses and the messages (with their e-mails) on all of them are deleted;
    a guardian of another pupil stays."""

    def test_erase_signup_deletes_completely(self):
        mirjam = self.env["res.partner"].create({"name": "Mirjam Visser", "email": "mirjam@example.nl"})
        noor = self.create_student("Noor Visser", "2015-05-06", email="noor@example.nl", guardian_id=mirjam.id)
        bram = self.create_student("Bram de Vries", "2014-03-02", email="bram@example.nl", guardian_id=self.guardian.id)
        enrollments = self.enroll(noor, self.piano) | self.enroll(bram, self.koor)
        Mail = self.env["mail.mail"].sudo()
        mails = Mail.browse()
        for record in (noor, bram, *enrollments, noor.partner_id, bram.partner_id, mirjam, self.guardian):
            record.message_post(body=f"Over {record.display_name}", message_type="comment")
            mails |= Mail.create(
                {"model": record._name, "res_id": record.id, "email_to": "x@example.nl", "body_html": "<p>Hallo</p>"}
            )
        messages = self.env["mail.message"].search(
            [("model", "in", ("mph.student", "mph.enrollment", "res.partner")), ("res_id", "!=", False)]
        )
        messages = messages.filtered(
            lambda m: (m.model, m.res_id)
            in {(r._name, r.id) for r in (noor, bram, *enrollments, noor.partner_id, bram.partner_id, mirjam)}
            or (m.model, m.res_id) == ("res.partner", self.guardian.id)
        )
        kept = self.other_pupil.message_post(body="Over Lotte", message_type="comment")
        partners = noor.partner_id | bram.partner_id

        self.env["mph.erasure"]._erase_signup(noor | bram)

        self.assertFalse(noor.exists() or bram.exists() or enrollments.exists() or partners.exists())
        self.assertFalse(mirjam.exists(), "a guardian nobody else uses goes")
        self.assertTrue(self.guardian.exists(), "a guardian of another pupil stays")
        self.assertFalse(messages.exists())
        self.assertFalse(mails.exists())
        self.assertTrue(kept.exists())
        self.assertTrue(self.minor.exists())
