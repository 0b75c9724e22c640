// The Vault fake (test/fakes/vault-fake.ts) as a server for the reboot drill:
//   node --experimental-transform-types test/docker/vault-fake-server.mjs HOST PORT
// Root token `root-token`; SIGUSR1 seals it, SIGUSR2 unseals it (what `vault operator seal` /
// `vault operator unseal` do to the real one); SIGTERM stops it. Logs one line per change.
const [host = '127.0.0.1', port = '8200'] = process.argv.slice(2);
const { startVaultFake } = await import('../fakes/vault-fake.ts');
const vault = await startVaultFake({ host, port: Number(port) });
const say = (m) => process.stdout.write(`[vault-fake] ${m}\n`);
say(`listening on ${vault.url} (unsealed)`);
process.on('SIGUSR1', () => {
  vault.state.sealed = true;
  say('sealed');
});
process.on('SIGUSR2', () => {
  vault.state.sealed = false;
  say('unsealed');
});
process.on('SIGTERM', () => void vault.close().then(() => process.exit(0)));
