// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node, msgpack5) against the real wampd over WebSocket/MessagePack:
// pub/sub and RPC carry every value JavaScript can express unchanged, between
// two MessagePack sessions and between MessagePack and JSON. Reported as TAP.
'use strict';

const util = require('util');
const autobahn = require('autobahn');
const { check, withTimeout, sleep, startWampd, stopWampd, connect, leave, close, run } = require('./wampd_fixture.js');

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

async function pubsub (publisher, subscriber, topic, args, kwargs) {
  const received = new Promise(resolve => {
    subscriber.session.subscribe(topic, (a, k) => resolve({ args: a, kwargs: k }));
  });
  await sleep(100);
  await publisher.session.publish(topic, args, kwargs, { acknowledge: true });
  return withTimeout(received, 5000, 'event');
}

async function echoCall (caller, callee, procedure, args, kwargs) {
  await callee.session.register(procedure, (a, k) => new autobahn.Result(a, k));
  const result = await withTimeout(caller.session.call(procedure, args, kwargs), 5000, 'call');
  return { args: result.args, kwargs: result.kwargs };
}

async function main () {
  const wampd = await startWampd({ serializers: ['json', 'msgpack'] });
  const url = wampd.url;
  const sessions = [];
  try {
    const a = await connect(url, { serializer: 'msgpack' });
    const b = await connect(url, { serializer: 'msgpack' });
    const j = await connect(url, { serializer: 'json' });
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

    const reason = await leave(a);
    check('a msgpack session leaves cleanly', reason === 'closed', reason);
  } catch (e) {
    check('scenario ran to the end', false, e.stack || String(e));
  } finally {
    close(...sessions);
    await stopWampd(wampd);
  }
}

run(main, 'AutobahnJS MessagePack interop');
