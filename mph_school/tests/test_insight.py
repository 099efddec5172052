from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import MphCommon

MARCH = date(2024, 3, 1)
DEMAND_MEASURES = [
    "waiting_count",
    "trial_count",
    "active_count",
    "requested_count",
    "placed_count",
    "started_count",
    "stopped_count",
    "waiting_days_avg",
    "waiting_days_max",
]
POPULATION_MEASURES = [
    "student_count",
    "new_count",
    "stopped_count",
    "previous_count",
    "retained_count",
    "retention_rate",
]


@tagged("post_install", "-at_install", "mph_insight")
class TestInsight(MphCommon):
    """A known school: exact figures per cell for the coordinator, the same
    cells suppressed below the threshold for the aggregated roles, and no
    path from the reports to a single row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.harp = cls.env["mph.lesson.type"].create({"name": "Harp (insight)", "kind": "individual", "capacity": 20})
        cls.harp_teacher = cls.env["mph.teacher"].create(
            {"name": "Harpdocent", "lesson_type_ids": [(6, 0, cls.harp.ids)]}
        )
        cls.season_2324 = cls.env["mph.season"]._for_date(date(2023, 9, 1))
        cls.season_2425 = cls.env["mph.season"]._for_date(date(2024, 9, 1))

        # Population, postcode region 99. 2023-2024 and 2024-2025:
        # six children (born 2014, area 9991) in both years; three adults
        # (born 1980, area 9991) only in 2023-2024; five teenagers (born 2008,
        # area 9992) new in 2024-2025.
        cls.children = cls._pupils("Kind", 6, "2014-05-05", "9991 AA")
        cls.adults = cls._pupils("Volwassene", 3, "1980-05-05", "9991 AB")
        cls.teens = cls._pupils("Tiener", 5, "2008-05-05", "9992 AC")
        piano = cls.piano.copy({"name": "Piano 2 (insight)", "capacity": 0})
        cls.harp_teacher.lesson_type_ids |= piano
        for pupil in cls.children:
            cls._enrol(pupil, piano, "active", date_requested="2023-08-01", date_start="2023-09-01")
        for pupil in cls.adults:
            cls._enrol(
                pupil, piano, "stopped", date_requested="2023-08-01", date_start="2023-09-01", date_end="2024-06-30"
            )
        for pupil in cls.teens:
            cls._enrol(pupil, piano, "trial", date_requested="2024-08-15", date_trial="2024-09-02")

        # Demand for the harp, pupils in postcode region 98 (not in the
        # population figures above).
        early = cls._pupils("Vroeg", 3, "1990-01-01", "9801 AA")  # requested 10 Jan, started 5 Mar: 55 days
        later = cls._pupils("Later", 3, "1990-01-01", "9801 AA")  # requested 5 Feb, started 5 Mar: 29 days
        waiting = cls._pupils("Wachtend", 2, "1990-01-01", "9801 AA")  # requested 1 Feb, still waiting
        trial = cls._pupils("Proef", 5, "1990-01-01", "9801 AA")  # requested 1 Feb, trial 10 Mar: 38 days
        for pupil in early:
            cls._enrol(pupil, cls.harp, "active", date_requested="2024-01-10", date_start="2024-03-05")
        for pupil in later[:2]:
            cls._enrol(pupil, cls.harp, "active", date_requested="2024-02-05", date_start="2024-03-05")
        cls._enrol(
            later[2], cls.harp, "stopped", date_requested="2024-02-05", date_start="2024-03-05", date_end="2024-06-30"
        )
        for pupil in waiting:
            cls._enrol(pupil, cls.harp, "waiting", date_requested="2024-02-01")
        for pupil in trial:
            cls._enrol(pupil, cls.harp, "trial", date_requested="2024-02-01", date_trial="2024-03-10")
        # A cancelled request leaves no trace in the figures.
        cls._enrol(
            cls._pupils("Afgezegd", 1, "1990-01-01", "9801 AA"), cls.harp, "cancelled", date_requested="2024-02-01"
        )

        cls.env["mph.insight.demand"]._cron_refresh_insight()

    @classmethod
    def _pupils(cls, name, count, birthdate, zip_code):
        return cls.env["mph.student"].create(
            [
                {
                    "name": f"{name} {i}",
                    "birthdate": birthdate,
                    "zip": zip_code,
                    "country_id": cls.nl.id,
                    "guardian_id": cls.guardian.id,
                }
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
                    "teacher_id": cls.harp_teacher.id,
                    "state": state,
                    **vals,
                }
                for pupil in pupils
            ]
        )

    def assertRounded(self, shown, truth, base=5):
        """A count as the aggregated roles see it: the true count rounded to
        a multiple of the base next to it, and 0 shown as '< base' (False)."""
        lower = truth // base * base
        allowed = {lower, lower + base} if truth % base else {lower}
        self.assertIn(shown or 0, allowed, f"{truth} rounded to a multiple of {base}")
        if not shown:
            self.assertIs(shown, False, "no count is shown as 0")

    def _cells(self, user, model, domain, groupby, measures):
        groups = self.env[model].with_user(user).read_group(domain, measures, [groupby], lazy=False)
        return {
            (group[groupby][0] if isinstance(group[groupby], tuple) else group[groupby]): {
                m: group[m] for m in measures
            }
            for group in groups
        }

    # ------------------------------------------------------------
    # Exact figures
    # ------------------------------------------------------------

    def test_demand_figures_exact_for_coordinator(self):
        cells = self._cells(
            self.user_coordinator,
            "mph.insight.demand",
            [("lesson_type_id", "=", self.harp.id), ("season_id", "=", self.season_2324.id)],
            "month:month",
            DEMAND_MEASURES,
        )
        self.assertEqual(len(cells), 12, "one row per month of the school year")
        self.assertEqual(
            cells["March 2024"],
            {
                "waiting_count": 2,
                "trial_count": 5,
                "active_count": 6,
                "requested_count": 0,
                "placed_count": 11,
                "started_count": 6,
                "stopped_count": 0,
                "waiting_days_avg": 40.2,  # (3 x 55 + 3 x 29 + 5 x 38) / 11
                "waiting_days_max": 55,
            },
        )
        january, february, june = cells["January 2024"], cells["February 2024"], cells["June 2024"]
        self.assertEqual((january["requested_count"], january["waiting_count"]), (3, 3))
        self.assertEqual((february["requested_count"], february["waiting_count"]), (10, 13))
        self.assertEqual((june["stopped_count"], june["active_count"], june["trial_count"]), (1, 5, 5))
        self.assertEqual(cells["August 2023"]["waiting_count"], 0)

    def test_demand_suppressed_for_artistic(self):
        # Every count rounded to a multiple of 5 (0 shown as '< 5'); the
        # average and maximum of a cell of 11 placements are exact.
        month = [("lesson_type_id", "=", self.harp.id), ("month", "=", MARCH)]
        truth = {
            "waiting_count": 2,
            "trial_count": 5,
            "active_count": 6,
            "requested_count": 0,
            "placed_count": 11,
            "started_count": 6,
            "stopped_count": 0,
        }
        seen = {}
        for user in (self.user_artistic, self.user_director):
            cells = self._cells(user, "mph.insight.demand", month, "lesson_type_id", DEMAND_MEASURES)
            harp = cells[self.harp.id]
            for measure, count in truth.items():
                self.assertRounded(harp[measure], count)
            self.assertEqual((harp["waiting_days_avg"], harp["waiting_days_max"]), (40.2, 55))
            seen[user] = harp
        self.assertEqual(seen[self.user_artistic], seen[self.user_director], "the same cell, the same figures")
        self.assertEqual(seen[self.user_artistic]["trial_count"], 5)
        june = self._cells(
            self.user_artistic,
            "mph.insight.demand",
            [("lesson_type_id", "=", self.harp.id), ("month", "=", date(2024, 6, 1))],
            "lesson_type_id",
            ["stopped_count", "active_count", "placed_count", "waiting_days_avg", "waiting_days_max"],
        )[self.harp.id]
        self.assertRounded(june["stopped_count"], 1)
        self.assertEqual(june["active_count"], 5)
        # Nobody left the waiting list in June: no average, no maximum.
        self.assertEqual((june["waiting_days_avg"], june["waiting_days_max"]), (False, False))
        january = self._cells(
            self.user_artistic,
            "mph.insight.demand",
            [("lesson_type_id", "=", self.harp.id), ("month", "=", date(2024, 1, 1))],
            "lesson_type_id",
            ["requested_count", "waiting_days_total"],
        )[self.harp.id]
        self.assertRounded(january["requested_count"], 3)
        self.assertIs(january["waiting_days_total"], False)

    def test_derived_measures_follow_their_group(self):
        """An average or maximum over fewer than five pupils is suppressed too."""
        self.env["ir.config_parameter"].sudo().set_param("mph_school.insight_min_count", 12)
        cells = self._cells(
            self.user_artistic,
            "mph.insight.demand",
            [("lesson_type_id", "=", self.harp.id), ("month", "=", MARCH)],
            "lesson_type_id",
            ["placed_count", "waiting_days_avg", "waiting_days_max", "waiting_days_total"],
        )
        harp = cells[self.harp.id]
        self.assertEqual((harp["waiting_days_avg"], harp["waiting_days_max"], harp["waiting_days_total"]), (False,) * 3)
        self.assertRounded(harp["placed_count"], 11, base=12)

    def test_threshold_is_a_setting(self):
        domain = [("lesson_type_id", "=", self.harp.id), ("month", "=", date(2024, 1, 1))]
        self.assertRounded(
            self._cells(self.user_artistic, "mph.insight.demand", domain, "lesson_type_id", ["requested_count"])[
                self.harp.id
            ]["requested_count"],
            3,
        )
        settings = self.env["res.config.settings"].create({"mph_insight_min_count": 3})
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].get_param("mph_school.insight_min_count"), "3")
        cells = self._cells(self.user_artistic, "mph.insight.demand", domain, "lesson_type_id", ["requested_count"])
        self.assertEqual(cells[self.harp.id]["requested_count"], 3, "a multiple of the new base: shown as it is")
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"mph_insight_min_count": 1})
        self.assertEqual(self.env["ir.config_parameter"].get_param("mph_school.insight_min_count"), "3")

    def test_capacity_against_demand(self):
        domain = [("lesson_type_id", "=", self.harp.id)]
        measures = ["capacity", "teacher_count", "seats_taken", "waiting_count", "demand_count"]
        exact = self._cells(self.user_coordinator, "mph.insight.capacity", domain, "lesson_type_id", measures)
        self.assertEqual(
            exact[self.harp.id],
            {"capacity": 20, "teacher_count": 1, "seats_taken": 10, "waiting_count": 2, "demand_count": 12},
        )
        shown = self._cells(self.user_artistic, "mph.insight.capacity", domain, "lesson_type_id", measures)[
            self.harp.id
        ]
        self.assertEqual(
            (shown["capacity"], shown["teacher_count"], shown["seats_taken"]), (20, 1, 10), "places are not pupils"
        )
        self.assertRounded(shown["waiting_count"], 2)
        self.assertEqual(shown["demand_count"], 10 + (shown["waiting_count"] or 0), "demand = in lessons + waiting")

    def test_population_figures(self):
        region = [("zip_region", "=", "99"), ("season_id", "=", self.season_2425.id)]
        exact = self._cells(self.user_coordinator, "mph.insight.population", region, "age_bracket", POPULATION_MEASURES)
        self.assertEqual(
            exact,
            {
                "0-11": dict(
                    student_count=6,
                    new_count=0,
                    stopped_count=0,
                    previous_count=6,
                    retained_count=6,
                    retention_rate=100.0,
                ),
                "16-17": dict(
                    student_count=5,
                    new_count=5,
                    stopped_count=0,
                    previous_count=0,
                    retained_count=0,
                    retention_rate=0.0,
                ),
                "26-64": dict(
                    student_count=0,
                    new_count=0,
                    stopped_count=3,
                    previous_count=3,
                    retained_count=0,
                    retention_rate=0.0,
                ),
            },
        )
        # The rounding of a cell is a random draw fixed by the database
        # secret: the figures must hold whatever the draw, so check them for
        # several secrets (each one a different, repeatable set of draws).
        params = self.env["ir.config_parameter"].sudo()
        for secret in ("mph-a", "mph-b", "mph-c", "mph-d", "mph-e", "mph-f"):
            with self.subTest(secret=secret):
                params.set_param("database.secret", secret)
                self.env["mph.insight.population"]._insight_refresh()
                self._check_population_shown(region, exact)

    def _check_population_shown(self, region, exact):
        basis = ("new_count", "retained_count", "stopped_count")
        shown = self._cells(self.user_director, "mph.insight.population", region, "age_bracket", POPULATION_MEASURES)
        # A group whose rounded figures are all 0 is left out, like an empty
        # one: possible only where every true count is below the base.
        self.assertLessEqual(set(shown), set(exact))
        for bracket in set(exact) - set(shown):
            self.assertTrue(all(exact[bracket][m] < 5 for m in basis), f"{bracket} left out")
        for bracket, figures in shown.items():
            # Each age bracket is one cell here (one postcode area): new,
            # stayed and stopped are rounded; the others are their sums.
            for measure in basis:
                with self.subTest(bracket=bracket, measure=measure):
                    self.assertRounded(figures[measure], exact[bracket][measure])
            self.assertEqual(
                figures["student_count"] or 0, (figures["new_count"] or 0) + (figures["retained_count"] or 0)
            )
            self.assertEqual(
                figures["previous_count"] or 0, (figures["retained_count"] or 0) + (figures["stopped_count"] or 0)
            )
        # The teenagers' cell holds exactly 5 new pupils: a multiple of the
        # base is never moved.
        self.assertEqual(shown["16-17"]["student_count"], 5)
        areas = self._cells(self.user_director, "mph.insight.population", region, "zip_area", POPULATION_MEASURES)
        for measure in POPULATION_MEASURES[:-1]:
            # Area 9991 holds the children and the adults: its figures are the sums.
            self.assertEqual(
                areas.get("9991", {}).get(measure) or 0,
                sum((shown.get(bracket, {}).get(measure) or 0) for bracket in ("0-11", "26-64")),
            )
        if "9991" in areas:
            previous, retained = areas["9991"]["previous_count"], areas["9991"]["retained_count"]
            self.assertEqual(
                areas["9991"]["retention_rate"], round(100 * (retained or 0) / previous, 1) if previous else False
            )
        self.assertEqual(areas["9992"]["student_count"], 5)
        earlier = self._cells(
            self.user_director,
            "mph.insight.population",
            [("zip_region", "=", "99"), ("season_id", "=", self.season_2324.id)],
            "age_bracket",
            ["student_count"],
        )
        # 2023-2024: six children and three adults, rounded per cell.
        self.assertLessEqual(set(earlier), {"0-11", "26-64"})
        self.assertRounded(earlier["0-11"]["student_count"], 6)
        self.assertRounded((earlier.get("26-64") or {}).get("student_count") or False, 3)

    def test_archived_and_anonymised_pupils_still_count(self):
        region = [("zip_region", "=", "99")]

        def figures():
            return self._cells(
                self.user_coordinator, "mph.insight.population", region, "season_id", POPULATION_MEASURES
            ), self._cells(
                self.user_coordinator,
                "mph.insight.population",
                region + [("season_id", "=", self.season_2425.id)],
                "zip_area",
                ["student_count"],
            )

        before = figures()
        self.assertEqual(before[1], {"9991": {"student_count": 6}, "9992": {"student_count": 5}})
        gone = self.children[:3] | self.adults[:2]
        gone.write({"active": False})
        gone[:3].write({"state": "anonymised", "name": "Geanonimiseerd", "birthdate": False, "zip": False})
        self.assertEqual(gone[0].birth_year, 2014)
        self.assertEqual(gone[0].zip_area, "9991")
        self.env["mph.insight.demand"]._cron_refresh_insight()
        self.assertEqual(figures(), before)

    # ------------------------------------------------------------
    # No path to a row
    # ------------------------------------------------------------

    def test_no_row_for_aggregated_roles(self):
        # Even with the right to export, a report exports no rows.
        (self.user_artistic | self.user_director).groups_id |= self.env.ref("base.group_allow_export")
        for user in (self.user_artistic, self.user_director):
            for model in ("mph.insight.demand", "mph.insight.capacity"):
                report = self.env[model].with_user(user)
                row_ids = self.env[model].search([], limit=3).ids
                self.assertTrue(row_ids)
                rows = report.browse(row_ids)
                attempts = {
                    "search_read": lambda r=report: r.search_read([], ["lesson_type_id"]),
                    "web_search_read": lambda r=report: r.web_search_read([], {"lesson_type_id": {}}),
                    "read": lambda r=rows: r.read(["lesson_type_id", "waiting_count"]),
                    "web_read": lambda r=rows: r.web_read({"waiting_count": {}}),
                    "export_data": lambda r=rows: r.export_data(["lesson_type_id", "waiting_count"]),
                    "name_search": lambda r=report: r.name_search(""),
                    "group by id": lambda r=report: r.read_group([], ["waiting_count"], ["id"]),
                    "array_agg": lambda r=report: r.read_group([], ["ids:array_agg(id)"], ["lesson_type_id"]),
                    "recordset": lambda r=report: r._read_group([], ["lesson_type_id"], ["id:recordset"]),
                    "min": lambda r=report: r.read_group([], ["waiting_count:min"], ["lesson_type_id"]),
                    "filter on a measure": lambda r=report: r.read_group(
                        [("waiting_count", "=", 1)], ["waiting_count"], ["lesson_type_id"]
                    ),
                    "filter through a relation": lambda r=report: r.read_group(
                        [("lesson_type_id.enrollment_ids.student_id.name", "=", "Vroeg 0")],
                        ["waiting_count"],
                        ["lesson_type_id"],
                    ),
                    "having": lambda r=report: r._read_group(
                        [], ["lesson_type_id"], ["waiting_count:sum"], having=[("waiting_count:sum", "=", 2)]
                    ),
                    "order by a measure": lambda r=report: r.read_group(
                        [], ["waiting_count"], ["lesson_type_id"], orderby="waiting_count desc"
                    ),
                }
                for name, attempt in attempts.items():
                    with self.subTest(user=user.login, model=model, path=name), self.assertRaises(AccessError):
                        attempt()

    def test_population_is_for_the_director(self):
        with self.assertRaises(AccessError):
            self.env["mph.insight.population"].with_user(self.user_artistic).read_group([], ["student_count"], [])
        for user in (self.user_finance, self.user_teacher, self.user_employee):
            for model in ("mph.insight.demand", "mph.insight.capacity", "mph.insight.population"):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).read_group([], ["__count"], [])
        with self.assertRaises(AccessError):
            self.env["mph.insight.population"].with_user(self.user_director).search_read([], ["zip_area"])
        groups = (
            self.env["mph.insight.population"]
            .with_user(self.user_director)
            .web_read_group([("zip_region", "=", "99")], ["student_count:sum"], ["season_id"])
        )
        self.assertTrue(groups["length"] >= 2)

    def test_insight_menu_per_role(self):
        menus = self.env["ir.ui.menu"]
        root = self.env.ref("mph_school.menu_mph_insight_root")
        demand = self.env.ref("mph_school.menu_mph_insight_waiting")
        population = self.env.ref("mph_school.menu_mph_insight_age")
        expected = {
            self.user_coordinator: (True, True, True),
            self.user_director: (True, True, True),
            self.user_artistic: (True, True, False),
            self.user_finance: (False, False, False),
            self.user_employee: (False, False, False),
        }
        for user, visible in expected.items():
            menu_ids = menus.with_user(user)._visible_menu_ids()
            with self.subTest(user=user.login):
                self.assertEqual((root.id in menu_ids, demand.id in menu_ids, population.id in menu_ids), visible)

    def test_dashboards_in_dutch(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        env = self.env(user=self.user_director, context={"lang": "nl_NL"})
        self.assertEqual(env.ref("mph_school.menu_mph_insight_root").name, "Inzicht")
        labels = env["mph.insight.demand"].fields_get(["waiting_count", "lesson_type_id"])
        self.assertEqual(labels["lesson_type_id"]["string"], "Lessoort")
        self.assertIn("Wacht", labels["waiting_count"]["string"])
        with self.assertRaisesRegex(AccessError, "alleen totalen"):
            env["mph.insight.population"].search_read([], ["zip_area"])


@tagged("post_install", "-at_install", "mph_insight")
class TestInsightDashboard(MphCommon, HttpCase):
    """The dashboard in a real browser, as the artistic manager, in Dutch."""

    def test_waiting_list_dashboard(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        self.user_artistic.lang = "nl_NL"
        harp = self.env["mph.lesson.type"].create({"name": "Harp (insight)", "kind": "individual"})
        teacher = self.env["mph.teacher"].create({"name": "Harpdocent", "lesson_type_ids": [(6, 0, harp.ids)]})
        pupils = self.env["mph.student"].create(
            [{"name": f"Harpleerling {i}", "birthdate": "1990-01-01"} for i in range(7)]
        )
        self.env["mph.enrollment"].create(
            [
                {
                    "student_id": pupil.id,
                    "lesson_type_id": harp.id,
                    "teacher_id": teacher.id,
                    "state": "active" if i < 5 else "waiting",
                    "date_requested": "2024-01-10",
                    "date_start": "2024-03-05" if i < 5 else False,
                }
                for i, pupil in enumerate(pupils)
            ]
        )
        self.env["mph.insight.demand"]._cron_refresh_insight()
        self.start_tour("/odoo/action-mph_school.mph_insight_demand_action", "mph_insight_tour", login="mph_artistic")
