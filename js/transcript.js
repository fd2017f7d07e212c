// @ts-check
// Chat-style live transcript for syndisco-widgets (anywidget ES module).
//
// The wire format is defined once in syndisco_widgets/widgets/wire.py and
// mirrored by the typedefs below; js/fixtures/wire_sequence.json is one
// recorded exchange that the Python and the vitest suites both replay.
//
// Model output is untrusted: every piece of it goes through textContent or
// createTextNode; nothing here ever parses HTML.

/**
 * @typedef {"user" | "moderator" | "annotator"} Role
 * @typedef {"model" | "human" | "seed"} Source
 * @typedef {{name: string, text: string, role: Role, source: Source, model?: string,
 *   context?: [number, number], stopped?: boolean, truncated?: boolean}} WireEntry  One finished
 *   turn, as shown (`stopped`: the text written before a Stop, shown but not recorded;
 *   `truncated`: the reply hit the token cap and was cut back to its last whole sentence).
 * @typedef {{epoch: number, start: number, entries: WireEntry[]}} WireSnapshot
 *   The whole transcript; `start` is the log index of its first entry.
 * @typedef {{epoch: number, index: number, entry: WireEntry}} WireTail
 *   The turn just appended; `index` counts from the snapshot's first entry.
 * @typedef {{name: string, role: Role, text: string}} WireStream  The turn being written.
 * @typedef {{type: "sync", epoch: number | null, have: number}} SyncRequest
 * @typedef {{type: "branch", index: number}} BranchRequest  `index` is a log index.
 * @typedef {{type: "send", text: string}} SendRequest  Ctrl+Enter / Cmd+Enter in the message box.
 * @typedef {SyncRequest | BranchRequest | SendRequest} ViewMessage  Messages from a view to Python.
 * @typedef {{_snapshot: WireSnapshot, _tail: WireTail | null, _stream: WireStream | null,
 *   markdown: boolean, branchable: boolean}} TranscriptState
 * @typedef {{
 *   get<K extends keyof TranscriptState>(key: K): TranscriptState[K],
 *   on(event: string, callback: () => void): void,
 *   off(event: string, callback: () => void): void,
 *   send(message: SyncRequest | BranchRequest): void,
 * }} TranscriptModel  The part of anywidget's model this view uses.
 * @typedef {{_part: "composer", value: string, placeholder: string, disabled: boolean,
 *   rows: number}} ComposerState  The message box's traits (widgets/message_box.py).
 * @typedef {{
 *   get<K extends keyof ComposerState>(key: K): ComposerState[K],
 *   set<K extends keyof ComposerState>(key: K, value: ComposerState[K]): void,
 *   save_changes(): void,
 *   on(event: string, callback: () => void): void,
 *   off(event: string, callback: () => void): void,
 *   send(message: SendRequest): void,
 * }} ComposerModel  The part of anywidget's model the message box uses.
 */

const AT_BOTTOM_SLACK_PX = 24;
const RESYNC_RETRY_MS = 2000;
const ROLES = /** @type {const} */ (["user", "moderator", "annotator"]);
const SOURCES = /** @type {const} */ (["model", "human", "seed"]);
/** The tooltip of the mark after a reply cut back to its last whole sentence. */
export const CUT_TITLE = "cut at the token limit";

/**
 * Stable hue (0-359) for a speaker name (FNV-1a hash).
 * @param {unknown} name
 * @returns {number}
 */
export function hueOf(name) {
  let h = 0x811c9dc5;
  const s = String(name ?? "");
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 360;
}

