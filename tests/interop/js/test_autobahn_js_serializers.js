// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node) on JSON, MessagePack and CBOR against the real wampd: for
// every (sender, receiver) pair, pub/sub and RPC carry a value set unchanged;
// a NaN from MessagePack reaches a MessagePack subscriber but not a JSON one.
// Reported as TAP.
'use strict';

const autobahn = require('autobahn');
const { check, withTimeout, startWampd, stopWampd, connect: connectPeer, close, run } = require('./wampd_fixture.js');

const STEP_MS = 10000;
const SERIALIZERS = ['json', 'msgpack', 'cbor'];

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

// Offers only @name, and only its subprotocol.
function connect (url, name) {
  return connectPeer(url, { serializer: name, onlyProtocol: true, ms: STEP_MS });
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
  const wampd = await startWampd({ serializers: SERIALIZERS, attempts: 600 });
  const url = wampd.url;
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
    await stopWampd(wampd, 30000);
  }
}

run(main, 'AutobahnJS serializer interop');
