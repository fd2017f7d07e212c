// @ts-check
// The one read-only view of a discussion, used by the JupyterLab extension
// (files and outputs) and by the studio's Insights tab (anywidget).
//
// Input (see syndisco_widgets/viewer/payload.py for the documented shapes):
//   * a viewer payload {kind: "discussion" | "structure" | "experiment", ...};
//   * a file's content: Logs.export JSON, a structure's to_json, an
//     experiment's manifest.experiment.json, or an autosave .jsonl (text).
// Model and persona text are untrusted: every piece of it reaches the page
// through textContent / createTextNode / setAttribute, never through HTML.

import { appendInline, buildMessage, hueOf } from "./transcript.js";

/** The MIME type of a viewer payload. */
export const MIME_TYPE = "application/vnd.syndisco.discussion+json";
/** The payload format this renderer understands. */
export const PAYLOAD_VERSION = 1;

const SVG_NS = "http://www.w3.org/2000/svg";
const TIMELINE_HEIGHT = 64;
const TIMELINE_MAX_BAR = 14;
/** A structure drawing shrinks to fit, but not below this width (px); the frame scrolls then. */
const MIN_GRAPH_WIDTH = 520;

/**
 * @typedef {{name: string, text: string, model?: string, role?: string, source?: string,
 *   context?: unknown, seen?: number[], cycle?: number, target?: number, target_name?: string}} Entry
 * @typedef {{name: string, turns: number, words: number, turnShare: number, wordShare: number}} SpeakerStat
 * @typedef {{speakers: SpeakerStat[], lengths: {index: number, name: string, words: number}[],
 *   transitions: {names: string[], counts: number[][]}, totalTurns: number, totalWords: number}} Summary
 * @typedef {{kind: "discussion", title: string, metadata: Record<string, unknown>, entries: Entry[],
 *   notes: string[], live: boolean}} DiscussionPayload
 * @typedef {{from: string, to: string, count: number}} Edge
 * @typedef {{kind: "structure", title: string, metadata: Record<string, unknown>, entries: Entry[],
 *   nodes: string[], edges: Edge[], moderator: string | null, final: string | null, notes: string[]}} StructurePayload
 * @typedef {{index: number, file: string | null, status: string, users: string[], seed: unknown,
 *   design: Record<string, unknown>, turns: number | null, words: number | null, entries: Entry[] | null}} ExperimentRow
 * @typedef {{kind: "experiment", title: string, metadata: Record<string, unknown>, discussions: ExperimentRow[],
 *   notes: string[]}} ExperimentPayload
 * @typedef {{kind: "error", title: string, message: string}} ErrorPayload
 * @typedef {DiscussionPayload | StructurePayload | ExperimentPayload | ErrorPayload} Payload
 * @typedef {{linkFile?: (anchor: HTMLAnchorElement, path: string) => void, markdown?: boolean}} ViewOptions
 */

// ------------------------------------------------------------------ parsing

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** @param {unknown} value */
const str = (value) => (value === undefined || value === null ? "" : String(value));

/**
 * "1 turn", "2 turns".
 * @param {number} count @param {string} one @param {string} [many]
 */
export const plural = (count, one, many) => `${count} ${count === 1 ? one : (many ?? `${one}s`)}`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * An ISO timestamp as people read it ("3 Dec 2026, 08:10 UTC"); anything else as given.
 * @param {unknown} stamp
 */
export function when(stamp) {
  const text = str(stamp);
  const date = /^\d{4}-\d\d-\d\dT/.test(text) ? new Date(text) : null;
  if (!date || Number.isNaN(date.getTime())) return text;
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

/** Marks a study export file (see syndisco_widgets/engine/exports.py). */
const EXPORT_FORMAT = "syndisco-widgets/study-export-1";

/**
 * Keep well-formed entries (objects with a name and a text); count the rest.
 * @param {unknown} list
 * @returns {{entries: Entry[], dropped: number}}
 */
function cleanEntries(list) {
  /** @type {Entry[]} */
  const entries = [];
  let dropped = 0;
  for (const item of Array.isArray(list) ? list : []) {
    if (isObject(item) && "name" in item && "text" in item) {
      entries.push(/** @type {Entry} */ ({ ...item, name: str(item.name), text: str(item.text) }));
    } else {
      dropped += 1;
    }
  }
  return { entries, dropped };
}

/**
 * Parse an autosave file (JsonlLogWriter): a header line, then {"entry": ...} lines.
 * A last line cut off mid-write (the run is still going, or crashed) is skipped.
 * @param {string} text
 * @returns {DiscussionPayload | ErrorPayload}
 */
export function parseJsonl(text) {
  const lines = text.split("\n");
  /** @type {Record<string, unknown>} */
  let header = {};
  /** @type {unknown[]} */
  const records = [];
  /** @type {string[]} */
  const notes = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) {
        notes.push("The last line is still being written; it will appear when it is complete.");
        break;
      }
      return { kind: "error", title: "Not a discussion file", message: `Line ${i + 1} is not valid JSON.` };
    }
    if (isObject(record) && isObject(record.header)) header = record.header;
    else if (isObject(record) && "entry" in record) records.push(record.entry);
    else return { kind: "error", title: "Not a discussion file", message: `Line ${i + 1} is neither a header nor an entry.` };
  }
  const { entries, dropped } = cleanEntries(records);
  if (dropped) notes.push(`${dropped} malformed entr${dropped === 1 ? "y was" : "ies were"} skipped.`);
  const metadata = isObject(header.metadata) ? { ...header.metadata } : {};
  if (header.created) metadata.created = header.created;
  return { kind: "discussion", title: "Discussion (autosave)", metadata, entries, notes, live: true };
}

