// SPDX-License-Identifier: LGPL-2.1-or-later
// AutobahnJS (Node) against the real wampd over WebSocket/JSON: pub/sub, RPC
// and the router's errors, reported as TAP.
'use strict';

const autobahn = require('autobahn');
const { check, withTimeout, startWampd, stopWampd, connect, leave, close, run } = require('./wampd_fixture.js');

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
  const wampd = await startWampd();
  const url = wampd.url;
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
    const reason = await leave(a);
    check('leaving closes the session cleanly', reason === 'closed', reason);
  } catch (e) {
    check('scenario ran to the end', false, e.stack || String(e));
  } finally {
    close(b);
    await stopWampd(wampd);
  }
}

run(main, 'AutobahnJS interop');
