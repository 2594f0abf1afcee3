/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSession: the router side of one connection's WAMP sessions — HELLO,
 * authentication, WELCOME, routing to the realm's roles, GOODBYE/ABORT. */
#include "config.h"

#include <string.h>

#include <wamp/wamp.h>
#include "wamp-connection-private.h"
#include "wamp-realm-private.h"
#include "wamp-router-private.h"
#include "wamp-session-private.h"

/* How long a router-initiated GOODBYE waits for the client's answer. */
#define GOODBYE_TIMEOUT_MS 5000

struct _WampSession
{
  GObject parent_instance;

  WampRouter *router;          /* unowned: the router owns its sessions; NULL once detached */
  WampReactor *reactor;
  WampTransport *transport;
  WampConnection *connection;
  WampSerializer *serializer;  /* unowned: serializers are shared instances */

  WampSessionState state;
  gboolean closing;            /* we asked the connection to close: ignore what arrives */
  gboolean joined;             /* in self->realm's session table */

  guint64 id;                  /* reserved from HELLO on, 0 otherwise */
  WampRealm *realm;            /* the realm joined, or being joined while authenticating */
  char *authid;
  /* Interned: both come from the configuration, a bounded set. */
  const char *authrole;
  const char *authmethod;
  char *authprovider;
  WampValue *hello_details;
  gboolean hello_roles_shared; /* its "roles" comes from wamp_router_intern() */
  gint64 join_time;            /* g_get_real_time() at WELCOME, 0 otherwise */

  /* Authentication in progress. */
  WampAuthenticator *authenticator;
  WampAuthRequest *auth_request;
  GCancellable *auth_cancellable;
  gboolean challenge_pending;

  guint64 router_request_counter;
  guint64 last_client_request_id;
  guint64 progressive_call_id;

  WampReactorTimer *goodbye_timer;
  gboolean close_after_goodbye;
  WampReactorTimer *join_timer;  /* runs while the connection has no joined session */
};

G_DEFINE_FINAL_TYPE (WampSession, wamp_session, G_TYPE_OBJECT)

static void on_frame_received (gpointer owner, WampConnection *connection, GBytes *frame);
static void on_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason);
static void on_frame_received_data (gpointer owner, WampConnection *connection,
                                    const guint8 *data, gsize len);

static const WampConnectionSinkFuncs session_sink_funcs = {
  on_frame_received,
  on_closed,
  on_frame_received_data,
};

static void
cancel_goodbye_timer (WampSession *self)
{
  if (self->goodbye_timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, self->goodbye_timer);
      self->goodbye_timer = NULL;
    }
}

static void
cancel_join_timer (WampSession *self)
{
  if (self->join_timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, self->join_timer);
      self->join_timer = NULL;
    }
}

static void close_connection (WampSession *self, WampCloseCode code, const char *reason);

/* A connection that never joins (no HELLO, a stalled authentication, idle
 * after GOODBYE) would otherwise be held until the peer goes away. */
static void
join_timeout_cb (WampReactor *reactor, gpointer user_data)
{
  g_autoptr (WampSession) self = g_object_ref (user_data);

  self->join_timer = NULL;
  g_info ("%s joined no realm within %u s: closing", wamp_connection_get_peer (self->connection),
          wamp_router_get_join_timeout_ms (self->router) / 1000);
  close_connection (self, WAMP_CLOSE_POLICY_VIOLATION, "no session joined in time");
}

static void
start_join_timer (WampSession *self)
{
  cancel_join_timer (self);
  if (self->router != NULL && !self->closing)
    self->join_timer = wamp_reactor_add_timer (self->reactor,
                                               wamp_router_get_join_timeout_ms (self->router),
                                               join_timeout_cb, self);
}

/* An idle session should cost little memory: clients of one library announce
 * the same HELLO.Details.roles (often a kilobyte and more of nested
 * features), so joined sessions share one copy. */
static void
share_hello_roles (WampSession *self)
{
  WampValue *details = self->hello_details;
  WampValue *compact;
  gsize n;

  if (details == NULL || self->router == NULL || self->hello_roles_shared)
    return;
  n = wamp_value_dict_size (details);
  compact = wamp_value_new_dict (n);
  for (gsize i = 0; i < n; i++)
    {
      gsize key_len;
      const char *key = wamp_value_dict_get_key (details, i, &key_len);
      WampValue *value = wamp_value_dict_get_value (details, i);

      if (key_len == strlen ("roles") && memcmp (key, "roles", key_len) == 0)
        value = wamp_router_intern (self->router, value);
      else
        value = wamp_value_ref (value);
      wamp_value_dict_insert_len (compact, key, key_len, value);
    }
  wamp_value_unref (details);
  self->hello_details = compact;
  self->hello_roles_shared = TRUE;
}

