import { fromMinorUnits } from '@tijara/core';
import type { Response } from 'express';

/** Escape text for HTML content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "USD 29.99" with the currency's ISO 4217 exponent. */
export function formatMoney(amount: number, currency: string): string {
  try {
    return `${currency} ${fromMinorUnits(amount, currency)}`;
  } catch {
    return `${currency} ${amount}`;
  }
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:460px;margin:32px auto;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:28px}
.badge{display:inline-block;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;background:#fef3c7;color:#92400e;border-radius:999px;padding:2px 10px}
h1{font-size:20px;margin:12px 0 4px}
.muted{color:#6b7280;font-size:14px}
table{width:100%;border-collapse:collapse;margin:16px 0;font-size:14px}
td,th{padding:6px 0;text-align:left;border-bottom:1px solid #e5e7eb}
td.num,th.num{text-align:right}
.total{font-size:18px;font-weight:600;display:flex;justify-content:space-between;margin:8px 0 20px}
label{display:block;font-size:14px;font-weight:500;margin:12px 0 4px}
input[type=text],input[type=tel]{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
input[aria-invalid=true]{border-color:#dc2626}
.row{display:flex;gap:12px}.row>div{flex:1}
.check{display:flex;gap:8px;align-items:center;font-weight:400}
button{width:100%;margin-top:20px;padding:12px;border:0;border-radius:8px;background:#047857;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer}
button.secondary{background:#fff;color:#b91c1c;border:1px solid #fca5a5}
.error{color:#b91c1c;font-size:13px;margin:4px 0 0}
.alert{background:#fef2f2;color:#991b1b;border-radius:8px;padding:10px 12px;margin:12px 0}
.ok{background:#ecfdf5;color:#065f46;border-radius:8px;padding:10px 12px;margin:12px 0}
a{color:#047857}
.links{margin-top:16px;text-align:center;font-size:14px}
details{margin-top:20px;font-size:13px;color:#4b5563}
code{font-family:ui-monospace,monospace}
`;

/** The sandbox's icon: served at `/favicon.ico` and inlined in every page, so browsers never log a 404 for it. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#047857"/>' +
  '<path d="M9 10h14v3.5h-5.2V24h-3.6V13.5H9z" fill="#fff"/></svg>';

const FAVICON_LINK = `<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">`;

/** A complete page with inline styles only: no scripts, fonts or images from anywhere. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
${FAVICON_LINK}
<style>${STYLE}</style>
</head>
<body>
<main>
<span class="badge" id="test-mode">Sandbox · test mode</span>
${body}
</main>
</body>
</html>
`;
}

export function sendHtml(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(html);
}
