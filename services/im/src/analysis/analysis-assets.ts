import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StaticAsset {
  contentType: string;
  body: Buffer;
}

/**
 * The page's own files (src/analysis/assets, shipped beside dist/ or copied into it) and Chart.js's
 * UMD build from node_modules: served by us, never from a CDN. Loaded once, at start-up.
 */
export function loadAnalysisAssets(): Map<string, StaticAsset> {
  const ownDir = [join(__dirname, 'assets'), join(__dirname, '..', '..', 'src', 'analysis', 'assets')].find((dir) =>
    existsSync(join(dir, 'analysis.js')),
  );
  if (!ownDir) throw new Error('analysis assets not found (services/im/src/analysis/assets)');
  const chartDir = dirname(require.resolve('chart.js'));
  const js = 'application/javascript; charset=utf-8';
  return new Map<string, StaticAsset>([
    ['chart.umd.min.js', { contentType: js, body: readFileSync(join(chartDir, 'chart.umd.min.js')) }],
    ['analysis.js', { contentType: js, body: readFileSync(join(ownDir, 'analysis.js')) }],
    ['analysis.css', { contentType: 'text/css; charset=utf-8', body: readFileSync(join(ownDir, 'analysis.css')) }],
  ]);
}