static void
clear_hello_details (WampSession *self)
{
  g_autoptr (WampValue) roles = NULL;

  if (self->hello_details == NULL)
    return;
  if (self->hello_roles_shared && self->router != NULL)
    roles = wamp_value_ref (wamp_value_dict_lookup (self->hello_details, "roles"));
  g_clear_pointer (&self->hello_details, wamp_value_unref);
  self->hello_roles_shared = FALSE;
  if (roles != NULL)
    wamp_router_unintern (self->router, g_steal_pointer (&roles));
}

/* Forgets a pending authentication; a late completion then finds nothing. */
static void
cancel_auth (WampSession *self)
{
  if (self->auth_cancellable != NULL)
    g_cancellable_cancel (self->auth_cancellable);
  g_clear_object (&self->auth_cancellable);
  g_clear_object (&self->auth_request);
  g_clear_object (&self->authenticator);
  self->challenge_pending = FALSE;
}

/* Drops everything of the current session (joined or being authenticated);
 * the state becomes @new_state before the roles hear of it, so they cannot
 * send to it any more. */
static void
end_session (WampSession *self, WampSessionState new_state, const char *why)
{
  gboolean was_joined = self->joined;

  cancel_auth (self);
  self->state = new_state;
  if (new_state == WAMP_SESSION_STATE_DISCONNECTED)
    cancel_join_timer (self);
  else if (was_joined)
    start_join_timer (self);
  if (was_joined)
    {
      /* Roles and the router's "session-left" handlers still see the
       * session's ID and realm while it leaves. */
      wamp_realm_remove_session (self->realm, self);
      if (self->router != NULL)
        wamp_router_session_left (self->router, self);
      self->joined = FALSE;
      g_info ("session %" G_GUINT64_FORMAT " left realm %s (%s; authid %s, peer %s)",
              self->id, wamp_realm_get_name (self->realm), why, self->authid,
              wamp_connection_get_peer (self->connection));
    }
  if (self->id != 0 && self->router != NULL)
    wamp_router_release_session_id (self->router, self->id);
  self->id = 0;
  self->join_time = 0;
  g_clear_object (&self->realm);
  g_clear_pointer (&self->authid, g_free);
  self->authrole = NULL;
  self->authmethod = NULL;
  g_clear_pointer (&self->authprovider, g_free);
  clear_hello_details (self);
  self->router_request_counter = 0;
  self->last_client_request_id = 0;
  self->progressive_call_id = 0;
}

static void
close_connection (WampSession *self, WampCloseCode code, const char *reason)
{
  if (self->closing)
    return;
  self->closing = TRUE;
  /* May report the close synchronously (on_closed): callers hold a reference. */
  wamp_connection_close (self->connection, code, reason);
}

/* Serializes and sends @message (wamp_connection_send_message()), counting
 * it in the router's statistics. */
static gboolean
send_counted (WampSession *self, WampMessage *message, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gsize frame_len;

  if (!wamp_connection_send_message_sized (self->connection, message, &frame_len, &local_error))
    {
      /* The transport refused it (not the serializer: a value its format
       * cannot carry). */
      if (self->router != NULL &&
          (g_error_matches (local_error, WAMP_ERROR, WAMP_ERROR_TRANSPORT) ||
           g_error_matches (local_error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED)))
        wamp_router_count_send_failure (self->router);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (self->router != NULL)
    wamp_router_count_out (self->router, wamp_message_get_message_type (message), frame_len);
  return TRUE;
}

/* Sends whatever the state: the session's own messages (WELCOME, ABORT, ...). */
static void
send_message (WampSession *self, WampMessage *message)
{
  g_autoptr (GError) error = NULL;

  if (self->closing || self->state == WAMP_SESSION_STATE_DISCONNECTED)
    return;
  if (!send_counted (self, message, &error))
    g_debug ("cannot send %s to %s: %s",
             wamp_message_type_to_string (wamp_message_get_message_type (message)),
             wamp_connection_get_peer (self->connection), error->message);
}

static WampValue *
message_details (const char *text)
{
  WampValue *details = wamp_value_new_dict (1);

  if (text != NULL)
    wamp_value_dict_insert (details, "message", wamp_value_new_string (text));
  return details;
}

/* ABORT @reason, end the session, close the connection. */
static void
abort_session (WampSession *self, const char *reason, const char *text)
{
  g_autoptr (WampValue) details = NULL;
  g_autoptr (WampMessage) abort = NULL;

  if (self->closing || self->state == WAMP_SESSION_STATE_DISCONNECTED)
    return;
  g_debug ("ABORT %s to %s: %s", reason, wamp_connection_get_peer (self->connection), text ? text : "");
  details = message_details (text);
  abort = wamp_message_new_abort (details, reason, NULL);
  send_message (self, abort);
  end_session (self, WAMP_SESSION_STATE_CLOSED, reason);
  close_connection (self, WAMP_CLOSE_NORMAL, reason);
}

static void
protocol_violation (WampSession *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
protocol_violation (WampSession *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (self->router != NULL)
    wamp_router_count_protocol_violation (self->router);
  abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION), text);
}

