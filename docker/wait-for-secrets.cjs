// Entry point of our images, after tini: `node /app/wait-for-secrets.cjs node dist/<x>.js ...`.
// The apps read their settings once, at start, from ENV_FILE (rendered by the stack's Vault
// Agent into a tmpfs volume). After a reboot that file is gone until the agent has logged in
// again, which needs Vault unsealed. Instead of crashing and being restarted in a loop, the
// process waits here: healthy but not ready. It answers GET /health (and /health/) with 200
// {"status":"waiting","ready":false} on the port the app would serve (PORT for dist/main.js,
// METRICS_PORT for dist/worker.js) and 503 to everything else, logs every 30 s, and as soon as
// ENV_FILE has content it closes that port and runs the command in this same process.
// Without ENV_FILE, or when the file is there already, it starts the command at once.
'use strict';
const { statSync } = require('node:fs');
const { createServer } = require('node:http');
const { resolve } = require('node:path');

const [command, script, ...args] = process.argv.slice(2);
const envFile = process.env.ENV_FILE;

function log(message) {
  process.stdout.write(
    `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), context: 'wait-for-secrets', message })}\n`,
  );
}

function hasSecrets() {
  try {
    return statSync(envFile).size > 0;
  } catch {
    return false;
  }
}

function run() {
  if (command !== 'node' || !script) {
    // Not a node script: run it as a child and mirror its exit.
    const { spawn } = require('node:child_process');
    const child = spawn(command, [script, ...args].filter(Boolean), { stdio: 'inherit' });
    for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  const file = resolve(script);
  process.argv = [process.execPath, file, ...args];
  require(file);
}

if (!command) {
  process.stderr.write('usage: wait-for-secrets.cjs <command> [args...]\n');
  process.exit(2);
}
if (!envFile || hasSecrets()) {
  run();
} else {
  const port = /worker\.js$/.test(script ?? '')
    ? Number(process.env.METRICS_PORT)
    : /main\.js$/.test(script ?? '')
      ? Number(process.env.PORT)
      : 0;
  const since = Date.now();
  let server = null;
  if (port > 0) {
    server = createServer((req, res) => {
      const health = req.method === 'GET' && /^\/health\/?(\?.*)?$/.test(req.url ?? '');
      const body = health
        ? { status: 'waiting', ready: false, waiting_for: 'secrets (ENV_FILE)' }
        : { code: 'not_ready', message: 'waiting for secrets (Vault sealed or agent not logged in)' };
      res.writeHead(health ? 200 : 503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify(body));
    }).listen(port);
  }
  log(`${envFile} is missing or empty: waiting for the Vault Agent (healthy, not ready) before ${script}`);
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const timer = setInterval(() => {
    if (!hasSecrets()) {
      if ((Date.now() - since) % 30_000 < 1000) log(`still waiting for ${envFile}`);
      return;
    }
    clearInterval(timer);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    log(`${envFile} is there after ${Math.round((Date.now() - since) / 1000)} s: starting ${script}`);
    if (!server) return run();
    server.closeAllConnections();
    server.close(() => run());
  }, 1000);
}
