/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the transport plugins' tests share: a serializer that only names
 * itself, a recorder for a connection's sink, and bounded waiting on the
 * default main context. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* A serializer that only names itself (subprotocol "wamp.2.@name"): the
 * transports never call the rest. Returns: (transfer full). */
WampSerializer *test_fake_serializer_new (const char *name,
                                          guint8      rawsocket_id,
                                          gboolean    binary);

/* Connection recorder, used as the sink of either side. */
typedef struct
{
  WampConnection *conn;
  GPtrArray *frames; /* GBytes */
  guint closed;
  int close_code;
  char *close_reason;
  gboolean echo_then_close; /* re-enters the connection from its callback */
} TestPeer;

void test_peer_init (TestPeer *p);
/* Detaches; with @close_connection also closes it (WAMP_CLOSE_NORMAL). */
void test_peer_clear (TestPeer *p, gboolean close_connection);
/* Records @conn's frames and close (detaching from the previous one). */
void test_peer_attach (TestPeer *p, WampConnection *conn);

/* Bounded waiting: iterates the default main context until @cond holds or
 * @timeout_ms passed. Returns: whether @cond holds. */
typedef gboolean (*TestCondition) (gpointer data);
gboolean test_wait_for (TestCondition cond, gpointer data, guint timeout_ms);
/* Until *@counter >= @target, 5 s at most. */
gboolean test_wait_count (guint *counter, guint target);
/* Runs the loop for @ms. */
void test_spin (guint ms);
/* A TestCondition: *(gpointer *) @data is set. */
gboolean test_cond_nonnull (gpointer data);
/* A GAsyncReadyCallback: stores a reference to @result in
 * *(GAsyncResult **) @user_data. */
void test_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data);

G_END_DECLS