/* The client went away from the session (ABORT) or the transport: no answer. */
static void
close_silently (WampSession *self, const char *why)
{
  end_session (self, WAMP_SESSION_STATE_CLOSED, why);
  close_connection (self, WAMP_CLOSE_NORMAL, NULL);
}

/* ---- authentication ------------------------------------------------------- */

typedef struct {
  GWeakRef session;
  WampAuthRequest *request;
} AuthCallData;

static AuthCallData *
auth_call_data_new (WampSession *self)
{
  AuthCallData *data = g_new0 (AuthCallData, 1);

  g_weak_ref_init (&data->session, self);
  data->request = g_object_ref (self->auth_request);
  return data;
}

static void
auth_call_data_free (AuthCallData *data)
{
  g_weak_ref_clear (&data->session);
  g_object_unref (data->request);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuthCallData, auth_call_data_free)

/* Returns: (transfer full) (nullable): the session when @data's request is
 * still the one it waits for. */
static WampSession *
auth_call_data_get_session (AuthCallData *data)
{
  WampSession *self = g_weak_ref_get (&data->session);

  if (self != NULL && (self->auth_request != data->request || self->closing
                       || self->state != WAMP_SESSION_STATE_AUTHENTICATING))
    g_clear_object (&self);
  return self;
}

static void
welcome (WampSession *self)
{
  WampAuthRequest *request = self->auth_request;
  const char *authrole = wamp_auth_request_get_authrole (request);
  const char *authid = wamp_auth_request_get_authid (request);
  const char *authprovider = wamp_auth_request_get_authprovider (request);
  WampValue *authextra = wamp_auth_request_get_authextra (request);
  g_autoptr (WampValue) details = NULL;
  g_autoptr (WampMessage) message = NULL;

  if (!wamp_realm_has_authrole (self->realm, authrole))
    {
      g_autofree char *text = g_strdup_printf ("authrole \"%s\" does not exist on realm \"%s\"",
                                               authrole ? authrole : "(none)",
                                               wamp_realm_get_name (self->realm));

      abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_ROLE), text);
      return;
    }

  self->authrole = g_intern_string (authrole);
  self->authid = authid != NULL ? g_strdup (authid) : g_strdup_printf ("%" G_GUINT64_FORMAT, self->id);
  self->authprovider = g_strdup (authprovider != NULL ? authprovider : "static");

  details = wamp_value_new_dict (7);
  wamp_value_dict_insert (details, "realm", wamp_value_new_string (wamp_realm_get_name (self->realm)));
  wamp_value_dict_insert (details, "authid", wamp_value_new_string (self->authid));
  wamp_value_dict_insert (details, "authrole", wamp_value_new_string (self->authrole));
  wamp_value_dict_insert (details, "authmethod", wamp_value_new_string (self->authmethod));
  wamp_value_dict_insert (details, "authprovider", wamp_value_new_string (self->authprovider));
  if (authextra != NULL)
    wamp_value_dict_insert (details, "authextra", wamp_value_ref (authextra));
  wamp_value_dict_insert (details, "roles", wamp_realm_build_welcome_roles (self->realm));
  message = wamp_message_new_welcome (self->id, details);

  cancel_auth (self);
  cancel_join_timer (self);
  share_hello_roles (self);
  send_message (self, message);
  self->state = WAMP_SESSION_STATE_ESTABLISHED;
  self->joined = TRUE;
  self->join_time = g_get_real_time ();
  g_info ("session %" G_GUINT64_FORMAT " joined realm %s (authid %s, authrole %s, authmethod %s, peer %s)",
          self->id, wamp_realm_get_name (self->realm), self->authid, self->authrole,
          self->authmethod, wamp_connection_get_peer (self->connection));
  wamp_realm_add_session (self->realm, self);
  if (self->router != NULL && self->joined)
    wamp_router_session_joined (self->router, self);
}

static void
auth_failed (WampSession *self, const GError *error)
{
  abort_session (self, wamp_error_get_uri (error), error->message);
}

