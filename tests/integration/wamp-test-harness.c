/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The integration tests' harness: a loopback transport registered as a static
 * plugin, a router built on it, and raw JSON peers (see wamp-test-harness.h). */
#include "wamp-test-harness.h"

#include <stdarg.h>

/* ---- loopback connection ---------------------------------------------- */

#define WAMP_TEST_TYPE_LOOPBACK_CONNECTION (wamp_test_loopback_connection_get_type ())
G_DECLARE_FINAL_TYPE (WampTestLoopbackConnection, wamp_test_loopback_connection,
                      WAMP_TEST, LOOPBACK_CONNECTION, GObject)

struct _WampTestLoopbackConnection
{
  GObject parent_instance;

  WampSerializer *serializer; /* unowned: serializers are shared singletons */
  char *peer;
  GQueue inbox;               /* GBytes the router sent, oldest first */
  gboolean closed;
  gboolean close_reported;
  int close_code;             /* set when the router closed */
  char *close_reason;
  gsize max_frame_size;       /* 0: unbounded; else larger frames are refused */
};

static void wamp_test_loopback_connection_iface_init (WampConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampTestLoopbackConnection, wamp_test_loopback_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_CONNECTION,
                                                      wamp_test_loopback_connection_iface_init))

static void
wamp_test_loopback_connection_finalize (GObject *object)
{
  WampTestLoopbackConnection *self = WAMP_TEST_LOOPBACK_CONNECTION (object);

  g_queue_clear_full (&self->inbox, (GDestroyNotify) g_bytes_unref);
  g_free (self->peer);
  g_free (self->close_reason);
  G_OBJECT_CLASS (wamp_test_loopback_connection_parent_class)->finalize (object);
}

static void
wamp_test_loopback_connection_class_init (WampTestLoopbackConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_test_loopback_connection_finalize;
}

static void
wamp_test_loopback_connection_init (WampTestLoopbackConnection *self)
{
  g_queue_init (&self->inbox);
}

static gboolean
loopback_send (WampConnection *connection, GBytes *frame, GError **error)
{
  WampTestLoopbackConnection *self = WAMP_TEST_LOOPBACK_CONNECTION (connection);

  if (self->closed)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT, "connection closed");
      return FALSE;
    }
  if (self->max_frame_size > 0 && g_bytes_get_size (frame) > self->max_frame_size)
    {
      /* As a RawSocket peer that announced a smaller maximum. */
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED,
                   "frame of %" G_GSIZE_FORMAT " bytes is above the peer's maximum of %" G_GSIZE_FORMAT,
                   g_bytes_get_size (frame), self->max_frame_size);
      return FALSE;
    }
  g_queue_push_tail (&self->inbox, g_bytes_ref (frame));
  return TRUE;
}

static gboolean
report_closed_cb (gpointer data)
{
  WampTestLoopbackConnection *self = data;

  if (!self->close_reported)
    {
      self->close_reported = TRUE;
      wamp_connection_closed (WAMP_CONNECTION (self), self->close_code, self->close_reason);
    }
  return G_SOURCE_REMOVE;
}

static void
loopback_close (WampConnection *connection, WampCloseCode code, const char *reason)
{
  WampTestLoopbackConnection *self = WAMP_TEST_LOOPBACK_CONNECTION (connection);

  if (self->closed)
    return;
  self->closed = TRUE;
  self->close_code = code;
  self->close_reason = g_strdup (reason);
  /* A real transport reports the close after its handshake, never from
   * inside the caller's stack. */
  g_idle_add_full (G_PRIORITY_DEFAULT, report_closed_cb, g_object_ref (self), g_object_unref);
}

static const char *
loopback_get_peer (WampConnection *connection)
{
  return WAMP_TEST_LOOPBACK_CONNECTION (connection)->peer;
}

static WampSerializer *
loopback_get_serializer (WampConnection *connection)
{
  return WAMP_TEST_LOOPBACK_CONNECTION (connection)->serializer;
}

