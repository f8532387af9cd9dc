// The docs page without this script is complete; this adds search, a live contents (a
// drawer on narrow screens), copy buttons and JSON highlighting (highlight.js, vendored).
// It is loaded in <head> so that the page is marked as scripted before it is drawn (no
// flash of the phone's contents list), and does the rest once the document is parsed.
(function () {
  "use strict";
  const root = document.documentElement;
  root.classList.add("js");
  const script = document.currentScript;
  const modules = script ? [script.dataset.highlight, script.dataset.highlightJson] : [];

  // Highlighting: code asked for before highlight.js has loaded waits for it.
  let hljs = null;
  const waiting = [];

  function highlight(code) {
    if (hljs) hljs.highlightElement(code);
    else waiting.push(code);
  }

  function loadHighlighter() {
    if (!modules[0] || !modules[1]) return;
    Promise.all(modules.map(function (url) { return import(url); })).then(function (loaded) {
      hljs = loaded[0].default;
      hljs.registerLanguage("json", loaded[1].default);
      hljs.configure({ languages: ["json"] });
      waiting.splice(0).forEach(highlight);
    }).catch(function () { /* the code stays plain text */ });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {  // plain http on another host
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      const copied = document.execCommand("copy");
      area.remove();
      if (copied) resolve(); else reject(new Error("the browser refused to copy"));
    });
  }

  function addCopyButton(pre) {
    if (pre.parentElement.classList.contains("code-wrap")) return;
    const wrap = document.createElement("div");
    wrap.className = "code-wrap";
    pre.before(wrap);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy to the clipboard");
    wrap.append(pre, button);
    let timer = null;
    button.addEventListener("click", function () {
      const code = pre.querySelector("code") || pre;
      copyText(code.textContent).then(function () {
        button.textContent = "Copied";
        button.classList.add("copied");
      }, function () {
        button.textContent = "Select and copy";
        window.getSelection().selectAllChildren(code);
      }).then(function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.textContent = "Copy";
          button.classList.remove("copied");
        }, 1500);
      });
    });
  }

  // Search: every word must be in an event's names, words, or its fields' names and
  // descriptions (data-search, written by the page); no match says so.
  function setUpSearch() {
    const search = document.getElementById("docs-search");
    if (!search) return;
    const empty = document.getElementById("search-empty");
    const navEvents = Array.from(document.querySelectorAll(".nav-event"));
    const articles = Array.from(document.querySelectorAll("article.event"));
    search.hidden = false;
    search.addEventListener("input", function () {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      const matches = function (node) {
        const text = (node.dataset.search || node.textContent).toLowerCase();
        return words.every(function (word) { return text.includes(word); });
      };
      navEvents.forEach(function (link) {
        link.classList.toggle("hidden-by-search", !matches(link));
      });
      let found = 0;
      articles.forEach(function (article) {
        const hit = matches(article);
        found += hit ? 1 : 0;
        article.classList.toggle("hidden-by-search", !hit);
      });
      if (empty) {
        empty.hidden = !words.length || found > 0;
        empty.textContent = found || !words.length ? "" : "No matches: no event, field or " +
          "description has “" + search.value.trim() + "”. Press Escape to clear the search.";
      }
    });
    document.addEventListener("keydown", function (event) {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) {
        event.preventDefault();
        search.focus();
      } else if (event.key === "Escape" && document.activeElement === search) {
        search.value = "";
        search.dispatchEvent(new Event("input"));
      }
    });
  }

  // Narrow screens: the contents open over the page from a button, and close on a choice.
  function setUpDrawer() {
    const toggle = document.querySelector(".nav-toggle");
    const nav = document.getElementById("sidebar");
    if (!toggle || !nav) return;
    toggle.hidden = false;
    const icon = toggle.querySelector("span");
    const label = toggle.lastChild;
    const isOpen = function () { return root.classList.contains("nav-open"); };
    const setOpen = function (open) {
      // Below the contents bar, wherever it is (stuck at the top, or under the header).
      if (open) nav.style.setProperty("--drawer-top", Math.max(0, toggle.getBoundingClientRect().bottom) + "px");
      root.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", String(open));
      if (icon) icon.textContent = open ? "✕" : "☰";
      label.textContent = open ? " Close" : " Contents";
    };
    toggle.addEventListener("click", function () {
      setOpen(!isOpen());
      if (isOpen()) (nav.querySelector("a.current") || nav.querySelector("a")).focus({ preventScroll: true });
    });
    nav.addEventListener("click", function (event) {
      if (event.target.closest("a")) setOpen(false);
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !nav.contains(event.target) && !toggle.contains(event.target)) setOpen(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function setUpContents() {
    if (!("IntersectionObserver" in window)) return;
    const links = new Map(Array.from(document.querySelectorAll(".sidebar a"))
      .map(function (link) { return [link.getAttribute("href").slice(1), link]; }));
    const observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        const link = links.get(entry.target.id);
        if (link && entry.isIntersecting) {
          links.forEach(function (other) { other.classList.remove("current"); });
          link.classList.add("current");
        }
      });
    }, { rootMargin: "-20% 0px -70% 0px" });
    document.querySelectorAll("section[id], article[id]").forEach(function (node) { observer.observe(node); });
  }

  function start() {
    setUpSearch();
    setUpDrawer();
    setUpContents();
    document.querySelectorAll(".content pre").forEach(function (pre) {
      if (!pre.closest(".pg-log")) addCopyButton(pre);
    });
    document.querySelectorAll(".content code.language-json").forEach(highlight);
    loadHighlighter();
  }

  // For playground.js and for pages that extend this one.
  window.asynctionDocs = { highlight: highlight, addCopyButton: addCopyButton, copyText: copyText };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
