"""Differencing: the aggregated roles try to recover a small count by
subtracting published figures from each other.

The attacker (the director) asks every report for every filter on one or two
dimensions (equality, one of two values, and the negations, which are
refused now), with every grouping on zero, one or two dimensions. Each
answered figure is an equation: the sum of the true counts of the cells it
covers equals the published number. Gaussian elimination over all those
equations then finds every group whose count follows from them (total minus
parts, 'all but X', pairs of overlapping queries, any linear combination).
No group of 1 to 4 pupils may come out with its true count.
"""

from datetime import date
from fractions import Fraction
from itertools import combinations

from odoo.exceptions import AccessError
from odoo.models import BaseModel
from odoo.tests import tagged

from .common import MphCommon

POPULATION = ("student_count", "new_count", "stopped_count", "previous_count", "retained_count")
DEMAND = ("waiting_count", "requested_count", "placed_count", "active_count", "trial_count")
CAPACITY = ("seats_taken", "waiting_count", "demand_count")


def matches(cell, domain):
    """The cells a domain of '=', '!=', 'in', 'not in' and '!' selects, as
    Odoo reads it (a negation includes the cells without a value)."""
    negate = False
    for leaf in domain:
        if leaf == "!":
            negate = True
            continue
        name, operator, value = leaf
        actual = cell[name]
        if operator in ("in", "not in"):
            hit = (actual in value) == (operator == "in")
        else:
            hit = (actual == value) == (operator == "=")
        if hit == negate:
            return False
        negate = False
    return True


def key(value):
    """A group value as a filter takes it: the id of a record."""
    return value.id if isinstance(value, BaseModel) else value


def spec(dim):
    return "month:day" if dim == "month" else dim


class Equations:
    """Row-reduced published figures: which sums of cells they determine."""

    def __init__(self, size):
        self.size = size
        self.rows = {}  # pivot column -> (coefficients, value)
        self.consistent = True

    def _reduce(self, coefficients, value):
        coefficients = list(coefficients)
        for pivot, (row, row_value) in self.rows.items():
            factor = coefficients[pivot]
            if factor:
                coefficients = [a - factor * b for a, b in zip(coefficients, row, strict=True)]
                value -= factor * row_value
        return coefficients, value

    def add(self, cells, value):
        coefficients, value = self._reduce([Fraction(int(i in cells)) for i in range(self.size)], Fraction(value))
        pivot = next((i for i, a in enumerate(coefficients) if a), None)
        if pivot is None:
            self.consistent = self.consistent and value == 0
            return
        scale = coefficients[pivot]
        coefficients = [a / scale for a in coefficients]
        value /= scale
        for other, (row, row_value) in list(self.rows.items()):
            factor = row[pivot]
            if factor:
                self.rows[other] = (
                    [a - factor * b for a, b in zip(row, coefficients, strict=True)],
                    row_value - factor * value,
                )
        self.rows[pivot] = (coefficients, value)

    def solve(self, cells):
        """The sum of ``cells`` if the equations determine it, else None."""
        coefficients, value = self._reduce([Fraction(int(i in cells)) for i in range(self.size)], Fraction(0))
        if any(coefficients):
            return None
        return -value


