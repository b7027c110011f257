/* Attendance page: save each seat's status as soon as it is chosen and refresh the quorum box.
   Without JavaScript (or if a request fails) the "Save attendance" button posts the whole form and the page
   comes back with the quorum recomputed. The status line and the quorum box are aria-live regions. */
(function () {
  "use strict";
  var form = document.getElementById("attendance-form");
  var script = document.currentScript;
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var box = document.getElementById(form.getAttribute("data-quorum-target"));
  var status = document.getElementById("attendance-status");
  var token = form.querySelector("input[name='csrfmiddlewaretoken']");
  var savedText = script ? script.getAttribute("data-saved") : "";
  var failedText = script ? script.getAttribute("data-failed") : "";

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function refreshQuorum() {
    if (!box) {
      return;
    }
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          box.innerHTML = html;
        }
      });
  }

  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.tagName !== "SELECT" || !select.value) {
      return;
    }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token ? token.value : "");
    body.append(select.name, select.value);
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        refreshQuorum();
        if (result.ok) {
          say(savedText);
        } else {
          say((result.data.errors || []).join(" ") || failedText);
        }
      })
      .catch(function () {
        say(failedText);
      });
  });
})();