static WampValue *
loopback_get_transport_details (WampConnection *connection)
{
  WampTestLoopbackConnection *self = WAMP_TEST_LOOPBACK_CONNECTION (connection);
  WampValue *details = wamp_value_new_dict (2);

  wamp_value_dict_insert (details, "type", wamp_value_new_string ("loopback"));
  wamp_value_dict_insert (details, "peer", wamp_value_new_string (self->peer));
  return details;
}

static GTlsCertificate *
loopback_get_peer_certificate (WampConnection *connection)
{
  return NULL;
}

static gsize
loopback_get_queued_bytes (WampConnection *connection)
{
  return 0;
}

static void
wamp_test_loopback_connection_iface_init (WampConnectionInterface *iface)
{
  iface->send = loopback_send;
  iface->close = loopback_close;
  iface->get_peer = loopback_get_peer;
  iface->get_serializer = loopback_get_serializer;
  iface->get_transport_details = loopback_get_transport_details;
  iface->get_peer_certificate = loopback_get_peer_certificate;
  iface->get_queued_bytes = loopback_get_queued_bytes;
}

/* ---- loopback transport ----------------------------------------------- */

#define WAMP_TEST_TYPE_LOOPBACK_TRANSPORT (wamp_test_loopback_transport_get_type ())
G_DECLARE_FINAL_TYPE (WampTestLoopbackTransport, wamp_test_loopback_transport,
                      WAMP_TEST, LOOPBACK_TRANSPORT, GObject)

struct _WampTestLoopbackTransport
{
  GObject parent_instance;

  WampReactor *reactor; /* unowned: the router's, which outlives its transports */
  char *name;
  GPtrArray *serializers;
  gboolean started;
  gboolean fail_start; /* options.fail_start: start() fails, to test rollbacks */
  guint64 max_frame_size; /* options.max_frame_size: send() refuses larger frames */
};

static void wamp_test_loopback_transport_iface_init (WampTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampTestLoopbackTransport, wamp_test_loopback_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_TRANSPORT,
                                                      wamp_test_loopback_transport_iface_init))

/* Every loopback transport alive (weak: removed in finalize), so a peer can
 * find the one its router configured. */
static GList *loopback_transports;
static guint loopback_peer_counter;

static void
wamp_test_loopback_transport_finalize (GObject *object)
{
  WampTestLoopbackTransport *self = WAMP_TEST_LOOPBACK_TRANSPORT (object);

  loopback_transports = g_list_remove (loopback_transports, self);
  g_free (self->name);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  G_OBJECT_CLASS (wamp_test_loopback_transport_parent_class)->finalize (object);
}

static void
wamp_test_loopback_transport_class_init (WampTestLoopbackTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_test_loopback_transport_finalize;
}

static void
wamp_test_loopback_transport_init (WampTestLoopbackTransport *self)
{
  loopback_transports = g_list_prepend (loopback_transports, self);
}

static gboolean
loopback_configure (WampTransport *transport,
                    WampReactor   *reactor,
                    WampValue     *config,
                    const char    *config_path,
                    GPtrArray     *serializers,
                    GError       **error)
{
  WampTestLoopbackTransport *self = WAMP_TEST_LOOPBACK_TRANSPORT (transport);
  static const char *const known[] = { "name", "type", "serializers", "auth", "options", NULL };
  const char *name = NULL;
  WampValue *options = NULL;

  if (!wamp_config_check_keys (config, config_path, known, error))
    return FALSE;
  if (!wamp_config_get_string (config, config_path, "name", TRUE, NULL, &name, error)
      || !wamp_config_get_dict (config, config_path, "options", FALSE, &options, error))
    return FALSE;
  if (options != NULL)
    {
      static const char *const known_options[] = { "fail_start", "max_frame_size", NULL };
      g_autofree char *options_path = wamp_config_path_key (config_path, "options");

      if (!wamp_config_check_keys (options, options_path, known_options, error)
          || !wamp_config_get_bool (options, options_path, "fail_start", FALSE, FALSE, &self->fail_start, error)
          || !wamp_config_get_uint (options, options_path, "max_frame_size", FALSE, 0, 0, G_MAXSIZE,
                                    &self->max_frame_size, error))
        return FALSE;
    }
  if (serializers == NULL || serializers->len == 0)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   "%s.serializers: the loopback transport needs a serializer", config_path);
      return FALSE;
    }
  self->reactor = reactor;
  g_free (self->name);
  self->name = g_strdup (name);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  self->serializers = g_ptr_array_ref (serializers);
  return TRUE;
}