// `code`, **bold**, *italic* / _italic_. Markers must hug non-space text and
// single markers must not sit inside words, so stray asterisks stay literal.
const INLINE =
  /`([^`\n]+)`|\*\*(?=\S)([^*\n]*?[^*\s])\*\*|(?<![\w*])\*(?=[^\s*])([^*\n]*?[^*\s])\*(?![\w*])|(?<![\w_])_(?=[^\s_])([^_\n]*?[^_\s])_(?![\w_])/g;

/**
 * Append `text` to `parent` as DOM nodes, with a tiny markdown subset.
 * @param {Element} parent
 * @param {unknown} text
 * @param {boolean} [markdown]
 */
export function appendInline(parent, text, markdown = true) {
  const doc = parent.ownerDocument;
  const s = String(text ?? "");
  if (!markdown) {
    parent.appendChild(doc.createTextNode(s));
    return;
  }
  let last = 0;
  for (const m of s.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) parent.appendChild(doc.createTextNode(s.slice(last, at)));
    const [tag, inner] =
      m[1] !== undefined ? ["code", m[1]]
      : m[2] !== undefined ? ["strong", m[2]]
      : ["em", m[3] ?? m[4]];
    const node = doc.createElement(tag);
    node.textContent = inner;
    parent.appendChild(node);
    last = at + m[0].length;
  }
  if (last < s.length) parent.appendChild(doc.createTextNode(s.slice(last)));
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {Document} doc
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A small "fork" icon drawn with DOM calls (no markup parsing, no fonts).
 * @param {Document} doc
 * @returns {SVGSVGElement}
 */
function branchIcon(doc) {
  const svg = /** @type {SVGSVGElement} */ (doc.createElementNS(SVG_NS, "svg"));
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "12");
  svg.setAttribute("height", "12");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "sdw-icon");
  /** @type {[string, Record<string, string>][]} */
  const shapes = [
    ["circle", { cx: "4", cy: "3", r: "1.75" }],
    ["circle", { cx: "4", cy: "13", r: "1.75" }],
    ["circle", { cx: "12", cy: "5", r: "1.75" }],
    ["path", { d: "M4 4.75v6.5M12 6.75c0 3-4.5 2.5-7.2 5" }],
  ];
  for (const [tag, attrs] of shapes) {
    const node = doc.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    svg.appendChild(node);
  }
  return svg;
}

/**
 * Badge labels and classes for an entry's role and source.
 * @param {{role?: unknown, source?: unknown}} entry
 * @returns {[string, string][]}
 */
function badgesFor(entry) {
  /** @type {[string, string][]} */
  const out = [];
  if (entry.role === "moderator") out.push(["moderator", "sdw-badge-moderator"]);
  if (entry.role === "annotator") out.push(["annotator", "sdw-badge-annotator"]);
  if (entry.source === "human") out.push(["written by a person", "sdw-badge-human"]);
  if (entry.source === "seed") out.push(["opening message", "sdw-badge-seed"]);
  if (/** @type {{stopped?: unknown}} */ (entry).stopped === true) out.push(["stopped, not recorded", "sdw-badge-stopped"]);
  return out;
}

/**
 * Only known values become class names; anything else is shown as a user.
 * @param {unknown} value
 * @returns {Role}
 */
function roleClass(value) {
  return ROLES.find((r) => r === value) ?? "user";
}

/**
 * @param {unknown} value
 * @returns {Source}
 */
function sourceClass(value) {
  return SOURCES.find((r) => r === value) ?? "model";
}

/**
 * Build the header (name, badges) shared by finished and streaming messages.
 * @param {Document} doc
 * @param {{name?: unknown, role?: unknown, source?: unknown}} entry
 * @returns {HTMLDivElement}
 */
function buildHeader(doc, entry) {
  const meta = el(doc, "div", "sdw-meta");
  meta.appendChild(el(doc, "span", "sdw-name", String(entry.name ?? "")));
  for (const [label, cls] of badgesFor(entry)) {
    meta.appendChild(el(doc, "span", `sdw-badge ${cls}`, label));
  }
  return meta;
}

/**
 * One finished turn. `index` is its log index (shown as #index+1, sent with "branch").
 * @param {Document} doc
 * @param {{name?: unknown, text?: unknown, role?: unknown, source?: unknown, model?: unknown,
 *   context?: unknown, truncated?: unknown}} entry  a WireEntry, or any log entry the viewer shows
 * @param {number} index
 * @param {{markdown?: boolean, branchable?: boolean}} [options]
 * @returns {HTMLDivElement}
 */
export function buildMessage(doc, entry, index, { markdown = true, branchable = true } = {}) {
  const msg = el(doc, "div", "sdw-message");
  msg.classList.add(`sdw-role-${roleClass(entry.role)}`, `sdw-source-${sourceClass(entry.source)}`);
  msg.dataset.index = String(index);
  msg.style.setProperty("--sdw-hue", String(hueOf(entry.name)));

  const meta = buildHeader(doc, entry);
  // Typed-in and opening messages have no model: their "model" field only repeats
  // the badge (the engine writes "hardcoded" there).
  if (entry.model && entry.source !== "human" && entry.source !== "seed" && entry.model !== "hardcoded") {
    const label = el(doc, "span", "sdw-model", String(entry.model));
    label.setAttribute("title", String(entry.model)); // attribute text, never parsed
    meta.appendChild(label);
  }
  meta.appendChild(el(doc, "span", "sdw-spacer"));
  meta.appendChild(el(doc, "span", "sdw-index", `#${index + 1}`));
  if (branchable) {
    const branch = el(doc, "button", "sdw-branch");
    branch.type = "button";
    branch.append(branchIcon(doc), doc.createTextNode("branch from here"));
    branch.dataset.index = String(index);
    branch.setAttribute("title", `Start a new branch that keeps messages 1–${index + 1}`);
    meta.appendChild(branch);
  }
  msg.appendChild(meta);

  const body = el(doc, "div", "sdw-text");
  appendInline(body, entry.text, markdown);
  if (entry.truncated === true) {
    // Quiet: the text already ends on a whole sentence; the mark only says more was cut.
    const cut = el(doc, "span", "sdw-cut", "\u2026");
    cut.setAttribute("title", CUT_TITLE);
    cut.setAttribute("aria-label", CUT_TITLE);
    body.appendChild(cut);
  }
  msg.appendChild(body);

  if (Array.isArray(entry.context) && entry.context.length === 2) {
    const [a, b] = entry.context.map(Number);
    if (Number.isFinite(a) && Number.isFinite(b)) {
      msg.setAttribute("title", `Saw messages ${a + 1}–${b}`);
    }
  }
  return msg;
}

