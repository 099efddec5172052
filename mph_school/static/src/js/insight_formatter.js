import { registry } from "@web/core/registry";
import { session } from "@web/session";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";

/**
 * The server returns `false` for the figures of a group too small to show
 * (see mph.insight.mixin); the reports display it as "< N". `null` is a
 * total that would add up school years: shown as a dash.
 */
export function formatInsight(value, field = {}) {
    if (value === null) {
        // No figure that means anything: pupils added up over several school years.
        return "–";
    }
    if (value === false) {
        // "< 5" reads the same in every language.
        return `< ${session.mph_insight_min_count || 5}`;
    }
    if (field.type === "float") {
        return formatFloat(value, { digits: [16, 1] });
    }
    return formatInteger(value);
}

registry.category("formatters").add("mph_insight", formatInsight);