/**
 * Edges of a structure run from its entries: who saw whose answer (``seen``).
 * @param {Entry[]} entries
 * @returns {Edge[]}
 */
export function edgesFromEntries(entries) {
  /** @type {Map<string, Edge>} */
  const edges = new Map();
  entries.forEach((entry) => {
    for (const i of Array.isArray(entry.seen) ? entry.seen : []) {
      const from = entries[i]?.name;
      if (from === undefined || from === entry.name) continue;
      const key = JSON.stringify([from, entry.name]);
      const edge = edges.get(key) ?? { from, to: entry.name, count: 0 };
      edge.count += 1;
      edges.set(key, edge);
    }
  });
  return [...edges.values()];
}

/**
 * A structure payload from a structure's settings and its run's entries.
 * @param {Record<string, unknown>} settings
 * @param {Entry[]} entries
 * @param {string[]} notes
 * @returns {StructurePayload}
 */
function structureFrom(settings, entries, notes) {
  const agents = Array.isArray(settings.agents) ? settings.agents.map(str) : [];
  const moderatorEntry = [...entries].reverse().find((e) => e.role === "moderator");
  const moderator = moderatorEntry ? moderatorEntry.name : null;
  const nodes = [...agents];
  for (const e of entries) if (!nodes.includes(e.name)) nodes.push(e.name);
  /** @type {Edge[]} */
  let edges = edgesFromEntries(entries);
  if (Array.isArray(settings.edges)) {
    // A Graph's declared edges are authoritative; the moderator's come from the run.
    const declared = settings.edges
      .filter((pair) => Array.isArray(pair) && pair.length === 2)
      .map(([from, to]) => ({ from: str(from), to: str(to), count: 1 }));
    edges = [...declared, ...edges.filter((e) => e.to === moderator)];
  }
  const last = entries.length ? entries[entries.length - 1].text : null;
  return {
    kind: "structure",
    title: `${str(settings.structure) || "Structure"} of ${plural(agents.length || nodes.length, "agent")}`,
    metadata: settings,
    entries,
    nodes,
    edges,
    moderator,
    final: moderatorEntry ? moderatorEntry.text : last,
    notes,
  };
}

/**
 * An experiment payload from a manifest.experiment.json ({seed, plan, runs}).
 * @param {Record<string, unknown>} manifest
 * @returns {ExperimentPayload}
 */
function experimentFromManifest(manifest) {
  const runs = isObject(manifest.runs) ? manifest.runs : {};
  const plan = Array.isArray(manifest.plan) ? manifest.plan : [];
  const discussions = plan.filter(isObject).map((item) => {
    const index = Number(item.index);
    const run = isObject(runs[String(index)]) ? /** @type {Record<string, unknown>} */ (runs[String(index)]) : {};
    return {
      index,
      file: run.file ? str(run.file) : null,
      status: run.status ? str(run.status) : "not started",
      users: Array.isArray(item.users) ? item.users.map(str) : [],
      seed: item.seed,
      design: {},
      turns: null,
      words: null,
      entries: null,
    };
  });
  return {
    kind: "experiment",
    title: `Experiment of ${discussions.length} discussion${discussions.length === 1 ? "" : "s"}`,
    metadata: { seed: manifest.seed ?? (isObject(manifest.settings) ? manifest.settings.seed : undefined) },
    discussions,
    notes: [],
  };
}

/**
 * A study export: who made it, which branch, which study, as the title and facts.
 * @param {Record<string, unknown>} data @param {Record<string, unknown>} meta
 * @param {Entry[]} entries @param {string[]} notes
 * @returns {DiscussionPayload}
 */
function exportFrom(data, meta, entries, notes) {
  const study = isObject(data.study) ? str(data.study.name) : "";
  const run = isObject(data.run) ? data.run : {};
  const models = Array.isArray(run.models) ? run.models.filter(isObject).map((m) => str(m.name)) : [];
  const metadata = {
    ...meta,
    ...(data.exported ? { created: data.exported } : {}),
    participant: str(data.participant),
    branch: str(data.branch),
    study: study || null,
    ...(models.length ? { models } : {}),
    ...(run.seed !== undefined && run.seed !== null ? { seed: run.seed } : {}),
  };
  const who = str(data.participant) || "someone";
  const title = `${study ? `${study}: ` : ""}${who}'s ${str(data.branch) || "discussion"}`;
  return { kind: "discussion", title, metadata, entries, notes, live: false };
}

