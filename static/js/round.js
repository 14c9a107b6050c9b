/* The round page (practice): timer, autosave, time warnings, local recovery, code editor.
 * The server is the clock: the page gets seconds remaining, counts down with
 * performance.now() and re-syncs from every autosave response, on visibilitychange and
 * once a minute. Autosave: debounced typing (1.5 s) plus every 10 s while dirty, one
 * request at a time, carrying the revision it is based on, this tab's id and a save
 * counter (a tab's own saves never conflict; another tab's do: 409). Failures stay
 * visible and retry with backoff; refusals (409/422) keep the text in the field. */
(function () {
  "use strict";
  var mockloop = window.mockloop;

  var DEBOUNCE_MS = 1500;
  var PERIODIC_MS = 10000;
  var STATUS_SYNC_MS = 60000;
  var TICK_MS = 250;
  var WARNINGS = [300, 60];
  var WARNING_TEXT = { 300: "5 minutes left.", 60: "1 minute left." };

  function token() {
    return mockloop.csrfToken ? mockloop.csrfToken() : "";
  }

  /* A fresh CSRF token from the server: the meta tag and every form on the page. */
  function setToken(value) { mockloop.setCsrfToken(value); }

  function newClientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatClock(seconds) {
    seconds = Math.max(0, Math.ceil(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  // Sent urlencoded, not as multipart FormData: the same fields, parsed by the server at
  // about half the cost of multipart (an autosave every few seconds per candidate).
  function postForm(url, formData, extra) {
    var options = {
      method: "POST",
      body: new URLSearchParams(formData),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": token(), "Accept": "application/json" }
    };
    if (extra && extra.keepalive) options.keepalive = true;
    return fetch(url, options);
  }

  function readJson(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) return Promise.resolve(null);
    return response.json().catch(function () { return null; });
  }

  /* A copy of unsaved answer text in this browser (localStorage), one entry per question:
   * written as the candidate types, removed once the server has accepted that text. If the
   * tab closes or the browser dies while saves fail (network down), the round page puts
   * the text back on the next visit. Only never-saved text lives here, and for 3 days at
   * most (a 48-hour take-home plus slack). */
  var BACKUP_PREFIX = "mockloop:unsaved:";
  var BACKUP_MAX_AGE_MS = 3 * 24 * 3600 * 1000;

  function backupStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function readBackup(key) {
    var store = backupStore();
    if (!store) return null;
    try {
      var entry = JSON.parse(store.getItem(key) || "null");
      return entry && entry.fields ? entry : null;
    } catch (e) { return null; }
  }

  function purgeOldBackups() {
    var store = backupStore();
    if (!store) return;
    var now = Date.now();
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(BACKUP_PREFIX) === 0) keys.push(key);
    }
    keys.forEach(function (key) {
      var entry = readBackup(key);
      if (!entry || !(now - entry.at < BACKUP_MAX_AGE_MS)) store.removeItem(key);
    });
  }

  function initRound(round) {
    var form = round.querySelector("[data-answer-form]");
    var clockEl = round.querySelector("[data-timer-clock]");
    var progressEl = round.querySelector("[data-timer-progress]");
    var announceEl = round.querySelector("[data-round-announce]");
    var duration = Number(round.getAttribute("data-duration")) || 0;
    var graceSeconds = Number(round.getAttribute("data-grace-seconds")) || 0;
    var policy = round.getAttribute("data-policy");
    var warned = {};
    (round.getAttribute("data-warned") || "").split(",").forEach(function (v) {
      if (v) warned[Number(v)] = true;
    });

    /* ---- the clock ---- */
    var anchor = { remaining: 0, cutoff: 0, at: 0 };
    function sync(remaining, graceRemaining) {
      remaining = Number(remaining) || 0;
      var cutoff = remaining > 0 ? remaining + graceSeconds : Number(graceRemaining) || 0;
      anchor = { remaining: remaining, cutoff: cutoff, at: performance.now() };
      tick();
    }
    function elapsed() { return (performance.now() - anchor.at) / 1000; }
    function remainingNow() { return Math.max(0, anchor.remaining - elapsed()); }
    function cutoffNow() { return Math.max(0, anchor.cutoff - elapsed()); }

    function announce(text) {
      if (!announceEl) return;
      announceEl.textContent = text;
      announceEl.classList.add("is-warning");
    }

    function logWarning(threshold) {
      var data = new FormData();
      data.append("seconds_left", String(threshold));
      data.append("csrf_token", token());
      postForm(round.getAttribute("data-warning-url"), data).catch(function () {});
    }

    var timeUpShown = false;
    var expiring = false;
    function tick() {
      var left = remainingNow();
      var inGrace = left <= 0 && policy === "grace_then_close" && cutoffNow() > 0;
      // In a grace-then-close round the clock counts the grace period down too.
      if (clockEl) clockEl.textContent = formatClock(inGrace ? cutoffNow() : left);
      if (progressEl && duration) progressEl.value = Math.min(duration, duration - left);
      WARNINGS.forEach(function (t) { round.classList.toggle("is-" + t + "s-left", left <= t); });
      round.classList.toggle("in-grace", inGrace);
      if (left > 0) {
        var due = WARNINGS.filter(function (t) { return left <= t; });
        if (due.length) {
          var smallest = Math.min.apply(null, due);
          if (!warned[smallest]) {
            due.forEach(function (t) { warned[t] = true; });
            announce(WARNING_TEXT[smallest]);
            logWarning(smallest);
          }
        }
        timeUpShown = false;
        return;
      }
      if (inGrace) {
        if (!timeUpShown) {
          timeUpShown = true;
          announce("Time is up. You have " + Math.ceil(cutoffNow()) +
            " seconds of grace to finish; then the round closes.");
        }
        return;
      }
      timeUp();
    }

    /* ---- autosave: every form of the round that declares data-autosave-url (the
     * answer form, and each follow-up revealed: issue 13), each with its own revision,
     * tab counter and local copy; `save` speaks for all of them. ---- */
    var saveHooks = {
      onSynced: sync,
      onOver: function (data) { finish(data); },
      refreshToken: function () { statusSync(); }
    };
    var bound = [];
    var focusNewFollowUp = false;
    function bindSaves() {
      bound = bound.filter(function (entry) {
        if (entry.form.isConnected) return true;
        entry.save.stop(); // swapped out after a flush; a leftover local copy stays
        return false;
      });
      var added = null;
      round.querySelectorAll("form[data-autosave-url]").forEach(function (el) {
        if (el.mockloopSave) return;
        el.mockloopSave = initAutosave(round, el, saveHooks);
        bound.push({ form: el, save: el.mockloopSave });
        added = el;
      });
      if (added && focusNewFollowUp && added !== form) {
        var field = added.querySelector("textarea");
        if (field) field.focus();
      }
      focusNewFollowUp = false;
      if (expiring) setReadonly(true);
      scheduleFollowUp();
    }
    function eachSave(method, arg) {
      return bound.map(function (entry) { return entry.save[method](arg); });
    }
    var save = {
      unsaved: function () { return bound.some(function (e) { return e.save.unsaved(); }); },
      showOver: function (redirect) {
        bound.forEach(function (e) { if (e.save.unsaved()) e.save.showOver(redirect); });
      },
      flush: function (options) { return Promise.all(eachSave("flush", options)); },
      beacon: function () { eachSave("beacon"); },
      stop: function () { eachSave("stop"); }
    };

    function setReadonly(readonly) {
      round.querySelectorAll("form[data-autosave-url] textarea, form[data-autosave-url] " +
        "input[type=text]").forEach(function (el) { el.readOnly = readonly; });
      round.querySelectorAll("[data-follow-up-reveal]").forEach(function (el) {
        el.disabled = readonly;
      });
    }

    /* ---- follow-ups (issue 13): "Done — next follow-up" is an htmx button that swaps
     * the follow-ups block; every answer is flushed first so no typed text or save in
     * flight is swapped away. The next follow-up also comes by itself when the server
     * said it is due (data-follow-up-due-in); the server checks the time again. ---- */
    round.addEventListener("click", function (evt) {
      var button = evt.target.closest ? evt.target.closest("[data-follow-up-reveal]") : null;
      if (!button) return;
      if (button.mockloopFlushed) { button.mockloopFlushed = false; focusNewFollowUp = true; return; }
      if (!window.htmx) return; // the plain form posts the answer with the button
      evt.preventDefault();
      evt.stopImmediatePropagation();
      save.flush().then(function () {
        button.mockloopFlushed = true;
        button.click();
      });
    }, true);

    function scheduleFollowUp() {
      var box = round.querySelector("[data-follow-up-due-in]");
      if (!box || box.mockloopScheduled) return;
      box.mockloopScheduled = true;
      var dueIn = Number(box.getAttribute("data-follow-up-due-in")) || 0;
      var url = box.getAttribute("data-follow-up-auto-url");
      window.setTimeout(function () {
        if (!box.isConnected || expiring || !window.htmx) return;
        save.flush().then(function () {
          if (box.isConnected && !expiring) {
            window.htmx.ajax("POST", url, { target: "#follow-ups", swap: "outerHTML" });
          }
        });
      }, dueIn * 1000 + 500);
    }
    round.mockloopRebind = bindSaves;

    function finish(data) {
      expiring = true;
      setReadonly(true);
      if (!data || !data.redirect) return;
      if (save && save.unsaved()) {
        // Never navigate away from text the server could not take: let them copy it.
        announce("Time is up and the round is finished. The text on this page was not " +
          "saved; copy it if you want to keep it.");
        save.showOver(data.redirect);
        return;
      }
      showTimeUp(data);
    }

    /* Issue 18: a clear notice before the scoring page ("Time's up — your last saved
     * answers were submitted at 14:05"), read out (role=alert) and focused; the candidate
     * goes on with its link. */
    function showTimeUp(data) {
      var box = round.querySelector("[data-time-up]");
      if (!box) { window.location.assign(data.redirect); return; }
      var text = data.notice || "Time's up — your saved answers were submitted.";
      box.querySelector("[data-time-up-text]").textContent = text;
      box.querySelector("[data-time-up-link]").setAttribute("href", data.redirect);
      box.hidden = false;
      round.classList.add("is-over");
      if (announceEl) announceEl.textContent = "";
      box.focus();
    }

    function timeUp() {
      if (expiring) return;
      expiring = true;
      setReadonly(true);
      announce("Time is up. Submitting your saved answers…");
      var flushed = save.flush();
      flushed.then(requestExpiry, requestExpiry);
    }

    function requestExpiry() {
      var data = new FormData();
      data.append("csrf_token", token());
      postForm(round.getAttribute("data-expire-url"), data)
        .then(function (response) {
          return readJson(response).then(function (json) { return [response, json]; });
        })
        .then(function (pair) {
          var json = pair[1];
          if (json && json.redirect) return finish(json);
          if (json && json.error === "not_yet") {
            // The server still sees time left (this clock ran fast): carry on.
            expiring = false;
            setReadonly(!json.editable);
            sync(json.seconds_remaining, json.grace_remaining);
            return;
          }
          window.setTimeout(requestExpiry, 3000);
        })
        .catch(function () { window.setTimeout(requestExpiry, 3000); });
    }

    function statusSync() {
      fetch(round.getAttribute("data-status-url"), {
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Accept": "application/json" }
      })
        .then(readJson)
        .then(function (json) {
          if (!json) return;
          if (json.csrf_token) setToken(json.csrf_token);
          if (json.redirect) return finish(json);
          sync(json.seconds_remaining, json.grace_remaining);
        })
        .catch(function () {});
    }

    /* ---- issue 18: hints open in place ---- */
    var hintButton = round.querySelector("[data-hint-button]");
    if (hintButton) hintButton.addEventListener("click", function (evt) {
      evt.preventDefault();
      if (hintButton.disabled) return;
      hintButton.disabled = true;
      var data = new FormData();
      data.append("csrf_token", token());
      postForm(hintButton.getAttribute("data-hint-url"), data)
        .then(function (response) {
          return readJson(response).then(function (json) { return [response, json]; });
        })
        .then(function (pair) {
          var json = pair[1];
          hintButton.disabled = false;
          if (!json || !json.ok) {
            if (json && json.redirect) return finish(json);
            announce("The hint could not be shown; try again.");
            return;
          }
          var list = round.querySelector("[data-hint-list]");
          if (json.hint_html && list) {
            var li = document.createElement("li");
            li.innerHTML = json.hint_html; // sanitised Markdown from the server (app/markdown.py)
            list.appendChild(li);
            list.closest("[data-hints]").hidden = false;
          }
          // a costed hint moved the deadline (issue 18): the countdown, the progress bar
          // and "Ends ..." follow the server's clock at once
          if (json.charged) {
            sync(json.seconds_remaining, json.grace_remaining);
            var deadlineEl = round.querySelector("[data-deadline]");
            if (deadlineEl && json.deadline_label) deadlineEl.textContent = json.deadline_label;
          }
          var left = json.total - json.used;
          if (left > 0) {
            hintButton.textContent = "Show a hint (" + left + " left" +
              (json.cost_label ? ", " + json.cost_label : "") + ")";
          } else hintButton.remove();
          announce("Hint " + json.used + " of " + json.total + " shown." +
            (json.charged ? " It took " + json.charged_label + " off your time." : ""));
        })
        .catch(function () {
          hintButton.disabled = false;
          announce("The hint could not be shown (no connection); try again.");
        });
    });

    sync(round.getAttribute("data-seconds-remaining"), round.getAttribute("data-grace-remaining"));
    bindSaves();
    if (round.getAttribute("data-phase") === "grace" && policy === "grace_then_close") {
      timeUpShown = true;
    }

    var timers = [
      window.setInterval(function () {
        if (!round.isConnected) return teardown();
        tick();
      }, TICK_MS),
      window.setInterval(statusSync, STATUS_SYNC_MS)
    ];
    function onVisibility() {
      if (!round.isConnected) return teardown();
      if (document.visibilityState === "visible") statusSync();
      else if (save) save.flush({ keepalive: true });
    }
    function onPageHide() {
      if (save) save.beacon();
    }
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", onPageHide);
    function teardown() {
      timers.forEach(window.clearInterval);
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onPageHide);
      if (save) save.beacon();
      if (save) save.stop();
    }
    round.mockloopSync = sync;
  }

  function initAutosave(round, form, hooks) {
    var url = form.getAttribute("data-autosave-url");
    var revisionInput = form.querySelector("[data-revision]");
    var clientInput = form.querySelector("[data-client-id]");
    var seqInput = form.querySelector("[data-seq]");
    var statusEl = form.querySelector("[data-save-status]");
    var problemEl = form.querySelector("[data-save-problem]");
    var fields = form.querySelectorAll("textarea[name^='answer_'], input[name^='answer_']");
    if (clientInput) clientInput.value = newClientId();

    var seq = 0;
    var dirty = false;
    var blocked = null; // "stale" | "over" | "invalid": wait (or stop) instead of retrying
    var inFlight = null;
    var debounceTimer = null;
    var retryTimer = null;
    var retryDelay = 0;
    var submitting = false;
    var stopped = false;

    function showStatus(text) { if (statusEl) statusEl.textContent = text; }

    function showProblem(text, action) {
      if (!problemEl) return;
      problemEl.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      problemEl.appendChild(p);
      [].concat(action || []).forEach(function (el) { problemEl.appendChild(el); });
      problemEl.hidden = false;
      form.classList.add("has-save-problem");
    }

    function clearProblem() {
      if (!problemEl) return;
      problemEl.hidden = true;
      problemEl.textContent = "";
      form.classList.remove("has-save-problem");
    }

    var backupKey = BACKUP_PREFIX + url;

    function values() {
      var result = {};
      fields.forEach(function (el) { result[el.name] = el.value; });
      return result;
    }

    function sameValues(a) {
      var now = values();
      return Object.keys(now).every(function (name) { return (a[name] || "") === now[name]; });
    }

    function writeBackup() {
      var store = backupStore();
      if (!store) return;
      var entry = { rev: revisionInput ? revisionInput.value : "", at: Date.now(), fields: values() };
      try { store.setItem(backupKey, JSON.stringify(entry)); } catch (e) { /* full: the server copy still counts */ }
    }

    function clearBackup() {
      var store = backupStore();
      if (store) store.removeItem(backupKey);
    }

    function applyValues(saved) {
      fields.forEach(function (el) {
        if (Object.prototype.hasOwnProperty.call(saved, el.name) && el.value !== saved[el.name]) {
          el.value = saved[el.name];
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    }

    function button(text, onClick) {
      var el = document.createElement("button");
      el.type = "button";
      el.className = "button secondary";
      el.textContent = text;
      el.addEventListener("click", onClick);
      return el;
    }

    /* On load: text typed here that never reached the server comes back into the field.
     * True when there was such text (restored, or offered beside a newer save). */
    function restoreBackup() {
      var saved = readBackup(backupKey);
      if (!saved) return false;
      if (sameValues(saved.fields)) { clearBackup(); return false; }
      if (!revisionInput || String(saved.rev) === revisionInput.value) {
        applyValues(saved.fields);
        showStatus("Restored what you typed here before the page closed; saving it now.");
        send();
        return true;
      }
      // The answer was saved elsewhere since this text was typed: the candidate chooses.
      showStatus("Saved elsewhere since.");
      showProblem("This browser still holds text you typed in this answer that never " +
        "reached the server, and the answer has been saved from another tab or device " +
        "since. Which one do you want to keep?", [
        button("Use the text from this browser", function () {
          clearProblem();
          applyValues(saved.fields);
          send();
        }),
        button("Keep the saved version", function () {
          clearBackup();
          clearProblem();
          showStatus("Kept the saved version.");
        })
      ]);
      return true;
    }

    function showOver(redirect, message) {
      showStatus("Not saved.");
      var link = null;
      if (redirect) {
        link = document.createElement("a");
        link.href = redirect;
        link.textContent = "Go to self-scoring";
      }
      showProblem(message || "Time is up: this round is closed, so this answer was not " +
        "saved. Your text is still here; copy it if you want to keep it.", link);
    }

    function nextSeq() {
      seq += 1;
      if (seqInput) seqInput.value = String(seq);
      return seq;
    }

    function body() {
      nextSeq();
      return new URLSearchParams(new FormData(form));  // for the beacon too (postForm)
    }

    function schedule(ms) {
      window.clearTimeout(debounceTimer);
      debounceTimer = window.setTimeout(function () { send(); }, ms);
    }

    function scheduleRetry() {
      retryDelay = retryDelay ? Math.min(retryDelay * 2, 30000) : 2000;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(function () { send(); }, retryDelay);
      return retryDelay;
    }

    function send(options) {
      if (stopped || submitting) return Promise.resolve();
      if (inFlight) {
        // One save at a time; send again once this one answers if still dirty.
        return inFlight.then(function () { return dirty && !blocked ? send(options) : null; });
      }
      if (!dirty || blocked === "stale" || blocked === "over") return Promise.resolve();
      window.clearTimeout(debounceTimer);
      window.clearTimeout(retryTimer);
      dirty = false;
      showStatus("Saving…");
      inFlight = postForm(url, body(), options)
        .then(function (response) {
          return readJson(response).then(function (json) { handle(response.status, json); });
        })
        .catch(function () { failed("the connection dropped"); })
        .then(function () {
          inFlight = null;
          // Typed during the save: save again soon (a failure has its own retry timer).
          if (dirty && !blocked && !stopped && retryDelay === 0) schedule(DEBOUNCE_MS);
        });
      return inFlight;
    }

    function failed(reason) {
      dirty = true;
      var wait = scheduleRetry();
      showStatus("Not saved.");
      showProblem("Not saved: " + reason + ". Your text is still here; retrying in " +
        Math.round(wait / 1000) + " s.");
    }

    function handle(status, json) {
      if (status === 200 && json && json.ok) {
        retryDelay = 0;
        blocked = null;
        if (revisionInput) revisionInput.value = String(json.revision);
        // What was typed during the save is now based on the new revision.
        if (dirty) writeBackup(); else clearBackup();
        showStatus(json.saved_label ? "Saved at " + json.saved_label : "Saved.");
        clearProblem();
        clearFieldErrors();
        hooks.onSynced(json.seconds_remaining, json.grace_remaining);
        return;
      }
      dirty = true;
      if (status === 409 && json && json.error === "stale") {
        blocked = "stale";
        var reload = document.createElement("button");
        reload.type = "button";
        reload.className = "button secondary";
        reload.textContent = "Reload to see the saved version";
        reload.addEventListener("click", function () {
          stopped = true;
          window.location.reload();
        });
        showStatus("Not saved.");
        showProblem("This answer was changed in another tab. Your text here was not saved " +
          "and nothing was overwritten; copy it if you need it, then reload.", reload);
        return;
      }
      if (status === 409 && json && json.error === "over") {
        blocked = "over";
        showOver(json.redirect, json.message);
        hooks.onOver(null);
        return;
      }
      if (status === 422 && json) {
        blocked = "invalid";
        if (json.errors && showFieldErrors(json.errors)) {
          showStatus("Not saved: see the message beside the field.");
          return;
        }
        var message = json.message;
        if (!message && json.errors) {
          message = Object.keys(json.errors).map(function (k) { return json.errors[k].join(" "); }).join(" ");
        }
        showStatus("Not saved.");
        showProblem((message || "This answer cannot be saved as it is.") +
          " Your text is still here; it will save once you change it.");
        return;
      }
      if (status === 400 && !json) {
        // The CSRF token went stale (signed out and in again elsewhere): fetch a fresh one.
        hooks.refreshToken();
        failed("this page's sign-in changed; fetching a fresh one");
        return;
      }
      if (status === 0 || !json) {
        failed(status === 0 ? "you may have been signed out (sign in again in another tab)"
          : "the server answered with an error " + status);
        return;
      }
      failed("the server answered with an error " + status);
    }

    /* Issue 18: a refused field's message sits beside it (aria-invalid, aria-describedby)
     * and the first one is scrolled into view; nothing else on the page moves. */
    function showFieldErrors(errors) {
      clearFieldErrors();
      var first = null;
      Object.keys(errors).forEach(function (name) {
        var input = form.querySelector("[name='" + name + "']");
        var box = input && input.closest(".field");
        if (!box) return;
        var id = input.id + "-error";
        var p = document.getElementById(id);
        if (!p) {
          p = document.createElement("p");
          p.className = "error";
          p.id = id;
          p.setAttribute("data-field-error", "");
          box.appendChild(p);
        }
        p.textContent = errors[name].join(" ");
        box.classList.add("field-error");
        input.setAttribute("aria-invalid", "true");
        var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (ids.indexOf(id) === -1) ids.push(id);
        input.setAttribute("aria-describedby", ids.join(" "));
        if (!first) first = input;
      });
      if (first) {
        var rect = first.getBoundingClientRect();
        if (rect.top < 0 || rect.bottom > window.innerHeight) first.scrollIntoView({ block: "center" });
      }
      return !!first;
    }

    function clearFieldErrors() {
      form.querySelectorAll("[aria-invalid='true']").forEach(function (input) {
        input.removeAttribute("aria-invalid");
        var id = input.id + "-error";
        var ids = (input.getAttribute("aria-describedby") || "").split(" ")
          .filter(function (v) { return v && v !== id; });
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
        else input.removeAttribute("aria-describedby");
        var box = input.closest(".field");
        if (box) box.classList.remove("field-error");
        var p = document.getElementById(id);
        if (p) p.remove();
      });
    }

    function onInput() {
      dirty = true;
      writeBackup();
      if (blocked === "invalid") blocked = null;
      if (blocked) return;
      showStatus("Unsaved changes…");
      schedule(DEBOUNCE_MS);
    }
    fields.forEach(function (el) { el.addEventListener("input", onInput); });

    var periodic = window.setInterval(function () {
      if (dirty && !blocked && !inFlight) send();
    }, PERIODIC_MS);

    form.addEventListener("submit", function () {
      // The plain form carries the answer itself; stop autosaving and number this save.
      submitting = true;
      window.clearTimeout(debounceTimer);
      window.clearTimeout(retryTimer);
      nextSeq();
    });

    window.addEventListener("beforeunload", function (evt) {
      // A failed or refused save: ask before leaving (the text also stays in this browser).
      if (dirty && (blocked === "stale" || retryDelay > 0) && !stopped && !submitting) {
        evt.preventDefault();
        evt.returnValue = "";
      }
    });

    // Text typed before this script ran (a slow connection, a boosted swap still loading
    // it) raised no input event here: it is saved now, as if it had just been typed.
    if (!restoreBackup() && [].some.call(fields, function (el) { return el.value !== el.defaultValue; })) {
      onInput();
    }

    return {
      unsaved: function () { return dirty; },
      showOver: function (redirect) { blocked = "over"; showOver(redirect); },
      flush: function (options) {
        if (inFlight || (dirty && !blocked)) return send(options);
        return Promise.resolve();
      },
      beacon: function () {
        if (!dirty || blocked || submitting || stopped) return;
        var data = body();
        var sent = false;
        try { sent = navigator.sendBeacon(url, data); } catch (e) { sent = false; }
        if (!sent) postForm(url, data, { keepalive: true }).catch(function () {});
        dirty = false;
      },
      stop: function () {
        stopped = true;
        window.clearInterval(periodic);
        window.clearTimeout(debounceTimer);
        window.clearTimeout(retryTimer);
      }
    };
  }

  /* Code answers without the editor bundle: Tab inserts a tab; Escape then Tab leaves
   * the field (no keyboard trap). */
  function initPlainCodeArea(area) {
    var escaped = false;
    area.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape") { escaped = true; return; }
      if (evt.key !== "Tab" || evt.shiftKey || evt.ctrlKey || evt.altKey || evt.metaKey) {
        escaped = false;
        return;
      }
      if (escaped || area.readOnly) { escaped = false; return; }
      evt.preventDefault();
      var inserted = false;
      try { inserted = document.execCommand("insertText", false, "\t"); } catch (e) { inserted = false; }
      if (!inserted) {
        area.setRangeText("\t", area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  /* Code answers with the CodeMirror bundle (static/vendor/codemirror-*): the editor takes
   * the textarea's place and id, so its label, hint and "#answer_text" lead to what the
   * candidate types in; the hidden textarea stays the form field autosave reads and the
   * Save button submits. The editor writes every change back into it. */
  function initCodeEditor(area) {
    var id = area.id;
    var label = id ? document.querySelector('label[for="' + id + '"]') : null;
    if (label && !label.id) label.id = id + "-label";
    area.id = id + "-field";
    if (label) label.removeAttribute("for"); // it names the editor now (aria-labelledby)
    var editor = window.MockloopEditor.create(area, {
      id: id,
      labelledBy: label ? label.id : null,
      describedBy: area.getAttribute("aria-describedby")
    });
    area.hidden = true;
    area.setAttribute("aria-hidden", "true");
    area.tabIndex = -1;
    area.mockloopEditor = editor;
    if (label) {
      label.addEventListener("click", function (evt) { evt.preventDefault(); editor.focus(); });
    }
    var tag = document.createElement("p");
    tag.className = "code-language";
    var language = area.getAttribute("data-code-language") || "python";
    tag.textContent = language.charAt(0).toUpperCase() + language.slice(1);
    tag.setAttribute("aria-hidden", "true"); // the label names the language for screen readers
    editor.view.dom.parentNode.insertBefore(tag, editor.view.dom);
  }

  function bindCodeArea(area) {
    if (area.getAttribute("data-code-bound")) return;
    if (window.MockloopEditor) {
      area.setAttribute("data-code-bound", "editor");
      initCodeEditor(area);
    } else if (!document.querySelector("script[data-code-editor-bundle]")) {
      area.setAttribute("data-code-bound", "plain");
      initPlainCodeArea(area);
    }
    // else: the bundle is still loading; it announces itself with "mockloop:editor-ready".
  }

  function initRounds(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var rounds = [];
    if (scope.matches && scope.matches("[data-round]")) rounds.push(scope);
    scope.querySelectorAll("[data-round]").forEach(function (el) { rounds.push(el); });
    if (rounds.length) purgeOldBackups();
    // Editors first: a restored local copy must reach the editor as well as the field.
    scope.querySelectorAll("textarea[data-code-editor]").forEach(bindCodeArea);
    rounds.forEach(function (round) {
      if (round.getAttribute("data-round-bound")) return;
      round.setAttribute("data-round-bound", "1");
      initRound(round);
    });
    // A swap inside a round (the follow-ups block) brings new answer forms to bind.
    document.querySelectorAll("[data-round][data-round-bound]").forEach(function (round) {
      if (round.mockloopRebind) round.mockloopRebind();
    });
  }

  document.addEventListener("mockloop:editor-ready", function () {
    document.querySelectorAll("textarea[data-code-editor]").forEach(bindCodeArea);
  });
  mockloop.define("round", [initRounds]);
})();
