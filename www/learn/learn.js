// The articles' shared behaviour: navigation, pager, and the language switch (remembered in
// localStorage; the first choice follows the browser). No protocol logic lives here.
import { ARTICLES, LANGS } from "./articles.js";

const KEY = "tcp-playground:lang";

/** The reader's language: the one they chose, else the browser's, else English. */
export function preferredLang() {
  let stored = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    // Storage can be off (private windows, embedded views): fall back on the browser.
  }
  if (stored in LANGS) return stored;
  return (navigator.languages ?? [navigator.language]).some((l) => l?.toLowerCase().startsWith("zh")) ? "zh" : "en";
}

function remember(lang) {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Not remembered, but the switch itself still works.
  }
}

const el = (tag, attrs = {}, text) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};

const WORDS = {
  en: { contents: "Articles", prev: "Previous", next: "Next", home: "Playground", switchTo: "阅读中文版" },
  zh: { contents: "文章", prev: "上一篇", next: "下一篇", home: "演示场", switchTo: "Read in English" },
};

function build() {
  const body = document.body;
  if (body.dataset.role === "landing") {
    location.replace(`${preferredLang()}/index.html`);
    return;
  }
  const lang = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
  const other = lang === "zh" ? "en" : "zh";
  const slug = body.dataset.slug ?? "index";
  const w = WORDS[lang];

  const nav = document.getElementById("learn-nav");
  if (nav) {
    const list = el("ol");
    for (const a of ARTICLES) {
      const link = el("a", { href: `${a.slug}.html` }, a[lang]);
      if (a.slug === slug) link.setAttribute("aria-current", "page");
      const li = el("li");
      li.append(link);
      list.append(li);
    }
    nav.replaceChildren(el("h2", {}, w.contents), list);
  }

  const switcher = document.getElementById("lang-switch");
  if (switcher) {
    const link = el("a", { href: `../${other}/${slug}.html`, hreflang: other, lang: other }, w.switchTo);
    link.addEventListener("click", () => remember(other));
    switcher.replaceChildren(link);
  }
  // Reading a page in a language is choosing it.
  remember(lang);

  const contents = document.getElementById("contents");
  if (contents) {
    contents.replaceChildren(...ARTICLES.map((a) => {
      const li = el("li");
      li.append(el("a", { href: `${a.slug}.html` }, a[lang]), el("p", {}, a.blurb[lang]));
      return li;
    }));
  }

  const pager = document.getElementById("learn-pager");
  const at = ARTICLES.findIndex((a) => a.slug === slug);
  if (pager && at >= 0) {
    const links = [];
    if (at > 0) links.push(el("a", { href: `${ARTICLES[at - 1].slug}.html`, rel: "prev" }, `← ${ARTICLES[at - 1][lang]}`));
    if (at < ARTICLES.length - 1) links.push(el("a", { href: `${ARTICLES[at + 1].slug}.html`, rel: "next" }, `${ARTICLES[at + 1][lang]} →`));
    pager.replaceChildren(...links);
  }
}

build();
