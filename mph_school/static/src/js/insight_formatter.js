import { registry } from "@web/core/registry";
import { session } from "@web/session";
import { formatFloat, formatInteger } from "@web/views/fields/formatters";

/**
 * The server returns `false` for the figures of a group too small to show
 * (see mph.insight.mixin); the reports display a count as "< N". An
 * average, a maximum, a total of days or a rate of such a group is not a
 * number below N (it would read as "fewer than 5 days"): shown as a dash,
 * like `null`, a total that would add up school years.
 */
function isCount(field) {
    return field.type !== "float" && !/_(max|total)$/.test(field.name || "");
}

export function formatInsight(value, field = {}) {
    if (value === null || (value === false && !isCount(field))) {
        // No figure that means anything here.
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
