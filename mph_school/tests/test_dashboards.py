"""Every figure of the dashboards against the records behind it: the
director's population trend and regions, the artistic manager's waiting
list and capacity. The coordinator gets exact figures, the aggregated roles
the same figures rounded per cell (see test_insight.py for the rounding)."""

from datetime import date

from odoo.tests import tagged

from ..models.mph_postcode_regions import POSTCODE_REGIONS, region_label
from .common import MphCommon

PER_PERIOD = {"mph_insight_per_period": True}


@tagged("post_install", "-at_install", "mph_insight")
class TestDashboards(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.season_2324 = cls.env["mph.season"]._for_date(date(2023, 9, 1))
        cls.season_2425 = cls.env["mph.season"]._for_date(date(2024, 9, 1))
        cls.bassoon = cls.env["mph.lesson.type"].create({"name": "Fagot (dash)", "kind": "individual", "capacity": 10})
        cls.band = cls.env["mph.lesson.type"].create(
            {"name": "Band (dash)", "kind": "ensemble", "ensemble_type": "band", "capacity": 0}
        )
        Teacher = cls.env["mph.teacher"]
        # Two teachers of the bassoon and the band, one of the band only, and
        # one who left: three teachers, four links.
        cls.both = Teacher.create({"name": "Docent beide", "lesson_type_ids": [(6, 0, (cls.bassoon | cls.band).ids)]})
        cls.both_too = Teacher.create({"name": "Docent ook", "lesson_type_ids": [(6, 0, (cls.bassoon | cls.band).ids)]})
        cls.band_only = Teacher.create({"name": "Docent band", "lesson_type_ids": [(6, 0, cls.band.ids)]})
        Teacher.create({"name": "Oud-docent", "lesson_type_ids": [(6, 0, cls.bassoon.ids)], "active": False})

        # Population: six children in Amersfoort (region 38) from 2023-2024,
        # five adults in Zeist (37) and one adult in region 98 (no name) in
        # 2024-2025; all stopped at the end of 2024-2025.
        cls.children = cls._pupils("Amersfoorter", 6, "2010-05-05", "3811 AB")
        cls.adults = cls._pupils("Zeistenaar", 5, "1985-05-05", "3701 CD")
        cls.far = cls._pupils("Verweg", 1, "1985-05-05", "9801 EF")
        stopped = {"date_end": "2025-06-30"}
        cls._enrol(cls.children, cls.band, "stopped", date_requested="2023-08-20", date_start="2023-09-01", **stopped)
        cls._enrol(
            cls.adults | cls.far, cls.band, "stopped", date_requested="2024-08-20", date_start="2024-09-01", **stopped
        )

        # The bassoon's waiting list in early 2024: three ask on 1 February,
        # one on 15 January (trial on 20 March), two on 11 March; and four
        # pupils in lessons now.
        waiting = cls._pupils("Wachter", 5, "1990-01-01", "3511 AA")
        cls._enrol(waiting[:3], cls.bassoon, "waiting", date_requested="2024-02-01")
        cls._enrol(waiting[3:], cls.bassoon, "waiting", date_requested="2024-03-11")
        placed = cls._pupils("Geplaatst", 1, "1990-01-01", "3511 AA")
        cls._enrol(placed, cls.bassoon, "trial", date_requested="2024-01-15", date_trial="2024-03-20")
        lessons = cls._pupils("Fagottist", 3, "1990-01-01", "3511 AA")
        cls._enrol(lessons, cls.bassoon, "active", date_requested="2023-06-01", date_start="2023-09-01")
        cls.env["mph.insight.demand"]._cron_refresh_insight()

    @classmethod
    def _pupils(cls, name, count, birthdate, zip_code):
        return cls.env["mph.student"].create(
            [
                {"name": f"{name} {i}", "birthdate": birthdate, "zip": zip_code, "country_id": cls.nl.id}
                for i in range(count)
            ]
        )

    @classmethod
    def _enrol(cls, pupils, lesson_type, state, **vals):
        return cls.env["mph.enrollment"].create(
            [
                {
                    "student_id": pupil.id,
                    "lesson_type_id": lesson_type.id,
                    "teacher_id": cls.both.id if state != "waiting" else False,
                    "state": state,
                    **vals,
                }
                for pupil in pupils
            ]
        )

    def _groups(self, user, model, domain, groupby, measures, context=None):
        report = self.env[model].with_user(user).with_context(**(context or {}))
        return report.read_group(domain, measures, groupby, lazy=False)

    # ------------------------------------------------------------
    # Director: population
    # ------------------------------------------------------------

    def _present(self, season):
        """The pupils of this test with a lesson in ``season``, from the enrolments."""
        pupils = self.children | self.adults | self.far
        return pupils.filtered(
            lambda p: any(
                (e.date_trial or e.date_start) <= season.date_end
                and (not e.date_end or e.date_end >= season.date_start)
                for e in p.enrollment_ids
            )
        )

    def test_population_trend_runs_oldest_to_newest(self):
        mine = [("zip_region", "in", ("37", "38", "98"))]
        for user in (self.user_coordinator, self.user_director):
            groups = self._groups(user, "mph.insight.population", mine, ["season_id"], ["student_count"], PER_PERIOD)
            starts = [self.env["mph.season"].browse(g["season_id"][0]).date_start for g in groups]
            with self.subTest(user=user.login):
                self.assertEqual(starts, sorted(starts), "school years oldest first")
                self.assertGreaterEqual(len(starts), 2)
        exact = self._groups(self.user_coordinator, "mph.insight.population", mine, ["season_id"], ["student_count"])
        counts = {g["season_id"][0]: g["student_count"] for g in exact}
        for season in (self.season_2324, self.season_2425):
            with self.subTest(season=season.name):
                self.assertEqual(counts[season.id], len(self._present(season)))
        self.assertEqual((counts[self.season_2324.id], counts[self.season_2425.id]), (6, 12))
        shown = self._groups(self.user_director, "mph.insight.population", mine, ["season_id"], ["student_count"])
        for group in shown:
            self.assertEqual((group["student_count"] or 0) % 5, 0, "rounded per cell")

    def test_regions_by_name(self):
        self.assertEqual(region_label("38"), "38 Amersfoort, Leusden, Nijkerk")
        self.assertEqual(region_label("42"), "42", "a region without a name keeps its digits")
        self.assertIn("35", POSTCODE_REGIONS)
        season = [("season_id", "=", self.season_2425.id), ("zip_region", "in", ("37", "38", "98"))]
        exact = self._groups(
            self.user_coordinator, "mph.insight.population", season, ["zip_region_name"], ["student_count"], PER_PERIOD
        )
        self.assertEqual(
            {g["zip_region_name"]: g["student_count"] for g in exact},
            {"37 Zeist, De Bilt, Soest": 5, "38 Amersfoort, Leusden, Nijkerk": 6, "98": 1},
        )
        shown = self._groups(
            self.user_director, "mph.insight.population", season, ["zip_region_name"], ["student_count"], PER_PERIOD
        )
        self.assertLessEqual({g["zip_region_name"] for g in shown}, {g["zip_region_name"] for g in exact})
        self.assertEqual(
            {g["zip_region_name"]: g["student_count"] for g in shown}["37 Zeist, De Bilt, Soest"], 5, "5 is never moved"
        )
        pivot = self.env["mph.insight.population"].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        self.assertIn('name="zip_region_name" type="row"', pivot)

    def test_no_total_over_school_years(self):
        mine = [("zip_region", "in", ("37", "38", "98"))]
        measures = ["student_count", "new_count", "retention_rate"]
        for user in (self.user_coordinator, self.user_director):
            with self.subTest(user=user.login):
                # A pupil of two school years is one pupil, not two: no sum.
                (total,) = self._groups(user, "mph.insight.population", mine, [], measures, PER_PERIOD)
                self.assertEqual([total[m] for m in measures], [None, None, None])
                regions = self._groups(user, "mph.insight.population", mine, ["zip_region_name"], measures, PER_PERIOD)
                amersfoort = next(g for g in regions if g["zip_region_name"].startswith("38"))
                self.assertIsNone(amersfoort["student_count"], "Amersfoort has pupils in two school years")
                # One school year: its own figures.
                one = [*mine, ("season_id", "=", self.season_2324.id)]
                (total,) = self._groups(user, "mph.insight.population", one, [], ["student_count"], PER_PERIOD)
                self.assertIn(total["student_count"], (5, 10) if user == self.user_director else (6,))
        # Outside the dashboards the figure is still the sum of the cells.
        (total,) = self._groups(self.user_coordinator, "mph.insight.population", mine, [], ["student_count"])
        self.assertEqual(total["student_count"], 6 + 12)
        for xmlid in ("action", "action_region", "action_trend"):
            action = self.env.ref(f"mph_school.mph_insight_population_{xmlid}")
            self.assertIn("'mph_insight_per_period': True", action.context)

    # ------------------------------------------------------------
    # Artistic manager: waiting list and capacity
    # ------------------------------------------------------------

    def _waited(self, day):
        """Those on the bassoon's waiting list at the end of ``day``, and
        their average days waited, from the enrolments."""
        enrollments = self.env["mph.enrollment"].search(
            [("lesson_type_id", "=", self.bassoon.id), ("state", "!=", "cancelled")]
        )
        waiting = enrollments.filtered(
            lambda e: e.date_requested <= day
            and not ((e.date_trial or e.date_start) and (e.date_trial or e.date_start) <= day)
        )
        return len(waiting), round(sum((day - e.date_requested).days for e in waiting) / len(waiting), 1)

    def test_waiting_list_figures(self):
        february = [("lesson_type_id", "=", self.bassoon.id), ("month", "=", "2024-02-01")]
        march = [("lesson_type_id", "=", self.bassoon.id), ("month", "=", "2024-03-01")]
        measures = ["waiting_count", "waiting_age_avg", "waiting_days_avg"]
        exact = {}
        for name, domain in (("february", february), ("march", march)):
            (exact[name],) = self._groups(self.user_coordinator, "mph.insight.demand", domain, [], measures)
        self.assertEqual(
            (exact["february"]["waiting_count"], exact["february"]["waiting_age_avg"]), self._waited(date(2024, 2, 29))
        )
        self.assertEqual(
            (exact["march"]["waiting_count"], exact["march"]["waiting_age_avg"]), self._waited(date(2024, 3, 31))
        )
        self.assertEqual((exact["march"]["waiting_count"], exact["march"]["waiting_age_avg"]), (5, 43.4))
        # Placed in March after 65 days: the wait until placed.
        self.assertEqual(exact["march"]["waiting_days_avg"], 65.0)
        (shown,) = self._groups(self.user_artistic, "mph.insight.demand", march, [], measures)
        # Five waiting: shown, and their average with them, not 0.
        self.assertEqual((shown["waiting_count"], shown["waiting_age_avg"]), (5, 43.4))
        self.assertIs(shown["waiting_days_avg"], False, "one placed pupil: suppressed, not 0")
        (shown,) = self._groups(self.user_artistic, "mph.insight.demand", february, [], measures)
        self.assertIs(shown["waiting_age_avg"], False, "four waiting: suppressed, not 0")

    def test_waiting_list_does_not_add_up_months(self):
        """Waiting at the end of February and at the end of March are mostly
        the same people: their sum means nothing; new requests do add up."""
        spring = [("lesson_type_id", "=", self.bassoon.id), ("month", "in", ("2024-02-01", "2024-03-01"))]
        measures = ["waiting_count", "waiting_age_avg", "requested_count"]
        for user in (self.user_coordinator, self.user_artistic):
            with self.subTest(user=user.login):
                (both,) = self._groups(user, "mph.insight.demand", spring, [], measures, PER_PERIOD)
                self.assertEqual((both["waiting_count"], both["waiting_age_avg"]), (None, None))
                months = self._groups(user, "mph.insight.demand", spring, ["month:month"], measures, PER_PERIOD)
                february, march = (g["waiting_count"] for g in months)
                self.assertIn(february, (False, 5) if user == self.user_artistic else (4,))
                self.assertEqual(march, 5)
        (both,) = self._groups(self.user_coordinator, "mph.insight.demand", spring, [], measures, PER_PERIOD)
        self.assertEqual(both["requested_count"], 3 + 2, "requests of February and March")
        for xmlid in ("action", "action_trend"):
            action = self.env.ref(f"mph_school.mph_insight_demand_{xmlid}")
            self.assertIn("'mph_insight_per_period': True", action.context)

    def test_waiting_list_graph_per_lesson_type(self):
        action = self.env.ref("mph_school.mph_insight_demand_action")
        self.assertIn("'graph_groupbys': ['lesson_type_id']", action.context)
        self.assertIn("'graph_mode': 'bar'", action.context)
        groups = self._groups(
            self.user_artistic,
            "mph.insight.demand",
            [("month", "=", "2024-03-01"), ("lesson_type_id", "in", (self.bassoon | self.band).ids)],
            ["lesson_type_id"],
            ["waiting_count"],
        )
        self.assertEqual({g["lesson_type_id"][0]: g["waiting_count"] for g in groups}[self.bassoon.id], 5)

    def test_capacity_free_places_and_teachers(self):
        mine = [("lesson_type_id", "in", (self.bassoon | self.band).ids)]
        measures = ["capacity", "free_places", "seats_taken", "teacher_count"]
        running = self.env["mph.enrollment"].search_count(
            [("lesson_type_id", "=", self.bassoon.id), ("state", "in", ("trial", "active"))]
        )
        teachers = self.env["mph.teacher"].search([("lesson_type_ids", "in", (self.bassoon | self.band).ids)])
        (exact,) = self._groups(self.user_coordinator, "mph.insight.capacity", mine, [], measures)
        self.assertEqual(exact["free_places"], self.bassoon.capacity - running)
        self.assertEqual(exact["free_places"], 6, "10 places, 4 taken; the band has no limit")
        self.assertEqual(exact["teacher_count"], len(teachers))
        self.assertEqual(exact["teacher_count"], 3, "three teachers, not one per lesson type")
        per_type = self._groups(self.user_coordinator, "mph.insight.capacity", mine, ["lesson_type_id"], measures)
        self.assertEqual(
            {g["lesson_type_id"][0]: g["teacher_count"] for g in per_type}, {self.bassoon.id: 2, self.band.id: 3}
        )
        for user in (self.user_artistic, self.user_director):
            with self.subTest(user=user.login):
                (shown,) = self._groups(user, "mph.insight.capacity", mine, [], measures)
                self.assertEqual(shown["teacher_count"], 3)
                # Free places from the rounded count of those in lessons.
                self.assertEqual(shown["free_places"], 10 - (shown["seats_taken"] or 0))
                self.assertIn(shown["free_places"], (5, 10))
        graph = self.env["mph.insight.capacity"].get_views([(False, "graph")])["views"]["graph"]["arch"]
        self.assertIn('name="free_places" type="measure"', graph)