static gboolean
loopback_start (WampTransport *transport, GError **error)
{
  WampTestLoopbackTransport *self = WAMP_TEST_LOOPBACK_TRANSPORT (transport);

  if (self->fail_start)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "loopback://%s: refused by options.fail_start",
                   self->name);
      return FALSE;
    }
  self->started = TRUE;
  return TRUE;
}

static WampTestLoopbackTransport *
find_loopback (WampReactor *reactor, const char *name)
{
  for (GList *l = loopback_transports; l != NULL; l = l->next)
    {
      WampTestLoopbackTransport *t = l->data;

      if (t->reactor == reactor && g_strcmp0 (t->name, name) == 0)
        return t;
    }
  return NULL;
}

gboolean
wamp_test_loopback_is_listening (WampReactor *reactor, const char *name)
{
  WampTestLoopbackTransport *t = find_loopback (reactor, name);

  return t != NULL && t->started;
}

char *
wamp_test_loopback_get_serializer_names (WampReactor *reactor, const char *name)
{
  WampTestLoopbackTransport *t = find_loopback (reactor, name);
  GString *names = g_string_new (NULL);

  for (guint i = 0; t != NULL && t->serializers != NULL && i < t->serializers->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            wamp_serializer_get_name (t->serializers->pdata[i]));
  return g_string_free (names, FALSE);
}

static void
loopback_stop (WampTransport *transport)
{
  WAMP_TEST_LOOPBACK_TRANSPORT (transport)->started = FALSE;
}

static GStrv
loopback_get_urls (WampTransport *transport)
{
  WampTestLoopbackTransport *self = WAMP_TEST_LOOPBACK_TRANSPORT (transport);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (self->started)
    {
      g_autofree char *url = g_strdup_printf ("loopback://%s", self->name);

      g_strv_builder_add (builder, url);
    }
  return g_strv_builder_end (builder);
}

static gboolean
loopback_adopt (WampTransport *transport, GIOStream *stream, GSocket *socket,
                GBytes *initial_bytes, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "the loopback transport adopts no streams");
  return FALSE;
}

static void
loopback_connect_async (WampTransport *transport, WampReactor *reactor, const char *url,
                        GPtrArray *serializers, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_task_report_new_error (transport, callback, user_data, loopback_connect_async,
                           G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "the loopback transport has no client side; use WampTestPeer");
}

static WampConnection *
loopback_connect_finish (WampTransport *transport, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wamp_test_loopback_transport_iface_init (WampTransportInterface *iface)
{
  iface->configure = loopback_configure;
  iface->start = loopback_start;
  iface->stop = loopback_stop;
  iface->get_urls = loopback_get_urls;
  iface->adopt = loopback_adopt;
  iface->connect_async = loopback_connect_async;
  iface->connect_finish = loopback_connect_finish;
}

/* ---- the static plugin ------------------------------------------------ */

static gboolean
loopback_register_types (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            WAMP_TEST_TYPE_LOOPBACK_TRANSPORT, "loopback", error);
}

static const WampPluginInfo loopback_plugin_info = {
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-loopback", "0", "LGPL-2.1-or-later",
  "In-process loopback transport of the integration tests", loopback_register_types, { NULL, }
};

static WampPluginLoader *test_plugin_loader;

void
wamp_test_plugins_ensure (void)
{
  g_autoptr (GError) error = NULL;

  if (test_plugin_loader != NULL)
    return;

  wamp_extension_points_ensure ();
  test_plugin_loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (test_plugin_loader, FALSE);
  wamp_plugin_loader_load_all (test_plugin_loader, &error);
  g_assert_no_error (error);
  wamp_plugin_loader_add_static (test_plugin_loader, &loopback_plugin_info, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < wamp_plugin_loader_get_n_records (test_plugin_loader); i++)
    {
      const WampPluginRecord *record = wamp_plugin_loader_get_record (test_plugin_loader, i);
      const GError *refused = wamp_plugin_record_get_error (record);

      if (refused != NULL)
        g_test_message ("plugin %s refused: %s", wamp_plugin_record_get_path (record), refused->message);
    }
}

