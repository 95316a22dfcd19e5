// The dashboard pages: one Chart.js chart per section, drawn from the figures the page embeds
// with json_script ("dashboard-data"); each chart has a table with the same figures under it.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var COLOURS = ["#005eb8", "#007f3b", "#ffb81c", "#d5281b", "#ae2573", "#330072", "#00a499", "#425563"];

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  // "2026-10" -> "October 2026": the figures carry ISO months, people read month names.
  function human(label) {
    var match = /^(\d{4})-(\d{2})$/.exec(String(label));
    return match ? MONTHS[parseInt(match[2], 10) - 1] + " " + match[1] : label;
  }

  function draw(id, labels, datasets, stacked, type) {
    labels = labels.map(human);
    var canvas = document.getElementById(id);
    if (!canvas || !labels.length) {
      if (canvas) {
        canvas.hidden = true;
      }
      return;
    }
    datasets.forEach(function (set, index) {
      set.backgroundColor = COLOURS[index % COLOURS.length];
      set.borderColor = COLOURS[index % COLOURS.length];
    });
    new window.Chart(canvas, {
      type: type || "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        scales: {
          x: { stacked: !!stacked },
          y: { stacked: !!stacked, beginAtZero: type !== "line" }
        }
      }
    });
  }

  function column(rows, key) {
    return rows.map(function (row) { return row[key]; });
  }

  var faculty = data.faculty || [];
  draw("chart-faculty", column(faculty, "region_name").map(function (name) { return name || "No region"; }), [
    { label: "Accredited", data: column(faculty, "accredited") },
    { label: "Suspended", data: column(faculty, "suspended") },
    { label: "Lapsed", data: column(faculty, "lapsed") },
    { label: "Revoked", data: column(faculty, "revoked") },
    { label: "Expiring soon", data: column(faculty, "expiring_soon") }
  ], false);

  var labs = data.labs || [];
  draw("chart-labs", column(labs, "month"), [
    { label: "Seats offered", data: column(labs, "seats_offered") },
    { label: "Booked", data: column(labs, "booked") },
    { label: "Attended", data: column(labs, "attended") },
    { label: "Joined waitlist", data: column(labs, "waitlist_demand") }
  ], false);

  var trainees = data.trainees || [];
  draw("chart-trainees", column(trainees, "pathway_title"), [
    { label: "0-25 %", data: column(trainees, "band_0_25") },
    { label: "25-50 %", data: column(trainees, "band_25_50") },
    { label: "50-75 %", data: column(trainees, "band_50_75") },
    { label: "75-99 %", data: column(trainees, "band_75_99") },
    { label: "Complete", data: column(trainees, "complete") }
  ], true);

  // Cases: months on the x axis, one stacked series of validated cases per platform.
  var cases = data.cases || [];
  var months = [];
  var platforms = [];
  cases.forEach(function (row) {
    if (months.indexOf(row.month) < 0) { months.push(row.month); }
    if (platforms.indexOf(row.platform) < 0) { platforms.push(row.platform); }
  });
  draw("chart-cases", months, platforms.map(function (platform) {
    var labelled = cases.filter(function (row) { return row.platform === platform; })[0];
    return {
      label: labelled.platform_label || platform,
      data: months.map(function (month) {
        var found = cases.filter(function (row) { return row.month === month && row.platform === platform; })[0];
        return found ? found.validated : 0;
      })
    };
  }), true);

  var need = data.capacity || [];
  draw("chart-capacity", need.map(function (row) { return row.region_name + " – " + (row.kind_label || row.kind); }), [
    { label: "Need", data: column(need, "need") },
    { label: "Free seats", data: column(need, "seats_free") },
    { label: "Shortfall", data: column(need, "shortfall") }
  ], false);

  // One line per region over the months, from rows of (region, month, value).
  function byRegion(rows, key) {
    var months = [];
    var regions = [];
    rows.forEach(function (row) {
      if (months.indexOf(row.month) < 0) { months.push(row.month); }
      if (regions.indexOf(row.region_name) < 0) { regions.push(row.region_name); }
    });
    months.sort();
    return {
      months: months,
      sets: regions.map(function (region) {
        return {
          label: region,
          spanGaps: true,
          data: months.map(function (month) {
            var found = rows.filter(function (row) { return row.month === month && row.region_name === region; })[0];
            return found ? found[key] : null;
          })
        };
      })
    };
  }

  var overlogging = byRegion(data.overlogging || [], "disagreement_rate");
  draw("chart-overlogging", overlogging.months, overlogging.sets, false, "line");
  var calibration = byRegion(data.calibration || [], "mean_gap");
  draw("chart-calibration", calibration.months, calibration.sets, false, "line");
}());
