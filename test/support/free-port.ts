import { createServer } from 'node:net';

/**
 * Ports for the servers tests start as child processes (nginx, Prometheus, Alertmanager, service
 * replicas), which must be told a port before they bind it.
 *
 * Asking the kernel for one (listen on 0, close, hand it on) races: the port comes from the
 * ephemeral range, where every other process's `listen(0)` and every outgoing connection draw
 * theirs, and a parallel test file did take one before its child bound it (Alertmanager: "bind:
 * address already in use", then the test talked to someone else's server). These ports lie below
 * the ephemeral range (Linux: 32768-60999), in a block of their own per Jest worker, handed out in
 * turn and checked free before use: no other test file and no kernel allocation competes for them.
 */
const FIRST_PORT = 20_000;
const BLOCK = 500;
const BLOCKS = 25; // 20,000 + 25 × 500 = 32,500: still below the ephemeral range

const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const blockStart = FIRST_PORT + ((Number.isInteger(worker) && worker > 0 ? worker - 1 : 0) % BLOCKS) * BLOCK;
let next = 0;

/** A loopback TCP port that no one listens on now and that no other test process will be handed. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = blockStart + (next++ % BLOCK);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${blockStart}-${blockStart + BLOCK - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
