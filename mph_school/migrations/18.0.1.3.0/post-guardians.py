"""Several guardians per pupil (18.0.1.3.0): on a database made earlier, the
one guardian of each pupil (guardian_id, the payer) becomes the first of the
pupil's guardians (guardian_ids)."""


def migrate(cr, version):
    cr.execute(
        """
        INSERT INTO mph_student_guardian_rel (student_id, partner_id)
        SELECT id, guardian_id FROM mph_student WHERE guardian_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