/**
 * Draw the transcript into `el` and keep it in sync.
 * @param {{model: TranscriptModel, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function renderTranscript({ model, el: host }) {
  const doc = host.ownerDocument;
  const root = el(doc, "div", "sdw-transcript");
  const scroller = el(doc, "div", "sdw-scroll");
  const list = el(doc, "div", "sdw-list");
  list.setAttribute("role", "log");
  list.setAttribute("aria-label", "Discussion transcript");
  const empty = el(doc, "div", "sdw-empty", "No messages yet.");
  const streamSlot = el(doc, "div", "sdw-stream-slot");
  const jump = el(doc, "button", "sdw-jump", "new messages ↓");
  jump.type = "button";
  jump.hidden = true;
  scroller.append(empty, list, streamSlot);
  root.append(scroller, jump);
  host.appendChild(root);

  // View state: which epoch we show, its first log index, and how many of its entries.
  /** @type {number | null} */
  let epoch = null;
  let start = 0;
  let count = 0;
  let pinned = true; // follow new content until the user scrolls up
  /** @type {HTMLDivElement | null} */
  let streamEl = null;

  const isAtBottom = () =>
    scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= AT_BOTTOM_SLACK_PX;

  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
    pinned = true;
    jump.hidden = true;
  };

  const refreshEmpty = () => {
    empty.hidden = count > 0 || streamEl !== null;
  };

  const contentAdded = () => {
    refreshEmpty();
    if (pinned) scrollToBottom();
    else jump.hidden = false;
  };

  /**
   * @param {WireEntry[]} entries
   * @param {number} first  position of entries[0] in this view
   */
  const addEntries = (entries, first) => {
    const frag = doc.createDocumentFragment();
    const options = { markdown: model.get("markdown") !== false, branchable: model.get("branchable") !== false };
    entries.forEach((entry, i) => {
      frag.appendChild(buildMessage(doc, entry ?? {}, start + first + i, options));
    });
    list.appendChild(frag);
    count = first + entries.length;
  };

  // The snapshot/tail protocol is followList's; this view only draws.
  const follow = () =>
    followList(/** @type {any} */ (model), {
      reset(/** @type {WireEntry[]} */ entries, /** @type {{epoch: number, start?: number}} */ snap) {
        if (snap.epoch === epoch) {
          // Same transcript: only add what this view lacks (no rebuild).
          if (entries.length > count) addEntries(entries.slice(count), count);
        } else {
          list.replaceChildren();
          epoch = snap.epoch;
          start = Number.isInteger(snap.start) ? /** @type {number} */ (snap.start) : 0;
          empty.textContent = start > 0 ? `No messages after #${start}.` : "No messages yet.";
          count = 0;
          addEntries(entries, 0);
          pinned = true; // a new transcript (reset / branch switch) starts at its end
        }
        contentAdded();
      },
      add(/** @type {WireEntry} */ entry, /** @type {number} */ index) {
        addEntries([entry], index);
        contentAdded();
      },
    });

  const applyStream = () => {
    const s = model.get("_stream");
    if (!s) {
      if (streamEl) streamEl.remove();
      streamEl = null;
      streamSlot.removeAttribute("aria-busy");
      refreshEmpty();
      return;
    }
    if (!streamEl || streamEl.dataset.name !== String(s.name ?? "") || streamEl.dataset.role !== String(s.role ?? "")) {
      if (streamEl) streamEl.remove();
      streamEl = el(doc, "div", "sdw-message sdw-streaming");
      streamEl.classList.add(`sdw-role-${roleClass(s.role)}`, "sdw-source-model");
      streamEl.dataset.name = String(s.name ?? "");
      streamEl.dataset.role = String(s.role ?? "");
      streamEl.style.setProperty("--sdw-hue", String(hueOf(s.name)));
      const meta = buildHeader(doc, s);
      const writing = el(doc, "span", "sdw-writing", "writing");
      writing.appendChild(el(doc, "span", "sdw-dots", "…"));
      meta.appendChild(writing);
      streamEl.append(meta, el(doc, "div", "sdw-text"));
      streamSlot.appendChild(streamEl);
      streamSlot.setAttribute("aria-busy", "true");
    }
    const text = streamEl.querySelector(".sdw-text");
    if (text) text.textContent = String(s.text ?? "");
    contentAdded();
  };

  let unfollow = follow();
  const rebuild = () => {
    unfollow();
    epoch = null;
    unfollow = follow();
  };

  const onScroll = () => {
    pinned = isAtBottom();
    if (pinned) jump.hidden = true;
  };

  /** @param {Event} event */
  const onClick = (event) => {
    const target = event.target;
    const button = target instanceof Element ? target.closest(".sdw-branch") : null;
    if (!(button instanceof HTMLElement) || !root.contains(button)) return;
    const index = Number(button.dataset.index);
    if (Number.isInteger(index)) model.send({ type: "branch", index });
  };

  /** @type {[string, () => void][]} */
  const modelEvents = [
    ["change:_stream", applyStream],
    ["change:markdown", rebuild],
    ["change:branchable", rebuild],
  ];
  scroller.addEventListener("scroll", onScroll, { passive: true });
  root.addEventListener("click", onClick);
  jump.addEventListener("click", scrollToBottom);
  for (const [name, handler] of modelEvents) model.on(name, handler);

  applyStream();
  // The host may not be attached yet; scroll again once it has a layout.
  const raf = globalThis.requestAnimationFrame?.(() => {
    if (pinned) scrollToBottom();
  });

  return () => {
    if (raf !== undefined) globalThis.cancelAnimationFrame?.(raf);
    scroller.removeEventListener("scroll", onScroll);
    root.removeEventListener("click", onClick);
    jump.removeEventListener("click", scrollToBottom);
    for (const [name, handler] of modelEvents) model.off(name, handler);
    unfollow();
    root.remove();
  };
}

