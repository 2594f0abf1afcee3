// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node) on JSON, MessagePack and CBOR against the real wampd: for
// every (sender, receiver) pair, pub/sub and RPC carry a value set unchanged;
// a NaN from MessagePack reaches a MessagePack subscriber but not a JSON one.
// Reported as TAP.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const autobahn = require('autobahn');
const serializer = require('autobahn/lib/serializer.js');

const WAMPD = process.env.WAMPD_BIN;
const PLUGINS = process.env.WAMPD_PLUGIN_PATH;
const STEP_MS = 10000;

const SERIALIZERS = ['json', 'msgpack', 'cbor'];
const MAKE = {
  json: () => new serializer.JSONSerializer(),
  msgpack: () => new serializer.MsgpackSerializer(),
  cbor: () => new serializer.CBORSerializer()
};

// What JavaScript can hold exactly: numbers are doubles (integers up to
// 2^53 - 1; -0 and 1.0 do not survive JS's own encoders), and AutobahnJS's
// JSON has no binary convention, so bytes travel only between binary formats.
const ARGS = [
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, -1, 255, 0.1, -2.5, 1e300, 5e-324,
  '', 'h\u00e9llo \u2603 \ud834\udd1e \u2028 \uffff', 'a\u0000b',
  null, true, false,
  [], {}, [[1, [2, {}]], { a: { b: [] } }]
];
const KWARGS = {
  half: -0.5,
  text: '\u00fc\ud834\udd1e\u0000end',
  nested: { l: [null, true, { x: 'y' }], e: {} },
  empty_list: [],
  '': 'empty key'
};
const BINARY = Buffer.from([0, 1, 254, 255]);

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

// Strict: same types (a Buffer is not an array), NaN equals NaN.
function same (a, b) {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) {
    return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return (Number.isNaN(a) && Number.isNaN(b)) || a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every(k => same(a[k], b[k]));
  }
  return a === b;
}

function show (v) {
  return JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isFinite(x)) ? String(x) : x);
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
                   path: '/ws', serializers: SERIALIZERS,
                   auth: { anonymous: { role: 'anonymous' } } }]
  };
  const configPath = path.join(dir, 'config.json');
  const readyPath = path.join(dir, 'ready');
  fs.writeFileSync(configPath, JSON.stringify(config));
  const child = spawn(WAMPD, ['--config', configPath, '--ready-file', readyPath, '--plugin-dir', PLUGINS],
                      { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 600; i++) {
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

function connect (url, name) {
  return withTimeout(new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      url, realm: 'realm1', max_retries: 0, serializers: [MAKE[name]()], protocols: [`wamp.2.${name}`]
    });
    connection.onopen = session => resolve({ connection, session });
    connection.onclose = (reason, details) => { reject(new Error(`closed: ${reason} ${JSON.stringify(details)}`)); return true; };
    connection.open();
  }), STEP_MS, `join on ${name}`);
}

function close (...peers) {
  for (const p of peers) {
    try { if (p) p.connection.close(); } catch (e) { /* already closed */ }
  }
}

// The value set for a pair: bytes only between binary formats.
function valuesFor (sender, receiver) {
  const args = ARGS.slice();
  const kwargs = Object.assign({}, KWARGS);
  if (sender !== 'json' && receiver !== 'json') {
    args.push(BINARY);
    kwargs.bin = BINARY;
  }
  return { args, kwargs };
}

async function pubsub (url, sender, receiver) {
  const { args, kwargs } = valuesFor(sender, receiver);
  let pub, sub;
  try {
    pub = await connect(url, sender);
    sub = await connect(url, receiver);
    const topic = `com.example.js.${sender}.${receiver}`;
    let resolveEvent;
    const event = new Promise(resolve => { resolveEvent = resolve; });
    await withTimeout(sub.session.subscribe(topic, (a, k) => resolveEvent({ args: a, kwargs: k })), STEP_MS, 'subscribe');
    await withTimeout(pub.session.publish(topic, args, kwargs, { acknowledge: true }), STEP_MS, 'publish');
    const got = await withTimeout(event, STEP_MS, 'event');
    const ok = same(args, got.args) && same(kwargs, got.kwargs);
    check(`AutobahnJS pub/sub ${sender} -> ${receiver}: every value arrives unchanged`, ok,
          ok ? null : `sent ${show({ args, kwargs })}\ngot  ${show(got)}`);
  } catch (e) {
    check(`AutobahnJS pub/sub ${sender} -> ${receiver}: every value arrives unchanged`, false, e.stack || String(e));
  } finally {
    close(pub, sub);
  }
}

