"""Move the rows of the old read-log table into request batches (see the pre script):
the rows of one reader, moment, channel and address make one batch, in their old order."""


def migrate(cr, version):
    cr.execute("SELECT 1 FROM pg_class WHERE relname = 'mph_student_read_log_v1' AND relkind = 'r'")
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO mph_student_read_batch (user_id, date, channel, remote_addr, student_ids, guardian_ids)
        SELECT user_id, date, channel, remote_addr,
               array_agg(student_id ORDER BY id), array_agg(guardian_id ORDER BY id)
          FROM mph_student_read_log_v1
         GROUP BY user_id, date, channel, remote_addr
         ORDER BY min(id)
        """
    )
    cr.execute("DROP TABLE mph_student_read_log_v1")
