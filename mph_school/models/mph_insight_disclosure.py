"""Statistical disclosure control of the aggregated reports: which figures a
report may publish to a user who may not see single pupils, and how they are
computed so that no small group can be recovered from them.

The guards in ``mph_insight_mixin.py`` decide which questions may be asked
(groupings, filters, measures); this module answers them:

- each cell (a row of the report's view, the finest group) has its counts
  rounded to a multiple of the threshold (a setting, default 5, see mph.settings) by a fixed
  random draw of its own (``_insight_cell_key``, ``_insight_rounded``);
- every published count is the sum of those rounded cells, so any difference
  of published counts is again a multiple of the threshold, never a count
  from 1 to 4 (``_insight_read_group_protected``);
- averages and maxima only use cells of at least the threshold, so a smaller
  cell leaves no trace in them (``_insight_protected_select``);
- a sum of 0 comes back as ``False``, shown as "< 5" (``_insight_publish``).
"""

from odoo import api, models
from odoo.tools import SQL

MIN_COUNT_PARAM = "mph_school.insight_min_count"
# At 2 the rounding base would be 2: a cell shown as 2 and left out of an
# average (fewer than 2) would be exactly 1.
LOWEST_BASE = 3
# The cell key gives 8 slices of 4 hex digits: at most 8 counts per report.
MAX_COUNTS = 8