/**
 * True for the keys that send a message: Ctrl+Enter, or Cmd+Enter on a Mac.
 * @param {KeyboardEvent} event
 * @returns {boolean}
 */
export function isSendKey(event) {
  return event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing;
}

/**
 * Draw the message box: its text syncs as it is typed, Ctrl/Cmd+Enter sends it.
 * Python clears `value` once the message is taken, so a refused one stays.
 * @param {{model: ComposerModel, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function renderComposer({ model, el: host }) {
  const doc = host.ownerDocument;
  const box = el(doc, "textarea", "sdw-composer");
  box.setAttribute("aria-label", "Message");
  host.appendChild(box);

  const fromModel = () => {
    const value = String(model.get("value") ?? "");
    if (box.value !== value) box.value = value;
    box.placeholder = String(model.get("placeholder") ?? "");
    box.disabled = model.get("disabled") === true;
    box.setAttribute("rows", String(Math.max(1, Number(model.get("rows")) || 2)));
  };
  const onInput = () => {
    model.set("value", box.value);
    model.save_changes();
  };
  /** @param {KeyboardEvent} event */
  const onKeydown = (event) => {
    if (!isSendKey(event)) return;
    // Ours, not the notebook's: Ctrl+Enter must not also run the cell.
    event.preventDefault();
    event.stopPropagation();
    if (box.disabled) return;
    onInput(); // the synced value and the message agree
    model.send({ type: "send", text: box.value });
  };

  const modelEvents = ["change:value", "change:placeholder", "change:disabled", "change:rows"];
  box.addEventListener("input", onInput);
  box.addEventListener("keydown", onKeydown);
  for (const name of modelEvents) model.on(name, fromModel);
  fromModel();

  return () => {
    box.removeEventListener("input", onInput);
    box.removeEventListener("keydown", onKeydown);
    for (const name of modelEvents) model.off(name, fromModel);
    box.remove();
  };
}