void
wamp_test_plugins_add_static (const WampPluginInfo *info)
{
  g_autoptr (GError) error = NULL;

  wamp_test_plugins_ensure ();
  wamp_plugin_loader_add_static (test_plugin_loader, info, &error);
  g_assert_no_error (error);
}

/* ---- main-loop helpers ------------------------------------------------- */

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
wamp_test_iterate_until (gboolean (*cond) (gpointer data), gpointer data, int timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  if (cond (data))
    return TRUE;
  timeout_id = g_timeout_add (MAX (timeout_ms, 0), set_flag_cb, &timed_out);
  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return cond (data);
}

static gboolean
never_cb (gpointer data)
{
  return FALSE;
}

void
wamp_test_iterate_for (int ms)
{
  wamp_test_iterate_until (never_cb, NULL, ms);
}

/* ---- router ------------------------------------------------------------ */

struct _WampTestRouter
{
  WampReactor *reactor;
  WampRouter *router;
  GPtrArray *peers; /* WampTestPeer, unowned: a peer removes itself when freed */
};

struct _WampTestPeer
{
  WampTestRouter *router; /* unowned; NULL once the router was freed */
  WampTestLoopbackConnection *connection;
  WampValue *welcome_details;
};

WampTestRouter *
wamp_test_router_try_new (const char *config_json, GError **error)
{
  g_autoptr (WampValue) config = NULL;
  g_autoptr (WampReactor) reactor = NULL;
  g_autoptr (WampRouter) router = NULL;
  WampTestRouter *self;

  wamp_test_plugins_ensure ();
  config = wamp_config_parse (config_json, -1, error);
  if (config == NULL)
    return NULL;
  reactor = wamp_reactor_new (NULL);
  router = wamp_router_new (reactor);
  if (!wamp_router_configure (router, config, error))
    return NULL;
  if (!wamp_router_start (router, error))
    return NULL;

  self = g_new0 (WampTestRouter, 1);
  self->reactor = g_steal_pointer (&reactor);
  self->router = g_steal_pointer (&router);
  self->peers = g_ptr_array_new ();
  return self;
}

WampTestRouter *
wamp_test_router_new (const char *config_json)
{
  g_autoptr (GError) error = NULL;
  WampTestRouter *self = wamp_test_router_try_new (config_json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (self);
  return self;
}

void
wamp_test_router_free (WampTestRouter *self)
{
  if (self == NULL)
    return;
  /* The router closes what is still open (its sessions leave their realms
   * first); the peers outlive it and see their connections closed. */
  g_clear_object (&self->router);
  for (guint i = 0; i < self->peers->len; i++)
    ((WampTestPeer *) g_ptr_array_index (self->peers, i))->router = NULL;
  g_ptr_array_unref (self->peers);
  /* Deliver the deferred close reports while the reactor still exists. */
  wamp_test_iterate_for (1);
  g_clear_object (&self->reactor);
  g_free (self);
}

WampRouter *
wamp_test_router_get_router (WampTestRouter *self)
{
  return self->router;
}

WampReactor *
wamp_test_router_get_reactor (WampTestRouter *self)
{
  return self->reactor;
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} ShutdownData;

static void
shutdown_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ShutdownData *data = user_data;

  data->ok = wamp_router_shutdown_finish (WAMP_ROUTER (source), result, &data->error);
  data->done = TRUE;
}

static gboolean
shutdown_done (gpointer data)
{
  return ((ShutdownData *) data)->done;
}

void
wamp_test_router_shutdown (WampTestRouter *self, int timeout_ms)
{
  ShutdownData data = { FALSE, FALSE, NULL };

  wamp_router_shutdown_async (self->router, NULL, shutdown_done_cb, &data);
  if (!wamp_test_iterate_until (shutdown_done, &data, timeout_ms))
    {
      g_test_message ("router shutdown did not complete within %d ms", timeout_ms);
      g_test_fail ();
      /* The callback still points at @data: wait it out rather than leave it dangling. */
      wamp_test_iterate_until (shutdown_done, &data, 30000);
    }
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
}

