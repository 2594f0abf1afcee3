/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClient: a WAMP client session (caller, callee, publisher, subscriber)
 * over any client transport, driven by the frames its connection hands over. */
#include "wamp-connection-private.h"

#include <wamp/wamp.h>

#include <string.h>

/* Why a session ends when the transport went away without GOODBYE or ABORT
 * (Autobahn's spelling, so logs read the same). */
#define REASON_TRANSPORT_LOST "wamp.close.transport_lost"

typedef enum {
  CLIENT_STATE_IDLE,       /* no connection */
  CLIENT_STATE_CONNECTING, /* transport handshake running */
  CLIENT_STATE_JOINING,    /* HELLO sent */
  CLIENT_STATE_JOINED,
  CLIENT_STATE_LEAVING,    /* our GOODBYE sent */
} ClientState;

/* An event or invocation handler. Refcounted (g_rc_box) so a dispatch can
 * hold it while the handler unsubscribes itself. */
typedef struct {
  gpointer func;
  gpointer data;
  GDestroyNotify destroy;
  gboolean removed;
} Handler;

typedef struct {
  guint64 id; /* first: the key of the table */
  GPtrArray *handlers; /* (element-type Handler) in subscription order */
} Subscription;

typedef struct {
  guint64 id;
  Handler *handler;
} Registration;

/* An INVOCATION not yet answered, so its INTERRUPT finds the handler even
 * after the registration went away. */
typedef struct {
  guint64 id;
  Handler *handler;
} Invocation;

/* A request the router has not answered yet. Once its task completed early
 * (cancellation) it stays here without a task, so the late answer is
 * recognised and undone. */
typedef struct {
  guint64 id;
  WampMessageType type;  /* SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER, CALL */
  WampClient *client;    /* (unowned) */
  GTask *task;           /* (nullable) (owned) */
  GSource *cancel_source; /* (nullable) (owned) */
  Handler *handler;      /* (nullable) (owned): SUBSCRIBE, REGISTER */
  guint64 target_id;     /* UNSUBSCRIBE: the subscription */
  char *topic;           /* SUBSCRIBE: topic and match policy, to tell */
  char *match;           /* whether a later SUBSCRIBE will share the ID */
  char *cancel_mode;     /* CALL */
  gboolean cancel_sent;
} PendingRequest;

/* A connection on its way out: it keeps itself (and this) alive until the
 * transport reports it closed. */
typedef struct {
  WampReactor *reactor;
  WampConnection *connection;
} ClosingConnection;

struct _WampClient
{
  GObject parent_instance;

  WampReactor *reactor;
  GMainContext *context;

  ClientState state;
  GCancellable *connect_cancellable; /* cancels our connect_async on disconnect */
  WampTransport *transport;
  WampConnection *connection;
  WampSerializer *serializer;
  GTlsDatabase *tls_database;       /* nullable */
  GTlsCertificate *tls_certificate; /* nullable */

  char *realm;
  guint64 session_id;
  WampValue *welcome_details;
  guint64 request_counter;

  GTask *join_task;
  GSource *join_cancel_source;
  GTask *leave_task;
  GSource *leave_cancel_source;

  GHashTable *pending;       /* &id -> PendingRequest (owned) */
  GHashTable *subscriptions; /* &id -> Subscription (owned) */
  GHashTable *registrations; /* &id -> Registration (owned) */
  GHashTable *invocations;   /* &id -> Invocation (owned) */
};

G_DEFINE_FINAL_TYPE (WampClient, wamp_client, G_TYPE_OBJECT)

enum {
  SIGNAL_LEFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void client_frame_received (gpointer owner, WampConnection *connection, GBytes *frame);
static void client_connection_closed (gpointer owner, WampConnection *connection,
                                      WampCloseCode code, const char *reason);
static void client_frame_received_data (gpointer owner, WampConnection *connection,
                                        const guint8 *data, gsize len);

static const WampConnectionSinkFuncs client_sink_funcs = {
  client_frame_received,
  client_connection_closed,
  client_frame_received_data,
};

/* Handlers */

static void
handler_clear (gpointer mem)
{
  Handler *handler = mem;

  if (handler->destroy != NULL)
    handler->destroy (handler->data);
}

static Handler *
handler_new (gpointer func, gpointer data, GDestroyNotify destroy)
{
  Handler *handler = g_rc_box_new0 (Handler);

  handler->func = func;
  handler->data = data;
  handler->destroy = destroy;
  return handler;
}

static Handler *
handler_ref (Handler *handler)
{
  return g_rc_box_acquire (handler);
}

static void
handler_unref (gpointer handler)
{
  g_rc_box_release_full (handler, handler_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Handler, handler_unref)

static void
handler_remove (Handler *handler)
{
  handler->removed = TRUE;
  handler_unref (handler);
}

static void
subscription_free (gpointer data)
{
  Subscription *sub = data;

  for (guint i = 0; i < sub->handlers->len; i++)
    ((Handler *) g_ptr_array_index (sub->handlers, i))->removed = TRUE;
  g_ptr_array_unref (sub->handlers);
  g_free (sub);
}

static void
registration_free (gpointer data)
{
  Registration *reg = data;

  handler_remove (reg->handler);
  g_free (reg);
}

static void
invocation_free (gpointer data)
{
  Invocation *inv = data;

  handler_unref (inv->handler);
  g_free (inv);
}

/* Tasks */

static void
task_return_id (GTask *task, guint64 id)
{
  g_task_return_pointer (task, g_memdup2 (&id, sizeof id), g_free);
}

static guint64
task_propagate_id (GTask *task, GError **error)
{
  g_autofree guint64 *id = g_task_propagate_pointer (task, error);

  return id != NULL ? *id : 0;
}

static GSource *
attach_cancel_source (WampClient *self, GCancellable *cancellable, GCancellableSourceFunc func, gpointer data)
{
  GSource *source;

  if (cancellable == NULL)
    return NULL;

  /* A source rather than g_cancellable_connect(): the work then runs from
   * the main loop, never inside g_cancellable_cancel(), and removing it is
   * safe from anywhere. */
  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, data, NULL);
  g_source_set_static_name (source, "[wampcore] WampClient cancel");
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Pending requests */

/* Takes the task out of @req: the caller completes it. */
static GTask *
pending_request_steal_task (PendingRequest *req)
{
  clear_source (&req->cancel_source);
  return g_steal_pointer (&req->task);
}

static void
pending_request_free (gpointer data)
{
  PendingRequest *req = data;

  g_autoptr(GTask) task = pending_request_steal_task (req);

  /* Every task completes exactly once: one still here is failed now. */
  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "The client was closed");
  g_clear_pointer (&req->handler, handler_unref);
  g_free (req->cancel_mode);
  g_free (req->topic);
  g_free (req->match);
  g_free (req);
}

static gboolean
pending_request_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  PendingRequest *req = user_data;
  WampClient *self = req->client;

