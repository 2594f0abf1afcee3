// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node) against the real wampd over WebSocket/JSON: pub/sub, RPC
// and the router's errors, reported as TAP.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const autobahn = require('autobahn');

const WAMPD = process.env.WAMPD_BIN;
const PLUGINS = process.env.WAMPD_PLUGIN_PATH;

let planned = 0;
let failures = 0;
const results = [];

function check (name, ok, detail) {
  results.push({ name, ok, detail });
  if (!ok) failures++;
}

function withTimeout (promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms); })
  ]).finally(() => clearTimeout(timer));
}

async function startWampd () {
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
                   path: '/ws', serializers: ['json'],
                   auth: { anonymous: { role: 'anonymous' } } }]
  };
  const configPath = path.join(dir, 'config.json');
  const readyPath = path.join(dir, 'ready');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(WAMPD, ['--config', configPath, '--ready-file', readyPath, '--plugin-dir', PLUGINS],
                      { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(readyPath)) {
      const line = fs.readFileSync(readyPath, 'utf8').split('\n').find(l => l.startsWith('ws '));
      if (line) return { child, url: line.split(' ')[1], dir };
    }
    if (child.exitCode !== null) break;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  throw new Error('wampd did not become ready');
}

function connect (url) {
  return withTimeout(new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({ url, realm: 'realm1', max_retries: 0 });
    connection.onopen = session => resolve({ connection, session });
    connection.onclose = (reason, details) => { reject(new Error(`closed: ${reason} ${JSON.stringify(details)}`)); return true; };
    connection.open();
  }), 5000, 'join');
}

async function expectError (promise, uri) {
  try {
    await promise;
    return `no error (expected ${uri})`;
  } catch (e) {
    const got = e.error || (e.message) || String(e);
    return got === uri ? null : `got ${got}, expected ${uri}`;
  }
}

async function main () {
  const { child, url, dir } = await startWampd();
  let a, b;
  try {
    a = await connect(url);
    b = await connect(url);
    check('two AutobahnJS sessions join realm1', a.session.id > 0 && b.session.id > 0 && a.session.id !== b.session.id);

    // Pub/sub across sessions, args and kwargs intact.
    const received = new Promise(resolve => {
      b.session.subscribe('com.example.topic', (args, kwargs) => resolve({ args, kwargs }));
    });
    await withTimeout(new Promise(resolve => setTimeout(resolve, 100)), 1000, 'settle');
    await a.session.publish('com.example.topic', [1, 'two', { three: 3 }], { k: [true, null] }, { acknowledge: true });
    const event = await withTimeout(received, 5000, 'event');
    check('event reaches the subscriber with args and kwargs intact',
          JSON.stringify(event.args) === JSON.stringify([1, 'two', { three: 3 }]) &&
          JSON.stringify(event.kwargs) === JSON.stringify({ k: [true, null] }),
          JSON.stringify(event));

    // RPC across sessions.
    await b.session.register('com.example.add', args => args[0] + args[1]);
    const sum = await withTimeout(a.session.call('com.example.add', [2, 40]), 5000, 'call');
    check('call is routed to the callee and the result comes back', sum === 42, String(sum));

    await b.session.register('com.example.fail', () => {
      throw new autobahn.Error('com.example.error.oops', ['bad'], { why: 'because' });
    });
    try {
      await withTimeout(a.session.call('com.example.fail'), 5000, 'call fail');
      check('callee error reaches the caller', false, 'no error');
    } catch (e) {
      check('callee error reaches the caller with its URI and args',
            e.error === 'com.example.error.oops' && JSON.stringify(e.args) === '["bad"]' &&
            e.kwargs && e.kwargs.why === 'because', JSON.stringify(e));
    }

    const unknown = await expectError(withTimeout(a.session.call('com.example.nothing'), 5000, 'call'),
                                      'wamp.error.no_such_procedure');
    check('calling an unknown procedure gives wamp.error.no_such_procedure', unknown === null, unknown);

    const dup = await expectError(withTimeout(a.session.register('com.example.add', () => 0), 5000, 'register'),
                                  'wamp.error.procedure_already_exists');
    check('registering a taken procedure gives wamp.error.procedure_already_exists', dup === null, dup);

    const bad = await expectError(withTimeout(a.session.call('com.example..bad'), 5000, 'call'),
                                  'wamp.error.invalid_uri');
    check('calling an invalid URI gives wamp.error.invalid_uri', bad === null, bad);

    // Leaving cleanly: the router answers GOODBYE, the connection closes.
    const closed = new Promise(resolve => { a.connection.onclose = reason => { resolve(reason); return true; }; });
    a.connection.close();
    const reason = await withTimeout(closed, 5000, 'leave');
    check('leaving closes the session cleanly', reason === 'closed', reason);
  } catch (e) {
    check('scenario ran to the end', false, e.stack || String(e));
  } finally {
    try { if (b) b.connection.close(); } catch (e) { /* already closed */ }
    const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const status = await withTimeout(exited, 10000, 'wampd exit').catch(() => { child.kill('SIGKILL'); return { code: -1 }; });
    check('wampd exits 0 on SIGTERM', status.code === 0, JSON.stringify(status));
    fs.rmSync(dir, { recursive: true, force: true });
  }

  planned = results.length;
  console.log(`1..${planned}`);
  results.forEach((r, i) => {
    console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}`);
    if (!r.ok && r.detail) console.log(`# ${String(r.detail).split('\n').join('\n# ')}`);
  });
  process.exit(failures ? 1 : 0);
}

main().catch(e => {
  console.log('1..1');
  console.log(`not ok 1 - AutobahnJS interop\n# ${e.stack || e}`);
  process.exit(1);
});
