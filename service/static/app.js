// Every page: the collapsing top bar, and keyboard access to boxes that scroll.
// Pages work without it (the bar then stays open).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // A table that scrolls sideways must be reachable by keyboard (the labelled boxes of
    // the templates already are; tables that scroll only on a phone become so when they do).
    function reachable() {
      document.querySelectorAll("main table").forEach(function (box) {
        if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
        }
      });
    }
    reachable();
    window.addEventListener("resize", reachable);
  });
})();