  if (req->type == WAMP_MESSAGE_CALL)
    {
      g_autoptr(WampValue) options = wamp_value_new_dict (1);
      g_autoptr(WampMessage) cancel = NULL;
      g_autoptr(GError) error = NULL;

      /* The call completes with the router's answer to the CANCEL. */
      clear_source (&req->cancel_source);
      if (req->cancel_sent || self->connection == NULL)
        return G_SOURCE_REMOVE;
      req->cancel_sent = TRUE;
      wamp_value_dict_insert (options, "mode",
                              wamp_value_new_string (req->cancel_mode != NULL ? req->cancel_mode : "kill"));
      cancel = wamp_message_new_cancel (req->id, options);
      if (!wamp_connection_send_message (self->connection, cancel, &error))
        g_debug ("Cannot send CANCEL for request %" G_GUINT64_FORMAT ": %s", req->id, error->message);
      return G_SOURCE_REMOVE;
    }

  /* The router's late answer finds the request without a task and is undone
   * there; the caller learns now. */
  {
    g_autoptr(GTask) task = pending_request_steal_task (req);

    g_clear_pointer (&req->handler, handler_unref);
    if (task != NULL)
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  }
  return G_SOURCE_REMOVE;
}

static PendingRequest *
pending_request_new (WampClient *self, WampMessageType type, GTask *task, GCancellable *cancellable)
{
  PendingRequest *req = g_new0 (PendingRequest, 1);

  req->id = wamp_id_next (&self->request_counter);
  req->type = type;
  req->client = self;
  req->task = task != NULL ? g_object_ref (task) : NULL;
  req->cancel_source = attach_cancel_source (self, cancellable, pending_request_cancelled_cb, req);
  return req;
}

/* Sends @message for @req and, when that worked, files @req (transfer full)
 * under its ID; else fails its task. */
static void
send_request (WampClient *self, PendingRequest *req, WampMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (!wamp_connection_send_message (self->connection, message, &error))
    {
      g_autoptr(GTask) task = pending_request_steal_task (req);

      pending_request_free (req);
      if (task != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_hash_table_insert (self->pending, &req->id, req);
}

/* Sends a request nobody waits for (the undo of a cancelled one). */
static void
send_orphan_request (WampClient *self, WampMessageType type, guint64 target_id)
{
  PendingRequest *req;
  g_autoptr(WampMessage) message = NULL;

  if (self->connection == NULL || self->state != CLIENT_STATE_JOINED)
    return;
  req = pending_request_new (self, type, NULL, NULL);
  req->target_id = target_id;
  if (type == WAMP_MESSAGE_UNSUBSCRIBE)
    message = wamp_message_new_unsubscribe (req->id, target_id);
  else
    message = wamp_message_new_unregister (req->id, target_id);
  send_request (self, req, message);
}

/* Connection handling */

static void
closing_connection_free (gpointer data)
{
  ClosingConnection *closing = data;

  g_object_unref (closing->connection);
  g_object_unref (closing->reactor);
  g_free (closing);
}

static void
closing_connection_free_deferred (WampReactor *reactor, gpointer data)
{
  closing_connection_free (data);
}

static void
closing_frame_received (gpointer owner, WampConnection *connection, GBytes *frame)
{
  /* The session is over: whatever still arrives is dropped. */
}

static void
closing_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  ClosingConnection *closing = owner;

  wamp_connection_set_sink (connection, NULL, NULL);
  /* Not from inside the transport's own call. */
  wamp_reactor_defer (closing->reactor, closing_connection_free_deferred, closing);
}

static const WampConnectionSinkFuncs closing_sink_funcs = {
  closing_frame_received,
  closing_closed,
};

/* Lets go of the connection; @already_closed when the transport reported it
 * closed, else it is closed with @code. */
static void
drop_connection (WampClient *self, gboolean already_closed, WampCloseCode code, const char *reason)
{
  ClosingConnection *closing;

  if (self->connect_cancellable != NULL)
    {
      g_cancellable_cancel (self->connect_cancellable);
      g_clear_object (&self->connect_cancellable);
    }
  g_clear_object (&self->transport);
  self->serializer = NULL;
  if (self->connection == NULL)
    return;

  closing = g_new0 (ClosingConnection, 1);
  closing->reactor = g_object_ref (self->reactor);
  closing->connection = g_steal_pointer (&self->connection);
  if (already_closed)
    {
      wamp_connection_set_sink (closing->connection, NULL, NULL);
      wamp_reactor_defer (closing->reactor, closing_connection_free_deferred, closing);
      return;
    }

  wamp_connection_set_sink (closing->connection, &closing_sink_funcs, closing);
  {
    /* closing_closed() may run inside close() and schedule the free. */
    g_autoptr(WampConnection) connection = g_object_ref (closing->connection);

    wamp_connection_close (connection, code, reason);
  }
}

static void
clear_session (WampClient *self)
{
  self->session_id = 0;
  g_clear_pointer (&self->welcome_details, wamp_value_unref);
  g_clear_pointer (&self->realm, g_free);
  self->request_counter = 0;
}

/* Fails every pending request, join and leave with @error and forgets the
 * session's subscriptions and registrations. Safe against callbacks that
 * start new requests: they see a client that is no longer joined. */
static void
fail_all (WampClient *self, const GError *error)
{
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(GHashTable) subscriptions = NULL;
  g_autoptr(GHashTable) registrations = NULL;
  g_autoptr(GHashTable) invocations = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  pending = g_steal_pointer (&self->pending);
  subscriptions = g_steal_pointer (&self->subscriptions);
  registrations = g_steal_pointer (&self->registrations);
  invocations = g_steal_pointer (&self->invocations);
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, pending_request_free);
  self->subscriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, subscription_free);
  self->registrations = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, registration_free);
  self->invocations = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, invocation_free);

  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GTask *task = pending_request_steal_task (value);

      if (task != NULL)
        g_ptr_array_add (tasks, task);
    }
  clear_source (&self->join_cancel_source);
  if (self->join_task != NULL)
    g_ptr_array_add (tasks, g_steal_pointer (&self->join_task));
  clear_source (&self->leave_cancel_source);
  if (self->leave_task != NULL)
    g_ptr_array_add (tasks, g_steal_pointer (&self->leave_task));

  for (guint i = 0; i < tasks->len; i++)
    g_task_return_error (g_ptr_array_index (tasks, i), g_error_copy (error));
}

/* Ends the session: fails what is pending with @error, drops the connection
 * (closing it unless @already_closed) and, unless the end was asked for with
 * leave, emits "left" with @reason. */
static void
end_session (WampClient *self, const GError *error, const char *reason,
             gboolean already_closed, WampCloseCode code)
{
  gboolean emit_left = self->state == CLIENT_STATE_JOINED;

  self->state = CLIENT_STATE_IDLE;
  drop_connection (self, already_closed, code, NULL);
  clear_session (self);
  fail_all (self, error);
  if (emit_left)
    g_signal_emit (self, signals[SIGNAL_LEFT], 0, reason);
}

