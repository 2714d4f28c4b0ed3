/**
 * Pages of known text for the OCR benchmark, drawn by sharp (librsvg + Pango with the system's
 * DejaVu Sans) so the benchmark needs no browser. One line of each page is upside down.
 */
import sharp from 'sharp';

const PAGES: readonly (readonly string[])[] = [
  ['Invoice 2026-0142 for ACME Corp.', 'Queue depth 17, batch size 8', 'This line is upside down 93', 'Total due 4,250.75 EUR'],
  ['Workers read jobs from Redis', 'Latency p95 was 120 ms today', 'Printed upside down: model 7', 'Shipped on 14 March 2026'],
  ['Order 5521 ready for pickup', 'Room 204, second floor', 'Upside down: call 555-0199', 'Thank you for your visit'],
  ['Batch 12 of 40 completed', 'Temperature 21.5 C inside', 'Reversed text line number 3', 'Next review in 6 weeks'],
];

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** PNG bytes of the benchmark pages (900 × 300, black DejaVu Sans 30 px on white; line 3 upside down). */
export async function renderOcrPages(): Promise<{ png: Buffer; lines: readonly string[] }[]> {
  return Promise.all(PAGES.map(async (lines) => {
    const rows = lines.map((text, i) => {
      const y = 50 + i * 66;
      const flip = i === 2 ? ` transform="rotate(180 ${30 + text.length * 8.5} ${y - 10})"` : '';
      return `<text x="30" y="${y}" font-family="DejaVu Sans" font-size="30"${flip}>${escapeXml(text)}</text>`;
    }).join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="300"><rect width="100%" height="100%" fill="#fff"/>${rows}</svg>`;
    return { png: await sharp(Buffer.from(svg)).png().toBuffer(), lines };
  }));
}
