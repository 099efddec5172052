from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, drop_view_if_exists

MIN_COUNT_PARAM = "mph_school.insight_min_count"
DEFAULT_MIN_COUNT = 5


class MphInsightMixin(models.AbstractModel):
    """Aggregated reports for the roles that may never see a person.

    The report models are SQL views without personal columns. For users who
    are not coordinators the server itself (not only the view) guarantees:

    - rows are never read one by one (no read, search_read, export,
      name_search, pivot drill-down): only totals through ``_read_group``;
    - grouping, filtering and ordering only on the declared dimensions, and
      only the declared measures with their own aggregate;
    - every count of pupils between 1 and the threshold (a setting, default
      5) comes back as ``False`` (shown as "< 5"), and so do the averages and
      maxima computed from such a small group.
    """

    _name = "mph.insight.mixin"
    _description = "Aggregated report"

    # Fields a group, filter or order may use.
    _insight_dimensions = ()
    # Counts of pupils: suppressed when below the threshold.
    _insight_counts = ()
    # Measures derived from counts: {measure: (numerator, denominator, factor)}
    # computed as numerator / denominator * factor over the whole group.
    _insight_ratios = {}
    # Other measures that would reveal a small group: {measure: guarding count}.
    _insight_guarded = {}
    # Measures that count no pupils (places, teachers): never suppressed.
    _insight_open_measures = ()
    # A materialized view is refreshed by a cron, a plain view is always current.
    _insight_materialized = False

    # ------------------------------------------------------------
    # The view
    # ------------------------------------------------------------

    def _insight_query(self):
        """The SELECT of the view; one column per field, and ``id``."""
        raise NotImplementedError()

    def init(self):
        if self._abstract:
            return
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
        value = self.env["ir.config_parameter"].sudo().get_param(MIN_COUNT_PARAM, DEFAULT_MIN_COUNT)
        try:
            return max(int(value), 1)
        except (TypeError, ValueError):
            return DEFAULT_MIN_COUNT

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

    def _insight_check_domain(self, domain):
        for leaf in domain or ():
            if isinstance(leaf, list | tuple) and len(leaf) == 3:
                if isinstance(leaf[0], str) and not self._insight_check_path(leaf[0]):
                    raise self._insight_denied(self.env._("filtering on '%s' is not possible.", leaf[0]))
                if leaf[1] in ("any", "not any", "inselect", "not inselect"):
                    raise self._insight_denied(self.env._("this kind of filter is not possible."))

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
        ):
            allowed.add(f"{name}:{self._fields[name].aggregator}")
        return allowed

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
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
        # The counts that decide whether a derived measure may be shown.
        guards = {}
        for spec in aggregates:
            name = spec.split(":")[0]
            if name in self._insight_ratios:
                guards[spec] = [g for g in self._insight_ratios[name][:2] if g in self._insight_counts]
            elif name in self._insight_guarded:
                guards[spec] = [self._insight_guarded[name]]
        guard_specs = [f"{g}:sum" for g in dict.fromkeys(g for gs in guards.values() for g in gs)]
        query_specs = aggregates + [spec for spec in guard_specs if spec not in aggregates]
        rows = self._insight_read_group_exact(domain, groupby, query_specs, (), offset, limit, order)
        threshold = self._insight_min_count()

        def small(value):
            return bool(value) and value < threshold

        width = len(groupby)
        result = []
        for row in rows:
            values = dict(zip(query_specs, row[width:], strict=True))
            out = list(row[:width])
            for spec in aggregates:
                value = values[spec]
                if spec.split(":")[0] in self._insight_counts and small(value):
                    value = False
                elif any(small(values[f"{g}:sum"]) for g in guards.get(spec, ())):
                    value = False
                out.append(value)
            result.append(tuple(out))
        return result

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