/**
 * Follow a list kept in Python with the snapshot/tail protocol of the transcript:
 * `_snapshot` is the whole list (sent on open, reset and on request), `_tail`
 * one appended item; a view that sees a gap asks for the snapshot again.
 * @template T
 * @param {{get(key: string): unknown, on(e: string, f: () => void): void, off(e: string, f: () => void): void,
 *   send(content: unknown): void}} model
 * @param {{reset(items: T[], snapshot: {epoch: number, start?: number}): void, add(item: T, index: number): void}} view
 * @returns {() => void} stops following
 */
export function followList(model, view) {
  /** @type {number | null} */
  let epoch = null;
  let count = 0;
  let askedAt = -Infinity;
  const ask = () => {
    const now = Date.now();
    if (now - askedAt < RESYNC_RETRY_MS) return;
    askedAt = now;
    model.send({ type: "sync", epoch, have: count });
  };
  const takeTail = () => {
    const tail = /** @type {{epoch: number, index: number, entry: T} | null} */ (model.get("_tail"));
    if (!tail || typeof tail.index !== "number") return;
    if (epoch !== null && tail.epoch < epoch) return; // from before a reset
    if (tail.epoch === epoch && tail.index < count) return; // already shown
    if (tail.epoch === epoch && tail.index === count) {
      view.add(tail.entry, count);
      count += 1;
      return;
    }
    ask(); // a gap: missed items or an unseen reset
  };
  const takeSnapshot = () => {
    const snap = /** @type {{epoch: number, start?: number, entries: T[]} | null} */ (model.get("_snapshot"));
    const items = snap && Array.isArray(snap.entries) ? snap.entries : [];
    epoch = snap ? snap.epoch : 0;
    count = items.length;
    askedAt = -Infinity;
    view.reset(items, snap ?? { epoch: 0 });
    takeTail();
  };
  model.on("change:_snapshot", takeSnapshot);
  model.on("change:_tail", takeTail);
  takeSnapshot();
  return () => {
    model.off("change:_snapshot", takeSnapshot);
    model.off("change:_tail", takeTail);
  };
}

/**
 * The kit's own tab strip: plain buttons with their own click handlers, so the
 * tabs work in every notebook windowing mode and after a page reload.
 * Python shows the pane of `selected_index`.
 * @param {{model: {get(key: string): unknown, set(key: string, value: unknown): void, save_changes(): void,
 *   on(e: string, f: () => void): void, off(e: string, f: () => void): void}, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function renderTabs({ model, el: host }) {
  const doc = host.ownerDocument;
  const strip = el(doc, "div", "sdw-tabstrip");
  strip.setAttribute("role", "tablist");
  host.appendChild(strip);
  const draw = () => {
    const titles = /** @type {unknown[]} */ (model.get("titles") ?? []);
    const selected = Number(model.get("selected_index"));
    const buttons = titles.map((title, i) => {
      const tab = el(doc, "button", "sdw-tab", String(title));
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(i === selected));
      tab.tabIndex = i === selected ? 0 : -1;
      tab.dataset.index = String(i);
      return tab;
    });
    strip.replaceChildren(...buttons);
  };
  /** @param {number} index */
  const choose = (index) => {
    model.set("selected_index", index);
    model.save_changes();
  };
  /** @param {Event} event */
  const onClick = (event) => {
    const tab = event.target instanceof Element ? event.target.closest(".sdw-tab") : null;
    if (tab instanceof HTMLElement) choose(Number(tab.dataset.index));
  };
  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    const n = strip.children.length;
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step || !n) return;
    event.preventDefault();
    const next = (Number(model.get("selected_index")) + step + n) % n;
    choose(next);
    /** @type {HTMLElement | undefined} */ (strip.children[next])?.focus();
  };
  strip.addEventListener("click", onClick);
  strip.addEventListener("keydown", onKey);
  const events = ["change:titles", "change:selected_index"];
  for (const name of events) model.on(name, draw);
  draw();
  return () => {
    strip.removeEventListener("click", onClick);
    strip.removeEventListener("keydown", onKey);
    for (const name of events) model.off(name, draw);
    strip.remove();
  };
}

/**
 * @typedef {{number: number, speaker: string, kind: string, text: string, saw: string}} WireRow
 *   One row of the log table, as people read it.
 */