static void
authenticate_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AuthCallData) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WampSession) self = NULL;
  gboolean ok;

  ok = wamp_authenticator_authenticate_finish (WAMP_AUTHENTICATOR (source), result, &error);
  self = auth_call_data_get_session (data);
  if (self == NULL)
    return;
  if (!ok)
    auth_failed (self, error);
  else if (!wamp_auth_request_is_accepted (self->auth_request))
    abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_AUTHENTICATION_FAILED),
                   "authentication was not accepted");
  else
    welcome (self);
}

static void
challenge_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AuthCallData) data = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WampSession) self = NULL;
  g_autoptr (WampMessage) challenge = NULL;
  gboolean ok;

  ok = wamp_authenticator_challenge_finish (WAMP_AUTHENTICATOR (source), result, &error);
  self = auth_call_data_get_session (data);
  if (self == NULL)
    return;
  if (!ok)
    {
      auth_failed (self, error);
      return;
    }
  if (wamp_auth_request_is_accepted (self->auth_request))
    {
      welcome (self);
      return;
    }
  challenge = wamp_message_new_challenge (self->authmethod, wamp_auth_request_get_challenge (self->auth_request));
  self->challenge_pending = TRUE;
  send_message (self, challenge);
}

static void
handle_authenticate (WampSession *self, WampMessage *message)
{
  self->challenge_pending = FALSE;
  wamp_authenticator_authenticate_async (self->authenticator, self->auth_request,
                                         wamp_message_get_uri (message),
                                         wamp_message_get_details (message),
                                         self->auth_cancellable, authenticate_done_cb,
                                         auth_call_data_new (self));
}

/* ---- HELLO ---------------------------------------------------------------- */

static gboolean
hello_roles_served (WampRealm *realm, WampValue *roles, char **why)
{
  static const struct {
    const char *client_role;
    WampMessageType needs;
  } client_roles[] = {
    { "publisher", WAMP_MESSAGE_PUBLISH },
    { "subscriber", WAMP_MESSAGE_SUBSCRIBE },
    { "caller", WAMP_MESSAGE_CALL },
    { "callee", WAMP_MESSAGE_REGISTER },
  };
  gboolean served = FALSE;

  for (gsize i = 0; i < wamp_value_dict_size (roles); i++)
    {
      if (wamp_value_get_value_type (wamp_value_dict_get_value (roles, i)) != WAMP_VALUE_DICT)
        {
          *why = g_strdup_printf ("HELLO.Details.roles.%s must be a dict",
                                  wamp_value_dict_get_key (roles, i, NULL));
          return FALSE;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (client_roles); i++)
    if (wamp_value_dict_lookup (roles, client_roles[i].client_role) != NULL
        && wamp_realm_get_role_for_type (realm, client_roles[i].needs) != NULL)
      served = TRUE;
  if (!served)
    *why = g_strdup_printf ("HELLO.Details.roles announces no client role realm \"%s\" serves",
                            wamp_realm_get_name (realm));
  return served;
}

static void
handle_hello (WampSession *self, WampMessage *message)
{
  const char *realm_name = wamp_message_get_uri (message);
  WampValue *details = wamp_message_get_details (message);
  WampValue *roles;
  WampValue *authmethods;
  g_autoptr (WampValue) default_authmethods = NULL;
  g_autoptr (WampValue) transport_details = NULL;
  g_autofree char *why = NULL;
  WampAuthenticator *authenticator = NULL;
  const char *authmethod = NULL;
  WampRealm *realm;

  if (realm_name == NULL
      || !wamp_uri_is_valid (realm_name, strlen (realm_name), WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE))
    {
      abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_INVALID_URI),
                     "HELLO.Realm is not a valid URI");
      return;
    }
  realm = self->router != NULL ? wamp_router_lookup_realm (self->router, realm_name) : NULL;
  if (realm == NULL)
    {
      g_autofree char *text = g_strdup_printf ("no realm \"%s\" exists on this router", realm_name);

      abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_REALM), text);
      return;
    }

  roles = wamp_value_dict_lookup (details, "roles");
  if (roles == NULL || wamp_value_get_value_type (roles) != WAMP_VALUE_DICT)
    {
      protocol_violation (self, "HELLO.Details.roles must be a dict of client roles");
      return;
    }
  if (!hello_roles_served (realm, roles, &why))
    {
      protocol_violation (self, "%s", why);
      return;
    }

  authmethods = wamp_value_dict_lookup (details, "authmethods");
  if (authmethods == NULL)
    {
      default_authmethods = wamp_value_new_list (1);
      wamp_value_list_append (default_authmethods, wamp_value_new_string ("anonymous"));
      authmethods = default_authmethods;
    }
  if (wamp_value_get_value_type (authmethods) != WAMP_VALUE_LIST)
    {
      protocol_violation (self, "HELLO.Details.authmethods must be a list of strings");
      return;
    }
  for (gsize i = 0; i < wamp_value_list_length (authmethods); i++)
    {
      WampValue *item = wamp_value_list_get (authmethods, i);

      if (!wamp_value_is_plain_string (item))
        {
          protocol_violation (self, "HELLO.Details.authmethods must be a list of strings");
          return;
        }
      if (authenticator == NULL)
        {
          authmethod = wamp_value_get_string (item, NULL);
          authenticator = wamp_router_get_authenticator (self->router, self->transport, authmethod);
        }
    }
  if (authenticator == NULL)
    {
      abort_session (self, wamp_error_code_to_uri (WAMP_ERROR_NO_MATCHING_AUTH_METHOD),
                     "none of HELLO.Details.authmethods is offered on this transport");
      return;
    }

  self->state = WAMP_SESSION_STATE_AUTHENTICATING;
  self->id = wamp_router_reserve_session_id (self->router);
  self->realm = g_object_ref (realm);
  self->hello_details = wamp_value_ref (details);
  self->authmethod = g_intern_string (authmethod);
  self->authenticator = g_object_ref (authenticator);
  self->auth_cancellable = g_cancellable_new ();
  transport_details = wamp_connection_get_transport_details (self->connection);
  self->auth_request = wamp_auth_request_new (self->id, realm_name, authmethod, details,
                                              transport_details,
                                              wamp_connection_get_peer_certificate (self->connection));
  wamp_authenticator_challenge_async (self->authenticator, self->auth_request, self->auth_cancellable,
                                      challenge_done_cb, auth_call_data_new (self));
}

