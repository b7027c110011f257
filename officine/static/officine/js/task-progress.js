/* Pages with a background task (grouping of contributions, OpenCoesione imports): while the task runs, ask
   the server for its progress every 2 seconds and move the bar. The box is the element with
   data-progress-url; its status sentence is the element named by data-status-id (an aria-live region, so
   screen readers announce it; it is only rewritten when it changes, so they are not flooded) and an optional
   [data-role='detail'] line (rows, speed, time left). Without JavaScript the page offers a "Refresh this page"
   link instead. When the task finishes (or fails) the page reloads to show the result. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[role='progressbar']");
  var percentText = box.querySelector("[data-role='percent']");
  var status = document.getElementById(box.getAttribute("data-status-id"));
  var detail = box.querySelector("[data-role='detail']");
  var INTERVAL = 2000;
  var failures = 0;

  function widthClass(percent) {
    var step = Math.max(0, Math.min(100, Math.round(percent / 5) * 5));
    return "w-" + step;
  }

  function show(data) {
    var percent = Number(data.percent) || 0;
    if (bar) {
      bar.className = bar.className.replace(/\bw-\d+\b/g, "").trim() + " " + widthClass(percent);
      bar.setAttribute("aria-valuenow", String(percent));
    }
    if (percentText) {
      percentText.textContent = percent + "%";
    }
    if (status && data.message && status.textContent !== data.message) {
      status.textContent = data.message;
    }
    if (detail && typeof data.detail === "string") {
      detail.textContent = data.detail;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.finished) {
          window.location.assign(data.page);
          return;
        }
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, INTERVAL * failures);
        }
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