/* The router broke the protocol: ABORT and end. */
static void
protocol_violation (WampClient *self, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_debug ("Protocol violation by the router: %s", text);
  if (self->connection != NULL)
    {
      g_autoptr(WampValue) details = wamp_value_new_dict (1);
      g_autoptr(WampMessage) abort = NULL;

      wamp_value_dict_insert (details, "message", wamp_value_new_string (text));
      abort = wamp_message_new_abort (details, wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION), NULL);
      wamp_connection_send_message (self->connection, abort, NULL);
    }
  error = wamp_error_new_from_uri (wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION), text);
  end_session (self, error, wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION), FALSE, WAMP_CLOSE_PROTOCOL_ERROR);
}

/* The text of an ABORT/GOODBYE: Details.message, else the reason. */
static const char *
details_message (WampMessage *message)
{
  const char *text = wamp_value_dict_get_string (wamp_message_get_details (message), "message");

  return text != NULL ? text : wamp_message_get_uri (message);
}

/* The text of an ERROR: its first argument when that is a string. */
static char *
error_message_text (WampMessage *message)
{
  WampPayload *payload = wamp_message_get_payload (message);
  WampValue *args = NULL;

  if (payload != NULL && wamp_payload_get_values (payload, &args, NULL, NULL) && args != NULL &&
      wamp_value_list_length (args) > 0)
    {
      WampValue *first = wamp_value_list_get (args, 0);

      if (wamp_value_get_value_type (first) == WAMP_VALUE_STRING)
        return g_strdup (wamp_value_get_string (first, NULL));
    }
  return g_strdup (wamp_message_get_uri (message));
}

/* Incoming messages */

static void
handle_welcome (WampClient *self, WampMessage *message)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->join_task);

  clear_source (&self->join_cancel_source);
  self->state = CLIENT_STATE_JOINED;
  self->session_id = wamp_message_get_session_id (message);
  self->welcome_details = wamp_value_ref (wamp_message_get_details (message));
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
handle_abort (WampClient *self, WampMessage *message)
{
  g_autoptr(GError) error = wamp_error_new_from_uri (wamp_message_get_uri (message),
                                                     details_message (message));

  end_session (self, error, wamp_message_get_uri (message), FALSE, WAMP_CLOSE_NORMAL);
}

static void
handle_challenge (WampClient *self, WampMessage *message)
{
  g_autoptr(WampValue) details = wamp_value_new_dict (1);
  g_autoptr(WampMessage) abort = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("Authentication method %s is not supported by this client",
                                           wamp_message_get_uri (message));

  /* TODO: authentication (ticket, wampcra, scram, cryptosign). */
  wamp_value_dict_insert (details, "message", wamp_value_new_string (text));
  abort = wamp_message_new_abort (details, "wamp.error.cannot_authenticate", NULL);
  wamp_connection_send_message (self->connection, abort, NULL);
  error = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_FEATURE_NOT_SUPPORTED, text);
  end_session (self, error, "wamp.error.cannot_authenticate", FALSE, WAMP_CLOSE_NORMAL);
}

static void
handle_goodbye (WampClient *self, WampMessage *message)
{
  const char *reason = wamp_message_get_uri (message);
  g_autoptr(GError) error = NULL;

  if (self->state == CLIENT_STATE_LEAVING)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->leave_task);

      clear_source (&self->leave_cancel_source);
      error = wamp_error_new_from_uri (reason, "The session was left");
      end_session (self, error, reason, FALSE, WAMP_CLOSE_NORMAL);
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
      return;
    }

  /* The router ends the session (e.g. system_shutdown): answer, then end. */
  {
    g_autoptr(WampMessage) reply = wamp_message_new_goodbye (NULL, wamp_error_code_to_uri (WAMP_ERROR_GOODBYE_AND_OUT));

    wamp_connection_send_message (self->connection, reply, NULL);
  }
  error = wamp_error_new_from_uri (reason, details_message (message));
  end_session (self, error, reason, FALSE, WAMP_CLOSE_NORMAL);
}

/* Looks up the request a reply answers and takes it out of the table.
 * NULL when there is none: a reply to an ID we never used is dropped, since
 * tests send their own requests with wamp_client_send_message(); a reply of
 * the wrong type for one of ours is a protocol violation (session ended). */
static PendingRequest *
take_pending (WampClient *self, WampMessage *message, WampMessageType request_type)
{
  guint64 id = wamp_message_get_request_id (message);
  PendingRequest *req = g_hash_table_lookup (self->pending, &id);

  if (req == NULL)
    {
      g_debug ("Dropping %s for request %" G_GUINT64_FORMAT ": not a request of this client",
               wamp_message_type_to_string (wamp_message_get_message_type (message)), id);
      return NULL;
    }
  if (req->type != request_type)
    {
      g_autofree char *text = g_strdup_printf ("%s for request %" G_GUINT64_FORMAT " that is not a pending %s",
                                               wamp_message_type_to_string (wamp_message_get_message_type (message)),
                                               id, wamp_message_type_to_string (request_type));

      protocol_violation (self, text);
      return NULL;
    }
  g_hash_table_steal (self->pending, &id);
  return req;
}

/* Whether a SUBSCRIBE other than @req, not cancelled, for the same topic
 * and match policy is pending. Linear, but only on the rare path of a
 * cancelled subscribe. */
