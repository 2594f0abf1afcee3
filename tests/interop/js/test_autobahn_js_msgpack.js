// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node, msgpack5) against the real wampd over WebSocket/MessagePack:
// pub/sub and RPC carry every value JavaScript can express unchanged, between
// two MessagePack sessions and between MessagePack and JSON. Reported as TAP.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const autobahn = require('autobahn');

const WAMPD = process.env.WAMPD_BIN;
const PLUGINS = process.env.WAMPD_PLUGIN_PATH;

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

// What JavaScript can put in a MessagePack frame: every JSON type plus
// binary (Buffer: bin), strings with U+0000 anywhere, and integers up to
// 2^53 (beyond that a JS number is not exact, so no such test belongs here).
const ARGS = [
  null, true, false, 0, 1, -1, 127, 128, 255, 256, -32, -33, 65535, 65536, 4294967296,
  -2147483649, 9007199254740992, -9007199254740991, 0.1, -2.5, 1.5e300, 5e-324,
  '', 'ascii', '\u00e9t\u00e9', '\u65e5\u672c\u8a9e', '\u{1F600} emoji', 'embedded\u0000NUL',
  '\u0000leading NUL', 'x'.repeat(300),
  Buffer.from([0, 1, 2, 254, 255]), Buffer.alloc(0), Buffer.alloc(70000, 0xab),
  [], {}, [[[]]], { a: { b: [1, { c: null }] } }
];
const KWARGS = {
  str: 'caf\u00e9', bin: Buffer.from('\u0000\u0001binary'), id: 9007199254740992,
  nested: { list: [1, 'two', [3]], empty: {} }, '': 'empty key', 'k\u0000ey': 'NUL in key'
};
// The subset JSON carries for AutobahnJS (its JSON serializer has no binary
// convention, and a leading U+0000 cannot travel in JSON).
const JSON_ARGS = ARGS.filter(v => !Buffer.isBuffer(v) && !(typeof v === 'string' && v.startsWith('\u0000')));
const JSON_KWARGS = { str: KWARGS.str, id: KWARGS.id, nested: KWARGS.nested, '': 'empty key' };

function sameValues (got, args, kwargs) {
  return util.isDeepStrictEqual(got.args, args) && util.isDeepStrictEqual(got.kwargs || {}, kwargs);
}

function show (got) {
  return util.inspect(got, { depth: 6, maxArrayLength: 50, maxStringLength: 60 });
}

async function startWampd () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampd-js-msgpack-'));
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
                   path: '/ws', serializers: ['json', 'msgpack'],
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

// @serializer: 'msgpack' or 'json'; only that one is offered.
function connect (url, serializer) {
  const serializers = [serializer === 'msgpack' ? new autobahn.serializer.MsgpackSerializer()
                                                : new autobahn.serializer.JSONSerializer()];
  return withTimeout(new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({ url, realm: 'realm1', max_retries: 0, serializers });
    connection.onopen = session => resolve({ connection, session, protocol: connection.transport.info.protocol });
    connection.onclose = (reason, details) => { reject(new Error(`closed: ${reason} ${JSON.stringify(details)}`)); return true; };
    connection.open();
  }), 5000, 'join');
}

async function pubsub (publisher, subscriber, topic, args, kwargs) {
  const received = new Promise(resolve => {
    subscriber.session.subscribe(topic, (a, k) => resolve({ args: a, kwargs: k }));
  });
  await new Promise(resolve => setTimeout(resolve, 100));
  await publisher.session.publish(topic, args, kwargs, { acknowledge: true });
  return withTimeout(received, 5000, 'event');
}

async function echoCall (caller, callee, procedure, args, kwargs) {
  await callee.session.register(procedure, (a, k) => new autobahn.Result(a, k));
  const result = await withTimeout(caller.session.call(procedure, args, kwargs), 5000, 'call');
  return { args: result.args, kwargs: result.kwargs };
}

async function main () {
  const { child, url, dir } = await startWampd();
  const sessions = [];
  try {
    const a = await connect(url, 'msgpack');
    const b = await connect(url, 'msgpack');
    const j = await connect(url, 'json');
    sessions.push(a, b, j);
    check('AutobahnJS negotiates wamp.2.msgpack (and wamp.2.json when it offers only that)',
          a.protocol === 'wamp.2.msgpack' && b.protocol === 'wamp.2.msgpack' && j.protocol === 'wamp.2.json',
          `${a.protocol} ${b.protocol} ${j.protocol}`);

    let got = await pubsub(a, b, 'com.example.mm', ARGS, KWARGS);
    check('pub/sub msgpack -> msgpack: every value arrives unchanged (bin as Buffer, NUL anywhere)',
          sameValues(got, ARGS, KWARGS), show(got));

    got = await echoCall(a, b, 'com.example.echo.mm', ARGS, KWARGS);
    check('rpc msgpack caller -> msgpack callee and back: every value unchanged',
          sameValues(got, ARGS, KWARGS), show(got));

    got = await pubsub(a, j, 'com.example.mj', JSON_ARGS, JSON_KWARGS);
    check('pub/sub msgpack -> json: transcoded, every value unchanged', sameValues(got, JSON_ARGS, JSON_KWARGS), show(got));

    got = await pubsub(j, a, 'com.example.jm', JSON_ARGS, JSON_KWARGS);
    check('pub/sub json -> msgpack: transcoded, every value unchanged', sameValues(got, JSON_ARGS, JSON_KWARGS), show(got));

    got = await echoCall(j, b, 'com.example.echo.jm', JSON_ARGS, JSON_KWARGS);
    check('rpc json caller -> msgpack callee and back: every value unchanged',
          sameValues(got, JSON_ARGS, JSON_KWARGS), show(got));

    try {
      await b.session.register('com.example.fail', () => {
        throw new autobahn.Error('com.example.error.oops', [Buffer.from([1, 2, 3])], { why: 'because' });
      });
      await withTimeout(a.session.call('com.example.fail'), 5000, 'call fail');
      check('callee error reaches a msgpack caller with its URI, args and kwargs', false, 'no error');
    } catch (e) {
      check('callee error reaches a msgpack caller with its URI, args and kwargs',
            e.error === 'com.example.error.oops' && util.isDeepStrictEqual(e.args, [Buffer.from([1, 2, 3])]) &&
            util.isDeepStrictEqual(e.kwargs, { why: 'because' }), show(e));
    }

    const closed = new Promise(resolve => { a.connection.onclose = reason => { resolve(reason); return true; }; });
    a.connection.close();
    const reason = await withTimeout(closed, 5000, 'leave');
    check('a msgpack session leaves cleanly', reason === 'closed', reason);
  } catch (e) {
    check('scenario ran to the end', false, e.stack || String(e));
  } finally {
    for (const s of sessions) {
      try { s.connection.close(); } catch (e) { /* already closed */ }
    }
    const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const status = await withTimeout(exited, 10000, 'wampd exit').catch(() => { child.kill('SIGKILL'); return { code: -1 }; });
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
  console.log(`not ok 1 - AutobahnJS MessagePack interop\n# ${e.stack || e}`);
  process.exit(1);
});