class MphInsightDisclosure(models.AbstractModel):
    """The protected figures of an aggregated report (see the module's docstring).

    A report declares its measures here; ``mph.insight.mixin`` inherits this
    model and adds the view and the guards."""

    _name = "mph.insight.disclosure"
    _description = "Protected figures of a report"

    # Counts of pupils: rounded per cell, then added up.
    _insight_counts = ()
    # Measures derived from counts: {measure: (numerator, denominator, factor)}
    # computed as numerator / denominator * factor over the whole group.
    _insight_ratios = {}
    # Other measures that would reveal a small group: {measure: guarding count}.
    _insight_guarded = {}
    # Measures that count no pupils (places, teachers): never suppressed.
    _insight_open_measures = ()
    # Places left: {measure: (places, count)}, per cell places minus the
    # rounded count (at least 0), only where the places are limited.
    _insight_remaining = {}
    # Counts that are the sum of other counts of the same cell: published as
    # the sum of those rounded counts, so the published figures keep the
    # same relations as the true ones.
    _insight_derived = {}
    # True when the view only has rows where somebody is counted: a group then
    # only shows when its rounded figures are not all 0.
    _insight_sparse = False

    @api.model
    def _insight_min_count(self):
        """The rounding base: the setting (mph.settings), never below LOWEST_BASE."""
        return max(self.env["mph.settings"]._get(MIN_COUNT_PARAM), LOWEST_BASE)

    def _insight_cell_key(self, natural_key):
        """SQL: the random but fixed draws of a cell, 8 numbers from 0 to
        65535 (one per count), from a hash of the database secret and the
        cell's dimensions (never its figures), so that asking again, or after
        a refresh, gives the same rounding. Kept as a column so that a
        dashboard call does not hash every row again."""
        slices = ", ".join(f"('x' || substr(h, {1 + 4 * i}, 4))::bit(16)::integer" for i in range(MAX_COUNTS))
        secret = "(SELECT value FROM ir_config_parameter WHERE key = 'database.secret')"
        return f"(SELECT ARRAY[{slices}] FROM md5(coalesce({secret}, '') || '|{self._name}|' || {natural_key}) AS h)"

    def _insight_column(self, fname):
        return SQL("%s.%s", SQL.identifier(self._table), SQL.identifier(fname))

    def _insight_rounded(self, fname, base):
        """SQL: the count ``fname`` of one cell (one row of the view) rounded
        to a multiple of ``base``: up with probability (count mod base) /
        base, decided by the cell's own draw for this count. The same cell
        always gives the same figure, whatever the query."""
        value = self._insight_column(fname)
        draw = SQL("%s.cell_draw[%s]", SQL.identifier(self._table), 1 + self._insight_counts.index(fname))
        return SQL(
            "(%(v)s / %(b)s * %(b)s + CASE WHEN %(draw)s * %(b)s < mod(%(v)s, %(b)s) * 65536 THEN %(b)s ELSE 0 END)",
            v=value,
            b=base,
            draw=draw,
        )

    def _insight_protected_count(self, fname, base):
        """SQL: the published count of one cell, from rounded basis counts."""
        parts = self._insight_derived.get(fname, (fname,))
        return SQL("(%s)", SQL(" + ").join(self._insight_rounded(part, base) for part in parts))

    def _insight_protected_select(self, spec, base):
        name = spec.split(":")[0]
        if spec == "__count":
            if self._insight_sparse:
                return SQL("SUM(%s)", self._insight_protected_count(self._insight_counts[0], base))
            return SQL("COUNT(*)")
        if name in self._insight_counts:
            return SQL("SUM(%s)", self._insight_protected_count(name, base))
        if name in self._insight_open_measures:
            return SQL("SUM(%s)", self._insight_column(name))
        if name in self._insight_remaining:
            places, count = self._insight_remaining[name]
            places = self._insight_column(places)
            return SQL(
                "SUM(CASE WHEN %(p)s > 0 THEN GREATEST(%(p)s - %(c)s, 0) ELSE 0 END)",
                p=places,
                c=self._insight_protected_count(count, base),
            )
        if name in self._insight_guarded:
            # Only cells of at least ``base`` pupils contribute.
            guard = self._insight_column(self._insight_guarded[name])
            aggregate = SQL("MAX") if spec.endswith(":max") else SQL("SUM")
            return SQL("%s(CASE WHEN %s >= %s THEN %s END)", aggregate, guard, base, self._insight_column(name))
        numerator, denominator, factor = self._insight_ratios[name]
        if numerator in self._insight_guarded:
            guard = self._insight_column(self._insight_guarded[numerator])
            return SQL(
                "SUM(CASE WHEN %(g)s >= %(b)s THEN %(n)s END)::float * %(f)s"
                " / NULLIF(SUM(CASE WHEN %(g)s >= %(b)s THEN %(d)s END), 0)",
                g=guard,
                b=base,
                n=self._insight_column(numerator),
                d=self._insight_column(denominator),
                f=factor,
            )
        return SQL(
            "SUM(%s)::float * %s / NULLIF(SUM(%s), 0)",
            self._insight_protected_count(numerator, base),
            factor,
            self._insight_protected_count(denominator, base),
        )

    def _insight_read_group_protected(self, domain, groupby, aggregates, offset, limit, order):
        """Every figure is a sum (or a ratio of sums) of rounded cells.

        A cell is one row of the view: the finest group anybody can ask for.
        Whatever the filters and groupings, a published count is the sum of
        the rounded counts of the cells it covers, so the difference of two
        published counts is again a sum of rounded cells: a multiple of the
        base, never a count between 1 and the base. Averages and maxima only
        use cells of at least ``base`` pupils, so they say nothing about a
        smaller cell. A sum that rounds to 0 is shown as "< base", the same as
        a true 0."""
        self.browse().check_access("read")
        base = self._insight_min_count()
        query = self._search(domain)
        groupby_terms = {spec: self._read_group_groupby(spec, query) for spec in groupby}
        if groupby_terms:
            query.groupby = SQL(", ").join(groupby_terms.values())
            query.order = self._read_group_orderby(order, groupby_terms, query)
        selects = [self._insight_protected_select(spec, base) for spec in aggregates]
        # Whether a group holds anybody, judged on the rounded figures only.
        presence = SQL(
            "SUM(%s)",
            SQL(" + ").join(self._insight_rounded(name, base) for name in self._insight_basis()),
        )
        rows = self.env.execute_query(query.select(*groupby_terms.values(), *selects, presence))
        width = len(groupby)
        if self._insight_sparse and groupby:
            rows = [row for row in rows if row[-1]]
        rows = rows[offset or 0 :]
        if limit:
            rows = rows[:limit]
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))
        result = [list(self._read_group_postprocess_groupby(spec, columns[i])) for i, spec in enumerate(groupby)]
        for i, spec in enumerate(aggregates):
            result.append([self._insight_publish(spec, value) for value in columns[width + i]])
        return list(zip(*result, strict=True))

    def _insight_basis(self):
        derived = set(self._insight_derived)
        return [name for name in self._insight_counts if name not in derived]

    def _insight_publish(self, spec, value):
        name = spec.split(":")[0]
        if spec == "__count":
            return int(value or 0)
        if name in self._insight_open_measures or name in self._insight_remaining:
            return int(value or 0)
        if value is None:
            return False
        if name in self._insight_counts:
            return int(value) or False
        if name in self._insight_ratios:
            return round(value, 1)
        return int(value)