/* ---- dispatch --------------------------------------------------------------- */

static void
handle_before_welcome (WampSession *self, WampMessage *message, WampMessageType type)
{
  if (type == WAMP_MESSAGE_ABORT)
    close_silently (self, "client aborted");
  else if (type == WAMP_MESSAGE_HELLO && self->state == WAMP_SESSION_STATE_CLOSED)
    handle_hello (self, message);
  else if (type == WAMP_MESSAGE_AUTHENTICATE && self->challenge_pending)
    handle_authenticate (self, message);
  else if (type == WAMP_MESSAGE_AUTHENTICATE)
    protocol_violation (self, "Received AUTHENTICATE without a pending CHALLENGE.");
  else
    protocol_violation (self, "Received %s message before session was established.",
                        wamp_message_type_to_string (type));
}

/* The spec's sequential request IDs, when the realm asks for them. Progressive
 * call invocations repeat their CALL's ID. */
static gboolean
check_request_id (WampSession *self, WampMessage *message, WampMessageType type)
{
  guint64 id = wamp_message_get_request_id (message);
  gboolean progress;

  if (type == WAMP_MESSAGE_CALL && id != 0 && id == self->progressive_call_id)
    {
      if (!wamp_value_dict_get_bool (wamp_message_get_details (message), "progress", FALSE))
        self->progressive_call_id = 0;
      return TRUE;
    }
  if (id != self->last_client_request_id + 1)
    {
      protocol_violation (self, "Request ID %" G_GUINT64_FORMAT " of %s is not sequential (expected %"
                          G_GUINT64_FORMAT ").", id, wamp_message_type_to_string (type),
                          self->last_client_request_id + 1);
      return FALSE;
    }
  self->last_client_request_id = id;
  progress = type == WAMP_MESSAGE_CALL
             && wamp_value_dict_get_bool (wamp_message_get_details (message), "progress", FALSE);
  if (progress)
    self->progressive_call_id = id;
  return TRUE;
}