/* ---- peer -------------------------------------------------------------- */

WampTestPeer *
wamp_test_peer_new (WampTestRouter *router, const char *transport_name)
{
  WampTestLoopbackTransport *transport = NULL;
  WampTestPeer *self;

  g_assert_nonnull (router);
  for (GList *l = loopback_transports; l != NULL; l = l->next)
    {
      WampTestLoopbackTransport *t = l->data;

      if (t->reactor == router->reactor && g_strcmp0 (t->name, transport_name) == 0)
        transport = t;
    }
  if (transport == NULL)
    g_test_message ("no loopback transport named \"%s\" in this router's config", transport_name);
  g_assert_nonnull (transport);
  g_assert_true (transport->started);

  self = g_new0 (WampTestPeer, 1);
  self->router = router;
  self->connection = g_object_new (WAMP_TEST_TYPE_LOOPBACK_CONNECTION, NULL);
  self->connection->serializer = g_ptr_array_index (transport->serializers, 0);
  self->connection->max_frame_size = transport->max_frame_size;
  self->connection->peer = g_strdup_printf ("loopback:%u", ++loopback_peer_counter);
  g_ptr_array_add (router->peers, self);
  wamp_transport_connection_accepted (WAMP_TRANSPORT (transport), WAMP_CONNECTION (self->connection));
  return self;
}

void
wamp_test_peer_close (WampTestPeer *self)
{
  WampTestLoopbackConnection *c = self->connection;

  if (!c->closed)
    {
      c->closed = TRUE;
      c->close_reported = TRUE;
      wamp_connection_closed (WAMP_CONNECTION (c), WAMP_CLOSE_GOING_AWAY, "peer left");
    }
}

void
wamp_test_peer_free (WampTestPeer *self)
{
  if (self == NULL)
    return;
  wamp_test_peer_close (self);
  if (self->router != NULL)
    g_ptr_array_remove (self->router->peers, self);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->welcome_details, wamp_value_unref);
  g_free (self);
}

/* Peers of a binary serializer (msgpack, cbor) still speak JSON text in the
 * tests: their frames are translated through WampMessage both ways. */
static gboolean
peer_is_binary (WampTestPeer *self)
{
  return wamp_serializer_is_binary (self->connection->serializer);
}

/* Returns: (transfer full): @frame re-encoded from the serializer @from to @to.
 * A frame @from cannot read is passed on as it is (tests of bad input). */
static GBytes *
translate_frame (GBytes *frame, WampSerializer *from, WampSerializer *to)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WampMessage) message = wamp_serializer_deserialize (from, frame, &error);
  GBytes *out;

  if (message == NULL)
    return g_bytes_ref (frame);
  out = wamp_serializer_serialize (to, message, &error);
  g_assert_no_error (error);
  return out;
}

GBytes *
wamp_test_peer_encode_json (WampTestPeer *self, const char *json)
{
  g_autoptr (GBytes) frame = g_bytes_new (json, strlen (json));

  if (!peer_is_binary (self))
    return g_steal_pointer (&frame);
  return translate_frame (frame, wamp_serializer_lookup ("json"), self->connection->serializer);
}

void
wamp_test_peer_send_frame (WampTestPeer *self, GBytes *frame)
{
  if (self->connection->closed)
    return;
  wamp_connection_frame_received (WAMP_CONNECTION (self->connection), frame);
}

void
wamp_test_peer_send_json (WampTestPeer *self, const char *json)
{
  g_autoptr (GBytes) frame = NULL;

  if (self->connection->closed)
    return;
  frame = wamp_test_peer_encode_json (self, json);
  wamp_test_peer_send_frame (self, frame);
}

void
wamp_test_peer_send_printf (WampTestPeer *self, const char *format, ...)
{
  g_autofree char *json = NULL;
  va_list args;

  va_start (args, format);
  json = g_strdup_vprintf (format, args);
  va_end (args);
  wamp_test_peer_send_json (self, json);
}

