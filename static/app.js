// Progressive enhancement only: every page works the same without this file.
// Served from /static under the CSP (script-src 'self'); no inline script anywhere.
(function () {
  'use strict';

  // An error summary takes focus when the page opens, so it is read out first (GOV.UK).
  var summary = document.querySelector('.error-summary');
  if (summary) {
    summary.focus();
    // Its links move focus to the answer to fix and show the question above it.
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#"]');
      var target = link && document.getElementById(link.hash.slice(1));
      if (!target) { return; }
      var input = target.matches('input, textarea, select') ? target : target.querySelector('input, textarea, select');
      if (!input) { return; }
      event.preventDefault();
      var question = input.closest('.question') || input;
      question.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // A page opened at #an-answer ("Add another medicine", a Change link) has that box focused
  // by the browser itself; this only helps a browser that scrolls to it without focusing it.
  // An error summary, focused above, comes first.
  if (!summary && window.location.hash.length > 1) {
    var landing = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (landing && landing.matches('input, textarea, select') && document.activeElement !== landing) {
      landing.focus();
    }
  }

  // "None of these" and the other answers exclude each other: ticking one clears the others.
  document.querySelectorAll('input[type=checkbox][data-exclusive]').forEach(function (none) {
    var group = document.querySelectorAll('input[type=checkbox][name="' + none.name + '"]');
    group.forEach(function (box) {
      box.addEventListener('change', function () {
        if (!box.checked) { return; }
        group.forEach(function (other) {
          if (other !== box && (box === none || other === none)) { other.checked = false; }
        });
      });
    });
  });

  // A Print button, where printing is offered (without JavaScript: the browser's own Print).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
