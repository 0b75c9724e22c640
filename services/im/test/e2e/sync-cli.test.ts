import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TS_REGISTER, createTestVhost, type TestVhost } from '@pjs/testing';
import { startRealDbu, type RealDbu } from '../integration/support/real-dbu';
import { countDetails, seedImItems, startIm, type ImStack } from '../integration/support/sync-harness';

jest.setTimeout(120_000);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pnpm im <args>` on the sources (what scripts/cli.mjs runs after building). */
function im(args: string[], env: Record<string, string>): Promise<CliRun> {
  const register = TS_REGISTER;
  const cli = join(__dirname, '..', '..', 'src', 'cli.ts');
  const child = spawn(process.execPath, ['-r', register, cli, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('pnpm im sync-missing-details', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let stack: ImStack;
  let env: Record<string, string>;

  beforeAll(async () => {
    vhost = await createTestVhost('im_sync_cli');
    dbu = await startRealDbu('sync_cli', vhost.url);
    const itemNos = Array.from({ length: 45 }, (_, i) => `CLI-${String(i).padStart(2, '0')}`);
    await dbu.seed(itemNos.map((item_no) => ({ item_no, title: `Shell ${item_no}`, license: 'Marvel', rrp: '7.77' })));
    stack = await startIm('sync_cli', { rabbitUrl: vhost.url, dbuUrl: dbu.url, dbuUser: dbu.user });
    await seedImItems(stack.dataSource, [...itemNos, 'CLI-UNKNOWN']);
    env = {
      DATABASE_URL: stack.config.DATABASE_URL,
      DBU_BASE_URL: dbu.url,
      DBU_USERNAME: dbu.user.username,
      DBU_PASSWORD: dbu.user.password,
    };
  });

  afterAll(async () => {
    await stack?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  it('rejects a batch size above DBU’s limit', async () => {
    const run = await im(['sync-missing-details', '--batch-size', '501'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--batch-size must be a whole number from 1 to 500');
  });

  it('fails with a clear message and exit code 1 while DBU is down', async () => {
    await dbu.proxy.cut();
    try {
      const run = await im(['sync-missing-details'], { ...env, DBU_RETRIES: '0' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^im: DBU is unavailable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/m);
    } finally {
      await dbu.proxy.restore();
    }
    expect(await countDetails(stack.dataSource)).toBe(0);
  });

  it('fills the missing details in batches and reports what it did', async () => {
    const run = await im(['sync-missing-details', '--batch-size', '10'], env);
    expect(run.stderr).not.toMatch(/^im: /m);
    expect(run.code).toBe(0);
    // 46 items without details, 10 per request: 5 lookups.
    expect(run.stdout).toContain('45 item(s) updated from DBU, 1 not found in DBU, 46 looked up in 5 request(s)');
    expect(await countDetails(stack.dataSource)).toBe(45);
    const [row] = await stack.dataSource.query(`SELECT license, rrp::text FROM item_details WHERE item_no = 'CLI-44'`);
    expect(row).toEqual({ license: 'Marvel', rrp: '7.77' });

    const again = await im(['sync-missing-details'], env);
    expect(again.stdout).toContain('0 item(s) updated from DBU, 1 not found in DBU, 1 looked up in 1 request(s)');
  });
});
