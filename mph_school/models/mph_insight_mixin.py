from collections import Counter
from datetime import date

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL, drop_view_if_exists

MIN_COUNT_PARAM = "mph_school.insight_min_count"
# At 2 the rounding base would be 2: a cell shown as 2 and left out of an
# average (fewer than 2) would be exactly 1.
LOWEST_BASE = 3
NEGATIONS = ("!=", "<>", "not in", "not ilike", "not like", "not any", "not =like", "not =ilike")
# The cell key gives 8 slices of 4 hex digits: at most 8 counts per report.
MAX_COUNTS = 8


class MphInsightMixin(models.AbstractModel):
    """Aggregated reports for the roles that may never see a person.

    The report models are SQL views without personal columns. For users who
    are not coordinators the server itself (not only the view) guarantees:

    - rows are never read one by one (no read, search_read, export,
      name_search, pivot drill-down): only totals through ``_read_group``;
    - grouping and ordering only on the declared dimensions, filtering only
      on them with "equal to", "one of", a name search or a date range (no
      negation), and only the declared measures with their own aggregate;
    - no figure survives subtraction: each cell (a row of the view, the
      finest group) has its counts rounded to a multiple of the threshold
      (a setting, default 5) by a fixed random draw of its own, and every
      published count is the sum of those rounded cells. Any difference of
      published counts is again a sum of rounded cells, a multiple of the
      threshold: never a count from 1 to 4. A sum of 0 comes back as
      ``False`` (shown as "< 5"). Averages and maxima only use cells of at
      least the threshold, so a smaller cell leaves no trace in them.
    """

    _name = "mph.insight.mixin"
    _description = "Aggregated report"

    # Fields a group, filter or order may use.
    _insight_dimensions = ()
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
    # Figures of a moment (pupils of a school year, waiting at the end of a
    # month) do not add up over time: with ``mph_insight_per_period`` in the
    # context (the dashboards' actions) a group that spans several periods
    # shows them as None ("-"), not as their sum. (field, groupby of one period)
    _insight_period = None
    _insight_stock = ()
    # True when the view only has rows where somebody is counted: a group then
    # only shows when its rounded figures are not all 0.
    _insight_sparse = False
    # A materialized view is refreshed by a cron, a plain view is always current.
    _insight_materialized = False

    # ------------------------------------------------------------
    # The view
    # ------------------------------------------------------------

    def _insight_query(self):
        """The SELECT of the view; one column per field, ``id`` and
        ``cell_draw`` (see ``_insight_cell_key``)."""
        raise NotImplementedError()

    def _insight_cell_key(self, natural_key):
        """SQL: the random but fixed draws of a cell, 8 numbers from 0 to
        65535 (one per count), from a hash of the database secret and the
        cell's dimensions (never its figures), so that asking again, or after
        a refresh, gives the same rounding. Kept as a column so that a
        dashboard call does not hash every row again."""
        slices = ", ".join(f"('x' || substr(h, {1 + 4 * i}, 4))::bit(16)::integer" for i in range(MAX_COUNTS))
        secret = "(SELECT value FROM ir_config_parameter WHERE key = 'database.secret')"
        return f"(SELECT ARRAY[{slices}] FROM md5(coalesce({secret}, '') || '|{self._name}|' || {natural_key}) AS h)"

    def init(self):
        if self._abstract:
            return
        # One draw of the cell key per count (see _insight_rounded).
        assert len(self._insight_counts) <= MAX_COUNTS, f"{self._name}: at most {MAX_COUNTS} counts"
        cr = self.env.cr
        drop_view_if_exists(cr, self._table)
        table = SQL.identifier(self._table)
        if self._insight_materialized:
            cr.execute(SQL("CREATE MATERIALIZED VIEW %s AS (%s)", table, SQL(self._insight_query())))
            cr.execute(SQL("CREATE UNIQUE INDEX %s ON %s (id)", SQL.identifier(f"{self._table}_id_idx"), table))
        else:
            cr.execute(SQL("CREATE VIEW %s AS (%s)", table, SQL(self._insight_query())))

    @api.model
    def _insight_refresh(self):
        """Recompute a materialized report; readers keep the old figures meanwhile."""
        if self._insight_materialized:
            self.env.flush_all()
            self.env.cr.execute(SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY %s", SQL.identifier(self._table)))
            self.invalidate_model()

    @api.model
    def _cron_refresh_insight(self):
        for model in self.env.values():
            if isinstance(model, MphInsightMixin) and model._insight_materialized and not model._abstract:
                model.sudo()._insight_refresh()

    # ------------------------------------------------------------
    # Who sees exact figures
    # ------------------------------------------------------------

    @api.model
    def _insight_unrestricted(self):
        """The coordinator reads the underlying records anyway."""
        return self.env.su or self.env.user.has_group("mph_school.group_coordinator")

    @api.model
    def _insight_min_count(self):
        return max(self.env["mph.settings"]._get(MIN_COUNT_PARAM), LOWEST_BASE)

    def _insight_denied(self, detail):
        return AccessError(
            self.env._(
                "The report '%(report)s' only shows totals of groups of pupils: %(detail)s",
                report=self._description,
                detail=detail,
            )
        )

    # ------------------------------------------------------------
    # Guards on every path
    # ------------------------------------------------------------

    def _insight_check_path(self, path):
        """A dimension, or a plain attribute of a season or lesson type."""
        parts = path.split(".")
        field = self._fields.get(parts[0])
        if parts[0] not in self._insight_dimensions or not field:
            return False
        if len(parts) == 1:
            return True
        if len(parts) > 2 or field.comodel_name not in ("mph.season", "mph.lesson.type"):
            return False
        subfield = self.env[field.comodel_name]._fields.get(parts[1])
        return bool(subfield) and not subfield.relational and subfield.store and not subfield.groups

    def _insight_leaf_field(self, path):
        parts = path.split(".")
        field = self._fields[parts[0]]
        if len(parts) == 2:
            field = self.env[field.comodel_name]._fields[parts[1]]
        return field

    def _insight_check_domain(self, domain):
        """Only filters that select whole cells by their own values: equality,
        one of several values, a name search on a lesson type or school year,
        and date ranges. No negation: 'all but X' next to 'all' is the classic
        way to isolate a small group."""
        for leaf in domain or ():
            if isinstance(leaf, str):
                if leaf in ("&", "|"):
                    continue
                raise self._insight_denied(self.env._("a filter with 'not' or 'is not' is not possible."))
            if not isinstance(leaf, list | tuple) or len(leaf) != 3:
                raise self._insight_denied(self.env._("this kind of filter is not possible."))
            if tuple(leaf) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                continue
            path, operator, value = leaf
            if not isinstance(path, str) or not self._insight_check_path(path):
                raise self._insight_denied(self.env._("filtering on '%s' is not possible.", path))
            operator = operator.lower() if isinstance(operator, str) else operator
            field = self._insight_leaf_field(path)
            values = value if isinstance(value, list | tuple) else [value]
            plain = all(v is False or isinstance(v, str | int | float | date) for v in values)
            if operator in ("=", "in") and plain:
                continue
            if operator == "ilike" and isinstance(value, str) and field.type in ("many2one", "char"):
                continue
            if operator in ("<", "<=", ">", ">=") and field.type in ("date", "datetime") and plain:
                continue
            if operator in NEGATIONS:
                raise self._insight_denied(self.env._("a filter with 'not' or 'is not' is not possible."))
            raise self._insight_denied(
                self.env._("the filter '%s' is not possible: use 'is equal to' or 'is in'.", operator)
            )

    @api.model
    def search_count(self, domain, limit=None):
        # The number of rows of a report tells which cells hold anybody.
        if not self._insight_unrestricted():
            raise self._insight_denied(self.env._("counting rows is not possible."))
        return super().search_count(domain, limit=limit)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self._insight_unrestricted():
            self._insight_check_domain(domain)
            if order:
                self._insight_check_order(order)
        elif not self._insight_materialized:
            self.env.flush_all()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _insight_check_order(self, order, allowed=()):
        for term in order.split(","):
            name = term.strip().split(" ")[0] if term.strip() else ""
            if name and name not in allowed and not self._insight_check_path(name.split(":")[0]):
                raise self._insight_denied(self.env._("ordering on '%s' is not possible.", name))

    def _fetch_query(self, query, fields):
        if not self._insight_unrestricted():
            raise self._insight_denied(self.env._("single rows cannot be read or exported."))
        return super()._fetch_query(query, fields)

    def _insight_allowed_aggregates(self):
        allowed = {"__count"}
        for name in (
            *self._insight_counts,
            *self._insight_ratios,
            *self._insight_guarded,
            *self._insight_open_measures,
            *self._insight_remaining,
        ):
            allowed.add(f"{name}:{self._fields[name].aggregator}")
        return allowed

    @api.model
    def _insight_chronological(self, order):
        """School years oldest first, as a trend reads: Odoo orders a group
        by its own fields unless told otherwise, and a school year by its
        model's order, which lists the newest first."""
        if not order or "season_id" not in self._insight_dimensions:
            return order
        newest_first = self.env["mph.season"]._order.lower().split(",")[0].strip().endswith("desc")
        terms = [
            ("season_id desc" if newest_first else "season_id asc") if term.strip() == "season_id" else term
            for term in order.split(",")
        ]
        return ",".join(terms)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        order = self._insight_chronological(order)
        rows = self._insight_read_group(domain, groupby, aggregates, having, offset, limit, order)
        return self._insight_per_period(rows, domain, groupby, aggregates)

    def _insight_per_period(self, rows, domain, groupby, aggregates):
        if not (self._insight_period and rows and self.env.context.get("mph_insight_per_period")):
            return rows
        field, one_period = self._insight_period
        for spec in groupby:
            name, _sep, interval = spec.partition(":")
            if name == field and interval not in ("quarter", "year"):
                return rows  # every group is one period
        blank = {len(groupby) + i for i, spec in enumerate(aggregates) if spec.split(":")[0] in self._insight_stock}
        if not blank:
            return rows
        # Which periods each group has figures in, asked like any question
        # (the same guards and rounding).
        per_period = self._insight_read_group(domain, [*groupby, one_period], ["__count"], (), 0, None, None)
        spans = Counter(tuple(row[: len(groupby)]) for row in per_period)
        return [
            tuple(None if i in blank else value for i, value in enumerate(row))
            if spans[tuple(row[: len(groupby)])] > 1
            else row
            for row in rows
        ]

    def _insight_read_group(self, domain, groupby, aggregates, having, offset, limit, order):
        if self._insight_unrestricted():
            if not self._insight_materialized:
                self.env.flush_all()
            return self._insight_read_group_exact(domain, groupby, aggregates, having, offset, limit, order)
        groupby, aggregates = list(groupby), list(aggregates)
        for spec in groupby:
            if not self._insight_check_path(spec.split(":")[0]):
                raise self._insight_denied(self.env._("grouping by '%s' is not possible.", spec))
        unknown = [spec for spec in aggregates if spec not in self._insight_allowed_aggregates()]
        if unknown:
            raise self._insight_denied(self.env._("the measure '%s' is not available.", unknown[0]))
        if having:
            raise self._insight_denied(self.env._("conditions on totals are not possible."))
        if order:
            self._insight_check_order(order, allowed=set(groupby))
        self._insight_check_domain(domain)
        return self._insight_read_group_protected(domain, groupby, aggregates, offset, limit, order)

    # ------------------------------------------------------------
    # Protected figures: rounded cells, added up
    # ------------------------------------------------------------

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

    def _insight_read_group_exact(self, domain, groupby, aggregates, having, offset, limit, order):
        """Exact figures; ratios are computed over the whole group, not as
        an average of rows."""
        aggregates = list(aggregates)
        ratio_specs = {
            spec: self._insight_ratios[spec.split(":")[0]]
            for spec in aggregates
            if spec.split(":")[0] in self._insight_ratios
        }
        if not ratio_specs:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        extra = []
        for numerator, denominator, _factor in ratio_specs.values():
            extra += [f"{numerator}:sum", f"{denominator}:sum"]
        real = [spec for spec in aggregates if spec not in ratio_specs]
        all_specs = real + [spec for spec in dict.fromkeys(extra) if spec not in real]
        rows = super()._read_group(domain, groupby, all_specs, having, offset, limit, order)
        width = len(groupby)
        result = []
        for row in rows:
            values = dict(zip(all_specs, row[width:], strict=True))
            out = list(row[:width])
            for spec in aggregates:
                if spec in ratio_specs:
                    numerator, denominator, factor = ratio_specs[spec]
                    den = values[f"{denominator}:sum"] or 0
                    out.append(round((values[f"{numerator}:sum"] or 0) / den * factor, 1) if den else 0.0)
                else:
                    out.append(values[spec])
            result.append(tuple(out))
        return result
