from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

ATTENDANCE_MONTHS_PARAM = "mph_timetable.attendance_retention_months"


class MphRetention(models.AbstractModel):
    """Attendance is kept per lesson until the end of the school year plus a
    period (12 months by default), then reduced to counts per enrolment;
    anonymising a pupil reduces the pupil's attendance at once (mph.erasure)."""

    _inherit = "mph.retention"

    @api.model
    def _attendance_months(self):
        return self.env["mph.settings"]._get(ATTENDANCE_MONTHS_PARAM)

    @api.model
    def _reduce_attendance(self, seasons=None, enrollments=None):
        """Replace the attendance rows of ``seasons`` (or of ``enrollments``)
        by counts per enrolment and school year; one statement. Returns the
        number of rows reduced."""
        if not (seasons or enrollments):
            return 0
        self.env.flush_all()
        condition = (
            SQL("l.season_id = ANY(%s)", seasons.ids) if seasons else SQL("a.enrollment_id = ANY(%s)", enrollments.ids)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH gone AS (
                    DELETE FROM mph_lesson_attendance a USING mph_lesson l
                     WHERE a.lesson_id = l.id AND %(condition)s
                 RETURNING a.enrollment_id, l.season_id, a.state
                ), counted AS (
                    INSERT INTO mph_attendance_count (enrollment_id, season_id, present, excused, absent,
                                                      cancelled, unrecorded, create_uid, write_uid,
                                                      create_date, write_date)
                    SELECT enrollment_id, season_id,
                           count(*) FILTER (WHERE state = 'present'),
                           count(*) FILTER (WHERE state = 'excused'),
                           count(*) FILTER (WHERE state = 'absent'),
                           count(*) FILTER (WHERE state = 'cancelled'),
                           count(*) FILTER (WHERE state IS NULL),
                           %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                      FROM gone
                  GROUP BY enrollment_id, season_id
                        ON CONFLICT (enrollment_id, season_id) DO UPDATE
                       SET present = mph_attendance_count.present + EXCLUDED.present,
                           excused = mph_attendance_count.excused + EXCLUDED.excused,
                           absent = mph_attendance_count.absent + EXCLUDED.absent,
                           cancelled = mph_attendance_count.cancelled + EXCLUDED.cancelled,
                           unrecorded = mph_attendance_count.unrecorded + EXCLUDED.unrecorded,
                           write_date = EXCLUDED.write_date
                )
                SELECT count(*) FROM gone
                """,
                condition=condition,
                uid=self.env.uid,
            )
        )
        reduced = self.env.cr.fetchone()[0]
        self.env["mph.lesson.attendance"].invalidate_model()
        self.env["mph.attendance.count"].invalidate_model()
        return reduced

    @api.model
    def _cron_reduce_attendance(self):
        """Daily: the attendance of school years that ended more than the
        retention period ago becomes counts."""
        limit = fields.Date.context_today(self) - relativedelta(months=self._attendance_months())
        seasons = self.env["mph.season"].sudo().with_context(active_test=False).search([("date_end", "<", limit)])
        return self._reduce_attendance(seasons=seasons) if seasons else 0