static gboolean
has_live_subscribe_for (WampClient *self, PendingRequest *req)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PendingRequest *other = value;

      if (other != req && other->type == WAMP_MESSAGE_SUBSCRIBE && other->task != NULL &&
          g_strcmp0 (other->topic, req->topic) == 0 && g_strcmp0 (other->match, req->match) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
handle_subscribed (WampClient *self, WampMessage *message)
{
  PendingRequest *req = take_pending (self, message, WAMP_MESSAGE_SUBSCRIBE);
  g_autoptr(GTask) task = NULL;
  guint64 sub_id;
  Subscription *sub;

  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  sub_id = wamp_message_get_subscription_id (message);
  sub = g_hash_table_lookup (self->subscriptions, &sub_id);

  if (task == NULL)
    {
      /* Cancelled meanwhile: undo, unless the subscription is wanted by
       * another handler, or will be by a SUBSCRIBE still on its way (the
       * router answers that with this same ID). */
      gboolean undo = (sub == NULL || sub->handlers->len == 0) && !has_live_subscribe_for (self, req);

      g_debug ("SUBSCRIBED %" G_GUINT64_FORMAT " for a cancelled request%s", sub_id,
               undo ? ": unsubscribing" : ": kept for another subscribe");
      if (undo)
        send_orphan_request (self, WAMP_MESSAGE_UNSUBSCRIBE, sub_id);
      pending_request_free (req);
      return;
    }

  if (sub == NULL)
    {
      sub = g_new0 (Subscription, 1);
      sub->id = sub_id;
      sub->handlers = g_ptr_array_new_with_free_func (handler_unref);
      g_hash_table_insert (self->subscriptions, &sub->id, sub);
    }
  g_ptr_array_add (sub->handlers, g_steal_pointer (&req->handler));
  pending_request_free (req);
  task_return_id (task, sub_id);
}

static void
forget_subscription_if_unused (WampClient *self, guint64 sub_id)
{
  Subscription *sub = g_hash_table_lookup (self->subscriptions, &sub_id);

  if (sub != NULL && sub->handlers->len == 0)
    g_hash_table_remove (self->subscriptions, &sub_id);
}

static void
forget_registration (WampClient *self, guint64 reg_id)
{
  g_hash_table_remove (self->registrations, &reg_id);
}

static void
handle_unsubscribed (WampClient *self, WampMessage *message)
{
  g_autoptr(GTask) task = NULL;
  PendingRequest *req;

  if (wamp_message_get_request_id (message) == 0)
    {
      /* Subscription revocation (advanced profile). */
      guint64 sub_id = wamp_value_dict_get_unsigned (wamp_message_get_details (message), "subscription", 0);

      g_hash_table_remove (self->subscriptions, &sub_id);
      return;
    }

  req = take_pending (self, message, WAMP_MESSAGE_UNSUBSCRIBE);
  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  forget_subscription_if_unused (self, req->target_id);
  pending_request_free (req);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
handle_published (WampClient *self, WampMessage *message)
{
  PendingRequest *req = take_pending (self, message, WAMP_MESSAGE_PUBLISH);
  g_autoptr(GTask) task = NULL;

  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  pending_request_free (req);
  if (task != NULL)
    task_return_id (task, wamp_message_get_publication_id (message));
}

static void
handle_registered (WampClient *self, WampMessage *message)
{
  PendingRequest *req = take_pending (self, message, WAMP_MESSAGE_REGISTER);
  g_autoptr(GTask) task = NULL;
  guint64 reg_id;
  Registration *reg;

  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  reg_id = wamp_message_get_registration_id (message);
  if (task == NULL)
    {
      g_debug ("REGISTERED %" G_GUINT64_FORMAT " for a cancelled request: unregistering", reg_id);
      send_orphan_request (self, WAMP_MESSAGE_UNREGISTER, reg_id);
      pending_request_free (req);
      return;
    }

  reg = g_new0 (Registration, 1);
  reg->id = reg_id;
  reg->handler = g_steal_pointer (&req->handler);
  g_hash_table_replace (self->registrations, &reg->id, reg);
  pending_request_free (req);
  task_return_id (task, reg_id);
}

static void
handle_unregistered (WampClient *self, WampMessage *message)
{
  g_autoptr(GTask) task = NULL;
  PendingRequest *req;

  if (wamp_message_get_request_id (message) == 0)
    {
      /* Registration revocation (advanced profile). */
      forget_registration (self, wamp_value_dict_get_unsigned (wamp_message_get_details (message),
                                                               "registration", 0));
      return;
    }

  req = take_pending (self, message, WAMP_MESSAGE_UNREGISTER);
  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  pending_request_free (req);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
handle_result (WampClient *self, WampMessage *message)
{
  guint64 id = wamp_message_get_request_id (message);
  PendingRequest *req;
  g_autoptr(GTask) task = NULL;

  /* Progressive results are not handed out; the final RESULT completes. */
  if (wamp_value_dict_get_bool (wamp_message_get_details (message), "progress", FALSE))
    {
      req = g_hash_table_lookup (self->pending, &id);
      if (req != NULL && req->type != WAMP_MESSAGE_CALL)
        protocol_violation (self, "progressive RESULT for a request that is not a pending CALL");
      return;
    }

  req = take_pending (self, message, WAMP_MESSAGE_CALL);
  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  pending_request_free (req);
  if (task != NULL)
    g_task_return_pointer (task, wamp_message_ref (message), (GDestroyNotify) wamp_message_unref);
}

static void
handle_error (WampClient *self, WampMessage *message)
{
  WampMessageType request_type = wamp_message_get_request_type (message);
  PendingRequest *req;
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;

  switch (request_type)
    {
    case WAMP_MESSAGE_SUBSCRIBE:
    case WAMP_MESSAGE_UNSUBSCRIBE:
    case WAMP_MESSAGE_PUBLISH:
    case WAMP_MESSAGE_REGISTER:
    case WAMP_MESSAGE_UNREGISTER:
    case WAMP_MESSAGE_CALL:
      break;
    default:
      protocol_violation (self, "ERROR for a request type a router does not answer");
      return;
    }

  req = take_pending (self, message, request_type);
  if (req == NULL)
    return;
  task = pending_request_steal_task (req);
  if (request_type == WAMP_MESSAGE_UNSUBSCRIBE)
    forget_subscription_if_unused (self, req->target_id);
  pending_request_free (req);
  if (task == NULL)
    return;

  text = error_message_text (message);
  if (request_type == WAMP_MESSAGE_CALL)
    g_task_set_task_data (task, wamp_message_ref (message), (GDestroyNotify) wamp_message_unref);
  g_task_return_error (task, wamp_error_new_from_uri (wamp_message_get_uri (message), text));
}

static void
handle_event (WampClient *self, WampMessage *message)
{
  guint64 sub_id = wamp_message_get_subscription_id (message);
  Subscription *sub = g_hash_table_lookup (self->subscriptions, &sub_id);
  g_autoptr(GPtrArray) snapshot = NULL;

  /* An event may still be on its way after we unsubscribed: dropped. */
  if (sub == NULL || sub->handlers->len == 0)
    return;

  /* Handlers may unsubscribe (even themselves) while we dispatch, so each
   * one is held during its call; the common single handler without a copy. */
  if (sub->handlers->len == 1)
    {
      g_autoptr(Handler) handler = handler_ref (g_ptr_array_index (sub->handlers, 0));

      ((WampEventFunc) handler->func) (self, message, handler->data);
      return;
    }
  snapshot = g_ptr_array_new_full (sub->handlers->len, handler_unref);
  for (guint i = 0; i < sub->handlers->len; i++)
    g_ptr_array_add (snapshot, handler_ref (g_ptr_array_index (sub->handlers, i)));

  for (guint i = 0; i < snapshot->len; i++)
    {
      Handler *handler = g_ptr_array_index (snapshot, i);

      if (!handler->removed && self->state != CLIENT_STATE_IDLE)
        ((WampEventFunc) handler->func) (self, message, handler->data);
    }
}

static void
handle_invocation (WampClient *self, WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  guint64 reg_id = wamp_message_get_registration_id (message);
  Registration *reg = g_hash_table_lookup (self->registrations, &reg_id);
  g_autoptr(Handler) handler = NULL;
  Invocation *inv;

  if (reg == NULL)
    {
      g_autoptr(WampMessage) error = NULL;

      /* Unregistered while the INVOCATION travelled. */
      error = wamp_message_new_error (WAMP_MESSAGE_INVOCATION, request_id, NULL,
                                      wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_REGISTRATION), NULL);
      wamp_connection_send_message (self->connection, error, NULL);
      return;
    }

  handler = handler_ref (reg->handler);
  inv = g_new0 (Invocation, 1);
  inv->id = request_id;
  inv->handler = handler_ref (handler);
  g_hash_table_replace (self->invocations, &inv->id, inv);
  ((WampInvocationFunc) handler->func) (self, message, handler->data);
}

static void
handle_interrupt (WampClient *self, WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  Invocation *inv = g_hash_table_lookup (self->invocations, &request_id);
  g_autoptr(Handler) handler = NULL;

  /* Already answered: nothing to interrupt. */
  if (inv == NULL)
    return;
  handler = handler_ref (inv->handler);
  ((WampInvocationFunc) handler->func) (self, message, handler->data);
}

static void
dispatch_message (WampClient *self, WampMessage *message)
{
  WampMessageType type = wamp_message_get_message_type (message);

  if (self->state == CLIENT_STATE_JOINING)
    {
      switch (type)
        {
        case WAMP_MESSAGE_WELCOME:
          handle_welcome (self, message);
          break;
        case WAMP_MESSAGE_ABORT:
          handle_abort (self, message);
          break;
        case WAMP_MESSAGE_CHALLENGE:
          handle_challenge (self, message);
          break;
        default:
          protocol_violation (self, "unexpected message before WELCOME");
          break;
        }
      return;
    }

  switch (type)
    {
    case WAMP_MESSAGE_ABORT:
      handle_abort (self, message);
      break;
    case WAMP_MESSAGE_GOODBYE:
      handle_goodbye (self, message);
      break;
    case WAMP_MESSAGE_ERROR:
      handle_error (self, message);
      break;
    case WAMP_MESSAGE_PUBLISHED:
      handle_published (self, message);
      break;
    case WAMP_MESSAGE_SUBSCRIBED:
      handle_subscribed (self, message);
      break;
    case WAMP_MESSAGE_UNSUBSCRIBED:
      handle_unsubscribed (self, message);
      break;
    case WAMP_MESSAGE_EVENT:
      handle_event (self, message);
      break;
    case WAMP_MESSAGE_RESULT:
      handle_result (self, message);
      break;
    case WAMP_MESSAGE_REGISTERED:
      handle_registered (self, message);
      break;
    case WAMP_MESSAGE_UNREGISTERED:
      handle_unregistered (self, message);
      break;
    case WAMP_MESSAGE_INVOCATION:
      handle_invocation (self, message);
      break;
    case WAMP_MESSAGE_INTERRUPT:
      handle_interrupt (self, message);
      break;
    default:
      {
        g_autofree char *text = g_strdup_printf ("unexpected %s from the router",
                                                 wamp_message_type_to_string (type));

        protocol_violation (self, text);
      }
      break;
    }
}

/* A frame of the client's own (@frame) or lent for the call only (@frame
 * NULL, @data). */
static void
receive_frame (WampClient *self, WampConnection *connection, GBytes *frame,
               const guint8 *data, gsize len)
{
  g_autoptr(WampClient) keep G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  if (connection != self->connection || self->serializer == NULL)
    return;

  if (frame != NULL)
    message = wamp_serializer_deserialize (self->serializer, frame, &error);
  else
    message = wamp_serializer_deserialize_data (self->serializer, data, len, &error);
  if (message == NULL)
    {
      protocol_violation (self, error->message);
      return;
    }
  dispatch_message (self, message);
}

static void
client_frame_received (gpointer owner, WampConnection *connection, GBytes *frame)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  receive_frame (owner, connection, frame, data, len);
}

static void
client_frame_received_data (gpointer owner, WampConnection *connection,
                            const guint8 *data, gsize len)
{
  receive_frame (owner, connection, NULL, data, len);
}

static void
client_connection_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  WampClient *self = owner;
  g_autoptr(WampClient) keep G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  if (connection != self->connection)
    return;

  error = g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT, "The connection closed (%d%s%s)",
                       code, reason != NULL ? ": " : "", reason != NULL ? reason : "");
  end_session (self, error, REASON_TRANSPORT_LOST, TRUE, code);
}