@tagged("post_install", "-at_install", "mph_insight")
class TestInsightDifferencing(MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.season_2324 = cls.env["mph.season"]._for_date(date(2023, 9, 1))
        cls.season_2425 = cls.env["mph.season"]._for_date(date(2024, 9, 1))
        cls.fagot = cls.env["mph.lesson.type"].create({"name": "Fagot (verschil)", "kind": "individual"})
        cls.hobo = cls.env["mph.lesson.type"].create({"name": "Hobo (verschil)", "kind": "group"})
        cls.docent = cls.env["mph.teacher"].create(
            {"name": "Rietdocent", "lesson_type_ids": [(6, 0, (cls.fagot | cls.hobo).ids)]}
        )
        # Population, postcode region 97: cells of 1 to 4 next to larger ones.
        both = {"date_requested": "2023-08-01", "date_start": "2023-09-01"}
        first = dict(both, date_end="2024-06-30")
        second = {"date_requested": "2024-08-01", "date_start": "2024-09-02"}
        groups = [
            ("Een", 1, "2014-05-05", "9701 AA", cls.fagot, "active", both),
            ("Drie", 3, "2008-05-05", "9702 AA", cls.fagot, "stopped", first),
            ("Zes", 6, "2014-05-05", "9703 AA", cls.hobo, "active", both),
            ("Twee", 2, "1980-05-05", "9703 AB", cls.fagot, "active", second),
            ("Vier", 4, "2008-05-05", "9703 AC", cls.hobo, "active", both),
            ("Zeven", 7, "1990-05-05", "9704 AA", cls.hobo, "active", both),
        ]
        for name, count, birthdate, zip_code, lesson_type, state, dates in groups:
            cls._enrol(cls._pupils(name, count, birthdate, zip_code), lesson_type, state, **dates)
        # Waiting lists of 1 to 4 in February 2024, and a larger one.
        for name, count, lesson_type in (("Wacht fagot", 2, cls.fagot), ("Wacht hobo", 6, cls.hobo)):
            cls._enrol(
                cls._pupils(name, count, "1995-01-01", "9801 AA"), lesson_type, "waiting", date_requested="2024-02-01"
            )
        cls._enrol(
            cls._pupils("Proef", 3, "1995-01-01", "9801 AA"),
            cls.fagot,
            "trial",
            date_requested="2024-01-10",
            date_trial="2024-03-01",
        )
        cls.env["mph.insight.demand"]._cron_refresh_insight()
        cls.base = cls.env["mph.insight.mixin"]._insight_min_count()

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
        cls.env["mph.enrollment"].create(
            [
                {
                    "student_id": pupil.id,
                    "lesson_type_id": lesson_type.id,
                    "teacher_id": cls.docent.id,
                    "state": state,
                    **vals,
                }
                for pupil in pupils
            ]
        )

    # ------------------------------------------------------------
    # The attack
    # ------------------------------------------------------------

    def _cells(self, model, cell_dims, dims, measures, base_domain):
        """The true cells, read as the coordinator: their dimensions and counts."""
        report = self.env[model].with_user(self.user_coordinator)
        rows = report._read_group(base_domain, [spec(d) for d in cell_dims], [f"{m}:sum" for m in measures])
        cells = []
        for row in rows:
            cell = {dim: key(value) for dim, value in zip(cell_dims, row, strict=False)}
            cell.update({m: value or 0 for m, value in zip(measures, row[len(cell_dims) :], strict=True)})
            cells.append(cell)
        # Dimensions that follow from the cell (kind of a lesson type, region of an area).
        for dim in dims:
            if dim in cell_dims:
                continue
            for cell in cells:
                domain = base_domain + [(d, "=", cell[d]) for d in cell_dims]
                ((value,),) = report._read_group(domain, [spec(dim)])
                cell[dim] = key(value)
        return cells

    def _domains(self, cells, dims):
        values = {dim: sorted({cell[dim] for cell in cells}, key=str) for dim in dims}
        domains = [[]]
        for dim in dims:
            for value in values[dim]:
                domains += [
                    [(dim, "=", value)],
                    [(dim, "!=", value)],
                    [(dim, "not in", [value])],
                    ["!", (dim, "=", value)],
                ]
            domains += [[(dim, "in", list(pair))] for pair in combinations(values[dim], 2)]
        for dim_a, dim_b in combinations(dims, 2):
            for value_a in values[dim_a]:
                for value_b in values[dim_b]:
                    domains += [
                        [(dim_a, "=", value_a), (dim_b, "=", value_b)],
                        [(dim_a, "=", value_a), (dim_b, "!=", value_b)],
                    ]
        return domains

    def _attack(self, model, cell_dims, dims, measures, base_domain=()):
        base_domain = list(base_domain)
        cells = self._cells(model, cell_dims, dims, measures, base_domain)
        self.assertTrue(any(0 < cell[m] < self.base for cell in cells for m in measures), "small cells to protect")
        report = self.env[model].with_user(self.user_director)
        observations = []  # (measure, cell indexes, published)
        refused = asked = 0
        for domain in self._domains(cells, dims):
            groupbys = [[]] + [[dim] for dim in dims]
            if len(domain) < 2:
                groupbys += [list(pair) for pair in combinations(dims, 2)]
            for groupby in groupbys:
                asked += 1
                try:
                    rows = report._read_group(
                        base_domain + domain, [spec(d) for d in groupby], [f"{m}:sum" for m in measures]
                    )
                except AccessError:
                    refused += 1
                    continue
                for row in rows:
                    chosen = frozenset(
                        i
                        for i, cell in enumerate(cells)
                        if matches(cell, domain)
                        and all(cell[dim] == key(value) for dim, value in zip(groupby, row, strict=False))
                    )
                    for measure, value in zip(measures, row[len(groupby) :], strict=True):
                        observations.append((measure, chosen, value))
        recovered = []
        for measure in measures:
            equations = Equations(len(cells))
            published = {}
            for m, chosen, value in observations:
                if m == measure and value is not False:
                    equations.add(chosen, value)
                    published.setdefault(chosen, value)
            # Whatever the attacker can add up: every cell and every group asked for.
            targets = {frozenset([i]) for i in range(len(cells))} | {
                chosen for m, chosen, _v in observations if m == measure
            }
            for target in targets:
                truth = sum(cells[i][measure] for i in target)
                if not 0 < truth < self.base:
                    continue
                if published.get(target) == truth or equations.solve(target) == truth:
                    recovered.append((measure, sorted(tuple(sorted(cells[i].items())) for i in target), truth))
        return recovered, asked, refused, observations, cells

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_population_survives_subtraction(self):
        region = [("zip_region", "=", "97")]
        recovered, asked, refused, _obs, _cells = self._attack(
            "mph.insight.population",
            ("season_id", "age_bracket", "zip_area"),
            ("season_id", "age_bracket", "zip_area"),
            POPULATION,
            region,
        )
        self.assertGreater(asked - refused, 100, "the attacker got many answers")
        self.assertEqual(recovered, [], f"{len(recovered)} small counts recovered, e.g. {recovered[:3]}")

    def test_demand_survives_subtraction(self):
        months = [("season_id", "=", self.season_2324.id), ("lesson_type_id", "in", (self.fagot | self.hobo).ids)]
        recovered, asked, refused, _obs, _cells = self._attack(
            "mph.insight.demand",
            ("lesson_type_id", "month"),
            ("lesson_type_id", "month", "kind"),
            DEMAND,
            months,
        )
        self.assertGreater(asked - refused, 100)
        self.assertEqual(recovered, [], f"{len(recovered)} small counts recovered, e.g. {recovered[:3]}")

    def test_capacity_survives_subtraction(self):
        mine = [("lesson_type_id", "in", (self.fagot | self.hobo | self.piano | self.koor).ids)]
        recovered, asked, refused, _obs, _cells = self._attack(
            "mph.insight.capacity", ("lesson_type_id",), ("lesson_type_id", "kind"), CAPACITY, mine
        )
        self.assertGreater(asked - refused, 10)
        self.assertEqual(recovered, [], f"{len(recovered)} small counts recovered, e.g. {recovered[:3]}")

    def test_published_figures_add_up(self):
        """Why subtraction gives nothing: every published count is the sum of
        the published counts of its cells, each a multiple of the base, and a
        cell of 1 to 4 is published as 5 or as '< 5', like an empty one."""
        _rec, _asked, _refused, observations, cells = self._attack(
            "mph.insight.population",
            ("season_id", "age_bracket", "zip_area"),
            ("season_id", "age_bracket", "zip_area"),
            POPULATION,
            [("zip_region", "=", "97")],
        )
        # A cell whose rounded figures are all 0 is not listed at all.
        single = {(measure, i): 0 for measure in POPULATION for i in range(len(cells))}
        for measure, chosen, value in observations:
            if len(chosen) == 1:
                single[measure, next(iter(chosen))] = value or 0
        for measure, chosen, value in observations:
            with self.subTest(measure=measure, cells=sorted(chosen)):
                self.assertEqual(value or 0, sum(single[measure, i] for i in chosen))
                self.assertEqual((value or 0) % self.base, 0)
        for i, cell in enumerate(cells):
            for measure in POPULATION:
                truth = cell[measure]
                shown = single[measure, i]
                self.assertIn(shown, {truth // self.base * self.base, -(-truth // self.base) * self.base})

    def test_small_groups_leave_averages_alone(self):
        """A month with 1 to 4 pupils off the waiting list changes no average
        or maximum it is part of: those only count months of 5 or more."""
        report = self.env["mph.insight.demand"].with_user(self.user_director)
        exact = self.env["mph.insight.demand"].with_user(self.user_coordinator)
        months = [("season_id", "=", self.season_2324.id), ("lesson_type_id", "=", self.fagot.id)]
        cells = exact.read_group(months, ["placed_count"], ["month:month"], lazy=False)
        self.assertTrue(any(0 < c["placed_count"] < self.base for c in cells), "the trial lessons of March: 3")
        shown = report.read_group(months, ["waiting_days_avg", "waiting_days_max", "placed_count"], [], lazy=False)[0]
        self.assertEqual((shown["waiting_days_avg"], shown["waiting_days_max"]), (False, False))
        # The hobo's 17 pupils of September waited 31 days each; adding the
        # bassoon's small months (4 in September, 3 in March after 51 days)
        # changes nothing for the director, and does for the coordinator.
        season = [("season_id", "=", self.season_2324.id)]
        measures = ["waiting_days_avg", "waiting_days_max"]
        hobo = [("lesson_type_id", "in", self.hobo.ids)]
        both = [("lesson_type_id", "in", (self.hobo | self.fagot).ids)]
        only_hobo = report.read_group(season + hobo, measures, [], lazy=False)[0]
        with_fagot = report.read_group(season + both, measures, [], lazy=False)[0]
        self.assertEqual((only_hobo["waiting_days_avg"], only_hobo["waiting_days_max"]), (31.0, 31))
        self.assertEqual(
            (with_fagot["waiting_days_avg"], with_fagot["waiting_days_max"]),
            (only_hobo["waiting_days_avg"], only_hobo["waiting_days_max"]),
        )
        true = exact.read_group(season + both, measures, [], lazy=False)[0]
        self.assertEqual(true["waiting_days_max"], 51)

    def test_negation_refused_in_dutch(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["mph_school"], ["nl_NL"], overwrite=True)
        report = self.env["mph.insight.population"].with_user(self.user_director).with_context(lang="nl_NL")
        for domain in (
            [("zip_area", "!=", "9701")],
            [("zip_area", "not in", ["9701"])],
            ["!", ("zip_area", "=", "9701")],
            [("zip_area", "not ilike", "97")],
        ):
            with self.subTest(domain=domain), self.assertRaisesRegex(AccessError, "alleen totalen.*niet"):
                report.read_group(domain, ["student_count"], ["season_id"])
        for domain in ([("zip_area", "=like", "97%")], [("student_count", ">", 0)], [("zip_area", "child_of", "97")]):
            with self.subTest(domain=domain), self.assertRaises(AccessError):
                report.read_group(domain, ["student_count"], ["season_id"])
        with self.assertRaises(AccessError):
            report.search_count([("zip_area", "=", "9701")])
        # What the dashboards use still works.
        allowed = report.read_group(
            [("zip_area", "in", ["9701", "9703"]), ("season_id.date_start", "<=", "2024-09-01")],
            ["student_count"],
            ["season_id"],
        )
        self.assertTrue(allowed)
