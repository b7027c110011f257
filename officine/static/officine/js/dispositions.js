/* Disposition forms: choosing an answer template fills in the disposition and the reason, which stay editable.
   Without JavaScript the "Apply the template" button does the same on the server (single form) and the bulk form
   uses the template when the reason is left empty, so this script only saves a round trip. */
(function () {
  "use strict";
  var data = document.getElementById("disposition-templates");
  if (!data) {
    return;
  }
  var templates = JSON.parse(data.textContent);
  document.querySelectorAll("select[name='template']").forEach(function (select) {
    var form = select.form;
    select.addEventListener("change", function () {
      var chosen = templates[select.value];
      if (!chosen || !form) {
        return;
      }
      var reason = form.querySelector("textarea[name='reason']");
      if (reason) {
        reason.value = chosen.reason;
        reason.dispatchEvent(new Event("input", { bubbles: true }));
        var label = form.querySelector("label[for='" + reason.id + "']");
        if (label) {
          label.classList.add("active");
        }
      }
      form.querySelectorAll("input[name='outcome']").forEach(function (radio) {
        radio.checked = radio.value === chosen.outcome;
      });
      var status = form.querySelector("[data-template-status]");
      if (status) {
        status.textContent = status.getAttribute("data-template-status");
      }
    });
  });
})();
