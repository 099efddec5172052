"""The read log becomes a view over one row per request (18.0.1.2.0).

Up to 18.0.1.1.0 ``mph_student_read_log`` was a table with one row per pupil read. The
table is kept aside here under another name, so that the view of the same name can be
created; the post script moves its rows into the request batches.
"""


def migrate(cr, version):
    cr.execute("SELECT relkind FROM pg_class WHERE relname = 'mph_student_read_log'")
    row = cr.fetchone()
    if row and row[0] == "r":
        cr.execute("ALTER TABLE mph_student_read_log RENAME TO mph_student_read_log_v1")
