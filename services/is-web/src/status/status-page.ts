import { createHash } from 'node:crypto';
import type { StatusReport } from './status.service';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
h1 span{padding:.1em .5em;border-radius:.3em;color:#fff}
.ok{background:#2e7d32}.degraded{background:#ef6c00}.down{background:#c62828}
table{border-collapse:collapse;margin-top:1rem}td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}
tr.down td:nth-child(2){color:#c62828;font-weight:bold}tr.up td:nth-child(2){color:#2e7d32}
`;

/** The page's own policy: nothing but its one inline style sheet (allowed by its hash). */
export const STATUS_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The human-readable status page (no scripts, no external assets; refreshes itself). */
export function renderStatusPage(report: StatusReport): string {
  const rows = report.targets
    .map(
      (t) =>
        `<tr class="${t.up ? 'up' : 'down'}"><td>${escape(t.name)}</td><td>${t.up ? 'up' : 'down'}</td>` +
        `<td>${t.status_code ?? '–'}</td><td>${t.latency_ms} ms</td><td>${escape(t.detail)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PJS status: ${report.status}</title>
<style>${STYLE}</style></head><body>
<h1>PJS ecosystem <span class="${report.status}">${report.status}</span></h1>
<p>Checked at ${escape(report.checked_at)}. <a href="/status">JSON</a></p>
<table><thead><tr><th>Target</th><th>State</th><th>HTTP</th><th>Latency</th><th>Detail</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="5">No targets configured (IS_STATUS_TARGETS).</td></tr>'}
</tbody></table></body></html>`;
}