async function rpc (url, sender, receiver) {
  const { args, kwargs } = valuesFor(sender, receiver);
  const name = `AutobahnJS rpc ${sender} caller -> ${receiver} callee and back: every value unchanged`;
  let caller, callee;
  try {
    caller = await connect(url, sender);
    callee = await connect(url, receiver);
    const procedure = `com.example.js.${sender}.${receiver}.echo`;
    const invoked = [];
    await withTimeout(callee.session.register(procedure, (a, k) => {
      invoked.push({ args: a, kwargs: k });
      return new autobahn.Result(a, k);
    }), STEP_MS, 'register');
    const result = await withTimeout(caller.session.call(procedure, args, kwargs), STEP_MS, 'call');
    const okIn = invoked.length === 1 && same(args, invoked[0].args) && same(kwargs, invoked[0].kwargs);
    const okOut = result && same(args, result.args) && same(kwargs, result.kwargs);
    check(name, okIn && okOut,
          okIn && okOut ? null : `sent ${show({ args, kwargs })}\ncallee got ${show(invoked)}\ncaller got ${show(result)}`);
  } catch (e) {
    check(name, false, e.stack || String(e));
  } finally {
    close(caller, callee);
  }
}

async function nanSkipsJson (url) {
  const name = 'AutobahnJS NaN from msgpack: a msgpack subscriber gets it, a JSON subscriber does not';
  let pub, subJson, subMsgpack;
  try {
    pub = await connect(url, 'msgpack');
    subJson = await connect(url, 'json');
    subMsgpack = await connect(url, 'msgpack');
    const topic = 'com.example.js.nan';
    const gotJson = [];
    const gotMsgpack = [];
    let done;
    const bothAfter = new Promise(resolve => { done = resolve; });
    const maybeDone = () => {
      if (gotJson.some(a => a[0] === 'after') && gotMsgpack.some(a => a[0] === 'after')) done();
    };
    await subJson.session.subscribe(topic, a => { gotJson.push(a); maybeDone(); });
    await subMsgpack.session.subscribe(topic, a => { gotMsgpack.push(a); maybeDone(); });
    await withTimeout(pub.session.publish(topic, [NaN], {}, { acknowledge: true }), STEP_MS, 'publish NaN');
    await withTimeout(pub.session.publish(topic, ['after'], {}, { acknowledge: true }), STEP_MS, 'publish after');
    await withTimeout(bothAfter, STEP_MS, 'events');
    const ok = same(gotJson, [['after']]) && same(gotMsgpack, [[NaN], ['after']]);
    check(name, ok, ok ? null : `json got ${show(gotJson)}, msgpack got ${show(gotMsgpack)}`);
  } catch (e) {
    check(name, false, e.stack || String(e));
  } finally {
    close(pub, subJson, subMsgpack);
  }
}

async function main () {
  const { child, url, dir } = await startWampd();
  try {
    for (const sender of SERIALIZERS) {
      for (const receiver of SERIALIZERS) {
        await pubsub(url, sender, receiver);
        await rpc(url, sender, receiver);
      }
    }
    if (SERIALIZERS.includes('msgpack')) {
      await nanSkipsJson(url);
    }
  } finally {
    const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const status = await withTimeout(exited, 30000, 'wampd exit').catch(() => { child.kill('SIGKILL'); return { code: -1 }; });
    check('wampd exits 0 on SIGTERM', status.code === 0, JSON.stringify(status));
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`1..${results.length}`);
  results.forEach((r, i) => {
    console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}`);
    if (!r.ok && r.detail) console.log(`# ${String(r.detail).split('\n').join('\n# ')}`);
  });
  process.exit(results.some(r => !r.ok) ? 1 : 0);
}

main().catch(e => {
  console.log('1..1');
  console.log(`not ok 1 - AutobahnJS serializer interop\n# ${e.stack || e}`);
  process.exit(1);
});