/* Joining */

static WampValue *
role_with_features (const char *const *features)
{
  WampValue *role = wamp_value_new_dict (1);
  WampValue *dict = wamp_value_new_dict (4);

  for (gsize i = 0; features != NULL && features[i] != NULL; i++)
    wamp_value_dict_insert (dict, features[i], wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (role, "features", dict);
  return role;
}

static WampValue *
default_roles (void)
{
  static const char *const rpc_features[] = { "call_canceling", "progressive_call_results", NULL };
  static const char *const publisher_features[] = { "publisher_exclusion", NULL };
  WampValue *roles = wamp_value_new_dict (4);

  wamp_value_dict_insert (roles, "caller", role_with_features (rpc_features));
  wamp_value_dict_insert (roles, "callee", role_with_features (rpc_features));
  wamp_value_dict_insert (roles, "publisher", role_with_features (publisher_features));
  wamp_value_dict_insert (roles, "subscriber", wamp_value_new_dict (0));
  return roles;
}

/* HELLO.Details: the caller's, with our roles and authmethods when absent. */
static WampValue *
build_hello_details (WampValue *details)
{
  gsize size = details != NULL ? wamp_value_dict_size (details) : 0;
  WampValue *out = wamp_value_new_dict (size + 2);

  for (gsize i = 0; i < size; i++)
    {
      gsize key_len;
      const char *key = wamp_value_dict_get_key (details, i, &key_len);

      wamp_value_dict_insert_len (out, key, key_len,
                                  wamp_value_ref (wamp_value_dict_get_value (details, i)));
    }
  if (wamp_value_dict_lookup (out, "roles") == NULL)
    wamp_value_dict_insert (out, "roles", default_roles ());
  if (wamp_value_dict_lookup (out, "authmethods") == NULL)
    {
      WampValue *methods = wamp_value_new_list (1);

      wamp_value_list_append (methods, wamp_value_new_string ("anonymous"));
      wamp_value_dict_insert (out, "authmethods", methods);
    }
  return out;
}

/* The transport extension serving @url's scheme, or NULL. */
static const char *
transport_name_for_url (const char *url)
{
  g_autofree char *scheme = g_uri_parse_scheme (url);

  if (scheme == NULL)
    return NULL;
  if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    return "websocket";
  if (g_ascii_strcasecmp (scheme, "rawsocket+tcp") == 0 ||
      g_ascii_strcasecmp (scheme, "rawsocket+unix") == 0 ||
      g_ascii_strcasecmp (scheme, "rawsocket+tls") == 0 ||
      g_ascii_strcasecmp (scheme, "rawsocket") == 0)
    return "rawsocket";
  return NULL;
}

static void
fail_join (WampClient *self, GError *error)
{
  g_autoptr(GError) owned = error;

  self->state = CLIENT_STATE_IDLE;
  drop_connection (self, FALSE, WAMP_CLOSE_NORMAL, NULL);
  clear_session (self);
  fail_all (self, owned);
}

static gboolean
join_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  WampClient *self = user_data;

  g_clear_pointer (&self->join_cancel_source, g_source_unref);
  fail_join (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
connect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(WampClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampConnection) connection = NULL;
  g_autoptr(WampMessage) hello = NULL;
  g_autoptr(WampValue) details = NULL;

  connection = wamp_transport_connect_finish (WAMP_TRANSPORT (source), result, &error);
  if (self->state != CLIENT_STATE_CONNECTING || WAMP_TRANSPORT (source) != self->transport)
    {
      /* Given up meanwhile (cancelled, disconnected). */
      if (connection != NULL)
        wamp_connection_close (connection, WAMP_CLOSE_GOING_AWAY, NULL);
      return;
    }
  g_clear_object (&self->connect_cancellable);
  if (connection == NULL)
    {
      fail_join (self, g_steal_pointer (&error));
      return;
    }

  self->connection = g_steal_pointer (&connection);
  self->serializer = wamp_connection_get_serializer (self->connection);
  wamp_connection_set_sink (self->connection, &client_sink_funcs, self);
  self->state = CLIENT_STATE_JOINING;

  details = build_hello_details (g_task_get_task_data (self->join_task));
  hello = wamp_message_new_hello (self->realm, details);
  if (!wamp_connection_send_message (self->connection, hello, &error))
    fail_join (self, g_steal_pointer (&error));
}

/**
 * wamp_client_new:
 * @reactor: (transfer none): the reactor of the client's connection
 *
 * Returns: (transfer full): a client that is not connected yet. It serves the
 * thread-default main context of the caller.
 */
WampClient *
wamp_client_new (WampReactor *reactor)
{
  WampClient *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);

  self = g_object_new (WAMP_TYPE_CLIENT, NULL);
  self->reactor = g_object_ref (reactor);
  return self;
}

