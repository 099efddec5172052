"""English keys for the ensemble types (18.0.1.4.0): 'orkest' becomes 'orchestra' and
'koor' becomes 'choir'. The labels (Orchestra, Choir, in Dutch Orkest, Koor) stay.

Rewritten before the upgrade loads the new selection: the lesson types, the selection
values of the three fields that have them (kept with their ids, external ids and
translations), saved filters and defaults that name a key, and the materialized demand
report, which holds a copy of the lesson types' keys (the capacity report is a plain view).
"""

RENAMED = {"orkest": "orchestra", "koor": "choir"}
MODELS = ("mph.lesson.type", "mph.insight.demand", "mph.insight.capacity")


def migrate(cr, version):
    for old, new in RENAMED.items():
        cr.execute("UPDATE mph_lesson_type SET ensemble_type = %s WHERE ensemble_type = %s", [new, old])
        cr.execute(
            """
            UPDATE ir_model_fields_selection s SET value = %s
              FROM ir_model_fields f
             WHERE f.id = s.field_id AND f.model IN %s AND f.name = 'ensemble_type' AND s.value = %s
            """,
            [new, MODELS, old],
        )
        for model in MODELS:
            prefix = f"selection__{model.replace('.', '_')}__ensemble_type__"
            cr.execute(
                """
                UPDATE ir_model_data SET name = %s
                 WHERE module = 'mph_school' AND model = 'ir.model.fields.selection' AND name = %s
                """,
                [prefix + new, prefix + old],
            )
        cr.execute(
            """
            UPDATE ir_default d SET json_value = %s
              FROM ir_model_fields f
             WHERE f.id = d.field_id AND f.model IN %s AND f.name = 'ensemble_type' AND d.json_value = %s
            """,
            [f'"{new}"', MODELS, f'"{old}"'],
        )
        for quote in ("'", '"'):
            cr.execute(
                """
                UPDATE ir_filters SET domain = replace(domain, %(old)s, %(new)s),
                                      context = replace(context, %(old)s, %(new)s)
                 WHERE domain LIKE '%%ensemble_type%%' OR context LIKE '%%ensemble_type%%'
                """,
                {"old": f"{quote}{old}{quote}", "new": f"{quote}{new}{quote}"},
            )
    cr.execute("SELECT 1 FROM pg_matviews WHERE matviewname = 'mph_insight_demand'")
    if cr.fetchone():
        cr.execute("REFRESH MATERIALIZED VIEW mph_insight_demand")
