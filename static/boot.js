// Start-up, before (and without) the WebAssembly; Trunk inlines this file into index.html.
//
// - A poster: while the engine downloads and compiles, #boot shows the lesson the URL opens (its
//   title, its first step and a lane for each node), read from the scenario JSON (`?preset=` fetches
//   presets/ID.json, which the build copies; a `#c1.` share link is inflated here), so reading can
//   start at once. The app removes #boot when it mounts.
// - Lazy embeds: `?embed` shows the poster with a Play button and loads the engine only when Play
//   is pressed (`&load=click`, the default) or once the embed is scrolled into view
//   (`&load=visible`, the default with `&autoplay`). Pressing Play adds `autoplay` to the URL, so
//   the run plays as soon as the engine is up.
// - Failures: if a file fails to load, start-up throws, or the engine is not up 20 s after it
//   started loading, #boot says so with a Reload button.
//
// - Engines: a release build has an engine (wasm and glue) for each group of protocols, listed in
//   `window.causewayEngines` (scripts/engines.sh puts it first in <head>); the page loads the one
//   with the protocol of the scenario it opens, and the first for the course map or a scenario it
//   cannot read. `?bench` and a development build (no table) load Trunk's build, which has every
//   protocol; Trunk's preload pattern (Trunk.toml) hands it over with `causewayStart(js, wasm)`.
(function () {
  "use strict";

  var TIMEOUT_MS = 20000;
  // A link longer than this, or a scenario that inflates past it, gets no poster (the app judges it).
  var MAX_LINK_CHARS = 400000;
  var MAX_SCENARIO_BYTES = 4000000;
  var MAX_LANES = 12;

  var params = new URLSearchParams(location.search);
  var embed = params.has("embed");
  var autoplay = params.has("autoplay") && ["0", "false"].indexOf(params.get("autoplay")) < 0;
  var load = !embed ? "now" : params.get("load") === "visible" || (autoplay && params.get("load") !== "click") ? "visible" : "click";
  var failed = false;
  var started = false;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fail(detail) {
    var boot = document.getElementById("boot");
    if (!boot || failed) return;
    failed = true;
    boot.className = "boot boot-failed";
    boot.setAttribute("role", "alert");
    var card = element("div", "boot-card");
    var text = element(
      "p",
      "",
      "The app did not load. Check your connection and reload; Causeway needs a browser with WebAssembly."
    );
    var button = element("button", "button button-primary", "Reload");
    button.type = "button";
    button.addEventListener("click", function () {
      location.reload();
    });
    card.append(element("h2", "", "Causeway could not start"), text, element("pre", "boot-detail", detail), button);
    boot.replaceChildren(card);
    button.focus();
  }

  if (typeof WebAssembly !== "object") {
    document.addEventListener("DOMContentLoaded", function () {
      fail("This browser does not support WebAssembly.");
    });
    return;
  }
  // Capture phase, so failed <script> and <link> loads are seen too.
  addEventListener(
    "error",
    function (event) {
      var target = event.target;
      if (target && target !== window && (target.src || target.href)) {
        fail("Could not load " + (target.src || target.href));
      } else {
        fail(String(event.message || event.error || "Unknown error during start-up"));
      }
    },
    true
  );
  addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    fail(String((reason && reason.message) || reason || "Unknown error during start-up"));
  });

  // --- The scenario the URL opens, for the poster -------------------------------------------

  function presetUrl(id) {
    return /^[a-z0-9-]{1,64}$/.test(id || "") ? "presets/" + id + ".json" : null;
  }

  // Requests are kept by URL, so the engine, once up, takes the preset it opens from here instead
  // of fetching it again (src/ui/fetching.rs).
  var fetched = (window.causewayFetched = window.causewayFetched || {});

  function fetchJson(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + url);
        return response.text();
      });
    }
    return fetched[url].then(JSON.parse);
  }

  // The envelope of a `#c1.` share link: URL-safe base64 of raw deflate of JSON.
  function inflateLink(fragment) {
    if (fragment.length > MAX_LINK_CHARS || typeof DecompressionStream !== "function") {
      return Promise.reject(new Error("no poster for this link"));
    }
    var base64 = fragment.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = Uint8Array.from(binary, function (c) {
      return c.charCodeAt(0);
    });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    var reader = stream.getReader();
    var chunks = [];
    var size = 0;
    function next() {
      return reader.read().then(function (part) {
        if (part.done) return new Blob(chunks).text().then(JSON.parse);
        size += part.value.byteLength;
        if (size > MAX_SCENARIO_BYTES) {
          reader.cancel();
          throw new Error("the link's scenario is too large for a poster");
        }
        chunks.push(part.value);
        return next();
      });
    }
    return next();
  }

  // Resolves to { scenario, lesson } (the lesson: the preset whose text a link reuses), or rejects.
  function openedScenario() {
    var fragment = location.hash.slice(1);
    if (fragment.indexOf("c1.") === 0) {
      return inflateLink(fragment.slice(3)).then(function (envelope) {
        var lesson = presetUrl(envelope.lesson);
        var scenario = envelope.scenario || {};
        if (!lesson || scenario.guide) return { scenario: scenario, lesson: scenario, envelope: envelope };
        return fetchJson(lesson).then(function (preset) {
          return { scenario: scenario, lesson: preset, envelope: envelope };
        });
      });
    }
    var preset = presetUrl(params.get("preset"));
    if (preset) {
      return fetchJson(preset).then(function (scenario) {
        return { scenario: scenario, lesson: scenario };
      });
    }
    var inline = params.get("scenario");
    if (inline && inline.length <= MAX_LINK_CHARS) {
      return Promise.resolve({ scenario: JSON.parse(inline), lesson: null });
    }
    if (!location.search && !fragment) {
      return fetchJson("presets/course.json").then(function (course) {
        return { course: course };
      });
    }
    return Promise.reject(new Error("no scenario in the URL"));
  }

  // Guide text (src/scenario/guide/text.rs): paragraphs split by a blank line, `code`, **strong**,
  // *emphasis* and \ escapes, built as nodes (never as HTML). Unclosed marks stay plain.
  function rich(text) {
    return String(text)
      .split("\n\n")
      .map(function (block) {
        var paragraph = element("p", "poster-text");
        var plain = "";
        var flush = function () {
          if (plain) paragraph.append(document.createTextNode(plain));
          plain = "";
        };
        for (var i = 0; i < block.length; ) {
          var c = block[i];
          var mark = c === "`" ? "`" : block.slice(i, i + 2) === "**" ? "**" : c === "*" ? "*" : null;
          var end = mark ? block.indexOf(mark, i + mark.length) : -1;
          if (c === "\\" && i + 1 < block.length) {
            plain += block[i + 1];
            i += 2;
          } else if (mark && end > i + mark.length) {
            flush();
            var tag = mark === "`" ? "code" : mark === "**" ? "strong" : "em";
            paragraph.append(element(tag, "", block.slice(i + mark.length, end)));
            i = end + mark.length;
          } else {
            plain += c;
            i += 1;
          }
        }
        flush();
        return paragraph;
      })
      .filter(function (paragraph) {
        return paragraph.textContent.trim() !== "";
      });
  }

  // A duration as the app prints one (src/engine/time.rs, format_us): 250ms, 1.5s, 40µs.
  function formatUs(us) {
    var units = us >= 1e6 ? [1e6, "s"] : us >= 1e3 ? [1e3, "ms"] : [1, "µs"];
    return String(Math.round((us / units[0]) * 1000) / 1000) + units[1];
  }

  // Where the run opens, in µs: a share link's moment, or an embed's `&t=` (1.5s, 250ms, 40us).
  function openingAt(envelope) {
    var at = Number(envelope && envelope.at_us) || 0;
    var t = /^(\d+(?:\.\d+)?)(s|ms|us|µs)$/.exec((params.get("t") || "").trim());
    if (embed && t) at = Number(t[1]) * { s: 1e6, ms: 1e3, us: 1, "µs": 1 }[t[2]];
    return at > 0 && isFinite(at) ? at : 0;
  }

  // The diagram as it opens, an image: a lane per node under its header, and the "now" line. An
  // image (not inline SVG), so it is the poster's largest contentful paint, as the diagram is. A run
  // that opens later than its start (`at`, µs) has events the poster cannot know: it shows the
  // lanes alone, without a state.
  function diagramImage(nodes, at) {
    var style = getComputedStyle(document.documentElement);
    var color = function (name, fallback) {
      return style.getPropertyValue(name).trim() || fallback;
    };
    var lane = color("--lane", "#c9ced8");
    var border = color("--border-strong", "#cdd2db");
    var surface = color("--surface", "#ffffff");
    var text = color("--text", "#17202c");
    var muted = color("--text-muted", "#586274");
    var accent = color("--accent", "#0f766e");
    var font = "font-family:system-ui,sans-serif";
    var shown = Math.min(nodes, MAX_LANES);
    // Drawn at the width it is shown at, so its text is the diagram's size on a phone too.
    var width = Math.round(Math.max(320, Math.min(900, document.documentElement.clientWidth - 58)));
    var height = 280;
    var left = width < 500 ? 44 : 60;
    var step = (width - left) / shown;
    var box = Math.min(step - 10, 120);
    var parts = [
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '">',
      '<line x1="' + (left - 12) + '" x2="' + width + '" y1="58" y2="58" stroke="' + accent + '" stroke-width="1.5" stroke-dasharray="6 4"/>',
      '<text x="' + (left - 16) + '" y="62" text-anchor="end" font-size="11" font-weight="650" fill="' + accent + '" style="' + font + '">now</text>',
    ];
    if (at > 0) {
      parts.push('<text x="' + (left - 16) + '" y="76" text-anchor="end" font-size="10" fill="' + muted + '" style="' + font + '">' + formatUs(at) + "</text>");
    }
    for (var i = 0; i < shown; i++) {
      var x = left + step * (i + 0.5);
      parts.push(
        '<line x1="' + x + '" x2="' + x + '" y1="46" y2="' + height + '" stroke="' + lane + '"/>',
        '<rect x="' + (x - box / 2) + '" y="5" width="' + box + '" height="36" rx="6" fill="' + surface + '" stroke="' + border + '"/>',
        '<text x="' + x + '" y="' + (at > 0 ? 28 : 21) + '" text-anchor="middle" font-size="13" font-weight="650" fill="' + text + '" style="' + font + '">n' + (i + 1) + "</text>",
        '<text x="' + x + '" y="34" text-anchor="middle" font-size="10.5" fill="' + muted + '" style="' + font + '">' + (at > 0 ? "" : "not started") + "</text>"
      );
    }
    parts.push("</svg>");
    var image = element("img", "poster-image");
    image.alt =
      (at > 0 ? "The space-time diagram, opening at " + formatUs(at) : "The space-time diagram before the run starts") +
      ": a lane for each of the " + nodes + " nodes.";
    image.width = width;
    image.height = height;
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(parts.join(""));
    return image;
  }

  // The landing page's poster: the course map as src/ui/components/course.rs draws it, each lesson
  // a link to its page.
  function showCourse(boot, course) {
    var main = element("div", "course");
    var inner = element("div", "course-inner");
    var head = element("div", "course-head");
    var intro = element("div");
    intro.append(element("h2", "course-title", "The course"), element("p", "course-intro", String(course.intro || "")));
    var status = element("p", "poster-status");
    status.setAttribute("role", "status");
    status.append(element("span", "boot-spinner"), element("span", "poster-note", "Loading the simulator…"));
    head.append(intro, status);
    inner.append(head);
    (course.topics || []).forEach(function (topic, t) {
      var section = element("section", "course-topic");
      var title = element("h3", "course-topic-title");
      var number = element("span", "course-topic-number", String(t + 1));
      number.setAttribute("aria-hidden", "true");
      title.append(number, document.createTextNode(String(topic.topic)));
      var list = element("ul", "course-lessons");
      (topic.lessons || []).forEach(function (lesson) {
        var link = element("a", "course-lesson is-new");
        link.href = "?preset=" + encodeURIComponent(lesson.id);
        var mark = element("span", "course-mark");
        mark.setAttribute("aria-hidden", "true");
        var text = element("span", "course-lesson-text");
        text.append(element("span", "course-lesson-name", String(lesson.name)));
        if (lesson.summary) text.append(element("span", "course-lesson-summary", String(lesson.summary)));
        link.append(mark, text, element("span", "course-state", "not started"));
        var item = element("li");
        item.append(link);
        list.append(item);
      });
      section.append(title, list);
      inner.append(section);
    });
    main.append(inner);
    boot.className = "boot has-poster is-course";
    boot.removeAttribute("role");
    boot.removeAttribute("aria-live");
    boot.replaceChildren(main);
  }

  // Fills #boot with the poster: with a Play button while an embed waits to load, else a spinner.
  function showPoster(opened, onPlay) {
    var boot = document.getElementById("boot");
    if (!boot || failed) return;
    if (opened.course) {
      showCourse(boot, opened.course);
      return;
    }
    var scenario = opened.scenario || {};
    var lesson = opened.lesson || scenario;
    var at = openingAt(opened.envelope);
    // A run opened later than its start opens in free play, not at the lesson's first step.
    var steps = at > 0 ? [] : (lesson.guide && lesson.guide.steps) || [];
    var name = String(scenario.name || lesson.name || "A Causeway run");
    var card = element("section", "poster-card");
    card.setAttribute("aria-label", name);
    var head = element("div", "poster-head");
    head.append(element("h1", "poster-title", name));
    if (steps.length > 0) head.append(element("span", "poster-step", "Step 1 of " + steps.length));
    card.append(head);
    var text = steps.length > 0 ? steps[0].text : String(lesson.description || "").split("\n\n")[0];
    if (text) card.append.apply(card, rich(text));
    var nodes = Number(scenario.nodes) || 0;
    if (nodes > 0) {
      var diagram = element("div", "poster-diagram");
      diagram.append(element("p", "poster-label", "Space-time diagram"), diagramImage(nodes, at));
      card.append(diagram);
    }
    boot.className = "boot has-poster" + (embed ? " is-embed" : "");
    // Only the status line is live: a screen reader should not read the whole poster out as news.
    boot.removeAttribute("role");
    boot.removeAttribute("aria-live");
    var status = element("p", "poster-status");
    status.setAttribute("role", "status");
    if (!wanted) {
      var play = element("button", "button button-primary poster-play");
      play.type = "button";
      play.append(element("span", "poster-play-icon", "▶"), document.createTextNode(" Play"));
      play.setAttribute("aria-label", "Play: load the simulator and run " + name);
      play.addEventListener("click", onPlay);
      status.append(play, element("span", "poster-note", "The simulator loads when you press Play."));
    } else {
      status.append(element("span", "boot-spinner"), element("span", "poster-note", "Loading the simulator…"));
    }
    boot.replaceChildren(status, card);
  }

  function showLoading() {
    var boot = document.getElementById("boot");
    if (!boot || failed) return;
    var note = boot.querySelector(".poster-status");
    if (!note) return;
    note.replaceChildren(element("span", "boot-spinner"), element("span", "poster-note", "Loading the simulator…"));
  }

  // --- Loading the engine ---------------------------------------------------------------------

  // The engine for what the URL opens: { js, wasm }, or null while that is not yet known. The table
  // (scripts/engines.sh): { home, engines: { group: { file, protocols } }, presets: { id: group } }.
  var table = window.causewayEngines;
  var full = null;
  var engine = null;

  // The group of protocols whose engine opens the URL: known at once for a lesson (the table lists
  // each lesson's) or the course map, `undefined` while the scenario is still being read (a link).
  // `null` is Trunk's build: for the bench page, which measures the engine with every protocol, and
  // for a development build, which has no table.
  function groupAtOnce() {
    if (!table || !table.engines || params.has("bench")) return null;
    if (location.hash.slice(1).indexOf("c1.") === 0) return undefined;
    var preset = params.get("preset");
    if (preset && table.presets && Object.prototype.hasOwnProperty.call(table.presets, preset)) return table.presets[preset];
    if (!location.search && !location.hash) return table.home;
    return undefined;
  }

  // The group for the scenario the URL opens; the first (the course map's) when it cannot be read,
  // so the app can say what is wrong.
  function groupOf(opened) {
    var protocol = opened && opened.scenario && opened.scenario.protocol && opened.scenario.protocol.name;
    var name = table.home;
    Object.keys(table.engines).forEach(function (group) {
      if (table.engines[group].protocols.indexOf(protocol) >= 0) name = group;
    });
    return name;
  }

  // Chooses the engine once its group and Trunk's build are known, fetching it at once if it is
  // wanted now.
  var opening = undefined;
  function choose() {
    if (engine || !full) return;
    var group = groupAtOnce();
    if (group === undefined) {
      if (opening === undefined) return;
      group = groupOf(opening);
    }
    var file = group && table.engines[group] && table.engines[group].file;
    engine = file ? { js: file + ".js", wasm: file + "_bg.wasm" } : full;
    if (load === "now") {
      var module = element("link");
      module.rel = "modulepreload";
      module.href = engine.js;
      var wasm = element("link");
      wasm.rel = "preload";
      wasm.as = "fetch";
      wasm.type = "application/wasm";
      wasm.crossOrigin = "anonymous";
      wasm.href = engine.wasm;
      document.head.append(module, wasm);
    }
    maybeStart();
  }

  // Trunk's preload pattern (Trunk.toml): its build, with every protocol. Its name tags the search
  // worker's files (src/ui/worker.rs), so a page never pairs with a worker from another build.
  window.causewayStart = function (js, wasm) {
    full = { js: js, wasm: wasm };
    document.documentElement.setAttribute("data-build", wasm);
    choose();
  };

  // The engine loads once it is wanted (at once for the page; on Play or when visible for an embed)
  // and chosen, whichever comes last.
  var wanted = load === "now";

  function maybeStart() {
    if (!wanted || !engine || started) return;
    started = true;
    setTimeout(function () {
      if (document.getElementById("boot")) fail("The app did not start within " + TIMEOUT_MS / 1000 + " seconds.");
    }, TIMEOUT_MS);
    import(engine.js)
      .then(function (glue) {
        return glue.default({ module_or_path: engine.wasm });
      })
      .catch(function (error) {
        fail(String((error && error.message) || error));
      });
  }

  function want(play) {
    if (wanted) return;
    wanted = true;
    if (play && !autoplay) {
      var url = new URL(location.href);
      url.searchParams.set("autoplay", "1");
      history.replaceState(history.state, "", url);
    }
    showLoading();
    maybeStart();
  }

  // The poster is read as soon as this script runs, so it paints long before the engine is up.
  var playNow = function () {
    want(true);
  };
  var opened = Promise.resolve().then(openedScenario);
  opened.then(
    function (scenario) {
      opening = scenario;
      choose();
    },
    function () {
      opening = null;
      choose();
    }
  );
  var ready = new Promise(function (done) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", done);
    else done();
  });
  Promise.all([opened, ready]).then(
    function (both) {
      showPoster(both[0], playNow);
    },
    function () {
      // A page without a scenario keeps its loading screen; an embed still needs its Play button.
      if (load !== "now") {
        ready.then(function () {
          showPoster({ scenario: {}, lesson: null }, playNow);
        });
      }
    }
  );
  // --- An embed's height -----------------------------------------------------------------------
  // An embed tells the page around it how tall it would like to be: the poster's height, then the
  // player, the guide and the other bars at their natural heights plus DIAGRAM_PX of diagram. A host
  // page that runs the snippet in the README ("Embedding in course notes") sizes the iframe to it.

  var DIAGRAM_PX = 360;
  var posted = 0;

  function preferredHeight() {
    var stage = document.querySelector(".app-embed .stage");
    var boot = document.getElementById("boot");
    var parts = stage ? Array.prototype.slice.call(stage.children) : boot ? Array.prototype.slice.call(boot.children) : [];
    if (parts.length === 0) return 0;
    var style = getComputedStyle(stage || boot);
    var gap = parseFloat(style.rowGap) || 0;
    var height = parts.reduce(function (sum, part) {
      if (part.classList.contains("panel-diagram")) return sum + DIAGRAM_PX;
      // A guide squeezed below its natural height scrolls its body: count what is hidden.
      var hidden = Array.prototype.reduce.call(
        part.querySelectorAll(".guide-body"),
        function (extra, body) {
          return extra + body.scrollHeight - body.clientHeight;
        },
        0
      );
      return sum + part.offsetHeight + hidden;
    }, gap * (parts.length - 1));
    var frame = stage ? stage.parentElement : boot;
    var outer = getComputedStyle(frame);
    return Math.ceil(height + parseFloat(outer.paddingTop) + parseFloat(outer.paddingBottom) + (stage ? parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) : 0));
  }

  function postHeight() {
    var height = preferredHeight();
    if (height > 0 && Math.abs(height - posted) > 1) {
      posted = height;
      parent.postMessage({ causeway: "resize", height: height }, "*");
    }
  }

  if (embed && window.parent !== window && "ResizeObserver" in window) {
    var sizes = new ResizeObserver(postHeight);
    var watching = null;
    // What to watch changes as the poster gives way to the player, and as bars come and go.
    var rewatch = function () {
      var stage = document.querySelector(".app-embed .stage") || document.getElementById("boot");
      if (stage !== watching) {
        sizes.disconnect();
        sizes.observe(document.documentElement);
        if (stage) {
          children.disconnect();
          children.observe(stage, { childList: true });
        }
        watching = stage;
      }
      if (stage) {
        Array.prototype.forEach.call(stage.children, function (part) {
          sizes.observe(part);
        });
      }
      postHeight();
    };
    var children = new MutationObserver(rewatch);
    ready.then(function () {
      new MutationObserver(rewatch).observe(document.body, { childList: true });
      rewatch();
    });
  }

  if (load === "visible" && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      var seen = entries.some(function (entry) {
        return entry.isIntersecting;
      });
      if (seen) {
        observer.disconnect();
        want(false);
      }
    });
    observer.observe(document.documentElement);
  }
})();
