// Assessment pages: small enhancements only; every page works without this file.
(function () {
  "use strict";

  // Heatmap: show only students who are not yet meeting some competency.
  var toggle = document.getElementById("only-not-yet");
  if (toggle) {
    toggle.addEventListener("change", function () {
      document.querySelectorAll("#heatmap tbody tr").forEach(function (row) {
        var behind = row.querySelector("td.cell:not(.mastered)") !== null;
        row.classList.toggle("hidden", toggle.checked && !behind);
      });
    });
  }

  // Rubric scoring: highlight the chosen level of each criterion.
  document.querySelectorAll(".rubric-form input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll('input[name="' + radio.name + '"]').forEach(function (other) {
        other.closest("td").classList.toggle("selected", other.checked);
      });
    });
  });
})();
