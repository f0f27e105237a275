// Query UI: YASGUI against this server only (no outbound calls), named queries, share and download links.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const examples = JSON.parse(document.getElementById("sparql-examples").textContent);

  // Before constructing Yasgui: the "class"/"property" completers call the LOV web service.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false, // focusing the editor would scroll the page away from its heading
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    yasqe: { prefixCcApi: null, value: config.query },
    yasr: { prefixes: config.prefixes },
  });
  const tab = yasgui.getTab();
  const yasqe = tab.getYasqe();

  // Readable cells: IRIs by label (else prefix:name), the full IRI on hover; literals with a language
  // badge or a short datatype badge. Full cell text, no click-to-expand ellipsis.
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const PLAIN = [XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"];
  const labels = new Map(); // IRI -> label, filled from this endpoint after each table draw
  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function compact(iri) {
    let best = "";
    const prefixes = config.displayPrefixes;
    for (const [prefix, ns] of Object.entries(prefixes)) {
      if (iri.startsWith(ns) && ns.length > (prefixes[best] || "").length) best = prefix;
    }
    return best ? best + ":" + iri.slice(prefixes[best].length) : null;
  }
  function cell(binding) {
    if (binding.type === "uri") {
      const name = compact(binding.value);
      const cls = name ? "iri" : "iri raw-iri";
      return `<a class="${cls}" href="${escape(binding.value)}" title="${escape(binding.value)}" data-iri="${escape(binding.value)}">` +
        `${escape(labels.get(binding.value) || name || binding.value)}</a>`;
    }
    if (binding.type === "bnode") return `<span class="literal">_:${escape(binding.value)}</span>`;
    const lang = binding["xml:lang"];
    let out = `<span class="literal"${lang ? ` lang="${escape(lang)}"` : ""}>${escape(binding.value)}</span>`;
    if (lang) out += ` <span class="badge lang" title="language tag">${escape(lang)}</span>`;
    else if (binding.datatype && !PLAIN.includes(binding.datatype)) {
      out += ` <span class="badge datatype" title="${escape(binding.datatype)}">${escape(compact(binding.datatype) || binding.datatype)}</span>`;
    }
    return out;
  }
  const table = tab.getYasr().plugins.table;
  if (table) {
    table.persistentConfig.isEllipsed = false;
    table.getCellContent = (binding) => `<div>${cell(binding)}</div>`;
  }

  // Labels for the IRIs on show, asked of this endpoint in one query per table page.
  const UNSAFE = /[\s<>"{}|\\^`]/;
  let asking = false;
  function labelLinks(root) {
    const wanted = new Set();
    root.querySelectorAll("a[data-iri]").forEach((a) => {
      const iri = a.dataset.iri;
      const label = labels.get(iri);
      if (label && a.textContent !== label) a.textContent = label;
      else if (!labels.has(iri) && !UNSAFE.test(iri)) wanted.add(iri);
    });
    if (!wanted.size || asking) return;
    asking = true;
    const iris = [...wanted].slice(0, 500);
    iris.forEach((iri) => labels.set(iri, null)); // asked once, labelled or not
    const query = "SELECT ?s ?l WHERE { VALUES ?s { " + iris.map((i) => "<" + i + ">").join(" ") + " } ?s ?p ?l " +
      "FILTER(?p IN (<http://www.w3.org/2000/01/rdf-schema#label>, <http://www.w3.org/2004/02/skos/core#prefLabel>) && isLiteral(?l)) }";
    fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query }),
    }).then((r) => (r.ok ? r.json() : { results: { bindings: [] } })).then((json) => {
      const rank = (lang) => ["en", "", "nb"].indexOf(lang) + 1 || 9;
      const best = new Map();
      for (const b of json.results.bindings) {
        const r = rank(b.l["xml:lang"] || "");
        if (!best.has(b.s.value) || r < best.get(b.s.value)[0]) best.set(b.s.value, [r, b.l.value]);
      }
      best.forEach(([, label], iri) => labels.set(iri, label));
    }).catch(() => {}).finally(() => {
      asking = false;
      labelLinks(root);
    });
  }

  // IRIs under the base IRI open this server's pages (same tab), e.g. /id/organisation/x.
  function localise(root) {
    root.querySelectorAll("a[href]").forEach((a) => {
      const href = a.getAttribute("href");
      if (!href.startsWith(config.baseIri)) return;
      a.setAttribute("href", config.localBase + href.slice(config.baseIri.length));
      a.removeAttribute("target");
      a.classList.add("local-iri");
    });
  }
  const results = document.getElementById("yasgui");
  // A malformed query's message names each missing prefix as "add PREFIX p: <iri>" (server/queryerrors.py):
  // offer one button that adds them all and runs the query again.
  const fixes = document.getElementById("query-fixes");
  function offerFixes() {
    const error = document.querySelector("#yasgui .errorResult");
    const lines = error ? [...new Set(error.textContent.match(/(?<=add )PREFIX [^\s:]*: <[^<>\s]*>/g))] : [];
    if (fixes.dataset.lines === lines.join("\n")) return;
    fixes.dataset.lines = lines.join("\n");
    fixes.replaceChildren();
    if (!lines.length) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "fix-prefixes";
    button.textContent = "Add " + lines.join(", ") + " and run";
    button.addEventListener("click", () => {
      yasqe.setValue(lines.join("\n") + "\n" + yasqe.getValue());
      yasqe.query();
    });
    fixes.append(button);
  }
  new MutationObserver(() => { localise(results); labelLinks(results); offerFixes(); }).observe(results, { childList: true, subtree: true });

  function queryUrl(extra) {
    const params = new URLSearchParams({ query: yasqe.getValue(), ...extra });
    return config.endpoint + "?" + params.toString();
  }

  function updateLinks() {
    const share = new URLSearchParams({ query: yasqe.getValue() });
    document.getElementById("share-link").setAttribute("href", "?" + share.toString());
    const type = (yasqe.getQueryType() || "SELECT").toUpperCase();
    const kind = type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
    const downloads = document.getElementById("downloads");
    downloads.replaceChildren();
    config.formats[kind].forEach(([name, mediaType], i) => {
      const a = document.createElement("a");
      a.href = queryUrl({ format: name });
      a.textContent = name.toUpperCase();
      a.title = mediaType;
      a.className = "download";
      a.setAttribute("download", "query-results." + name);
      if (i) downloads.append(" ");
      downloads.append(a);
    });
  }

  yasqe.on("change", updateLinks);
  yasqe.on("query", () => {
    updateLinks();
    history.replaceState(null, "", document.getElementById("share-link").getAttribute("href"));
  });
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      yasqe.setValue(examples[button.dataset.example]);
      yasqe.focus();
    });
  });

  // The example filter: every word must occur in the title, description or tags (accents and case ignored).
  const fold = (text) => text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ø/g, "o").replace(/æ/g, "ae").replace(/å/g, "a");
  const filter = document.getElementById("example-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const words = fold(filter.value).split(/\s+/).filter(Boolean);
      document.querySelectorAll("#examples section.example-group").forEach((group) => {
        let shown = 0;
        group.querySelectorAll("li[data-search]").forEach((li) => {
          const hit = words.every((w) => fold(li.dataset.search).includes(w));
          li.hidden = !hit;
          shown += hit;
        });
        group.hidden = !shown;
      });
    });
  }
  updateLinks();
  if (config.runOnLoad) yasqe.query();
})();
