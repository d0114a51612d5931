// The little the pages need beyond HTML: short links, the chosen region's options, print,
// and a roster's upload and progress. Every page works without it except the upload.
"use strict";
(function () {
  // A form marked data-trim leaves its empty fields out of the link (an empty fact is unknown anyway).
  document.querySelectorAll("form[data-trim]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input:not([type=checkbox]), select").forEach(function (field) {
        if (field.value === "" && !field.disabled) {
          field.disabled = true;
          field.setAttribute("data-trimmed", "");
        }
      });
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-trimmed]").forEach(function (field) {
      field.disabled = false;
      field.removeAttribute("data-trimmed");
    });
  });

  // Zones and programmes are offered for the chosen region only.
  function offerRegion(form, region) {
    form.querySelectorAll("[data-regions]").forEach(function (element) {
      var mine = element.getAttribute("data-regions").split(" ").indexOf(region) >= 0;
      var input = element.tagName === "OPTION" ? element : element.querySelector("input");
      element.hidden = !mine;
      input.disabled = !mine;
      if (!mine && element.tagName === "OPTION" && element.selected) {
        element.parentNode.value = "";
      } else if (!mine && input.type === "checkbox") {
        input.checked = false;
      }
    });
  }
  document.querySelectorAll("select[data-region]").forEach(function (select) {
    select.addEventListener("change", function () {
      offerRegion(select.form, select.value);
    });
  });

  // "None of these" and a programme exclude each other.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var group = box.closest("fieldset");
    if (!group) return;
    group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other !== box && (box.hasAttribute("data-none") || other.hasAttribute("data-none"))) other.checked = false;
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // A roster goes up as the request's body; the job's page follows the scoring.
  var roster = document.getElementById("roster-form");
  if (roster) {
    roster.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = roster.querySelector("input[type=file]").files[0];
      var alert = roster.querySelector("[role=alert]");
      var progress = roster.querySelector(".progress");
      var bar = progress.querySelector("progress");
      function refuse(message) {
        alert.textContent = message;
        alert.hidden = false;
        progress.hidden = true;
      }
      alert.hidden = true;
      if (!file) return;
      if (file.size > Number(roster.getAttribute("data-max-bytes"))) {
        refuse(file.name + ": " + roster.getAttribute("data-too-large"));
        return;
      }
      var query = new URLSearchParams({
        name: file.name,
        format: roster.elements.format.value,
        as_of: roster.elements.as_of.value,
        lang: roster.getAttribute("data-lang"),
      });
      var request = new XMLHttpRequest();
      request.open("POST", "/roster/jobs?" + query.toString());
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.addEventListener("progress", function (sent) {
        if (sent.lengthComputable) bar.value = (100 * sent.loaded) / sent.total;
      });
      request.addEventListener("load", function () {
        var answer = {};
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = {error: {message: request.status + " " + request.statusText}};
        }
        if (request.status === 202) window.location.assign(answer.url);
        else refuse(answer.error.message);
      });
      request.addEventListener("error", function () {
        refuse(roster.getAttribute("data-upload-failed"));
      });
      progress.hidden = false;
      request.send(file);
    });
  }

  // The result is downloaded once: then the page says it is gone.
  var download = document.getElementById("download");
  if (download) {
    download.addEventListener("click", function () {
      window.setTimeout(function () {
        window.location.reload();
      }, 1500);
    });
  }

  var job = document.getElementById("job");
  if (job && ["uploading", "scoring"].indexOf(job.getAttribute("data-state")) >= 0) {
    var rows = document.getElementById("rows-scored");
    var timer = window.setInterval(function () {
      fetch(job.getAttribute("data-status-url"), {cache: "no-store"})
        .then(function (response) {
          return response.json();
        })
        .then(function (status) {
          if (rows && status.rows !== undefined) rows.textContent = status.rows.toLocaleString();
          if (status.state !== "scoring" && status.state !== "uploading") {
            window.clearInterval(timer);
            window.location.reload();
          }
        });
    }, 400);
  }
})();
