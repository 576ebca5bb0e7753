// Keyboard shortcuts and the mock interview's countdown. Every page works without this file.
(function () {
  "use strict";

  function typing(event) {
    var tag = event.target && event.target.tagName;
    return tag === "TEXTAREA" || (tag === "INPUT" && !/^(radio|checkbox)$/.test(event.target.type));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var answerForm = document.getElementById("answer-form");
    var rateForm = document.getElementById("rate-form");
    var next = document.getElementById("next");
    var key = event.key;

    if (answerForm) {
      var inAnswer = event.target === document.body || answerForm.contains(event.target);
      if (key === "Enter" && !event.shiftKey && inAnswer && (!typing(event) || event.target.tagName === "TEXTAREA")) {
        event.preventDefault();
        answerForm.requestSubmit();
        return;
      }
      if (typing(event)) return;
      var letter = key.length === 1 ? key.toUpperCase() : "";
      if (/^[1-9]$/.test(letter)) letter = String.fromCharCode(64 + Number(letter));
      var label = letter && answerForm.querySelector('label[data-key="' + letter + '"] input');
      if (label) {
        event.preventDefault();
        label.checked = label.type === "checkbox" ? !label.checked : true;
        label.focus();
      }
      return;
    }
    if (rateForm && /^[1-4]$/.test(key)) {
      event.preventDefault();
      rateForm.querySelector('button[data-rating="' + key + '"]').click();
      return;
    }
    if (next && key === "Enter" && event.target === document.body) {
      event.preventDefault();
      next.click();
    }
  });

  var card = document.querySelector("[data-deadline]");
  var clock = document.getElementById("countdown");
  if (card && clock) {
    var deadline = Number(card.getAttribute("data-deadline")) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      clock.classList.toggle("low", left < 60);
      if (left === 0) window.location.reload();
      else window.setTimeout(tick, 1000);
    };
    tick();
  }

  // A choice that submits its form at once (the stats page's bank), without inline handlers:
  // the Content-Security-Policy allows no inline script.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // the whole question, in the page's language, comes from the template
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
