// The docs page without this script is complete; this adds search and a live contents.
(function () {
  "use strict";
  const search = document.getElementById("docs-search");
  const navEvents = Array.from(document.querySelectorAll(".nav-event"));
  const articles = Array.from(document.querySelectorAll("article.event"));

  if (search) {
    search.hidden = false;
    search.addEventListener("input", function () {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      const matches = function (text) {
        text = text.toLowerCase();
        return words.every(function (word) { return text.includes(word); });
      };
      navEvents.forEach(function (link) {
        link.classList.toggle("hidden-by-search", !matches(link.dataset.search));
      });
      articles.forEach(function (article) {
        article.classList.toggle("hidden-by-search", !matches(article.textContent));
      });
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

  if ("IntersectionObserver" in window) {
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
})();
