/*
 * Officine charts: draws every <canvas data-chart-source="ID"> with Chart.js, reading its figures from the
 * <script type="application/json" id="ID"> written by Django's json_script filter. No inline script, so the
 * Content-Security-Policy stays strict. The canvas carries role="img" and an aria-label, and the page shows a
 * data table with the same figures beside it: the chart is a visual aid, never the only source.
 *
 * Expected data: {"type": "bar" | "doughnut", "label": "Members", "labels": [...], "values": [...]}
 */
(function () {
  "use strict";

  var PALETTE = ["#0066cc", "#00805a", "#a66300", "#7a2ea3", "#5c6f82", "#cc334d"];

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function draw(canvas) {
    var data = readData(canvas.getAttribute("data-chart-source"));
    if (!data || !Array.isArray(data.labels) || !Array.isArray(data.values)) {
      return;
    }
    var type = data.type === "doughnut" ? "doughnut" : "bar";
    var colours = data.labels.map(function (_, i) {
      return PALETTE[i % PALETTE.length];
    });
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            backgroundColor: colours,
            borderColor: type === "bar" ? colours : "#ffffff",
            borderWidth: 1,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion() ? false : { duration: 400 },
        indexAxis: type === "bar" ? "y" : undefined,
        plugins: {
          legend: { display: type !== "bar" },
          tooltip: { enabled: true },
        },
        scales:
          type === "bar"
            ? {
                x: { beginAtZero: true, ticks: { precision: 0 } },
                y: { ticks: { autoSkip: false } },
              }
            : undefined,
      },
    });
  }

  function init() {
    if (typeof window.Chart === "undefined") {
      return; // Chart.js missing: the data table beside each chart still carries the figures.
    }
    // Same typeface as the page (Titillium Web), so the chart reads as part of it.
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#1a1a1a";
    var canvases = document.querySelectorAll("canvas[data-chart-source]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
