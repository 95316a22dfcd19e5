// The learning-curve page: the choices submit themselves, and the chart is drawn from the
// figures the page embeds with json_script (the table under the chart has the same ones).
// Console time (points, left axis) and its CUSUM (line, right axis) by case number; the
// CUSUM peak, the end of the learning phase, is marked by a dashed vertical line drawn by
// the small plugin below (no third-party plugin).
(function () {
  "use strict";

  var choices = document.querySelector("form[data-autosubmit]");
  if (choices) {
    var button = choices.querySelector("[data-autosubmit-button]");
    if (button) {
      button.hidden = true;
    }
    choices.addEventListener("change", function (event) {
      if (event.target.name === "trainee") {
        var procedure = choices.elements.namedItem("procedure");
        if (procedure) {
          procedure.disabled = true; // another trainee: their own procedures
        }
      }
      choices.submit();
    });
  }

  var source = document.getElementById("curve-data");
  var canvas = document.getElementById("curve-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.points || !data.points.length) {
    return;
  }
  var BLUE = "#005eb8";
  var PINK = "#ae2573";
  var RED = "#d5281b";

  var learningPhaseEnd = {
    id: "learningPhaseEnd",
    afterDatasetsDraw: function (chart, args, options) {
      if (!options.caseNumber) {
        return;
      }
      var x = chart.scales.x.getPixelForValue(options.caseNumber);
      var area = chart.chartArea;
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = RED;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = RED;
      ctx.font = "bold 12px Arial, sans-serif";
      var onRight = x < (area.left + area.right) / 2;
      ctx.textAlign = onRight ? "left" : "right";
      ctx.fillText(options.label, x + (onRight ? 6 : -6), area.top + 14);
      ctx.restore();
    }
  };

  var last = data.points[data.points.length - 1].n;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  new window.Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        {
          label: "Console minutes",
          data: data.points.map(function (p) { return { x: p.n, y: p.console_minutes }; }),
          yAxisID: "y",
          borderColor: BLUE,
          backgroundColor: BLUE,
          borderWidth: 1,
          pointRadius: 3,
          showLine: true
        },
        {
          label: "CUSUM (minutes)",
          data: data.points.map(function (p) { return { x: p.n, y: p.cusum }; }),
          yAxisID: "y1",
          borderColor: PINK,
          backgroundColor: PINK,
          borderWidth: 3,
          pointRadius: 0,
          tension: 0.2
        }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 400 },
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: 0.5,
          max: last + 0.5,
          title: { display: true, text: "Case number" },
          ticks: {
            precision: 0,
            callback: function (value) { return Number.isInteger(value) ? value : ""; }
          }
        },
        y: {
          position: "left",
          title: { display: true, text: "Console minutes" }
        },
        y1: {
          position: "right",
          title: { display: true, text: "CUSUM (minutes)" },
          grid: { drawOnChartArea: false }
        }
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            title: function (items) { return items.length ? "Case " + items[0].parsed.x : ""; }
          }
        },
        learningPhaseEnd: {
          caseNumber: data.learning_phase_end,
          label: data.learning_phase_end ? "End of learning phase: case " + data.learning_phase_end : ""
        }
      }
    },
    plugins: [learningPhaseEnd]
  });
})();