/**
 * Which rows show for a filter and an order (the same rule as Python's table_rows).
 * @param {WireRow[]} rows
 * @param {{query: string, speaker: string, sort: string}} how
 * @returns {WireRow[]}
 */
export function visibleRows(rows, { query, speaker, sort }) {
  const needle = query.trim().toLocaleLowerCase();
  let out = rows.filter(
    (r) =>
      (!needle || r.text.toLocaleLowerCase().includes(needle) || r.speaker.toLocaleLowerCase().includes(needle)) &&
      (!speaker || r.speaker === speaker),
  );
  const words = (/** @type {WireRow} */ r) => r.text.split(/\s+/).filter(Boolean).length;
  if (sort === "speaker") {
    out = [...out].sort((a, b) => a.speaker.toLocaleLowerCase().localeCompare(b.speaker.toLocaleLowerCase()) || a.number - b.number);
  } else if (sort === "length") {
    out = [...out].sort((a, b) => words(b) - words(a) || a.number - b.number);
  }
  return out;
}

const TABLE_COLUMNS = [
  ["n", "#"],
  ["who", "Speaker"],
  ["kind", "Role · source"],
  ["text", "Message"],
  ["saw", "Saw"],
];

/**
 * The log table: rows arrive one at a time (`_tail`), filter and order apply here.
 * @param {{model: {get(key: string): unknown, on(e: string, f: () => void): void, off(e: string, f: () => void): void,
 *   send(content: unknown): void}, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function renderTable({ model, el: host }) {
  const doc = host.ownerDocument;
  const wrap = el(doc, "div", "sdw-table-wrap");
  host.append(wrap);
  /** @type {WireRow[]} */
  let rows = [];
  /** @param {WireRow} r */
  const rowNode = (r) => {
    const tr = el(doc, "tr");
    const cells = [String(r.number), r.speaker, r.kind, r.text, r.saw];
    TABLE_COLUMNS.forEach(([cls], i) => tr.appendChild(el(doc, "td", `sdw-col-${cls}`, cells[i])));
    return tr;
  };
  const how = () => ({
    query: String(model.get("query") ?? ""),
    speaker: String(model.get("speaker") ?? ""),
    sort: String(model.get("sort") ?? "number"),
  });
  /** @type {HTMLTableSectionElement | null} */
  let body = null;
  const draw = () => {
    if (!rows.length) {
      wrap.replaceChildren(el(doc, "span", "sdw-hint", "No messages yet."));
      body = null;
      return;
    }
    const table = el(doc, "table", "sdw-table");
    const head = el(doc, "tr");
    for (const [cls, label] of TABLE_COLUMNS) head.appendChild(el(doc, "th", `sdw-col-${cls}`, label));
    const thead = el(doc, "thead");
    thead.appendChild(head);
    body = /** @type {HTMLTableSectionElement} */ (el(doc, "tbody"));
    const shown = visibleRows(rows, how());
    for (const r of shown) body.appendChild(rowNode(r));
    table.append(thead, body);
    wrap.replaceChildren(table);
  };
  const stop = followList(model, {
    reset(items) {
      rows = /** @type {WireRow[]} */ (items);
      draw();
    },
    add(item) {
      const row = /** @type {WireRow} */ (item);
      rows.push(row);
      const filter = how();
      // In order (the usual case) a new row can only go at the end.
      if (!body || filter.sort !== "number") draw();
      else if (visibleRows([row], filter).length) body.appendChild(rowNode(row));
    },
  });
  const events = ["change:query", "change:speaker", "change:sort"];
  for (const name of events) model.on(name, draw);
  return () => {
    stop();
    for (const name of events) model.off(name, draw);
    wrap.remove();
  };
}

/**
 * anywidget entry point: one module draws the transcript, the message box, the
 * studio's tab strip and its log table (`_part` tells them apart), so they share
 * one stylesheet.
 * @param {{model: TranscriptModel | ComposerModel, el: HTMLElement}} args
 * @returns {() => void} cleanup
 */
function render({ model, el: host }) {
  const part = /** @type {{get(key: "_part"): unknown}} */ (model).get("_part");
  const any = /** @type {any} */ (model);
  if (part === "tabs") return renderTabs({ model: any, el: host });
  if (part === "table") return renderTable({ model: any, el: host });
  return part === "composer"
    ? renderComposer({ model: /** @type {ComposerModel} */ (model), el: host })
    : renderTranscript({ model: /** @type {TranscriptModel} */ (model), el: host });
}

export default { render };
