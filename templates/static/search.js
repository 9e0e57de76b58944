// Search over the static Pagefind index: title, date and excerpt for each result.
const script = document.querySelector("script[data-pagefind]");
const form = document.querySelector(".search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const LIMIT = 20;
// The page's words, in its language, from the script tag: "{count} results for “{query}”".
const text = script.dataset;
const say = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key]);

// Pagefind is loaded and started once for the page, however many searches ask for it while it loads
// (typing searches, and so does Enter). A load that failed is tried again by the next search.
let loading;
function load() {
  loading ??= (async () => {
    const engine = await import(script.dataset.pagefind);
    // Result URLs carry the site's sub-path, e.g. /milei-watch/articles/x/.
    await engine.options({ baseUrl: script.dataset.baseUrl || "/" });
    await engine.init();
    return engine;
  })().catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function element(tag, value, className) {
  const el = document.createElement(tag);
  if (value) el.textContent = value;
  if (className) el.className = className;
  return el;
}

function result(data) {
  const item = element("li", "", "search-result");
  const heading = element("h2", "", "search-result-title");
  const link = element("a", data.meta.title || data.url);
  link.href = data.url;
  heading.append(link);
  item.append(heading);
  if (data.meta.date) item.append(element("p", data.meta.date, "search-result-date"));
  const excerpt = element("p", "", "search-result-excerpt");
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the page text and adds only <mark>
  item.append(excerpt);
  return item;
}

let latest = 0;
async function run(query) {
  const ticket = ++latest;
  const trimmed = query.trim();
  const url = new URL(location.href);
  if (trimmed) url.searchParams.set("q", trimmed); else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  if (!trimmed) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  let found;
  try {
    const pagefind = await load();
    // Search once the typing pauses; only the latest query searches and shows its results, whatever
    // order the searches of earlier ones would finish in.
    pagefind.preload(trimmed).catch(() => {});
    await pause(150);
    if (ticket !== latest) return; // a newer query superseded this one
    const search = await pagefind.search(trimmed);
    if (ticket !== latest) return;
    found = { total: search.results.length, items: await Promise.all(search.results.slice(0, LIMIT).map((r) => r.data())) };
  } catch (error) {
    if (ticket === latest) status.textContent = text.unavailable;
    return;
  }
  if (ticket !== latest) return;
  list.replaceChildren(...found.items.map(result));
  const values = { count: found.total, query: trimmed, limit: LIMIT };
  const shown = found.total > LIMIT ? say(text.showing, values) : "";
  status.textContent = found.total
    ? say(found.total === 1 ? text.one : text.many, values) + shown
    : say(text.none, values);
}

form.addEventListener("submit", (event) => { event.preventDefault(); run(input.value); });
input.addEventListener("input", () => run(input.value));
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
