import { registry } from "@web/core/registry";

// The artistic manager opens the waiting-list dashboard: Dutch labels, a
// figure too small to show (the harp's waiting list of 2 rounds to "< 5" or
// 5; its average wait this month, with nobody placed, is a dash, not "< 5"
// days), its
// five active pupils as 5, and no drill-down from a cell; the graph of the
// same figures, where a suppressed one is a gap (null), not a bar of 0.
registry.category("web_tour.tours").add("mph_insight_tour", {
    steps: () => [
        {
            content: "The pivot shows the measures in Dutch",
            trigger: ".o_pivot th:contains('Wachtend (einde maand)')",
        },
        {
            content: "An average of the harp too small to show: a dash",
            trigger: ".o_pivot tr:has(th:contains('Harp (insight)')) td:contains('–')",
        },
        {
            content: "Its five active pupils are shown",
            trigger: ".o_pivot tr:has(th:contains('Harp (insight)')) td .o_value:contains('5'):not(:contains('<'))",
        },
        {
            content: "A cell opens no list of rows",
            trigger: ".o_pivot tr:has(th:contains('Harp (insight)')) td:contains('–')",
            run: "click",
        },
        {
            content: "Still on the pivot, no list view",
            trigger: "body:not(:has(.o_list_view)) .o_pivot",
        },
        {
            content: "Switch to the graph",
            trigger: "button.o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph draws the same suppressed figures without an error",
            trigger: "body:not(:has(.o_error_dialog)) .o_graph_renderer canvas",
        },
        {
            content: "A suppressed figure is a gap in the graph, never drawn as 0",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(document.querySelector(".o_graph_renderer canvas"));
                const values = chart.data.datasets.flatMap((dataset) => dataset.data);
                if (!values.includes(null) || values.includes(false) || values.includes(0)) {
                    throw new Error(`suppressed figures drawn as numbers: ${JSON.stringify(values)}`);
                }
            },
        },
    ],
});
