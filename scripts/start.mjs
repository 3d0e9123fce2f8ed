#!/usr/bin/env node
// `npm start`: install what is missing, then serve the lab with Vite and open it in the default
// browser when there is a desktop to open it on (not over SSH or on a headless box).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const args = ['vite', '--host', '127.0.0.1', '--port', '5173', '--strictPort', ...(headless || process.env.CI ? [] : ['--open', '/'])];
const child = spawn('npx', args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
