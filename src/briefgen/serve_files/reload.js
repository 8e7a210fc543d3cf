/* Added by `briefgen serve` to every page it serves, never to the built site: asks the server
   four times a second whether the site was rebuilt, and reloads the page when it was.
   A file of its own, not an inline script, so that the site's Content-Security-Policy lets it
   run; what it needs comes from its element's data- attributes, which are only ever text. */
"use strict";
(function () {
  var script = document.currentScript;
  var state = script.dataset.state;
  var seen = script.dataset.version;
  var every = Number(script.dataset.every) || 250;

  function poll() {
    fetch(state, { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(
        function (now) {
          if (now.version !== seen) {
            window.location.reload();
          } else {
            setTimeout(poll, every);
          }
        },
        function () {
          setTimeout(poll, every * 4); // the server is restarting, or gone
        }
      );
  }

  setTimeout(poll, every);
})();
