import { patch } from "@web/core/utils/patch";
import { GraphModel } from "@web/views/graph/graph_model";

/**
 * A figure the server keeps back comes as `false` (a group smaller than the
 * threshold, see mph.insight.mixin) or `null` (a sum that has no meaning, such
 * as pupils added up over several school years). Chart.js would draw both as
 * 0; as `null` the chart leaves a gap, so a suppressed month is not a dip.
 * Odoo's own reports never return `false` for a measure.
 */
patch(GraphModel.prototype, {
    async _loadDataPoints(metaData) {
        const dataPoints = await super._loadDataPoints(...arguments);
        for (const dataPoint of dataPoints) {
            if (dataPoint.value === false) {
                dataPoint.value = null;
            }
        }
        return dataPoints;
    },
});
