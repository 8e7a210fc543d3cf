/* The search page: Pagefind's own interface, given the words typed in the header's search box (?q=).
   The search page is the only page with a script; every other page works without one. */
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var element = document.querySelector("[data-briefgen-search]");
  if (!element || typeof window.PagefindUI !== "function") {
    return;
  }
  var query = new URLSearchParams(window.location.search).get("q");
  var ui = new window.PagefindUI({
    element: element,
    bundlePath: element.dataset.bundle,
    baseUrl: element.dataset.base,
    showImages: false,
    showSubResults: false,
    excerptLength: 40,
    autofocus: !query,
    openFilters: ["source"]
  });
  // Pagefind's box has only a placeholder: name it by the page's heading, for screen readers.
  var input = element.querySelector(".pagefind-ui__search-input");
  if (input) {
    input.setAttribute("aria-labelledby", "bg:search-title");
    input.setAttribute("aria-describedby", "bg:search-hint");
  }
  if (query) {
    ui.triggerSearch(query);
  }
});
