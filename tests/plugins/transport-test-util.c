/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the transport plugins' tests: fake serializer, sink recorder,
 * bounded waiting. */

#include "config.h"

#include <string.h>

#include "wamp-connection-private.h"
#include "transport-test-util.h"

/* Fake serializer */

#define TEST_TYPE_FAKE_SERIALIZER (test_fake_serializer_get_type ())
G_DECLARE_FINAL_TYPE (TestFakeSerializer, test_fake_serializer, TEST, FAKE_SERIALIZER, GObject)

struct _TestFakeSerializer
{
  GObject parent_instance;
  char *name;
  char *subprotocol;
  guint8 rawsocket_id;
  gboolean binary;
};

static const char *
fake_get_name (WampSerializer *s)
{
  return TEST_FAKE_SERIALIZER (s)->name;
}

static const char *
fake_get_subprotocol (WampSerializer *s)
{
  return TEST_FAKE_SERIALIZER (s)->subprotocol;
}

static guint8
fake_get_rawsocket_id (WampSerializer *s)
{
  return TEST_FAKE_SERIALIZER (s)->rawsocket_id;
}

static gboolean
fake_is_binary (WampSerializer *s)
{
  return TEST_FAKE_SERIALIZER (s)->binary;
}

static void
fake_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->get_name = fake_get_name;
  iface->get_subprotocol = fake_get_subprotocol;
  iface->get_rawsocket_id = fake_get_rawsocket_id;
  iface->is_binary = fake_is_binary;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestFakeSerializer, test_fake_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER, fake_serializer_iface_init))

static void
test_fake_serializer_finalize (GObject *object)
{
  TestFakeSerializer *self = TEST_FAKE_SERIALIZER (object);

  g_free (self->name);
  g_free (self->subprotocol);
  G_OBJECT_CLASS (test_fake_serializer_parent_class)->finalize (object);
}

static void
test_fake_serializer_class_init (TestFakeSerializerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_fake_serializer_finalize;
}

static void
test_fake_serializer_init (TestFakeSerializer *self)
{
}

WampSerializer *
test_fake_serializer_new (const char *name,
                          guint8      rawsocket_id,
                          gboolean    binary)
{
  TestFakeSerializer *s = g_object_new (TEST_TYPE_FAKE_SERIALIZER, NULL);

  s->name = g_strdup (name);
  s->subprotocol = g_strconcat ("wamp.2.", name, NULL);
  s->rawsocket_id = rawsocket_id;
  s->binary = binary;
  return WAMP_SERIALIZER (s);
}

/* Sink recorder */

static void
peer_frame_received (gpointer owner, WampConnection *connection, GBytes *frame)
{
  TestPeer *p = owner;

  g_ptr_array_add (p->frames, g_bytes_ref (frame));
  if (p->echo_then_close)
    {
      g_assert_true (wamp_connection_send (connection, frame, NULL));
      wamp_connection_close (connection, WAMP_CLOSE_NORMAL, "done");
      /* Closing: sending more fails at once. */
      g_assert_false (wamp_connection_send (connection, frame, NULL));
    }
}

static void
peer_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  TestPeer *p = owner;

  p->closed++;
  p->close_code = code;
  g_free (p->close_reason);
  p->close_reason = g_strdup (reason);
}

static const WampConnectionSinkFuncs peer_funcs = {
  peer_frame_received,
  peer_closed,
};

void
test_peer_init (TestPeer *p)
{
  memset (p, 0, sizeof *p);
  p->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

void
test_peer_clear (TestPeer *p, gboolean close_connection)
{
  if (p->conn != NULL)
    {
      wamp_connection_set_sink (p->conn, NULL, NULL);
      if (close_connection)
        wamp_connection_close (p->conn, WAMP_CLOSE_NORMAL, NULL);
      g_clear_object (&p->conn);
    }
  g_ptr_array_unref (p->frames);
  g_free (p->close_reason);
}

void
test_peer_attach (TestPeer *p, WampConnection *conn)
{
  if (p->conn != NULL)
    {
      wamp_connection_set_sink (p->conn, NULL, NULL);
      g_clear_object (&p->conn);
    }
  p->conn = g_object_ref (conn);
  wamp_connection_set_sink (conn, &peer_funcs, p);
}

/* Bounded waiting */

static gboolean
expired_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
test_wait_for (TestCondition cond, gpointer data, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, expired_cb, &expired);

  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (data);
}

static gboolean
cond_uint_at_least (gpointer data)
{
  guint **pair = data;

  return *pair[0] >= GPOINTER_TO_UINT (pair[1]);
}

gboolean
test_wait_count (guint *counter, guint target)
{
  gpointer pair[2] = { counter, GUINT_TO_POINTER (target) };

  return test_wait_for (cond_uint_at_least, pair, 5000);
}

static gboolean
cond_never (gpointer data)
{
  return FALSE;
}

void
test_spin (guint ms)
{
  test_wait_for (cond_never, NULL, ms);
}

gboolean
test_cond_nonnull (gpointer data)
{
  return *(gpointer *) data != NULL;
}

void
test_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}
