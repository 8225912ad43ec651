/* Mend: small progressive enhancements. Loaded with `defer`; no inline script (strict CSP). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // htmx requests carry the session's CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // After a section of a page was replaced in place (htmx), the person's eyes and focus go to
  // what changed: the first field that needs correcting, else the confirmation.
  function focusAnswer(root) {
    var scope = root && root.querySelector ? root : document;
    // Within what was replaced: a field to correct, the answer, or the field it asks for first
    // (a form brought in by a link). Only when nothing says what was replaced, anywhere.
    var target =
      scope.querySelector('[aria-invalid="true"]') ||
      scope.querySelector(".section-notice[data-focus], .problem[data-focus]") ||
      scope.querySelector("[autofocus]") ||
      (scope === document
        ? null
        : root.matches && root.matches(".section-notice[data-focus], .problem[data-focus]")
          ? root
          : null);
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }

  // A link to something inside a closed <details> (a checklist item, an error summary's
  // problem) opens it; a link to a field puts the cursor in it.
  function reveal(id) {
    var target = id ? document.getElementById(id) : null;
    for (var p = target && target.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS" && !p.open) {
        p.open = true;
      }
    }
    return target;
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (!link) {
      return;
    }
    var target = reveal(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    }
  });

  if (location.hash) {
    reveal(decodeURIComponent(location.hash.slice(1)));
  }

  // A page that answers a form sent without htmx (a move, or a save while htmx was not
  // there) does the same, unless a field asks for the focus itself.
  if (!document.querySelector("[autofocus]")) {
    var answer = document.querySelector(
      ".section-notice[data-focus], .problem[data-focus], .error-summary[data-focus]"
    );
    if (answer) {
      answer.focus({ preventScroll: true });
      answer.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    var id = detail.target && detail.target.id;
    var target = id ? document.getElementById(id) : null;
    // A part updated alongside the answer (a count, say) never takes the focus from it.
    if (target && target.hasAttribute("data-no-focus")) {
      return;
    }
    focusAnswer(target);
  });

  // <form data-confirm="Message"> (or a submit button with data-confirm) asks first.
  // Capture phase, so a declined confirmation also stops htmx-powered forms.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (!message) {
        return;
      }
      if (!window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      // Asked here: the server need not ask again (src/web/confirm.rs).
      if (!form.querySelector('input[name="confirmed"]')) {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirmed";
        confirmed.value = "1";
        form.appendChild(confirmed);
      }
    },
    true
  );
})();