static gboolean
has_frame (gpointer data)
{
  WampTestPeer *self = data;

  return !g_queue_is_empty (&self->connection->inbox);
}

char *
wamp_test_peer_expect (WampTestPeer *self, int timeout_ms)
{
  g_autoptr (GBytes) frame = NULL;
  gsize len;
  const char *text;

  if (!wamp_test_iterate_until (has_frame, self, timeout_ms))
    return NULL;
  frame = g_queue_pop_head (&self->connection->inbox);
  if (peer_is_binary (self))
    {
      GBytes *json = translate_frame (frame, self->connection->serializer,
                                      wamp_serializer_lookup ("json"));

      g_bytes_unref (frame);
      frame = json;
    }
  text = g_bytes_get_data (frame, &len);
  return g_strndup (text, len);
}

guint
wamp_test_peer_get_n_pending (WampTestPeer *self)
{
  return g_queue_get_length (&self->connection->inbox);
}

WampValue *
wamp_test_peer_expect_match (WampTestPeer *self, const char *pattern)
{
  g_autofree char *frame = wamp_test_peer_expect (self, 2000);
  g_autoptr (WampValue) expected = NULL;
  g_autoptr (WampValue) actual = NULL;

  if (frame == NULL)
    {
      g_test_message ("expected a frame matching %s, got none", pattern);
      g_test_fail ();
      return NULL;
    }
  expected = wamp_test_parse (pattern);
  actual = wamp_test_parse (frame);
  if (expected == NULL || actual == NULL || !wamp_test_value_matches (expected, actual))
    {
      g_test_message ("expected a frame matching %s, got %s", pattern, frame);
      g_test_fail ();
      return NULL;
    }
  return g_steal_pointer (&actual);
}

gboolean
wamp_test_peer_expect_frame (WampTestPeer *self, const char *pattern)
{
  g_autoptr (WampValue) frame = wamp_test_peer_expect_match (self, pattern);

  return frame != NULL;
}

void
wamp_test_peer_assert_frame (WampTestPeer *self, const char *pattern)
{
  g_assert_true (wamp_test_peer_expect_frame (self, pattern));
}

guint64
wamp_test_peer_assert_id (WampTestPeer *self, const char *pattern, gsize index)
{
  g_autoptr (WampValue) frame = wamp_test_peer_expect_match (self, pattern);
  guint64 id = 0;

  g_assert_nonnull (frame);
  g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (frame, index), &id));
  return id;
}

void
wamp_test_peer_assert_silence (WampTestPeer *self)
{
  g_autofree char *frame = wamp_test_peer_expect (self, 50);

  g_assert_null (frame);
}

static gboolean
is_closed_cond (gpointer data)
{
  return ((WampTestPeer *) data)->connection->closed;
}

gboolean
wamp_test_peer_is_closed (WampTestPeer *self)
{
  return self->connection->closed;
}

gboolean
wamp_test_peer_wait_closed (WampTestPeer *self, int timeout_ms)
{
  return wamp_test_iterate_until (is_closed_cond, self, timeout_ms);
}

int
wamp_test_peer_get_close_code (WampTestPeer *self)
{
  return self->connection->close_code;
}

const char *
wamp_test_peer_get_close_reason (WampTestPeer *self)
{
  return self->connection->close_reason;
}

void
wamp_test_peer_expect_abort (WampTestPeer *self, const char *reason)
{
  g_autofree char *pattern = g_strdup_printf ("[3, \"$any\", \"%s\"]", reason);
  g_autoptr (WampValue) frame = wamp_test_peer_expect_match (self, pattern);

  if (frame != NULL)
    {
      WampValue *details = wamp_value_list_get (frame, 1);

      g_assert_cmpint (wamp_value_get_value_type (details), ==, WAMP_VALUE_DICT);
    }
  if (!wamp_test_peer_wait_closed (self, 2000))
    {
      g_test_message ("the router did not close the connection after ABORT %s", reason);
      g_test_fail ();
    }
}

