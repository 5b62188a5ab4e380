// The built-in viewer's moves on top of the server-rendered page (whose links work without it):
// wheel, keys, swipe and slider page through the images, pinch or Ctrl+wheel zoom, drag pans,
// a double tap resets; images are asked for at the screen's size, neighbours ahead of time.
(function () {
  "use strict";

  var root = document.getElementById("viewer");
  var dataBlock = document.getElementById("viewer-data");
  if (!root || !dataBlock) {
    return;
  }
  var data = JSON.parse(dataBlock.textContent);
  var stage = document.getElementById("viewer-stage");
  var image = document.getElementById("viewer-image");
  var placeholder = document.getElementById("viewer-placeholder");
  var position = document.getElementById("viewer-position");
  var prev = document.getElementById("viewer-prev");
  var next = document.getElementById("viewer-next");
  var jump = document.getElementById("viewer-jump");
  var slider = document.getElementById("viewer-slider");
  var presets = document.getElementById("viewer-presets");
  var strip = document.getElementById("viewer-strip");

  var MAX_VIEWPORT = 1024; // device pixels: sharp on a phone, light on the server
  var PAGE_VIEWPORT = [512, 512]; // the page's `src`, for a stage that cannot be measured
  var MAX_ZOOM = 8;
  var PREFETCH = 2;
  var KEPT = 40; // prefetched images held, so that the browser keeps them at hand
  var WHEEL_STEP = 50; // pixels of wheel travel per image (one notch of a mouse wheel)
  var SWIPE_STEP = 24; // pixels of finger travel per image
  var TAP_SLOP = 10;
  var DOUBLE_TAP_MS = 350;

  var state = {
    series: Number(root.dataset.series),
    image: Number(root.dataset.image),
    window: root.dataset.window || "default",
  };
  var counts = data.series.map(function (one) {
    return one.report ? 1 : one.instances.reduce(function (sum, i) { return sum + i[1]; }, 0);
  });
  var viewport = PAGE_VIEWPORT;
  var view = { scale: 1, x: 0, y: 0 };
  var kept = new Map();

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function fill(template, num, total) {
    return template.replace("{num}", String(num)).replace("{total}", String(total));
  }

  function current() {
    return data.series[state.series - 1];
  }

  function measure() {
    var box = stage.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    var width = box.width * ratio;
    var height = box.height * ratio;
    if (width < 1 || height < 1) {
      return PAGE_VIEWPORT;
    }
    var shrink = Math.min(1, MAX_VIEWPORT / Math.max(width, height));
    return [Math.round(width * shrink), Math.round(height * shrink)];
  }

  // Image `number` of a series is a frame of one of its instances, counted over all frames.
  function frameAt(series, number) {
    var instances = series.instances;
    for (var i = 0; i < instances.length; i++) {
      if (number <= instances[i][1]) {
        return [instances[i][0], number];
      }
      number -= instances[i][1];
    }
    var last = instances[instances.length - 1];
    return [last[0], last[1]];
  }

  function imageUrl(seriesNumber, number) {
    var series = data.series[seriesNumber - 1];
    var at = frameAt(series, number);
    var url = data.rendered
      .replace("__series__", series.uid)
      .replace("__instance__", at[0])
      .replace("__frame__", String(at[1]));
    url += "?viewport=" + viewport.join(",");
    var win = series.ct ? data.presets[state.window] : null;
    return win ? url + "&window=" + win : url;
  }

  function pageQuery(seriesNumber, number, preset) {
    var query = "?series=" + seriesNumber + "&image=" + number;
    return preset && preset !== "default" ? query + "&window=" + encodeURIComponent(preset) : query;
  }

  function setLink(link, href) {
    if (href) {
      link.setAttribute("href", href);
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }

  function markCurrent(links, isCurrent) {
    links.forEach(function (link) {
      if (isCurrent(link)) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  function updateControls(series, count) {
    var imageText = series.report ? data.text.report : fill(data.text.image, state.image, count);
    position.textContent =
      fill(data.text.series, state.series, data.series.length) + " · " + imageText;
    image.alt = series.label + ": " + imageText;
    setLink(prev, state.image > 1 ? pageQuery(state.series, state.image - 1, state.window) : null);
    setLink(next, state.image < count ? pageQuery(state.series, state.image + 1, state.window) : null);
    jump.hidden = count < 2;
    slider.max = String(count);
    slider.value = String(state.image);
    jump.elements.series.value = String(state.series);
    var windowInput = jump.elements.window;
    if (state.window !== "default" && !windowInput) {
      windowInput = document.createElement("input");
      windowInput.type = "hidden";
      windowInput.name = "window";
      jump.appendChild(windowInput);
    }
    if (windowInput) {
      windowInput.disabled = state.window === "default";
      windowInput.value = state.window;
    }
    if (presets) {
      presets.hidden = !series.ct;
      var links = presets.querySelectorAll("a[data-preset]");
      links.forEach(function (link) {
        link.setAttribute("href", pageQuery(state.series, state.image, link.dataset.preset));
      });
      markCurrent(links, function (link) { return link.dataset.preset === state.window; });
    }
    var items = strip.querySelectorAll("a[data-series], a[data-report]");
    strip.querySelectorAll("a[data-series]").forEach(function (link) {
      link.setAttribute("href", pageQuery(Number(link.dataset.series), 1, state.window));
    });
    markCurrent(items, function (link) {
      return Number(link.dataset.series || link.dataset.report) === state.series;
    });
  }

  function keep(url) {
    if (kept.has(url)) {
      var held = kept.get(url);
      kept.delete(url);
      kept.set(url, held);
      return;
    }
    var ahead = new Image();
    ahead.decoding = "async";
    ahead.src = url;
    kept.set(url, ahead);
    if (kept.size > KEPT) {
      kept.delete(kept.keys().next().value);
    }
  }

  function prefetch() {
    var series = current();
    if (series.report) {
      return;
    }
    var count = counts[state.series - 1];
    for (var d = 1; d <= PREFETCH; d++) {
      [state.image + d, state.image - d].forEach(function (number) {
        if (number >= 1 && number <= count) {
          keep(imageUrl(state.series, number));
        }
      });
    }
  }

  function render() {
    var series = current();
    var count = counts[state.series - 1];
    state.image = clamp(state.image, 1, count);
    var report = stage.querySelector(".viewer-report");
    if (report && !series.report) {
      report.remove();
      stage.classList.remove("is-report");
      image.hidden = false;
    }
    if (!series.report) {
      var url = imageUrl(state.series, state.image);
      if (image.getAttribute("src") !== url || image.hasAttribute("srcset")) {
        showBroken(false);
        // The page's own choices (`srcset`) would win over `src`: from here the script asks.
        image.removeAttribute("srcset");
        image.removeAttribute("sizes");
        image.src = url;
      }
      if (image.complete) {
        prefetch();
      }
    }
    updateControls(series, count);
    history.replaceState(null, "", pageQuery(state.series, state.image, state.window));
  }

  function showBroken(broken) {
    stage.classList.toggle("is-broken", broken);
    placeholder.hidden = !broken;
  }

  function go(changes) {
    var seriesChanged = changes.series !== undefined && changes.series !== state.series;
    Object.keys(changes).forEach(function (key) {
      state[key] = changes[key];
    });
    if (seriesChanged) {
      resetView();
    }
    render();
  }

  function step(delta) {
    if (current().report) {
      return false;
    }
    var count = counts[state.series - 1];
    var number = clamp(state.image + delta, 1, count);
    if (number !== state.image) {
      go({ image: number });
    }
    return true;
  }

  // Zoom and pan: a CSS transform of the image, about the stage's centre.
  function applyView() {
    image.style.transform =
      view.scale === 1 ? "" : "translate(" + view.x + "px, " + view.y + "px) scale(" + view.scale + ")";
    stage.classList.toggle("is-zoomed", view.scale > 1);
  }

  function limitPan() {
    var box = stage.getBoundingClientRect();
    var maxX = ((view.scale - 1) * box.width) / 2;
    var maxY = ((view.scale - 1) * box.height) / 2;
    view.x = clamp(view.x, -maxX, maxX);
    view.y = clamp(view.y, -maxY, maxY);
  }

  function fromCentre(point) {
    var box = stage.getBoundingClientRect();
    return { x: point.x - (box.left + box.width / 2), y: point.y - (box.top + box.height / 2) };
  }

  // The image point under `before` (at the view `from`) moves to `after`, at scale `scale`.
  function zoomTo(scale, from, before, after) {
    var next = clamp(scale, 1, MAX_ZOOM);
    var p0 = fromCentre(before);
    var p1 = fromCentre(after);
    view.x = p1.x - ((p0.x - from.x) * next) / from.scale;
    view.y = p1.y - ((p0.y - from.y) * next) / from.scale;
    view.scale = next;
    limitPan();
    applyView();
  }

  function resetView() {
    view = { scale: 1, x: 0, y: 0 };
    applyView();
  }

  var wheelTravel = 0;
  stage.addEventListener(
    "wheel",
    function (event) {
      if (current().report) {
        return;
      }
      event.preventDefault();
      var unit = event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1;
      if (event.ctrlKey) {
        var point = { x: event.clientX, y: event.clientY };
        var from = { scale: view.scale, x: view.x, y: view.y };
        zoomTo(view.scale * Math.exp((-event.deltaY * unit) / 200), from, point, point);
        return;
      }
      wheelTravel += event.deltaY * unit;
      if (Math.abs(wheelTravel) >= WHEEL_STEP) {
        step(wheelTravel > 0 ? 1 : -1);
        wheelTravel = 0;
      }
    },
    { passive: false }
  );

  var pointers = new Map();
  var gesture = null;
  var lastTap = null;

  function points() {
    return Array.from(pointers.values());
  }

  function startGesture(pinched) {
    var at = points();
    var from = { scale: view.scale, x: view.x, y: view.y };
    if (at.length >= 2) {
      var mid = { x: (at[0].x + at[1].x) / 2, y: (at[0].y + at[1].y) / 2 };
      var spread = Math.hypot(at[0].x - at[1].x, at[0].y - at[1].y) || 1;
      return { pinch: true, pinched: true, from: from, mid: mid, spread: spread };
    }
    return { pinch: false, pinched: pinched, last: at[0], start: at[0], axis: null, travel: 0 };
  }

  stage.addEventListener("pointerdown", function (event) {
    if (current().report || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    event.preventDefault();
    stage.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    gesture = startGesture(gesture !== null && gesture.pinched);
  });

  stage.addEventListener("pointermove", function (event) {
    if (!pointers.has(event.pointerId) || gesture === null) {
      return;
    }
    var point = { x: event.clientX, y: event.clientY };
    pointers.set(event.pointerId, point);
    if (gesture.pinch) {
      var at = points();
      var mid = { x: (at[0].x + at[1].x) / 2, y: (at[0].y + at[1].y) / 2 };
      var spread = Math.hypot(at[0].x - at[1].x, at[0].y - at[1].y);
      zoomTo((gesture.from.scale * spread) / gesture.spread, gesture.from, gesture.mid, mid);
      return;
    }
    var dx = point.x - gesture.last.x;
    var dy = point.y - gesture.last.y;
    gesture.last = point;
    if (view.scale > 1) {
      stage.classList.add("is-dragging");
      view.x += dx;
      view.y += dy;
      limitPan();
      applyView();
      return;
    }
    if (gesture.axis === null) {
      var sx = point.x - gesture.start.x;
      var sy = point.y - gesture.start.y;
      if (Math.hypot(sx, sy) < TAP_SLOP) {
        return;
      }
      gesture.axis = Math.abs(sx) > Math.abs(sy) ? "x" : "y";
      dx = sx;
      dy = sy;
    }
    // Finger up or to the left: the next image, like pushing the stack along.
    gesture.travel += gesture.axis === "x" ? dx : dy;
    while (Math.abs(gesture.travel) >= SWIPE_STEP) {
      var forward = gesture.travel < 0;
      step(forward ? 1 : -1);
      gesture.travel += forward ? SWIPE_STEP : -SWIPE_STEP;
    }
  });

  function endPointer(event) {
    if (!pointers.has(event.pointerId)) {
      return;
    }
    var ended = gesture;
    pointers.delete(event.pointerId);
    stage.classList.remove("is-dragging");
    if (pointers.size > 0) {
      gesture = startGesture(true);
      return;
    }
    gesture = null;
    var start = ended && ended.start;
    var tapped =
      ended && !ended.pinched && Math.hypot(event.clientX - start.x, event.clientY - start.y) < TAP_SLOP;
    if (!tapped || event.type === "pointercancel") {
      lastTap = null;
      return;
    }
    var now = Date.now();
    if (lastTap && now - lastTap.time < DOUBLE_TAP_MS &&
        Math.hypot(event.clientX - lastTap.x, event.clientY - lastTap.y) < 3 * TAP_SLOP) {
      resetView();
      lastTap = null;
    } else {
      lastTap = { time: now, x: event.clientX, y: event.clientY };
    }
  }
  stage.addEventListener("pointerup", endPointer);
  stage.addEventListener("pointercancel", endPointer);
  // Double clicks select text and zoom pages elsewhere; here the tap above resets the view.
  stage.addEventListener("dblclick", function (event) { event.preventDefault(); });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) {
      return; // the slider moves itself with the arrow keys
    }
    var count = counts[state.series - 1];
    var done = false;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
      case "PageDown":
        done = step(1);
        break;
      case "ArrowUp":
      case "ArrowLeft":
      case "PageUp":
        done = step(-1);
        break;
      case "Home":
        done = step(-count);
        break;
      case "End":
        done = step(count);
        break;
      default:
        return;
    }
    if (done) {
      event.preventDefault();
    }
  });

  slider.addEventListener("input", function () {
    go({ image: Number(slider.value) });
  });
  jump.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  // The page's own links (previous, next, series, presets) change the view in place.
  function follow(event) {
    var link = event.currentTarget;
    if (!link.hasAttribute("href") || event.button !== 0 ||
        event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      if (!link.hasAttribute("href")) {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    var query = new URL(link.href).searchParams;
    go({
      series: clamp(Number(query.get("series")) || 1, 1, data.series.length),
      image: Number(query.get("image")) || 1,
      window: query.get("window") || "default",
    });
    if (link.hasAttribute("data-series")) {
      // On a phone the strip is below the image: bring the series just chosen into view.
      root.querySelector(".viewer-bar").scrollIntoView({ block: "start" });
    }
  }
  [prev, next].forEach(function (link) {
    link.addEventListener("click", follow);
  });
  root.querySelectorAll("a[data-series], a[data-preset]").forEach(function (link) {
    link.addEventListener("click", follow);
  });

  image.addEventListener("load", function () {
    showBroken(false);
    prefetch();
  });
  image.addEventListener("error", function () {
    if (image.getAttribute("src")) {
      showBroken(true);
      prefetch();
    }
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      var measured = measure();
      if (measured[0] !== viewport[0] || measured[1] !== viewport[1]) {
        viewport = measured;
        limitPan();
        applyView();
        render();
      }
    }, 250);
  });

  root.classList.add("has-script");
  document.getElementById("viewer-help").hidden = false;
  if (image.complete && image.getAttribute("src") && image.naturalWidth === 0) {
    showBroken(true);
  }
  var measured = measure();
  viewport = measured;
  // On a square stage (a phone) the page's image stays as the browser picked it from its
  // `srcset` for this screen; a wider or taller stage gets an image of its own shape.
  if (current().report || Math.abs(measured[0] - measured[1]) <= 1) {
    updateControls(current(), counts[state.series - 1]);
    if (image.complete) {
      prefetch();
    }
  } else {
    render();
  }
})();
