#!/usr/bin/env node
// Installs what `npm start`, `npm test` and `npm run bench` need and is missing:
//   --deps      node_modules (npm ci from the lockfile, or npm install without one)
//   --chromium  Debian's chromium (browser + SwiftShader Vulkan ICD) and libvulkan1 (the Vulkan
//               loader Dawn needs in Node). Installed with apt-get when running as root; otherwise
//               prints exactly what to install and fails.
// Everything comes from the npm registry and Debian's apt: no browser downloads, no CDNs.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const want = new Set(process.argv.slice(2));
const say = (m) => console.error(`[stepwise] ${m}`);

function run(cmd, opts = {}) {
  say(`$ ${cmd}`);
  const r = spawnSync(cmd, { shell: true, stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`command failed (${r.status}): ${cmd}`);
}

function depsStale() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const lock = path.join(root, 'package-lock.json');
  // npm rewrites node_modules/.package-lock.json on every install; an older one means the
  // lockfile changed since (a pull brought new dependencies).
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000;
}

function ensureDeps() {
  if (!depsStale()) return;
  say('installing npm dependencies');
  run(existsSync(path.join(root, 'package-lock.json')) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund');
}

const CHROMIUM = '/usr/bin/chromium';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
function hasVulkanLoader() {
  try {
    return execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync);
  }
}

function ensureChromium() {
  const missing = [];
  if (!existsSync(CHROMIUM) || !existsSync(SWIFTSHADER_ICD)) missing.push('chromium');
  if (!hasVulkanLoader()) missing.push('libvulkan1');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = existsSync('/usr/bin/apt-get');
  if (!isRoot || !aptGet) {
    say(`missing system packages: ${missing.join(' ')}`);
    say('Stepwise tests run WebGPU in Debian\'s Chromium (SwiftShader) and in Node through Dawn + the Vulkan loader.');
    say(`Install them with:  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    say('(or point STEPWISE_CHROMIUM at another Chromium build and VK_ICD_FILENAMES at a Vulkan ICD)');
    process.exit(1);
  }
  say(`installing ${missing.join(' ')} from Debian's apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get update -qq', { env });
  run(`apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { env });
}

try {
  if (want.has('--deps')) ensureDeps();
  if (want.has('--chromium')) ensureChromium();
} catch (e) {
  say(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
