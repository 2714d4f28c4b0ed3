/**
 * Test images with known text, rendered by headless Chromium (Debian's `chromium`, through
 * playwright-core) in a Debian font (DejaVu Sans, fonts-dejavu-core): nothing is fetched, the
 * page is set from a string. A line can be drawn upside down (CSS `rotate(180deg)`) to test the
 * orientation classifier.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Chromium's path: CHROMIUM_PATH or Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why browser tests are skipped: only without Chromium on a developer's machine; in CI
 * (CI=true, .ci/run installs Chromium) a missing browser fails the test instead.
 */
export function chromiumSkipReason(): string | false {
  return existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

/** One line of the picture. */
export interface TextLine {
  readonly text: string;
  /** Drawn rotated by 180°. @defaultValue false */
  readonly upsideDown?: boolean;
}

/** Page layout. */
export interface RenderOptions {
  /** @defaultValue 900 */
  readonly width?: number;
  /** CSS font size in px. @defaultValue 30 */
  readonly fontSize?: number;
  /** @defaultValue `'DejaVu Sans'` */
  readonly fontFamily?: string;
  /** The whole page turned by this many degrees (clockwise), as a tilted scan. @defaultValue 0 */
  readonly tiltDegrees?: number;
  /** @defaultValue `'png'` (JPEG at quality 70) */
  readonly format?: 'png' | 'jpeg';
}

export interface TextImageRenderer {
  /** Image bytes (PNG unless asked) of `lines`, black on white, one line per row, left-aligned. */
  render(lines: readonly TextLine[], options?: RenderOptions): Promise<Buffer>;
  /** Closes the browser (idempotent). */
  close(): Promise<void>;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Starts headless Chromium; throws (naming the path) when it is missing. */
export async function launchTextRenderer(): Promise<TextImageRenderer> {
  if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium is needed at ${CHROMIUM} (apt-get install chromium; CHROMIUM_PATH overrides the path)`);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  let closed: Promise<void> | undefined;
  return {
    async render(lines, options = {}) {
      const width = options.width ?? 900;
      const fontSize = options.fontSize ?? 30;
      const rowHeight = Math.round(fontSize * 2.2);
      const height = rowHeight * lines.length + 40;
      const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
      try {
        const rows = lines.map((line) => `<div class="row"><span${line.upsideDown === true ? ' class="flip"' : ''}>${escapeHtml(line.text)}</span></div>`).join('');
        await page.setContent(`<!doctype html><html><head><style>
          html, body { margin: 0; background: #fff; color: #000; }
          body { padding: 20px 30px; font: ${fontSize}px '${options.fontFamily ?? 'DejaVu Sans'}'; }
          .page { transform: rotate(${options.tiltDegrees ?? 0}deg); transform-origin: 50% 50%; }
          .row { height: ${rowHeight}px; line-height: ${rowHeight}px; white-space: pre; }
          .flip { display: inline-block; transform: rotate(180deg); }
        </style></head><body><div class="page">${rows}</div></body></html>`);
        return options.format === 'jpeg' ? await page.screenshot({ type: 'jpeg', quality: 70 }) : await page.screenshot({ type: 'png' });
      } finally {
        await page.close();
      }
    },
    close() {
      closed ??= browser.close();
      return closed;
    },
  };
}