static void
handle_established (WampSession *self, WampMessage *message, WampMessageType type)
{
  WampRole *role;

  switch (type)
    {
    case WAMP_MESSAGE_HELLO:
    case WAMP_MESSAGE_WELCOME:
    case WAMP_MESSAGE_CHALLENGE:
    case WAMP_MESSAGE_AUTHENTICATE:
    case WAMP_MESSAGE_PUBLISHED:
    case WAMP_MESSAGE_SUBSCRIBED:
    case WAMP_MESSAGE_UNSUBSCRIBED:
    case WAMP_MESSAGE_EVENT:
    case WAMP_MESSAGE_RESULT:
    case WAMP_MESSAGE_REGISTERED:
    case WAMP_MESSAGE_UNREGISTERED:
    case WAMP_MESSAGE_INVOCATION:
    case WAMP_MESSAGE_INTERRUPT:
      protocol_violation (self, "Received %s message after session was established.",
                          wamp_message_type_to_string (type));
      return;

    case WAMP_MESSAGE_ABORT:
      close_silently (self, "client aborted");
      return;

    case WAMP_MESSAGE_GOODBYE:
      {
        g_autoptr (WampMessage) reply =
          wamp_message_new_goodbye (NULL, wamp_error_code_to_uri (WAMP_ERROR_GOODBYE_AND_OUT));

        send_message (self, reply);
        end_session (self, WAMP_SESSION_STATE_CLOSED, wamp_message_get_uri (message));
        return;
      }

    case WAMP_MESSAGE_ERROR:
      if (wamp_message_get_request_type (message) != WAMP_MESSAGE_INVOCATION)
        {
          const char *request = wamp_message_type_to_string (wamp_message_get_request_type (message));

          protocol_violation (self, "Received ERROR for a %s request; only INVOCATION errors are expected.",
                              request != NULL ? request : "unknown");
          return;
        }
      break;

    case WAMP_MESSAGE_SUBSCRIBE:
    case WAMP_MESSAGE_UNSUBSCRIBE:
    case WAMP_MESSAGE_PUBLISH:
    case WAMP_MESSAGE_REGISTER:
    case WAMP_MESSAGE_UNREGISTER:
    case WAMP_MESSAGE_CALL:
      if (wamp_realm_get_strict_request_ids (self->realm) && !check_request_id (self, message, type))
        return;
      break;

    case WAMP_MESSAGE_CANCEL:
    case WAMP_MESSAGE_YIELD:
    default:
      break;
    }

  role = wamp_realm_get_role_for_type (self->realm, type);
  if (role == NULL)
    {
      protocol_violation (self, "No router role of realm \"%s\" handles %s messages.",
                          wamp_realm_get_name (self->realm), wamp_message_type_to_string (type));
      return;
    }
  wamp_role_handle_message (role, self, message);
}

static void
finish_goodbye (WampSession *self)
{
  cancel_goodbye_timer (self);
  self->state = WAMP_SESSION_STATE_CLOSED;
  if (self->close_after_goodbye)
    close_connection (self, WAMP_CLOSE_NORMAL, NULL);
}

/* A frame of the session's own (@frame) or lent for the call only (@frame
 * NULL, @data): the message copies what it keeps of the latter. */
static void
receive_frame (gpointer owner, GBytes *frame, const guint8 *data, gsize len)
{
  g_autoptr (WampSession) self = g_object_ref (owner);
  g_autoptr (WampMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  WampMessageType type;

  if (self->closing || self->state == WAMP_SESSION_STATE_DISCONNECTED)
    return;

  if (self->router != NULL)
    wamp_router_count_in (self->router, len);
  if (frame != NULL)
    message = wamp_serializer_deserialize (self->serializer, frame, &error);
  else
    message = wamp_serializer_deserialize_data (self->serializer, data, len, &error);
  if (message == NULL)
    {
      if (self->state != WAMP_SESSION_STATE_SHUTTING_DOWN)
        protocol_violation (self, "%s", error->message);
      return;
    }
  type = wamp_message_get_message_type (message);
  if (self->router != NULL)
    wamp_router_count_message_in (self->router, type);

  switch (self->state)
    {
    case WAMP_SESSION_STATE_CLOSED:
    case WAMP_SESSION_STATE_AUTHENTICATING:
      handle_before_welcome (self, message, type);
      break;
    case WAMP_SESSION_STATE_ESTABLISHED:
      handle_established (self, message, type);
      break;
    case WAMP_SESSION_STATE_SHUTTING_DOWN:
      if (type == WAMP_MESSAGE_GOODBYE)
        finish_goodbye (self);
      break;
    case WAMP_SESSION_STATE_DISCONNECTED:
    default:
      break;
    }
}

static void
on_frame_received (gpointer owner, WampConnection *connection, GBytes *frame)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  receive_frame (owner, frame, data, len);
}

static void
on_frame_received_data (gpointer owner, WampConnection *connection, const guint8 *data, gsize len)
{
  receive_frame (owner, NULL, data, len);
}

static void
on_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  g_autoptr (WampSession) self = g_object_ref (owner);

  if (self->state == WAMP_SESSION_STATE_DISCONNECTED)
    return;
  cancel_goodbye_timer (self);
  end_session (self, WAMP_SESSION_STATE_DISCONNECTED, "connection closed");
  self->closing = TRUE;
  wamp_connection_set_sink (self->connection, NULL, NULL);
  g_debug ("connection %s closed (%d %s)", wamp_connection_get_peer (connection), code, reason ? reason : "");
  if (self->router != NULL)
    wamp_router_session_disconnected (self->router, self);
}

static void
goodbye_timeout_cb (WampReactor *reactor, gpointer user_data)
{
  g_autoptr (WampSession) self = g_object_ref (user_data);

  self->goodbye_timer = NULL;
  g_debug ("%s did not answer GOODBYE in time", wamp_connection_get_peer (self->connection));
  self->state = WAMP_SESSION_STATE_CLOSED;
  if (self->close_after_goodbye)
    close_connection (self, WAMP_CLOSE_GOING_AWAY, "no GOODBYE reply");
}