/**
 * Normalise anything this view can show into a payload; never throws.
 * @param {unknown} data a payload object, a parsed file, or a file's text
 * @returns {Payload}
 */
export function toPayload(data) {
  if (typeof data === "string") {
    const text = data.trim();
    if (!text) return { kind: "discussion", title: "Discussion", metadata: {}, entries: [], notes: [], live: true };
    try {
      return toPayload(JSON.parse(text));
    } catch {
      return parseJsonl(data);
    }
  }
  if (!isObject(data)) {
    return { kind: "error", title: "Nothing to show", message: "Expected a discussion, a structure or an experiment." };
  }
  if (data.version !== undefined && data.version !== PAYLOAD_VERSION) {
    return {
      kind: "error",
      title: "Unknown format",
      message: `This view reads format ${PAYLOAD_VERSION}, the data is format ${str(data.version)}; update syndisco-widgets.`,
    };
  }
  const notes = Array.isArray(data.notes) ? data.notes.map(str) : [];
  const metadata = isObject(data.metadata) ? data.metadata : {};
  if (data.kind === "discussion" || data.kind === "structure") {
    const { entries, dropped } = cleanEntries(data.entries);
    if (dropped) notes.push(`${dropped} malformed entries were skipped.`);
    if (data.kind === "structure") {
      const built = structureFrom(isObject(data.settings) ? data.settings : {}, entries, notes);
      return { ...built, title: str(data.title) || built.title, metadata: { ...built.metadata, ...metadata } };
    }
    return { kind: "discussion", title: str(data.title) || "Discussion", metadata, entries, notes, live: false };
  }
  if (data.kind === "experiment") {
    const rows = (Array.isArray(data.discussions) ? data.discussions : []).filter(isObject).map((row) => ({
      index: Number(row.index),
      file: row.file ? str(row.file) : null,
      status: str(row.status) || "done",
      users: Array.isArray(row.users) ? row.users.map(str) : [],
      seed: row.seed,
      design: isObject(row.design) ? row.design : {},
      turns: typeof row.turns === "number" ? row.turns : null,
      words: typeof row.words === "number" ? row.words : null,
      entries: Array.isArray(row.entries) ? cleanEntries(row.entries).entries : null,
    }));
    return { kind: "experiment", title: str(data.title) || "Experiment", metadata, discussions: rows, notes };
  }
  if (Array.isArray(data.logs)) {
    const { entries, dropped } = cleanEntries(data.logs);
    if (dropped) notes.push(`${dropped} malformed entries were skipped.`);
    if (isObject(data.structure)) return structureFrom(data.structure, entries, notes);
    const meta = { ...(data.timestamp ? { created: data.timestamp } : {}), ...(data.id ? { id: data.id } : {}) };
    if (data.format === EXPORT_FORMAT) return exportFrom(data, meta, entries, notes);
    return { kind: "discussion", title: "Discussion", metadata: meta, entries, notes, live: false };
  }
  if (Array.isArray(data.plan) && isObject(data.runs)) return experimentFromManifest(data);
  return {
    kind: "error",
    title: "Not a syndisco-widgets file",
    message: "This JSON is not a discussion export, a structure run or an experiment manifest. Use Open With ▸ Editor to read it.",
  };
}

// ---------------------------------------------------------------- statistics

/** Words in a text: runs of non-space characters (as Python's str.split()). */
export function wordCount(/** @type {unknown} */ text) {
  return str(text).split(/\s+/).filter(Boolean).length;
}

/**
 * Speaking shares, turn lengths and who followed whom.
 * @param {Entry[]} entries
 * @returns {Summary}
 */
export function summarize(entries) {
  /** @type {Map<string, SpeakerStat>} */
  const stats = new Map();
  const lengths = entries.map((e, index) => ({ index, name: e.name, words: wordCount(e.text) }));
  for (const { name, words } of lengths) {
    const s = stats.get(name) ?? { name, turns: 0, words: 0, turnShare: 0, wordShare: 0 };
    s.turns += 1;
    s.words += words;
    stats.set(name, s);
  }
  const totalTurns = entries.length;
  const totalWords = lengths.reduce((n, l) => n + l.words, 0);
  const speakers = [...stats.values()];
  for (const s of speakers) {
    s.turnShare = totalTurns ? s.turns / totalTurns : 0;
    s.wordShare = totalWords ? s.words / totalWords : 0;
  }
  const names = speakers.map((s) => s.name);
  const counts = names.map(() => names.map(() => 0));
  for (let i = 1; i < entries.length; i++) {
    counts[names.indexOf(entries[i - 1].name)][names.indexOf(entries[i].name)] += 1;
  }
  return { speakers, lengths, transitions: { names, counts }, totalTurns, totalWords };
}

