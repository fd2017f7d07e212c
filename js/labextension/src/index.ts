// JupyterLab 4 MIME renderer for syndisco-widgets: notebook outputs of the
// discussion MIME type, and files (exports, autosave .jsonl, manifests)
// opened from the file browser. The drawing itself is ../../discussion_view.js,
// the same module the studio's Insights tab loads through anywidget.
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { MIME_TYPE, renderInto } from '../../discussion_view.js';

/** MIME type of files opened from the file browser (their raw text). */
export const FILE_MIME_TYPE = 'application/vnd.syndisco.discussion-file';
/** How often a visible autosave file is checked for new entries. */
const POLL_MS = 1500;

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><g class="jp-icon3" fill="#616161">' +
  '<path d="M2 2.5h8a1 1 0 0 1 1 1v4a1 1 0 0 1-1 1H6l-2.5 2v-2H2a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1z"/>' +
  '<path d="M12 5.5h2a1 1 0 0 1 1 1v4a1 1 0 0 1-1 1h-1v2l-2.5-2H7a1 1 0 0 1-1-1v-1h4a2 2 0 0 0 2-2z"/>' +
  '</g></svg>';

/** A resolver that knows the document's path (JupyterLab's UrlResolver does). */
type PathResolver = IRenderMime.IResolver & { path?: string };

/** Renders one output or one document. */
export class DiscussionRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly _mimeType: string;
  private readonly _resolver: PathResolver | null;
  private readonly _linkHandler: IRenderMime.ILinkHandler | null;
  private _timer: number | undefined;
  private _lastText: string | null = null;
  private _polling = false;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this._resolver = (options.resolver as PathResolver | null | undefined) ?? null;
    this._linkHandler = options.linkHandler ?? null;
    this.addClass('sdv-lab');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType];
    if (typeof data === 'string') {
      // A file: keep its text so a growing autosave file can be followed.
      this._lastText = data;
      this._draw(data);
      this._startPolling();
    } else {
      this._draw(data);
    }
  }

  dispose(): void {
    if (this._timer !== undefined) window.clearInterval(this._timer);
    this._timer = undefined;
    super.dispose();
  }

  private _draw(data: unknown): void {
    const scroller = this.node.querySelector('.sdv-scroll');
    const atEnd = !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
    const top = scroller?.scrollTop ?? 0;
    renderInto(this.node, data, { linkFile: this._linker() });
    const after = this.node.querySelector('.sdv-scroll');
    if (after && scroller) after.scrollTop = atEnd ? after.scrollHeight : top;
  }

  /** Links to run files next to a manifest open them in JupyterLab. */
  private _linker(): ((anchor: HTMLAnchorElement, file: string) => void) | undefined {
    const resolver = this._resolver;
    const handler = this._linkHandler;
    if (!resolver || !handler) return undefined;
    return (anchor: HTMLAnchorElement, file: string) => {
      void resolver.resolveUrl(encodeURIComponent(file)).then(async path => {
        anchor.href = await resolver.getDownloadUrl(path);
        handler.handleLink(anchor, decodeURIComponent(path));
      });
    };
  }

  /** Re-read the file while it is visible; redraw when its text changed. */
  private _startPolling(): void {
    const path = this._resolver?.path;
    if (this._timer !== undefined || !path || !/\.jsonl$/i.test(path)) return;
    this._timer = window.setInterval(() => void this._poll(path), POLL_MS);
  }

  private async _poll(path: string): Promise<void> {
    if (this._polling || !this.isVisible || document.visibilityState !== 'visible' || !this._resolver) return;
    this._polling = true;
    try {
      const url = await this._resolver.getDownloadUrl(path);
      // 'no-cache' revalidates: an unchanged file costs a 304, not a download.
      const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
      if (!response.ok) return;
      const text = await response.text();
      if (text !== this._lastText && !this.isDisposed) {
        this._lastText = text;
        this._draw(text);
      }
    } catch {
      // A transient network error: try again at the next tick.
    } finally {
      this._polling = false;
    }
  }
}

const factory = (mimeTypes: string[]): IRenderMime.IRendererFactory => ({
  safe: true,
  mimeTypes,
  defaultRank: 40, // ahead of text/html (50), so JupyterLab draws the view, not the fallback
  createRenderer: options => new DiscussionRenderer(options)
});

/** Outputs: Logs, Discussion, structures and experiments shown in a notebook (see viewer/display.py). */
const outputs: IRenderMime.IExtension = {
  id: 'syndisco-widgets:outputs',
  description: 'Shows syndisco-widgets discussions, structures and experiments in notebook outputs.',
  rendererFactory: factory([MIME_TYPE]),
  rank: 40,
  dataType: 'json'
};

/** Files: exports (*.discussion.json), autosave runs (*.jsonl) and experiment manifests. */
const files: IRenderMime.IExtension = {
  id: 'syndisco-widgets:files',
  description: 'Opens syndisco-widgets discussion files as a rendered transcript.',
  rendererFactory: factory([FILE_MIME_TYPE]),
  rank: 40,
  dataType: 'string',
  fileTypes: [
    {
      name: 'syndisco-discussion',
      displayName: 'Discussion',
      mimeTypes: [FILE_MIME_TYPE],
      extensions: ['.discussion.json'],
      // Engine exports: <stem>-YYYYmmdd-HHMMSS-<10 hex>.json (engine/storage.py unique_run_path).
      pattern: '-\\d{8}-\\d{6}-[0-9a-f]{10}\\.json$',
      fileFormat: 'text',
      icon: { name: 'syndisco-widgets:discussion', svgstr: ICON_SVG }
    },
    {
      // Run files: autosave <stem>-YYYYmmdd-HHMMSS-<10 hex>.jsonl, an experiment's
      // discussion-0000.jsonl, an annotation experiment's 0000-<name>__00-<annotator>.jsonl.
      name: 'syndisco-autosave',
      displayName: 'Discussion run',
      mimeTypes: [FILE_MIME_TYPE],
      extensions: [],
      pattern: '^(discussion-.+|\\d{4}-.+__\\d{2}-.+|.+-\\d{8}-\\d{6}-[0-9a-f]{10})\\.jsonl$',
      fileFormat: 'text',
      icon: { name: 'syndisco-widgets:discussion', svgstr: ICON_SVG }
    },
    {
      name: 'syndisco-experiment',
      displayName: 'Experiment manifest',
      mimeTypes: [FILE_MIME_TYPE],
      extensions: ['.experiment.json'],
      fileFormat: 'text',
      icon: { name: 'syndisco-widgets:discussion', svgstr: ICON_SVG }
    }
  ],
  documentWidgetFactoryOptions: {
    name: 'Discussion',
    primaryFileType: 'syndisco-discussion',
    // Any JSON or JSON-lines file can be opened with it from "Open With".
    fileTypes: ['syndisco-discussion', 'syndisco-autosave', 'syndisco-experiment', 'json', 'jsonl'],
    defaultFor: ['syndisco-discussion', 'syndisco-autosave', 'syndisco-experiment']
  }
};

export default [outputs, files];