/* ---- object ---------------------------------------------------------------- */

static void
wamp_session_dispose (GObject *object)
{
  WampSession *self = WAMP_SESSION (object);

  cancel_goodbye_timer (self);
  cancel_join_timer (self);
  cancel_auth (self);
  if (self->connection != NULL && self->state != WAMP_SESSION_STATE_DISCONNECTED)
    {
      wamp_connection_set_sink (self->connection, NULL, NULL);
      self->state = WAMP_SESSION_STATE_DISCONNECTED;
    }
  G_OBJECT_CLASS (wamp_session_parent_class)->dispose (object);
}

static void
wamp_session_finalize (GObject *object)
{
  WampSession *self = WAMP_SESSION (object);

  g_clear_object (&self->realm);
  g_free (self->authid);
  g_free (self->authprovider);
  clear_hello_details (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->transport);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (wamp_session_parent_class)->finalize (object);
}

static void
wamp_session_class_init (WampSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_session_dispose;
  object_class->finalize = wamp_session_finalize;
}

static void
wamp_session_init (WampSession *self)
{
  self->state = WAMP_SESSION_STATE_CLOSED;
}

WampSession *
wamp_session_new (WampRouter *router, WampTransport *transport, WampConnection *connection)
{
  WampSession *self;

  g_return_val_if_fail (WAMP_IS_ROUTER (router), NULL);
  g_return_val_if_fail (WAMP_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (WAMP_IS_CONNECTION (connection), NULL);

  self = g_object_new (WAMP_TYPE_SESSION, NULL);
  self->router = router;
  self->reactor = g_object_ref (wamp_router_get_reactor (router));
  self->transport = g_object_ref (transport);
  self->connection = g_object_ref (connection);
  self->serializer = wamp_connection_get_serializer (connection);
  wamp_connection_set_sink (connection, &session_sink_funcs, self);
  start_join_timer (self);
  g_debug ("connection from %s accepted", wamp_connection_get_peer (connection));
  return self;
}

WampSessionState
wamp_session_get_state (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), WAMP_SESSION_STATE_DISCONNECTED);
  return self->state;
}

guint64
wamp_session_get_id (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), 0);
  return self->joined ? self->id : 0;
}

WampRealm *
wamp_session_get_realm (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->joined ? self->realm : NULL;
}

const char *
wamp_session_get_authid (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->authid;
}

const char *
wamp_session_get_authrole (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->authrole;
}

const char *
wamp_session_get_authmethod (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->joined ? self->authmethod : NULL;
}

const char *
wamp_session_get_authprovider (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->authprovider;
}

WampValue *
wamp_session_get_hello_details (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->hello_details;
}

WampConnection *
wamp_session_get_connection (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);
  return self->connection;
}

gboolean
wamp_session_has_feature (WampSession *self, const char *role, const char *feature)
{
  WampValue *v;

  g_return_val_if_fail (WAMP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (role != NULL && feature != NULL, FALSE);

  if (self->hello_details == NULL)
    return FALSE;
  v = wamp_value_dict_lookup (self->hello_details, "roles");
  if (v == NULL || wamp_value_get_value_type (v) != WAMP_VALUE_DICT)
    return FALSE;
  v = wamp_value_dict_lookup (v, role);
  if (v == NULL || wamp_value_get_value_type (v) != WAMP_VALUE_DICT)
    return FALSE;
  v = wamp_value_dict_lookup (v, "features");
  if (v == NULL || wamp_value_get_value_type (v) != WAMP_VALUE_DICT)
    return FALSE;
  return wamp_value_dict_get_bool (v, feature, FALSE);
}

guint64
wamp_session_next_request_id (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), 0);
  return wamp_id_next (&self->router_request_counter);
}

gboolean
wamp_session_send (WampSession *self, WampMessage *message, GError **error)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != WAMP_SESSION_STATE_ESTABLISHED || self->closing)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT, "the session is not established");
      return FALSE;
    }
  return send_counted (self, message, error);
}

void
wamp_session_send_error (WampSession     *self,
                         WampMessageType  request_type,
                         guint64          request_id,
                         const char      *error_uri,
                         const char      *text)
{
  g_autoptr (WampPayload) payload = NULL;
  g_autoptr (WampMessage) message = NULL;

  g_return_if_fail (WAMP_IS_SESSION (self));
  g_return_if_fail (error_uri != NULL);

  if (text != NULL)
    {
      g_autoptr (WampValue) args = wamp_value_new_list (1);

      wamp_value_list_append (args, wamp_value_new_string (text));
      payload = wamp_payload_new (args, NULL);
    }
  message = wamp_message_new_error (request_type, request_id, NULL, error_uri, payload);
  wamp_session_send (self, message, NULL);
}