guint64
wamp_test_peer_join (WampTestPeer *self, const char *realm, const char *roles_json)
{
  g_autoptr (WampValue) welcome = NULL;
  guint64 session_id = 0;

  if (roles_json == NULL)
    roles_json = "{\"publisher\": {}, \"subscriber\": {}, \"caller\": {}, \"callee\": {}}";
  wamp_test_peer_send_printf (self, "[1, \"%s\", {\"roles\": %s}]", realm, roles_json);
  welcome = wamp_test_peer_expect_match (self, "[2, \"$any\", \"$any\"]");
  if (welcome == NULL)
    return 0;
  g_assert_true (wamp_value_get_id (wamp_value_list_get (welcome, 1), &session_id));
  g_assert_cmpuint (session_id, >, 0);
  g_clear_pointer (&self->welcome_details, wamp_value_unref);
  self->welcome_details = wamp_value_ref (wamp_value_list_get (welcome, 2));
  return session_id;
}

WampValue *
wamp_test_peer_get_welcome_details (WampTestPeer *self)
{
  return self->welcome_details;
}

WampTestPeer *
wamp_test_peer_new_joined (WampTestRouter *router, const char *transport_name, const char *realm)
{
  WampTestPeer *peer = wamp_test_peer_new (router, transport_name);

  g_assert_cmpuint (wamp_test_peer_join (peer, realm, NULL), !=, 0);
  return peer;
}

guint64
wamp_test_peer_subscribe (WampTestPeer *self, guint64 request_id, const char *topic)
{
  g_autofree char *pattern = g_strdup_printf ("[33, %" G_GUINT64_FORMAT ", \"$any\"]", request_id);

  wamp_test_peer_send_printf (self, "[32, %" G_GUINT64_FORMAT ", {}, \"%s\"]", request_id, topic);
  return wamp_test_peer_assert_id (self, pattern, 2);
}

guint64
wamp_test_peer_register (WampTestPeer *self, guint64 request_id, const char *procedure)
{
  g_autofree char *pattern = g_strdup_printf ("[65, %" G_GUINT64_FORMAT ", \"$any\"]", request_id);

  wamp_test_peer_send_printf (self, "[64, %" G_GUINT64_FORMAT ", {}, \"%s\"]", request_id, procedure);
  return wamp_test_peer_assert_id (self, pattern, 2);
}

/* ---- JSON comparison ------------------------------------------------------ */

WampValue *
wamp_test_parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  WampValue *value = wamp_config_parse (json, -1, &error);

  if (value == NULL)
    {
      g_test_message ("cannot parse %s: %s", json, error->message);
      g_test_fail ();
    }
  return value;
}

gboolean
wamp_test_value_matches (WampValue *pattern, WampValue *value)
{
  WampValueType type = wamp_value_get_value_type (pattern);

  if (type == WAMP_VALUE_STRING && strcmp (wamp_value_get_string (pattern, NULL), WAMP_TEST_ANY) == 0)
    return TRUE;
  if (type != wamp_value_get_value_type (value))
    return FALSE;
  if (type == WAMP_VALUE_LIST)
    {
      gsize n = wamp_value_list_length (pattern);

      if (n != wamp_value_list_length (value))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        if (!wamp_test_value_matches (wamp_value_list_get (pattern, i), wamp_value_list_get (value, i)))
          return FALSE;
      return TRUE;
    }
  if (type == WAMP_VALUE_DICT)
    {
      gsize n = wamp_value_dict_size (pattern);

      if (n != wamp_value_dict_size (value))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          gsize key_len;
          const char *key = wamp_value_dict_get_key (pattern, i, &key_len);
          WampValue *other = wamp_value_dict_lookup_len (value, key, key_len);

          if (other == NULL || !wamp_test_value_matches (wamp_value_dict_get_value (pattern, i), other))
            return FALSE;
        }
      return TRUE;
    }
  return wamp_value_equal (pattern, value);
}

gboolean
wamp_test_frame_matches (const char *frame, const char *pattern)
{
  g_autoptr (WampValue) expected = wamp_test_parse (pattern);
  g_autoptr (WampValue) actual = wamp_test_parse (frame);

  return expected != NULL && actual != NULL && wamp_test_value_matches (expected, actual);
}
