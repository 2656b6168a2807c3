/* fieldops: small progressive enhancements. Every form also works without this file. */
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function localNow() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  /* Tell the server the browser's time zone: hidden `tz` fields read datetime-local inputs,
     the `tz` cookie picks the zone pages show times in. */
  function shareTimeZone() {
    var tz = "";
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
    if (!tz) { return; }
    document.querySelectorAll("input[data-browser-tz]").forEach(function (input) {
      input.value = tz;
    });
    document.querySelectorAll("[data-tz-label]").forEach(function (el) {
      el.textContent = " (" + tz + ")";
    });
    /* IANA names are cookie-safe as they are; anything else is not a zone the server knows. */
    if (/^[A-Za-z0-9_+\-\/]+$/.test(tz) && document.cookie.indexOf("tz=" + tz) === -1) {
      document.cookie = "tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax";
    }
  }

  /* A fresh form defaults "fault started" to now, in the browser's own clock and zone. */
  function defaultToNow() {
    document.querySelectorAll("input[type=datetime-local][data-default-now]").forEach(
      function (input) { input.value = localNow(); }
    );
  }

  /* Offer only the circuits of the chosen service. */
  function filterCircuits(serviceSelect) {
    var target = document.getElementById(serviceSelect.dataset.circuitFilter);
    if (!target) { return; }
    var chosen = serviceSelect.value;
    target.querySelectorAll("optgroup[data-service]").forEach(function (group) {
      var match = !chosen || group.dataset.service === chosen;
      group.hidden = !match;
      group.disabled = !match;
    });
    var selected = target.selectedOptions[0];
    if (selected && selected.parentElement.disabled) { target.value = ""; }
  }

  function init() {
    shareTimeZone();
    defaultToNow();
    document.querySelectorAll("select[data-circuit-filter]").forEach(function (select) {
      filterCircuits(select);
      select.addEventListener("change", function () { filterCircuits(select); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
