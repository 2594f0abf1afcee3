// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the AutobahnJS scripts: starts the built wampd ($WAMPD_BIN, with
// the plugins of $WAMPD_PLUGIN_PATH) on a free port, stops it with SIGTERM,
// opens AutobahnJS sessions, and collects checks to print as TAP.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const autobahn = require('autobahn');
const serializer = require('autobahn/lib/serializer.js');

const WAMPD = process.env.WAMPD_BIN;
const PLUGINS = process.env.WAMPD_PLUGIN_PATH;

const MAKE_SERIALIZER = {
  json: () => new serializer.JSONSerializer(),
  msgpack: () => new serializer.MsgpackSerializer(),
  cbor: () => new serializer.CBORSerializer()
};

const results = [];

function check (name, ok, detail) {
  results.push({ name, ok, detail });
}

function withTimeout (promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms); })
  ]).finally(() => clearTimeout(timer));
}

function sleep (ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

// One WebSocket transport "ws" at /ws offering @serializers, anonymous
// access to everything on realm1. Waits up to @attempts x 50 ms for the
// ready file; resolves to { child, url, dir }.
async function startWampd ({ serializers = ['json'], attempts = 200 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampd-js-'));
  const config = {
    version: 1,
    realms: [{
      name: 'realm1',
      roles: [{ name: 'anonymous',
                permissions: [{ uri: '', match: 'prefix',
                                allow: { call: true, register: true, publish: true, subscribe: true } }] }]
    }],
    transports: [{ name: 'ws', type: 'websocket',
                   endpoint: { type: 'tcp', host: '127.0.0.1', port: 0 },
                   path: '/ws', serializers,
                   auth: { anonymous: { role: 'anonymous' } } }]
  };
  const configPath = path.join(dir, 'config.json');
  const readyPath = path.join(dir, 'ready');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(WAMPD, ['--config', configPath, '--ready-file', readyPath, '--plugin-dir', PLUGINS],
                      { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < attempts; i++) {
    if (fs.existsSync(readyPath)) {
      const line = fs.readFileSync(readyPath, 'utf8').split('\n').find(l => l.startsWith('ws '));
      if (line) return { child, url: line.split(' ')[1], dir };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new Error('wampd did not become ready');
}

// SIGTERM to @wampd's child (SIGKILL after @ms); checks that it exited 0.
async function stopWampd ({ child, dir }, ms = 10000) {
  const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  const status = await withTimeout(exited, ms, 'wampd exit').catch(() => { child.kill('SIGKILL'); return { code: -1 }; });
  check('wampd exits 0 on SIGTERM', status.code === 0, JSON.stringify(status));
  fs.rmSync(dir, { recursive: true, force: true });
}

// A joined session on realm1 at @url: { connection, session, protocol }.
// @serializer ('json', 'msgpack', 'cbor'): offer only that one (and only its
// subprotocol with @onlyProtocol); none: AutobahnJS's defaults.
function connect (url, { serializer, onlyProtocol = false, ms = 5000 } = {}) {
  const options = { url, realm: 'realm1', max_retries: 0 };
  if (serializer) {
    options.serializers = [MAKE_SERIALIZER[serializer]()];
    if (onlyProtocol) options.protocols = [`wamp.2.${serializer}`];
  }
  return withTimeout(new Promise((resolve, reject) => {
    const connection = new autobahn.Connection(options);
    connection.onopen = session => resolve({ connection, session, protocol: connection.transport.info.protocol });
    connection.onclose = (reason, details) => { reject(new Error(`closed: ${reason} ${JSON.stringify(details)}`)); return true; };
    connection.open();
  }), ms, serializer ? `join on ${serializer}` : 'join');
}

// Closes @peer's connection and resolves to the reason AutobahnJS reports.
function leave (peer) {
  const closed = new Promise(resolve => { peer.connection.onclose = reason => { resolve(reason); return true; }; });
  peer.connection.close();
  return withTimeout(closed, 5000, 'leave');
}

function close (...peers) {
  for (const p of peers) {
    try { if (p) p.connection.close(); } catch (e) { /* already closed */ }
  }
}

// Prints the checks as TAP and exits (1 when one failed).
function report () {
  console.log(`1..${results.length}`);
  results.forEach((r, i) => {
    console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}`);
    if (!r.ok && r.detail) console.log(`# ${String(r.detail).split('\n').join('\n# ')}`);
  });
  process.exit(results.some(r => !r.ok) ? 1 : 0);
}

// Runs @main and reports; a throw outside the checks is one failed test
// named @title.
function run (main, title) {
  main().then(report, e => {
    console.log('1..1');
    console.log(`not ok 1 - ${title}\n# ${e.stack || e}`);
    process.exit(1);
  });
}

module.exports = { check, withTimeout, sleep, startWampd, stopWampd, connect, leave, close, run };