/**
 * wamp_client_join_async:
 * @url: ws://, wss://, rawsocket+tcp:// ... URL of the router
 * @serializer: the serializer extension name ("json")
 * @realm: the realm URI
 * @details: (transfer none) (nullable): HELLO.Details; roles and authmethods
 *   (["anonymous"]) are added when absent
 *
 * Connects and joins. Fails when the client is already connected.
 */
void
wamp_client_join_async (WampClient *self, const char *url, const char *serializer,
                        const char *realm, WampValue *details, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *transport_name;
  WampSerializer *ser;
  g_autoptr(GPtrArray) serializers = NULL;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (serializer != NULL);
  g_return_if_fail (realm != NULL);
  g_return_if_fail (details == NULL || wamp_value_get_value_type (details) == WAMP_VALUE_DICT);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wamp_client_join_async);
  g_task_set_check_cancellable (task, FALSE);
  if (details != NULL)
    g_task_set_task_data (task, wamp_value_ref (details), (GDestroyNotify) wamp_value_unref);

  if (self->state != CLIENT_STATE_IDLE)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The client is already connected or connecting");
      return;
    }

  transport_name = transport_name_for_url (url);
  if (transport_name == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "No transport for the URL %s", url);
      return;
    }
  ser = wamp_serializer_lookup (serializer);
  if (ser == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "No plugin provides the serializer %s", serializer);
      return;
    }
  self->transport = wamp_transport_new (transport_name);
  if (self->transport == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "No plugin provides the transport %s", transport_name);
      return;
    }

  wamp_transport_set_client_tls (self->transport, self->tls_database, self->tls_certificate);

  self->state = CLIENT_STATE_CONNECTING;
  self->realm = g_strdup (realm);
  self->join_task = g_object_ref (task);
  self->join_cancel_source = attach_cancel_source (self, cancellable, join_cancelled_cb, self);
  self->connect_cancellable = g_cancellable_new ();

  serializers = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (serializers, g_object_ref (ser));
  wamp_transport_connect_async (self->transport, self->reactor, url, serializers,
                                self->connect_cancellable, connect_cb, g_object_ref (self));
}

/**
 * wamp_client_join_finish:
 *
 * Returns: TRUE once WELCOME arrived; FALSE with @error (the ABORT's reason
 * as a WAMP_ERROR, WAMP_ERROR_TRANSPORT, a G_IO_ERROR, or
 * WAMP_ERROR_FEATURE_NOT_SUPPORTED when the router sent a CHALLENGE).
 */
gboolean
wamp_client_join_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_join_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint64
wamp_client_get_session_id (WampClient *self)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), 0);

  return self->session_id;
}

/**
 * wamp_client_get_welcome_details:
 *
 * Returns: (transfer none) (nullable): WELCOME.Details while joined.
 */
WampValue *
wamp_client_get_welcome_details (WampClient *self)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), NULL);

  return self->welcome_details;
}

gboolean
wamp_client_is_joined (WampClient *self)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);

  return self->state == CLIENT_STATE_JOINED;
}

/* Leaving */

static gboolean
leave_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  WampClient *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->leave_task);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->leave_cancel_source, g_source_unref);
  /* Without waiting for the router's GOODBYE the session ends here. */
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  end_session (self, error, NULL, FALSE, WAMP_CLOSE_NORMAL);
  if (task != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  return G_SOURCE_REMOVE;
}

/**
 * wamp_client_leave_async:
 * @reason: (nullable): the GOODBYE reason; wamp.close.close_realm when NULL
 *
 * Sends GOODBYE and completes on the router's GOODBYE, after which the
 * connection is closed. Requests still pending then fail with the router's
 * reason. Does not emit "left".
 */
void
wamp_client_leave_async (WampClient *self, const char *reason, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) goodbye = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wamp_client_leave_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->state != CLIENT_STATE_JOINED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "The client has not joined");
      return;
    }

  goodbye = wamp_message_new_goodbye (NULL, reason != NULL ? reason : wamp_error_code_to_uri (WAMP_ERROR_CLOSE_REALM));
  if (!wamp_connection_send_message (self->connection, goodbye, &error))
    {
      end_session (self, error, REASON_TRANSPORT_LOST, FALSE, WAMP_CLOSE_NORMAL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->state = CLIENT_STATE_LEAVING;
  self->leave_task = g_steal_pointer (&task);
  self->leave_cancel_source = attach_cancel_source (self, cancellable, leave_cancelled_cb, self);
}

gboolean
wamp_client_leave_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_leave_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * wamp_client_disconnect:
 *
 * Drops the connection without GOODBYE: pending requests fail with
 * G_IO_ERROR_CLOSED, and a joined session emits "left" with
 * wamp.close.transport_lost (the header promises "left" for every end but
 * leave; Autobahn reports a disconnect so too).
 */
void
wamp_client_disconnect (WampClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WAMP_IS_CLIENT (self));

  if (self->state == CLIENT_STATE_IDLE)
    return;
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "The client disconnected");
  end_session (self, error, REASON_TRANSPORT_LOST, FALSE, WAMP_CLOSE_NORMAL);
}

