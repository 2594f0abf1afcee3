/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampKeepalive: periodic pings with a counter and a pong timeout, on the
 * reactor, for the transports' connections. */

#include "config.h"

#include <wamp/wamp.h>

struct _WampKeepalive
{
  WampReactor *reactor;
  const WampKeepaliveFuncs *funcs;
  gpointer user_data;
  guint interval_ms;
  guint timeout_ms;
  WampReactorTimer *ping_timer;
  WampReactorTimer *pong_timer;
  guint64 counter;
};

static void
clear_timer (WampKeepalive *self, WampReactorTimer **timer)
{
  if (*timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, *timer);
      *timer = NULL;
    }
}

WampKeepalive *
wamp_keepalive_new (WampReactor              *reactor,
                    const WampKeepaliveFuncs *funcs,
                    gpointer                  user_data)
{
  WampKeepalive *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (funcs != NULL && funcs->send_ping != NULL && funcs->timed_out != NULL,
                        NULL);

  self = g_new0 (WampKeepalive, 1);
  self->reactor = g_object_ref (reactor);
  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
wamp_keepalive_free (WampKeepalive *self)
{
  if (self == NULL)
    return;
  wamp_keepalive_stop (self);
  g_object_unref (self->reactor);
  g_free (self);
}

static void
pong_timeout_cb (WampReactor *reactor,
                 gpointer     user_data)
{
  WampKeepalive *self = user_data;

  self->pong_timer = NULL;
  self->funcs->timed_out (self->user_data);
}

static void
ping_cb (WampReactor *reactor,
         gpointer     user_data)
{
  WampKeepalive *self = user_data;
  guint8 payload[8];
  guint64 counter = ++self->counter;

  self->ping_timer = NULL;
  for (guint i = 0; i < 8; i++)
    payload[i] = (guint8) (counter >> (56 - 8 * i));
  if (!self->funcs->send_ping (payload, sizeof payload, self->user_data))
    return;
  /* The timeout runs from the oldest unanswered ping. */
  if (self->pong_timer == NULL)
    self->pong_timer = wamp_reactor_add_timer (self->reactor, self->timeout_ms,
                                               pong_timeout_cb, self);
  self->ping_timer = wamp_reactor_add_timer (self->reactor, self->interval_ms, ping_cb, self);
}

void
wamp_keepalive_start (WampKeepalive *self,
                      guint          interval_ms,
                      guint          timeout_ms)
{
  g_return_if_fail (self != NULL);

  wamp_keepalive_stop (self);
  self->interval_ms = interval_ms;
  self->timeout_ms = timeout_ms;
  if (interval_ms > 0)
    self->ping_timer = wamp_reactor_add_timer (self->reactor, interval_ms, ping_cb, self);
}

void
wamp_keepalive_pong_received (WampKeepalive *self)
{
  g_return_if_fail (self != NULL);

  clear_timer (self, &self->pong_timer);
}

void
wamp_keepalive_stop (WampKeepalive *self)
{
  g_return_if_fail (self != NULL);

  clear_timer (self, &self->ping_timer);
  clear_timer (self, &self->pong_timer);
}
