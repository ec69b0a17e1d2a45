// Spawns the anvil binary shipped by @foundry-rs/anvil on a free local port.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

const STARTUP_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 50;
const START_ATTEMPTS_MAX = 3;

/** Absolute path of the anvil binary for this platform (from the optional dependency). */
export function anvilBinaryPath() {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  if (!arch) throw new Error(`anvil: unsupported architecture ${process.arch}`);
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const pkgDir = path.dirname(require.resolve(`${pkg}/package.json`));
  return path.join(pkgDir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

async function rpcReady(url) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function startOnce(args) {
  const port = await freePort();
  const child = spawn(anvilBinaryPath(), ['--host', '127.0.0.1', '--port', String(port), '--quiet', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) return { error: new Error(`anvil exited during startup: ${stderr.trim()}`) };
    if (await rpcReady(url)) {
      const kill = () =>
        new Promise((resolve) => {
          if (exited || child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      return { node: { url, port, pid: child.pid, kill } };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  child.kill('SIGKILL');
  return { error: new Error(`anvil did not answer on ${url} within ${STARTUP_TIMEOUT_MS} ms`) };
}

/**
 * Starts a local anvil node and waits until it answers JSON-RPC.
 * @param {{ args?: string[] }} [options] extra anvil arguments (e.g. ['--chain-id', '1337'])
 * @returns {Promise<import('./index.js').AnvilNode>}
 */
export async function startAnvil(options = {}) {
  let lastError;
  for (let attempt = 0; attempt < START_ATTEMPTS_MAX; attempt += 1) {
    const { node, error } = await startOnce(options.args ?? []);
    if (node) return node;
    lastError = error; // most likely the port was taken between probing and binding: retry
  }
  throw lastError;
}