/* Requests */

/* A task for a request; NULL (and the task failed) when not joined or
 * already cancelled. */
static GTask *
new_request_task (WampClient *self, gpointer source_tag, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* We decide what a cancellation means (a CANCEL for calls). */
  g_task_set_check_cancellable (task, FALSE);
  if (self->state != CLIENT_STATE_JOINED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "The client has not joined");
      return NULL;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      return NULL;
    }
  return g_steal_pointer (&task);
}

/**
 * wamp_client_subscribe_async:
 * @options: (transfer none) (nullable): SUBSCRIBE.Options
 * @func: called for every EVENT of the subscription
 * @func_data: (closure func): freed by @destroy once unsubscribed, when the
 *   session ends, or when the request fails or is cancelled
 *
 * Subscribing again to a topic the session is subscribed to adds @func to the
 * same subscription ID.
 */
void
wamp_client_subscribe_async (WampClient *self, const char *topic, WampValue *options,
                             WampEventFunc func, gpointer func_data, GDestroyNotify destroy,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(Handler) handler = NULL;
  PendingRequest *req;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (topic != NULL);
  g_return_if_fail (func != NULL);
  g_return_if_fail (options == NULL || wamp_value_get_value_type (options) == WAMP_VALUE_DICT);

  handler = handler_new (func, func_data, destroy);
  task = new_request_task (self, wamp_client_subscribe_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  req = pending_request_new (self, WAMP_MESSAGE_SUBSCRIBE, task, cancellable);
  req->handler = g_steal_pointer (&handler);
  req->topic = g_strdup (topic);
  if (options != NULL)
    req->match = g_strdup (wamp_value_dict_get_string (options, "match"));
  message = wamp_message_new_subscribe (req->id, options, topic);
  send_request (self, req, message);
}

guint64
wamp_client_subscribe_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_subscribe_async, 0);

  return task_propagate_id (G_TASK (result), error);
}

/**
 * wamp_client_unsubscribe_async:
 *
 * Removes one handler of @subscription_id (the earliest added); the
 * UNSUBSCRIBE goes out when it was the last one, else the task completes at
 * once. Events are no longer dispatched to the removed handler, even when the
 * operation is cancelled.
 */