void
wamp_session_abort (WampSession *self, const char *reason, const char *text)
{
  g_autoptr (WampSession) hold = NULL;

  g_return_if_fail (WAMP_IS_SESSION (self));
  g_return_if_fail (reason != NULL);

  hold = g_object_ref (self);
  abort_session (self, reason, text);
}

void
wamp_session_goodbye (WampSession *self, const char *reason, const char *text, gboolean close_connection_after)
{
  g_autoptr (WampSession) hold = NULL;
  g_autoptr (WampValue) details = NULL;
  g_autoptr (WampMessage) goodbye = NULL;

  g_return_if_fail (WAMP_IS_SESSION (self));
  g_return_if_fail (reason != NULL);

  hold = g_object_ref (self);
  if (self->state != WAMP_SESSION_STATE_ESTABLISHED || self->closing)
    {
      if (close_connection_after)
        close_connection (self, WAMP_CLOSE_GOING_AWAY, reason);
      return;
    }
  details = message_details (text);
  goodbye = wamp_message_new_goodbye (details, reason);
  send_message (self, goodbye);
  end_session (self, WAMP_SESSION_STATE_SHUTTING_DOWN, reason);
  self->close_after_goodbye = close_connection_after;
  if (!self->closing && self->state == WAMP_SESSION_STATE_SHUTTING_DOWN)
    self->goodbye_timer = wamp_reactor_add_timer (self->reactor, GOODBYE_TIMEOUT_MS, goodbye_timeout_cb, self);
}

gint64
wamp_session_get_join_time (WampSession *self)
{
  g_return_val_if_fail (WAMP_IS_SESSION (self), 0);
  return self->joined ? self->join_time : 0;
}

static WampValue *
string_or_null (const char *text)
{
  return text != NULL ? wamp_value_new_string (text) : wamp_value_new_null ();
}

WampValue *
wamp_session_get_info (WampSession *self)
{
  WampValue *info;
  WampValue *roles;
  const char *transport_name = NULL;

  g_return_val_if_fail (WAMP_IS_SESSION (self), NULL);

  if (!self->joined)
    return NULL;
  if (self->router != NULL)
    transport_name = wamp_router_get_transport_name (self->router, self->transport);
  roles = self->hello_details != NULL ? wamp_value_dict_lookup (self->hello_details, "roles") : NULL;

  info = wamp_value_new_dict (12);
  wamp_value_dict_insert (info, "session", wamp_value_new_uint (self->id));
  wamp_value_dict_insert (info, "realm", wamp_value_new_string (wamp_realm_get_name (self->realm)));
  wamp_value_dict_insert (info, "authid", string_or_null (self->authid));
  wamp_value_dict_insert (info, "authrole", string_or_null (self->authrole));
  wamp_value_dict_insert (info, "authmethod", string_or_null (self->authmethod));
  wamp_value_dict_insert (info, "authprovider", string_or_null (self->authprovider));
  wamp_value_dict_insert (info, "peer", string_or_null (wamp_connection_get_peer (self->connection)));
  wamp_value_dict_insert (info, "transport", string_or_null (transport_name));
  wamp_value_dict_insert (info, "transport_details", wamp_connection_get_transport_details (self->connection));
  wamp_value_dict_insert (info, "serializer",
                          string_or_null (self->serializer != NULL ? wamp_serializer_get_name (self->serializer) : NULL));
  wamp_value_dict_insert (info, "roles", roles != NULL ? wamp_value_ref (roles) : wamp_value_new_dict (0));
  wamp_value_dict_insert (info, "joined", wamp_value_new_int (self->join_time));
  return info;
}

/* ---- private ---------------------------------------------------------------- */

WampTransport *
wamp_session_get_transport (WampSession *self)
{
  return self->transport;
}

void
wamp_session_detach (WampSession *self)
{
  g_autoptr (WampSession) hold G_GNUC_UNUSED = g_object_ref (self);

  cancel_goodbye_timer (self);
  cancel_join_timer (self);
  if (self->state != WAMP_SESSION_STATE_DISCONNECTED)
    {
      end_session (self, WAMP_SESSION_STATE_DISCONNECTED, "router going away");
      wamp_connection_set_sink (self->connection, NULL, NULL);
      close_connection (self, WAMP_CLOSE_GOING_AWAY, "router going away");
    }
  self->router = NULL;
}

WampRealm *
wamp_session_get_joining_realm (WampSession *self)
{
  return self->state == WAMP_SESSION_STATE_AUTHENTICATING ? self->realm : NULL;
}
