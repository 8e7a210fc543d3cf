/* The search page: Pagefind's search API, shown with the page's own markup (templates/search.html).

   Everything that comes from the index (titles, sources, topics, places, dates, excerpts) is put in
   the page as text, never as HTML: Pagefind's own interface inserts filter values as HTML, so a
   source named "<img src=x onerror=...>" ran as a script there. An excerpt is the page's text with
   "<" and ">" escaped and each match between <mark> and </mark>; it is split on those two marks,
   and what lies between them becomes text, so nothing else in it can become an element.

   The search page is the only page with a script; every other page works without one. */
"use strict";
(function () {
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 300;

  var root = document.querySelector("[data-briefgen-search]");
  if (!root) {
    return;
  }
  var form = root.querySelector(".search-form");
  var input = root.querySelector(".search-input");
  var panes = root.querySelector(".search-panes");
  var message = root.querySelector(".search-message");
  var list = root.querySelector(".search-results");
  var more = root.querySelector(".search-more");
  var valueTemplate = root.querySelector(".search-filter-value-template");
  var resultTemplate = root.querySelector(".search-result-template");
  var groups = Array.prototype.slice.call(root.querySelectorAll("[data-filter]"));

  var pagefind = null;
  var searchId = 0;
  var timer = null;
  var found = null; // the results of the newest search
  var shown = 0;
  var drawing = Promise.resolve(); // batches of results are drawn one after the other, in order

  form.hidden = false;
  panes.hidden = false;

  function say(template, term, count) {
    // Replaced by functions: a string replacement would read "$&" in the words typed as a pattern.
    message.textContent = message.dataset[template]
      .replace("{term}", function () {
        return term;
      })
      .replace("{count}", function () {
        return String(count);
      });
  }

  function slot(element, name) {
    return element.querySelector('[data-slot="' + name + '"]');
  }

  // ---------------------------------------------------------------- filters

  function showFilters(counts) {
    groups.forEach(function (group) {
      var values = Object.keys(counts[group.dataset.filter] || {}).sort(function (a, b) {
        return a.localeCompare(b, undefined, { numeric: true });
      });
      var fieldset = group.querySelector("fieldset");
      values.forEach(function (value, index) {
        var item = valueTemplate.content.firstElementChild.cloneNode(true);
        var box = item.querySelector("input");
        box.id = "bg:filter-" + group.dataset.filter + "-" + index;
        box.name = group.dataset.filter;
        box.value = value;
        item.querySelector("label").htmlFor = box.id;
        slot(item, "value").textContent = value;
        fieldset.appendChild(item);
      });
      group.hidden = values.length === 0;
    });
    showCounts(counts);
  }

  function showCounts(counts) {
    groups.forEach(function (group) {
      var byValue = counts[group.dataset.filter] || {};
      group.querySelectorAll("input").forEach(function (box) {
        var count = byValue[box.value] || 0;
        slot(box.parentNode, "count").textContent = "(" + count + ")";
      });
    });
  }

  function chosenFilters() {
    var chosen = {};
    groups.forEach(function (group) {
      var values = [];
      group.querySelectorAll("input:checked").forEach(function (box) {
        values.push(box.value);
      });
      if (values.length) {
        chosen[group.dataset.filter] = { any: values }; // any of a group's values; every group
      }
    });
    return chosen;
  }

  // ---------------------------------------------------------------- results

  function excerptInto(element, excerpt) {
    var marked = false;
    excerpt.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>" || part === "</mark>") {
        marked = part === "<mark>";
        return;
      }
      var text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        element.appendChild(mark);
      } else {
        element.appendChild(text);
      }
    });
  }

  function resultItem(data) {
    var item = resultTemplate.content.firstElementChild.cloneNode(true);
    var meta = data.meta || {};
    var link = slot(item, "title");
    link.textContent = meta.title || data.url;
    if (/^\/(?![\/\\])/.test(data.url)) {
      link.setAttribute("href", data.url); // a page of this site; Pagefind makes no other address
    }
    excerptInto(slot(item, "excerpt"), data.excerpt || "");
    ["source", "date"].forEach(function (name) {
      var value = slot(item, name);
      value.textContent = meta[name] || "";
      value.parentNode.hidden = !meta[name];
    });
    return item;
  }

  function drawMore(id) {
    var batch = found.results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= found.results.length;
    drawing = drawing.then(function () {
      return Promise.all(
        batch.map(function (result) {
          return result.data();
        })
      ).then(function (pages) {
        if (id === searchId) {
          pages.forEach(function (data) {
            list.appendChild(resultItem(data));
          });
        }
      });
    });
    return drawing;
  }

  // ---------------------------------------------------------------- searching

  function remember(term) {
    var address = term ? "?q=" + encodeURIComponent(term) : window.location.pathname;
    window.history.replaceState(null, "", address);
  }

  function search() {
    clearTimeout(timer);
    var term = input.value.trim();
    var id = ++searchId;
    remember(term);
    list.textContent = "";
    more.hidden = true;
    if (!term) {
      message.textContent = "";
      root.removeAttribute("aria-busy");
      return;
    }
    root.setAttribute("aria-busy", "true");
    say("searching", term, 0);
    pagefind
      .search(term, { filters: chosenFilters() })
      .then(function (search) {
        if (id !== searchId) {
          return null;
        }
        found = search;
        shown = 0;
        showCounts(search.filters);
        return drawMore(id).then(function () {
          if (id !== searchId) {
            return;
          }
          var count = search.results.length;
          say(count === 0 ? "none" : count === 1 ? "one" : "many", term, count);
          root.removeAttribute("aria-busy");
        });
      })
      .catch(failed);
  }

  function failed(error) {
    root.removeAttribute("aria-busy");
    message.textContent = message.dataset.failed;
    throw error; // and into the console, for whoever looks after the site
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (pagefind) {
      search();
    }
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    if (pagefind) {
      timer = setTimeout(search, DEBOUNCE_MS);
    }
  });
  root.querySelector(".search-filters").addEventListener("change", function () {
    if (pagefind) {
      search();
    }
  });
  more.addEventListener("click", function () {
    drawMore(searchId);
  });

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  if (!query) {
    input.focus();
  }
  root.setAttribute("aria-busy", "true");
  import(root.dataset.bundle + "pagefind.js")
    .then(function (loaded) {
      return loaded.options({ baseUrl: root.dataset.base, excerptLength: 40 }).then(function () {
        return loaded.filters();
      }).then(function (counts) {
        pagefind = loaded;
        showFilters(counts);
        search();
      });
    })
    .catch(failed);
})();