void
wamp_client_unsubscribe_async (WampClient *self, guint64 subscription_id,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  PendingRequest *req;
  Subscription *sub;

  g_return_if_fail (WAMP_IS_CLIENT (self));

  task = new_request_task (self, wamp_client_unsubscribe_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  sub = g_hash_table_lookup (self->subscriptions, &subscription_id);
  if (sub == NULL || sub->handlers->len == 0)
    {
      g_task_return_error (task, wamp_error_new_from_uri (wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_SUBSCRIPTION),
                                                          "The client has no such subscription"));
      return;
    }
  handler_remove (g_ptr_array_steal_index (sub->handlers, 0));
  if (sub->handlers->len > 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  req = pending_request_new (self, WAMP_MESSAGE_UNSUBSCRIBE, task, cancellable);
  req->target_id = subscription_id;
  message = wamp_message_new_unsubscribe (req->id, subscription_id);
  send_request (self, req, message);
}

gboolean
wamp_client_unsubscribe_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_unsubscribe_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * wamp_client_publish_async:
 * @options: (transfer none) (nullable): PUBLISH.Options
 * @payload: (transfer none) (nullable)
 */
void
wamp_client_publish_async (WampClient *self, const char *topic, WampValue *options,
                           WampPayload *payload, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  PendingRequest *req;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (topic != NULL);
  g_return_if_fail (options == NULL || wamp_value_get_value_type (options) == WAMP_VALUE_DICT);

  task = new_request_task (self, wamp_client_publish_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  if (options != NULL && wamp_value_dict_get_bool (options, "acknowledge", FALSE))
    {
      req = pending_request_new (self, WAMP_MESSAGE_PUBLISH, task, cancellable);
      message = wamp_message_new_publish (req->id, options, topic, payload);
      send_request (self, req, message);
      return;
    }

  message = wamp_message_new_publish (wamp_id_next (&self->request_counter), options, topic, payload);
  if (!wamp_connection_send_message (self->connection, message, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    task_return_id (task, 0);
}

guint64
wamp_client_publish_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_publish_async, 0);

  return task_propagate_id (G_TASK (result), error);
}

/**
 * wamp_client_register_async:
 * @options: (transfer none) (nullable): REGISTER.Options
 * @func: called for every INVOCATION, and for INTERRUPTs of them
 * @func_data: (closure func): freed by @destroy once unregistered, when the
 *   session ends, or when the request fails or is cancelled
 */
void
wamp_client_register_async (WampClient *self, const char *procedure, WampValue *options,
                            WampInvocationFunc func, gpointer func_data, GDestroyNotify destroy,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(Handler) handler = NULL;
  PendingRequest *req;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (procedure != NULL);
  g_return_if_fail (func != NULL);
  g_return_if_fail (options == NULL || wamp_value_get_value_type (options) == WAMP_VALUE_DICT);

  handler = handler_new (func, func_data, destroy);
  task = new_request_task (self, wamp_client_register_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  req = pending_request_new (self, WAMP_MESSAGE_REGISTER, task, cancellable);
  req->handler = g_steal_pointer (&handler);
  message = wamp_message_new_register (req->id, options, procedure);
  send_request (self, req, message);
}

guint64
wamp_client_register_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_register_async, 0);

  return task_propagate_id (G_TASK (result), error);
}

/**
 * wamp_client_unregister_async:
 *
 * The handler is removed at once; INVOCATIONs still arriving for it are
 * answered with wamp.error.no_such_registration.
 */
void
wamp_client_unregister_async (WampClient *self, guint64 registration_id,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  PendingRequest *req;

  g_return_if_fail (WAMP_IS_CLIENT (self));

  task = new_request_task (self, wamp_client_unregister_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  if (!g_hash_table_remove (self->registrations, &registration_id))
    {
      g_task_return_error (task, wamp_error_new_from_uri (wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_REGISTRATION),
                                                          "The client has no such registration"));
      return;
    }
  req = pending_request_new (self, WAMP_MESSAGE_UNREGISTER, task, cancellable);
  message = wamp_message_new_unregister (req->id, registration_id);
  send_request (self, req, message);
}

gboolean
wamp_client_unregister_finish (WampClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_unregister_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sends a YIELD or ERROR for an INVOCATION; progressive YIELDs keep it open. */
static void
answer_invocation (WampClient *self, guint64 request_id, WampMessage *message, gboolean final)
{
  g_autoptr(GError) error = NULL;

  if (final)
    g_hash_table_remove (self->invocations, &request_id);
  if (self->connection == NULL || (self->state != CLIENT_STATE_JOINED && self->state != CLIENT_STATE_LEAVING))
    {
      g_debug ("Not answering INVOCATION %" G_GUINT64_FORMAT ": the session is over", request_id);
      return;
    }
  if (!wamp_connection_send_message (self->connection, message, &error))
    g_debug ("Cannot answer INVOCATION %" G_GUINT64_FORMAT ": %s", request_id, error->message);
}

/**
 * wamp_client_yield:
 * @options: (transfer none) (nullable): YIELD.Options (progress=true keeps
 *   the invocation open)
 * @payload: (transfer none) (nullable)
 */
void
wamp_client_yield (WampClient *self, guint64 request_id, WampValue *options, WampPayload *payload)
{
  g_autoptr(WampMessage) message = NULL;
  gboolean progress;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (options == NULL || wamp_value_get_value_type (options) == WAMP_VALUE_DICT);

  progress = options != NULL && wamp_value_dict_get_bool (options, "progress", FALSE);
  message = wamp_message_new_yield (request_id, options, payload);
  answer_invocation (self, request_id, message, !progress);
}

/**
 * wamp_client_yield_error:
 * @error_uri: the ERROR's URI
 * @details: (transfer none) (nullable)
 * @payload: (transfer none) (nullable)
 */
void
wamp_client_yield_error (WampClient *self, guint64 request_id, const char *error_uri,
                         WampValue *details, WampPayload *payload)
{
  g_autoptr(WampMessage) message = NULL;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (error_uri != NULL);
  g_return_if_fail (details == NULL || wamp_value_get_value_type (details) == WAMP_VALUE_DICT);

  message = wamp_message_new_error (WAMP_MESSAGE_INVOCATION, request_id, details, error_uri, payload);
  answer_invocation (self, request_id, message, TRUE);
}

/* CALL.Options without our own cancel_mode key, which is not a WAMP option. */
static WampValue *
call_options (WampValue *options)
{
  gsize size;
  WampValue *out;

  if (options == NULL || wamp_value_dict_lookup (options, "cancel_mode") == NULL)
    return options != NULL ? wamp_value_ref (options) : NULL;

  size = wamp_value_dict_size (options);
  out = wamp_value_new_dict (size);
  for (gsize i = 0; i < size; i++)
    {
      gsize key_len;
      const char *key = wamp_value_dict_get_key (options, i, &key_len);

      if (key_len == strlen ("cancel_mode") && memcmp (key, "cancel_mode", key_len) == 0)
        continue;
      wamp_value_dict_insert_len (out, key, key_len, wamp_value_ref (wamp_value_dict_get_value (options, i)));
    }
  return out;
}

/**
 * wamp_client_call_async:
 * @options: (transfer none) (nullable): CALL.Options, plus "cancel_mode"
 *   ("skip", "kill", "killnowait") for the CANCEL a cancellation sends
 * @payload: (transfer none) (nullable)
 */
void
wamp_client_call_async (WampClient *self, const char *procedure, WampValue *options,
                        WampPayload *payload, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampValue) wire_options = NULL;
  PendingRequest *req;

  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (procedure != NULL);
  g_return_if_fail (options == NULL || wamp_value_get_value_type (options) == WAMP_VALUE_DICT);

  task = new_request_task (self, wamp_client_call_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  req = pending_request_new (self, WAMP_MESSAGE_CALL, task, cancellable);
  if (options != NULL)
    req->cancel_mode = g_strdup (wamp_value_dict_get_string (options, "cancel_mode"));
  wire_options = call_options (options);
  message = wamp_message_new_call (req->id, wire_options, procedure, payload);
  send_request (self, req, message);
}

/**
 * wamp_client_call_finish:
 * @error_message: (out) (optional) (transfer full) (nullable): the ERROR
 *   message when the router or callee answered with one
 *
 * Returns: (transfer full) (nullable): the final RESULT.
 */
WampMessage *
wamp_client_call_finish (WampClient *self, GAsyncResult *result,
                         WampMessage **error_message, GError **error)
{
  WampMessage *message;

  g_return_val_if_fail (WAMP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == wamp_client_call_async, NULL);

  if (error_message != NULL)
    *error_message = NULL;
  message = g_task_propagate_pointer (G_TASK (result), error);
  if (message == NULL && error_message != NULL && g_task_get_task_data (G_TASK (result)) != NULL)
    *error_message = wamp_message_ref (g_task_get_task_data (G_TASK (result)));
  return message;
}

/**
 * wamp_client_send_message:
 * @message: (transfer none)
 *
 * Returns: FALSE with WAMP_ERROR_TRANSPORT when not connected, or the
 * serializer's or transport's error.
 */
gboolean
wamp_client_send_message (WampClient *self, WampMessage *message, GError **error)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->connection == NULL)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT, "The client is not connected");
      return FALSE;
    }
  return wamp_connection_send_message (self->connection, message, error);
}

/**
 * wamp_client_next_request_id:
 *
 * Returns: a request ID the client will not use itself.
 */
guint64
wamp_client_next_request_id (WampClient *self)
{
  g_return_val_if_fail (WAMP_IS_CLIENT (self), 0);

  return wamp_id_next (&self->request_counter);
}

/* GObject */

static void
wamp_client_dispose (GObject *object)
{
  WampClient *self = WAMP_CLIENT (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "The client was closed");

  self->state = CLIENT_STATE_IDLE;
  drop_connection (self, FALSE, WAMP_CLOSE_GOING_AWAY, NULL);
  clear_session (self);
  fail_all (self, error);

  G_OBJECT_CLASS (wamp_client_parent_class)->dispose (object);
}

static void
wamp_client_finalize (GObject *object)
{
  WampClient *self = WAMP_CLIENT (object);

  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->subscriptions);
  g_hash_table_unref (self->registrations);
  g_hash_table_unref (self->invocations);
  g_clear_object (&self->reactor);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->tls_certificate);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (wamp_client_parent_class)->finalize (object);
}

static void
wamp_client_class_init (WampClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_client_dispose;
  object_class->finalize = wamp_client_finalize;

  /**
   * WampClient::left:
   * @reason: the GOODBYE or ABORT reason, wamp.close.transport_lost when the
   *   connection went away, wamp.error.protocol_violation when the router
   *   broke the protocol
   *
   * The joined session ended other than through wamp_client_leave_async()
   * (wamp_client_disconnect() included). Pending requests have failed by
   * then.
   */
  signals[SIGNAL_LEFT] = g_signal_new ("left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
wamp_client_init (WampClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, pending_request_free);
  self->subscriptions = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, subscription_free);
  self->registrations = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, registration_free);
  self->invocations = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, invocation_free);
}

void
wamp_client_set_tls (WampClient      *self,
                     GTlsDatabase    *database,
                     GTlsCertificate *certificate)
{
  g_return_if_fail (WAMP_IS_CLIENT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  g_set_object (&self->tls_database, database);
  g_set_object (&self->tls_certificate, certificate);
}