// -------------------------------------------------------------------- DOM

/**
 * @param {Document} doc @param {string} tag @param {string} [className] @param {string} [text]
 * @returns {HTMLElement}
 */
function h(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {Document} doc @param {string} tag @param {Record<string, string | number>} attrs */
function svg(doc, tag, attrs) {
  const node = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** @param {number} x */
const pct = (x) => `${Math.round(x * 100)}%`;

/**
 * Title line plus small facts ("12 turns · 3 speakers · model").
 * @param {Document} doc @param {string} title @param {string[]} facts @param {string[]} notes
 */
function buildHeader(doc, title, facts, notes) {
  const header = h(doc, "div", "sdv-header");
  header.appendChild(h(doc, "div", "sdv-title", title));
  const line = h(doc, "div", "sdv-facts");
  for (const fact of facts.filter(Boolean)) line.appendChild(h(doc, "span", "sdv-fact", fact));
  header.appendChild(line);
  for (const note of notes) header.appendChild(h(doc, "div", "sdv-note", note));
  return header;
}

/** @param {Record<string, unknown>} metadata @param {Entry[]} entries */
function discussionFacts(metadata, entries) {
  const models = Array.isArray(metadata.models)
    ? metadata.models.map(str)
    : [...new Set(entries.map((e) => str(e.model)).filter((m) => m && m !== "hardcoded"))];
  return [
    plural(entries.length, "turn"),
    models.length ? `model: ${models.join(", ")}` : "",
    metadata.participant ? `by ${str(metadata.participant)}` : "",
    metadata.branch ? `branch: ${str(metadata.branch)}` : "",
    metadata.study ? `study: ${str(metadata.study)}` : "",
    metadata.created ? `created ${when(metadata.created)}` : "",
    metadata.seed !== undefined && metadata.seed !== null ? `seed ${str(metadata.seed)}` : "",
    metadata.condition ? `condition: ${str(metadata.condition)}` : "",
  ];
}

/** A card of the summary strip. @param {Document} doc @param {string} title */
function card(doc, title) {
  const node = h(doc, "div", "sdv-card");
  node.appendChild(h(doc, "div", "sdv-card-title", title));
  return node;
}

/** Speakers with their share of turns and of words. @param {Document} doc @param {Summary} summary */
function speakersCard(doc, summary) {
  const node = card(doc, "Speaking share");
  const list = h(doc, "div", "sdv-shares");
  for (const s of summary.speakers) {
    const row = h(doc, "div", "sdv-share");
    row.style.setProperty("--sdw-hue", String(hueOf(s.name)));
    row.appendChild(h(doc, "span", "sdw-name sdv-share-name", s.name));
    const bars = h(doc, "div", "sdv-bars");
    for (const [label, share, count] of /** @type {const} */ ([
      ["turns", s.turnShare, s.turns],
      ["words", s.wordShare, s.words],
    ])) {
      const bar = h(doc, "div", `sdv-bar sdv-bar-${label}`);
      bar.setAttribute("title", `${s.name}: ${plural(count, label.slice(0, -1))} (${pct(share)})`);
      const fill = h(doc, "span", "sdv-fill");
      fill.style.width = pct(share);
      bar.append(fill, h(doc, "span", "sdv-bar-label", `${pct(share)} of ${label}`));
      bars.appendChild(bar);
    }
    row.appendChild(bars);
    list.appendChild(row);
  }
  node.appendChild(list);
  return node;
}

/** Turn lengths over time, one bar per turn in its speaker's colour. @param {Document} doc @param {Summary} summary */
function timelineCard(doc, summary) {
  const node = card(doc, "Turn length (words) over time");
  const n = summary.lengths.length;
  const max = Math.max(1, ...summary.lengths.map((l) => l.words));
  const step = Math.min(TIMELINE_MAX_BAR, Math.max(2, 320 / Math.max(n, 1)));
  const width = Math.max(n * step, 40);
  const chart = svg(doc, "svg", {
    class: "sdv-timeline",
    viewBox: `0 0 ${width} ${TIMELINE_HEIGHT}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": `Words per turn for ${n} turns, longest ${max}`,
  });
  chart.appendChild(svg(doc, "line", { class: "sdv-axis", x1: 0, x2: width, y1: TIMELINE_HEIGHT - 0.5, y2: TIMELINE_HEIGHT - 0.5 }));
  for (const l of summary.lengths) {
    const height = Math.max(1, (l.words / max) * (TIMELINE_HEIGHT - 4));
    const bar = svg(doc, "rect", {
      class: "sdv-turn-bar",
      x: l.index * step + step * 0.1,
      y: TIMELINE_HEIGHT - height,
      width: step * 0.8,
      height,
    });
    bar.setAttribute("style", `--sdw-hue: ${hueOf(l.name)}`);
    const tip = svg(doc, "title", {});
    tip.textContent = `#${l.index + 1} ${l.name}: ${plural(l.words, "word")}`;
    bar.appendChild(tip);
    chart.appendChild(bar);
  }
  node.appendChild(chart);
  node.appendChild(h(doc, "div", "sdv-caption", n ? `${plural(n, "turn")} · longest ${plural(max, "word")}` : "no turns yet"));
  return node;
}

/** Who spoke right after whom, as a small matrix. @param {Document} doc @param {Summary} summary */
function transitionsCard(doc, summary) {
  const node = card(doc, "Who followed whom");
  const { names, counts } = summary.transitions;
  const max = Math.max(1, ...counts.flat());
  const table = h(doc, "table", "sdv-matrix");
  const head = h(doc, "tr");
  head.appendChild(h(doc, "th", "sdv-corner", "after ↓ / next →"));
  for (const name of names) {
    const th = h(doc, "th", "sdw-name", name);
    th.style.setProperty("--sdw-hue", String(hueOf(name)));
    head.appendChild(th);
  }
  table.appendChild(head);
  names.forEach((from, i) => {
    const row = h(doc, "tr");
    const th = h(doc, "th", "sdw-name", from);
    th.style.setProperty("--sdw-hue", String(hueOf(from)));
    row.appendChild(th);
    names.forEach((to, j) => {
      const cell = h(doc, "td", "sdv-count", counts[i][j] ? String(counts[i][j]) : "·");
      cell.style.setProperty("--sdv-level", String(counts[i][j] / max));
      cell.setAttribute("title", `${to} spoke right after ${from} ${counts[i][j]} time${counts[i][j] === 1 ? "" : "s"}`);
      row.appendChild(cell);
    });
    table.appendChild(row);
  });
  node.appendChild(table);
  return node;
}

/** The summary strip of a discussion. @param {Document} doc @param {Entry[]} entries */
export function buildSummary(doc, entries) {
  const summary = summarize(entries);
  const strip = h(doc, "div", "sdv-summary");
  strip.append(speakersCard(doc, summary), timelineCard(doc, summary), transitionsCard(doc, summary));
  return strip;
}

/**
 * One finished turn in the transcript's look, read-only: no "branch from here".
 * @param {Document} doc @param {Entry} entry @param {number} index @param {boolean} markdown
 */
function readOnlyMessage(doc, entry, index, markdown) {
  const msg = buildMessage(doc, entry, index, { markdown });
  msg.querySelector(".sdw-branch")?.remove();
  return msg;
}

/**
 * The transcript, in the studio's look, read-only (no "branch from here").
 * @param {Document} doc @param {Entry[]} entries @param {boolean} markdown
 */
export function buildTranscript(doc, entries, markdown) {
  const scroll = h(doc, "div", "sdw-scroll sdv-scroll");
  const list = h(doc, "div", "sdw-list");
  list.setAttribute("role", "log");
  list.setAttribute("aria-label", "Discussion transcript");
  entries.forEach((entry, i) => {
    const msg = readOnlyMessage(doc, entry, i, markdown);
    if (entry.target_name !== undefined) {
      const about = h(doc, "div", "sdv-target");
      about.textContent = `on #${Number(entry.target) + 1} by ${str(entry.target_name)}`;
      msg.insertBefore(about, msg.querySelector(".sdw-text"));
    }
    list.appendChild(msg);
  });
  if (!entries.length) scroll.appendChild(h(doc, "div", "sdw-empty", "No messages yet."));
  scroll.appendChild(list);
  return scroll;
}

/** @param {Document} doc @param {DiscussionPayload} payload @param {ViewOptions} options */
function buildDiscussion(doc, payload, options) {
  const root = h(doc, "div", "sdv-discussion");
  const speakers = new Set(payload.entries.map((e) => e.name)).size;
  const facts = discussionFacts(payload.metadata, payload.entries);
  facts.splice(1, 0, plural(speakers, "speaker"));
  root.append(
    buildHeader(doc, payload.title, facts, payload.notes),
    buildSummary(doc, payload.entries),
    buildTranscript(doc, payload.entries, options.markdown !== false),
  );
  return root;
}

// ------------------------------------------------------- deliberation graph

/**
 * Columns for a left-to-right drawing: a node sits one column right of the
 * latest earlier-speaking node it heard from (back edges are ignored).
 * @param {string[]} nodes @param {Edge[]} edges @param {string[]} speakingOrder
 */
export function layers(nodes, edges, speakingOrder) {
  /** @type {Map<string, number>} */
  const rank = new Map();
  speakingOrder.forEach((n, i) => {
    if (!rank.has(n)) rank.set(n, i); // first time each speaks
  });
  const order = [...nodes].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
  /** @type {Map<string, number>} */
  const column = new Map();
  for (const node of order) {
    let c = 0;
    for (const e of edges) {
      if (e.to !== node || !column.has(e.from)) continue;
      c = Math.max(c, /** @type {number} */ (column.get(e.from)) + 1);
    }
    column.set(node, c);
  }
  return column;
}

/** Box sizes and spacing of the structure drawing (px). */
export const GRAPH = { colWidth: 170, rowHeight: 54, nodeW: 130, nodeH: 34, left: 30, lane: 7 };

/**
 * The route of one arrow, as points and an SVG path.
 *
 * Between neighbouring columns it is a curve through the gap between them.
 * Any other hop (over a column, backwards, or within a column) leaves the
 * source to the right, climbs in the gap to its own lane above every box,
 * crosses, comes down in the gap left of the target and enters it from the
 * left, so it never runs behind another agent's box.
 * @param {{x: number, y: number}} a source box's top-left
 * @param {{x: number, y: number}} b target box's top-left
 * @param {number} lane index of this arrow's lane (0 = the top one)
 * @returns {{d: string, points: [number, number][]}}
 */
export function edgeRoute(a, b, lane) {
  const { colWidth, nodeW, nodeH, lane: laneGap } = GRAPH;
  const y1 = a.y + nodeH / 2;
  const y2 = b.y + nodeH / 2;
  if (b.x - a.x === colWidth) {
    const x1 = a.x + nodeW;
    const x2 = b.x;
    return { d: `M${x1} ${y1} C${x1 + 30} ${y1} ${x2 - 30} ${y2} ${x2} ${y2}`, points: [[x1, y1], [x2, y2]] };
  }
  const spread = (lane % 3) * 5;
  const out = a.x + nodeW + 8 + spread;
  const into = b.x - 10 - spread;
  const top = 6 + lane * laneGap;
  /** @type {[number, number][]} */
  const points = [[a.x + nodeW, y1], [out, y1], [out, top], [into, top], [into, y2], [b.x, y2]];
  return { d: `M${points.map(([x, y]) => `${x} ${y}`).join(" L")}`, points };
}

/**
 * The structure drawn as a graph; clicking an agent shows its answers.
 * @param {Document} doc @param {StructurePayload} payload @param {ViewOptions} options
 */
function buildStructure(doc, payload, options) {
  const root = h(doc, "div", "sdv-structure");
  const order = payload.entries.map((e) => e.name);
  const column = layers(payload.nodes, payload.edges, order);
  const byColumn = /** @type {string[][]} */ ([]);
  for (const node of payload.nodes) (byColumn[/** @type {number} */ (column.get(node))] ??= []).push(node);
  const { colWidth, rowHeight, nodeW, nodeH, left, lane } = GRAPH;
  const rows = Math.max(1, ...byColumn.map((c) => c?.length ?? 0));
  const hop = (/** @type {Edge} */ e) => (column.get(e.to) ?? 0) - (column.get(e.from) ?? 0);
  const longEdges = payload.edges.filter((e) => hop(e) !== 1 && e.from !== e.to);
  const top = 10 + longEdges.length * lane; // room for one lane per long arrow, above every box
  const width = Math.max(1, byColumn.length) * colWidth + left;
  const height = top + rows * rowHeight + 28;
  /** @type {Map<string, {x: number, y: number}>} */
  const pos = new Map();
  byColumn.forEach((names, c) => {
    (names ?? []).forEach((name, r) => {
      const offset = ((rows - names.length) * rowHeight) / 2;
      pos.set(name, { x: c * colWidth + left, y: top + offset + r * rowHeight });
    });
  });

  const settings = payload.metadata;
  const facts = [
    plural(payload.nodes.length - (payload.moderator ? 1 : 0), "agent"),
    plural(payload.entries.length, "answer"),
    settings.cycles ? plural(Number(settings.cycles), "cycle") : "",
    payload.moderator ? `moderated by ${payload.moderator}` : "no moderator",
  ];
  root.appendChild(buildHeader(doc, payload.title, facts, payload.notes));
  if (settings.task) {
    const task = h(doc, "div", "sdv-task");
    task.appendChild(h(doc, "span", "sdv-label", "Task: "));
    task.appendChild(doc.createTextNode(str(settings.task)));
    root.appendChild(task);
  }

  // It shrinks to fit a narrow column (never cut off), down to a readable size; then the frame scrolls.
  const drawing = svg(doc, "svg", {
    class: "sdv-graph",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    style: `max-width: 100%; min-width: ${Math.min(width, MIN_GRAPH_WIDTH)}px; height: auto`,
    role: "group",
    "aria-label": "Who heard whom: arrows point from an answer to the agents who read it",
  });
  const defs = svg(doc, "defs", {});
  const marker = svg(doc, "marker", {
    id: `sdv-arrow-${Math.random().toString(36).slice(2)}`,
    viewBox: "0 0 10 10",
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: "auto-start-reverse",
  });
  marker.appendChild(svg(doc, "path", { d: "M0 0L10 5L0 10z", class: "sdv-arrow" }));
  defs.appendChild(marker);
  drawing.appendChild(defs);
  for (const edge of payload.edges) {
    const a = pos.get(edge.from);
    const b = pos.get(edge.to);
    if (!a || !b || edge.from === edge.to) continue;
    const path = svg(doc, "path", {
      class: "sdv-edge",
      d: edgeRoute(a, b, longEdges.indexOf(edge)).d,
      "marker-end": `url(#${marker.id})`,
    });
    path.dataset.from = edge.from;
    path.dataset.to = edge.to;
    const tip = svg(doc, "title", {});
    tip.textContent = `${edge.to} read ${edge.from}${edge.count > 1 ? ` (${edge.count} times)` : ""}`;
    path.appendChild(tip);
    drawing.appendChild(path);
  }
  const panel = h(doc, "div", "sdv-answers");
  /** @type {Map<string, SVGElement>} */
  const nodeEls = new Map();
  const select = (/** @type {string} */ name) => {
    for (const [n, g] of nodeEls) g.classList.toggle("sdv-selected", n === name);
    panel.replaceChildren(buildAnswers(doc, payload, name, options.markdown !== false));
  };
  for (const name of payload.nodes) {
    const p = pos.get(name);
    if (!p) continue;
    const isMod = name === payload.moderator;
    const g = svg(doc, "g", { class: `sdv-node${isMod ? " sdv-node-moderator" : ""}`, tabindex: 0, role: "button" });
    g.setAttribute("style", `--sdw-hue: ${hueOf(name)}`);
    g.setAttribute("aria-label", `${name}: show ${isMod ? "the final answer" : "answers"}`);
    g.appendChild(svg(doc, "rect", { x: p.x, y: p.y, width: nodeW, height: nodeH, rx: 8 }));
    const label = svg(doc, "text", { x: p.x + nodeW / 2, y: p.y + nodeH / 2 + 4, "text-anchor": "middle" });
    label.textContent = name.length > 18 ? `${name.slice(0, 17)}…` : name;
    g.appendChild(label);
    if (isMod) {
      const star = svg(doc, "text", { x: p.x + nodeW / 2, y: p.y + nodeH + 14, "text-anchor": "middle", class: "sdv-final-mark" });
      star.textContent = "★ final answer";
      g.appendChild(star);
    }
    g.addEventListener("click", () => select(name));
    g.addEventListener("keydown", (event) => {
      const key = /** @type {KeyboardEvent} */ (event).key;
      if (key === "Enter" || key === " ") {
        event.preventDefault();
        select(name);
      }
    });
    nodeEls.set(name, g);
    drawing.appendChild(g);
  }
  const frame = h(doc, "div", "sdv-graph-frame");
  frame.appendChild(drawing);
  root.append(frame, h(doc, "div", "sdv-hint", "Click an agent to read its answers."), panel);
  const first = payload.moderator ?? order[order.length - 1] ?? payload.nodes[0];
  if (first !== undefined) select(first);

  const details = h(doc, "details", "sdv-details");
  details.appendChild(h(doc, "summary", "", "Full transcript and summary"));
  details.append(buildSummary(doc, payload.entries), buildTranscript(doc, payload.entries, options.markdown !== false));
  root.appendChild(details);
  return root;
}

/** The answers of one agent (every cycle); the final answer is marked. */
function buildAnswers(
  /** @type {Document} */ doc,
  /** @type {StructurePayload} */ payload,
  /** @type {string} */ name,
  /** @type {boolean} */ markdown,
) {
  const box = h(doc, "div", "sdv-answer-list");
  box.setAttribute("aria-live", "polite");
  box.appendChild(h(doc, "div", "sdv-card-title", `Answers of ${name}`));
  const mine = payload.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.name === name);
  if (!mine.length) box.appendChild(h(doc, "div", "sdw-empty", "No answer yet."));
  const finalIndex = payload.moderator
    ? payload.entries.map((e) => e.role).lastIndexOf("moderator")
    : payload.entries.length - 1;
  for (const { e, i } of mine) {
    const msg = readOnlyMessage(doc, e, i, markdown);
    const meta = msg.querySelector(".sdw-meta");
    if (e.cycle !== undefined && meta) meta.insertBefore(h(doc, "span", "sdw-badge", `cycle ${str(e.cycle)}`), meta.children[1] ?? null);
    if (i === finalIndex) {
      msg.classList.add("sdv-final");
      meta?.insertBefore(h(doc, "span", "sdw-badge sdv-badge-final", "final answer"), meta.children[1] ?? null);
    }
    box.appendChild(msg);
  }
  return box;
}

// --------------------------------------------------------------- experiment

/** @param {Document} doc @param {ExperimentPayload} payload @param {ViewOptions} options */
function buildExperiment(doc, payload, options) {
  const root = h(doc, "div", "sdv-experiment");
  const done = payload.discussions.filter((d) => d.status === "done").length;
  root.appendChild(
    buildHeader(
      doc,
      payload.title,
      [
        `${done} of ${payload.discussions.length} done`,
        payload.metadata.seed !== undefined ? `seed ${str(payload.metadata.seed)}` : "",
        payload.metadata.model ? `model: ${str(payload.metadata.model)}` : "",
      ],
      payload.notes,
    ),
  );
  const designKeys = [...new Set(payload.discussions.flatMap((d) => Object.keys(d.design)))];
  const hasCounts = payload.discussions.some((d) => d.turns !== null);
  const table = h(doc, "table", "sdv-table");
  const head = h(doc, "tr");
  for (const title of ["#", "users", "seed", ...designKeys, ...(hasCounts ? ["turns", "words"] : []), "status", ""]) {
    head.appendChild(h(doc, "th", "", title));
  }
  table.appendChild(head);
  const slot = h(doc, "div", "sdv-open-discussion");
  for (const d of payload.discussions) {
    const row = h(doc, "tr", `sdv-row sdv-status-${d.status.replace(/[^a-z]/g, "")}`);
    const cells = [
      String(d.index + 1),
      d.users.join(", "),
      str(d.seed),
      ...designKeys.map((k) => str(d.design[k])),
      ...(hasCounts ? [str(d.turns), str(d.words)] : []),
      d.status,
    ];
    for (const text of cells) row.appendChild(h(doc, "td", "", text));
    const action = h(doc, "td");
    if (d.entries !== null) {
      const button = /** @type {HTMLButtonElement} */ (h(doc, "button", "sdv-open", "show"));
      button.type = "button";
      button.setAttribute("title", "Show this discussion below");
      const entries = d.entries;
      button.addEventListener("click", () => {
        for (const r of table.querySelectorAll(".sdv-row")) r.classList.toggle("sdv-selected", r === row);
        const shown = { kind: /** @type {const} */ ("discussion"), title: `Discussion ${d.index + 1}`,
          metadata: { ...d.design, seed: d.seed }, entries, notes: [], live: false };
        slot.replaceChildren(buildDiscussion(doc, shown, options));
      });
      action.appendChild(button);
    } else if (d.file !== null && options.linkFile) {
      // The host turns the anchor into a link that opens the run file.
      const link = /** @type {HTMLAnchorElement} */ (h(doc, "a", "sdv-open", "open"));
      link.setAttribute("title", `Open ${d.file}`);
      options.linkFile(link, d.file);
      action.appendChild(link);
    } else if (d.file !== null) {
      action.appendChild(h(doc, "span", "sdv-file", d.file));
    }
    row.appendChild(action);
    table.appendChild(row);
  }
  const frame = h(doc, "div", "sdv-table-frame");
  frame.appendChild(table);
  root.append(frame, slot);
  return root;
}

// ------------------------------------------------------------------- entry

/**
 * Draw `data` into `host`, replacing what was there. Returns the root element.
 * @param {HTMLElement} host
 * @param {unknown} data anything :func:`toPayload` accepts
 * @param {ViewOptions} [options]
 */
export function renderInto(host, data, options = {}) {
  const doc = host.ownerDocument;
  const payload = toPayload(data);
  const root = h(doc, "div", "sdw-transcript sdv-root");
  root.dataset.kind = payload.kind;
  if (payload.kind === "discussion") root.appendChild(buildDiscussion(doc, payload, options));
  else if (payload.kind === "structure") root.appendChild(buildStructure(doc, payload, options));
  else if (payload.kind === "experiment") root.appendChild(buildExperiment(doc, payload, options));
  else {
    root.appendChild(buildHeader(doc, payload.title, [], []));
    const message = h(doc, "div", "sdv-error");
    appendInline(message, payload.message, false);
    root.appendChild(message);
  }
  host.replaceChildren(root);
  return root;
}

/**
 * anywidget entry point (the studio's Insights tab): the synced `payload`
 * trait holds a viewer payload; the view redraws when it changes.
 * @param {{model: {get: (k: string) => unknown, on: (e: string, f: () => void) => void, off: (e: string, f: () => void) => void}, el: HTMLElement}} ctx
 */
function render({ model, el }) {
  const draw = () => {
    // Keep the reader's place in the transcript across redraws.
    const before = el.querySelector(".sdv-scroll");
    const atEnd = !before || before.scrollHeight - before.scrollTop - before.clientHeight < 24;
    const top = before?.scrollTop ?? 0;
    renderInto(el, model.get("payload"));
    const after = el.querySelector(".sdv-scroll");
    if (after) after.scrollTop = atEnd ? after.scrollHeight : top;
  };
  model.on("change:payload", draw);
  draw();
  return () => {
    model.off("change:payload", draw);
    el.replaceChildren();
  };
}

export default { render };
