/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampDealer: routes CALL to the callee of a procedure (exact match) and its
 * answer back, with canceling, timeouts and progressive results. */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-dealer.h"
#include "wamp-id-table.h"

/* The URIs come from libwampcore's one table (wamp-error.h). */
#define ERROR_INVALID_URI wamp_error_code_to_uri (WAMP_ERROR_INVALID_URI)
#define ERROR_INVALID_ARGUMENT wamp_error_code_to_uri (WAMP_ERROR_INVALID_ARGUMENT)
#define ERROR_NOT_AUTHORIZED wamp_error_code_to_uri (WAMP_ERROR_NOT_AUTHORIZED)
#define ERROR_NO_SUCH_PROCEDURE wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_PROCEDURE)
#define ERROR_PROCEDURE_ALREADY_EXISTS wamp_error_code_to_uri (WAMP_ERROR_PROCEDURE_ALREADY_EXISTS)
#define ERROR_POLICY_CONFLICT "wamp.error.procedure_exists_with_different_invocation_policy"
#define ERROR_NO_SUCH_REGISTRATION wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_REGISTRATION)
#define ERROR_DISCLOSE_ME wamp_error_code_to_uri (WAMP_ERROR_OPTION_DISALLOWED_DISCLOSE_ME)
#define ERROR_CANCELED wamp_error_code_to_uri (WAMP_ERROR_CANCELED)
#define ERROR_TIMEOUT wamp_error_code_to_uri (WAMP_ERROR_TIMEOUT)
#define ERROR_UNAVAILABLE wamp_error_code_to_uri (WAMP_ERROR_UNAVAILABLE)
#define PROTOCOL_VIOLATION wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION)

typedef enum {
  INVOKE_SINGLE,
  INVOKE_ROUNDROBIN,
  INVOKE_RANDOM,
  INVOKE_FIRST,
  INVOKE_LAST,
} InvokePolicy;

static const char *const invoke_names[] = { "single", "roundrobin", "random", "first", "last" };

typedef enum {
  CANCEL_SKIP,
  CANCEL_KILL,
  CANCEL_KILLNOWAIT,
} CancelMode;

typedef struct _DealerSession DealerSession;

typedef struct {
  guint64 id;
  char *procedure;
  InvokePolicy invoke;
  GPtrArray *callees;        /* DealerSession*, not owned, in registration order */
  guint cursor;              /* next callee for roundrobin */
  gboolean disclose_caller;  /* REGISTER.Options.disclose_caller of the first callee */
  gint64 created;            /* g_get_real_time(), for the admin API */
  /* The realm's checks of a CALL here (URI valid, call allowed, disclosure)
   * for the last caller's authrole: spares the permission lookups per call. */
  WampRealmCheckMemo checked;
} Registration;

/* One routed call, between its CALL and the callee's final answer. */
typedef struct _Invocation Invocation;
struct _Invocation {
  WampDealer *dealer;
  WampSession *caller;       /* not owned: unlinked in session_leaving */
  WampSession *callee;
  DealerSession *caller_ds;  /* their entries, which outlive the invocation */
  DealerSession *callee_ds;
  guint64 call_id;           /* key in the caller's calls */
  guint64 invocation_id;     /* key in the callee's invocations */
  gboolean receive_progress;
  gboolean kill_sent;        /* CANCEL mode kill: INTERRUPT sent, callee answers */
  WampReactor *reactor;      /* of @timer */
  WampReactorTimer *timer;   /* call timeout, NULL when none or fired */
  Invocation *next_spare;    /* in the dealer's spares, once the call is over */
};

/* What the dealer knows of one session; made on its first dealer message. */
struct _DealerSession {
  WampSession *session;      /* not owned: the entry goes in session_leaving */
  GHashTable *registrations; /* Registration* set */
  WampIdTable calls;         /* call ID -> Invocation*, as caller */
  WampIdTable invocations;   /* invocation ID -> Invocation*, as callee */
  guint64 last_invocation_id;
  guint64 session_id;        /* wamp_session_get_id (session), kept for log lines */
  /* The registration this session called last, valid while no registration
   * has gone since (@last_called_epoch == WampDealer.n_unregistered): a
   * caller calling one procedure again compares the URI instead of hashing
   * it. */
  Registration *last_called;
  guint last_called_epoch;
  /* The realm's checks of a CALL to @last_called passed under settings
   * @checked_serial (0: not checked), with disclosure @checked_disclose: the
   * session's authrole is fixed while it is in the realm, so a caller calling
   * one procedure again asks the realm nothing. */
  guint64 checked_serial;
  gboolean checked_disclose;
};

struct _WampDealer
{
  GObject parent_instance;

  WampRealm *realm;          /* not owned: the realm owns us */
  gboolean disclose_by_permission_only;

  GHashTable *by_procedure;  /* procedure (owned by the registration) -> Registration* */
  GHashTable *by_id;         /* &Registration.id -> Registration* (owns) */
  /* The session's address -> DealerSession* (owns): a lookup per CALL and
   * per YIELD, several times cheaper in a WampIdTable than in a GHashTable. */
  WampIdTable sessions;
  guint n_left;              /* sessions that left so far: a send may make one leave */
  guint n_unregistered;      /* registrations gone so far: DealerSession.last_called */
  /* Records of finished calls, reused: a call then costs no malloc and no
   * free. Bounded, so a burst of calls does not stay pinned. */
  Invocation *spares;
  guint n_spares;
};

#define MAX_SPARE_INVOCATIONS 256

static void wamp_dealer_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampDealer, wamp_dealer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, wamp_dealer_role_iface_init))

static const WampMessageType dealer_message_types[] = {
  WAMP_MESSAGE_CALL,
  WAMP_MESSAGE_CANCEL,
  WAMP_MESSAGE_REGISTER,
  WAMP_MESSAGE_UNREGISTER,
  WAMP_MESSAGE_YIELD,
  WAMP_MESSAGE_ERROR,
};

/* Messages to send once the dealer's tables are consistent again: a send may
 * make its receiver leave the realm (queue-bound policy), which re-enters
 * session_leaving. */
typedef struct {
  WampSession *target;
  WampMessage *message;
} Outgoing;

static void
outgoing_free (Outgoing *out)
{
  g_object_unref (out->target);
  wamp_message_unref (out->message);
  g_free (out);
}

/* @message: (transfer full) */
static void
outbox_add (GPtrArray   *outbox,
            WampSession *target,
            WampMessage *message)
{
  Outgoing *out = g_new (Outgoing, 1);

  out->target = g_object_ref (target);
  out->message = message;
  g_ptr_array_add (outbox, out);
}

static GPtrArray *
outbox_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) outgoing_free);
}

static void
outbox_flush (GPtrArray *outbox)
{
  guint i;

  for (i = 0; i < outbox->len; i++)
    {
      Outgoing *out = g_ptr_array_index (outbox, i);
      g_autoptr(GError) error = NULL;

      if (!wamp_session_send (out->target, out->message, &error))
        g_debug ("%s not sent to session %" G_GUINT64_FORMAT ": %s",
                 wamp_message_type_to_string (wamp_message_get_message_type (out->message)),
                 wamp_session_get_id (out->target), error ? error->message : "?");
    }
}

static WampMessage *
canceled_error_new (guint64     call_id,
                    const char *uri)
{
  return wamp_message_new_error (WAMP_MESSAGE_CALL, call_id, NULL, uri, NULL);
}

static WampMessage *
interrupt_new (guint64     invocation_id,
               const char *mode,
               const char *reason)
{
  g_autoptr(WampValue) options = wamp_value_new_dict (2);

  wamp_value_dict_insert (options, "mode", wamp_value_new_string (mode));
  if (reason != NULL)
    wamp_value_dict_insert (options, "reason", wamp_value_new_string (reason));
  return wamp_message_new_interrupt (invocation_id, options);
}

static gboolean
callee_cancels (WampSession *callee)
{
  return wamp_session_has_feature (callee, "callee", "call_canceling");
}

static void
registration_free (Registration *reg)
{
  g_ptr_array_unref (reg->callees);
  g_free (reg->procedure);
  g_free (reg);
}

static void
dealer_session_free (DealerSession *ds)
{
  g_hash_table_unref (ds->registrations);
  wamp_id_table_clear (&ds->calls);
  wamp_id_table_clear (&ds->invocations);
  g_free (ds);
}

static inline guint64
session_key (WampSession *session)
{
  return GPOINTER_TO_SIZE (session);
}

static DealerSession *
dealer_session_lookup (WampDealer  *self,
                       WampSession *session)
{
  return wamp_id_table_lookup (&self->sessions, session_key (session));
}

/* A session's first dealer message: out of line, the rest find their entry. */
static G_GNUC_NO_INLINE DealerSession *
wamp_dealer_add_session (WampDealer  *self,
                         WampSession *session)
{
  DealerSession *ds = g_new0 (DealerSession, 1);

  ds->session = session;
  ds->session_id = wamp_session_get_id (session);
  ds->registrations = g_hash_table_new (g_direct_hash, g_direct_equal);
  wamp_id_table_insert (&self->sessions, session_key (session), ds);
  return ds;
}

static inline DealerSession *
wamp_dealer_ensure_session (WampDealer  *self,
                            WampSession *session)
{
  DealerSession *ds = dealer_session_lookup (self, session);

  if (G_UNLIKELY (ds == NULL))
    ds = wamp_dealer_add_session (self, session);
  return ds;
}

/* Removes @inv from the caller's table, stops its timer and frees it: the
 * callee's table no longer has it. */
static void
wamp_dealer_unlink_taken (WampDealer *self,
                          Invocation *inv)
{
  wamp_id_table_remove (&inv->caller_ds->calls, inv->call_id);
  if (inv->timer != NULL)
    wamp_reactor_cancel_timer (inv->reactor, inv->timer);
  if (self->n_spares < MAX_SPARE_INVOCATIONS)
    {
      inv->next_spare = self->spares;
      self->spares = inv;
      self->n_spares++;
    }
  else
    g_free (inv);
}

/* Returns: an uninitialized record, a spare one when there is. */
static Invocation *
wamp_dealer_alloc_invocation (WampDealer *self)
{
  Invocation *inv = self->spares;

  if (inv == NULL)
    return g_new (Invocation, 1);
  self->spares = inv->next_spare;
  self->n_spares--;
  return inv;
}

/* Removes @inv from both sides' tables, stops its timer and frees it. */
static void
wamp_dealer_unlink (WampDealer *self,
                    Invocation *inv)
{
  wamp_id_table_remove (&inv->callee_ds->invocations, inv->invocation_id);
  wamp_dealer_unlink_taken (self, inv);
}

static void
wamp_dealer_free_spares (WampDealer *self)
{
  while (self->spares != NULL)
    {
      Invocation *inv = self->spares;

      self->spares = inv->next_spare;
      g_free (inv);
    }
  self->n_spares = 0;
}

/* Drops @session as a callee of @reg, and @reg once it has none left. */
static void
wamp_dealer_drop_callee (WampDealer    *self,
                         Registration  *reg,
                         DealerSession *ds)
{
  g_ptr_array_remove (reg->callees, ds);
  if (reg->callees->len == 0)
    {
      g_hash_table_remove (self->by_procedure, reg->procedure);
      g_hash_table_remove (self->by_id, &reg->id);
      self->n_unregistered++;
    }
  else if (reg->cursor >= reg->callees->len)
    reg->cursor = 0;
}

static DealerSession *
registration_pick_callee (Registration *reg)
{
  guint n = reg->callees->len;
  guint i = 0;

  switch (reg->invoke)
    {
    case INVOKE_SINGLE:
    case INVOKE_FIRST:
      i = 0;
      break;
    case INVOKE_LAST:
      i = n - 1;
      break;
    case INVOKE_ROUNDROBIN:
      i = reg->cursor % n;
      reg->cursor = (i + 1) % n;
      break;
    case INVOKE_RANDOM:
      i = (guint) g_random_int_range (0, (gint32) n);
      break;
    }
  return g_ptr_array_index (reg->callees, i);
}

/* The call timed out (call_timeout feature): the caller gets
 * wamp.error.timeout and a canceling callee an INTERRUPT. */
static void
invocation_timeout_cb (WampReactor *reactor,
                       gpointer     user_data)
{
  Invocation *inv = user_data;
  WampDealer *self = inv->dealer;
  g_autoptr(GPtrArray) outbox = outbox_new ();

  inv->timer = NULL;
  outbox_add (outbox, inv->caller, canceled_error_new (inv->call_id, ERROR_TIMEOUT));
  if (!inv->kill_sent && callee_cancels (inv->callee))
    outbox_add (outbox, inv->callee, interrupt_new (inv->invocation_id, "killnowait", ERROR_TIMEOUT));
  wamp_dealer_unlink (self, inv);
  outbox_flush (outbox);
}

/* Whether @caller may call @procedure, and whether the permission discloses
 * the caller: the realm's answers in the error order the spec gives
 * (invalid URI, then not authorized, then no such procedure), sending the
 * error. @reg remembers a success for the caller's authrole until the
 * realm's settings change, so the next CALL costs no lookups. */
static gboolean
wamp_dealer_check_call (WampDealer    *self,
                        DealerSession *cs,
                        WampSession   *caller,
                        guint64        call_id,
                        const char    *procedure,
                        Registration  *reg,
                        gboolean      *disclose_permitted)
{
  guint64 serial = wamp_realm_get_settings_serial (self->realm);

  /* @reg is cs->last_called (wamp_dealer_lookup_called). */
  if (reg != NULL && cs->checked_serial == serial)
    {
      *disclose_permitted = cs->checked_disclose;
      return TRUE;
    }
  if (reg != NULL &&
      wamp_realm_check_memo_holds (self->realm, &reg->checked, caller, disclose_permitted))
    goto passed;

  if (!wamp_realm_check_uri (self->realm, procedure, WAMP_URI_FLAGS_NONE))
    {
      g_autofree char *text = g_strdup_printf ("call with invalid procedure URI '%s'", procedure);
      wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_INVALID_URI, text);
      return FALSE;
    }
  if (!wamp_realm_authorize (self->realm, caller, WAMP_ACTION_CALL, procedure))
    {
      g_autofree char *text = g_strdup_printf ("session is not authorized to call procedure '%s'",
                                               procedure);
      wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_NOT_AUTHORIZED, text);
      return FALSE;
    }
  if (reg == NULL)
    {
      g_autofree char *text = g_strdup_printf ("no callee registered for procedure '%s'", procedure);
      wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_NO_SUCH_PROCEDURE, text);
      return FALSE;
    }
  *disclose_permitted = wamp_realm_get_disclose (self->realm, caller, WAMP_ACTION_CALL, procedure);
  wamp_realm_check_memo_store (self->realm, &reg->checked, caller, *disclose_permitted);
passed:
  cs->checked_serial = serial;
  cs->checked_disclose = *disclose_permitted;
  return TRUE;
}

/* The registration of @procedure, or NULL; remembered for the caller @cs. */
static Registration *
wamp_dealer_lookup_called (WampDealer    *self,
                           DealerSession *cs,
                           const char    *procedure)
{
  Registration *reg;

  if (cs->last_called != NULL && cs->last_called_epoch == self->n_unregistered
      && strcmp (cs->last_called->procedure, procedure) == 0)
    return cs->last_called;
  reg = g_hash_table_lookup (self->by_procedure, procedure);
  cs->last_called = reg;
  cs->last_called_epoch = self->n_unregistered;
  cs->checked_serial = 0;
  return reg;
}

static void
wamp_dealer_handle_call (WampDealer  *self,
                         WampSession *caller,
                         WampMessage *message)
{
  guint64 call_id = wamp_message_get_request_id (message);
  const char *procedure = wamp_message_get_uri (message);
  WampValue *options = wamp_message_get_details (message);
  gboolean disclose_me = FALSE;
  gboolean receive_progress = FALSE;
  guint64 timeout = 0;
  g_autoptr(WampValue) details = NULL;
  g_autoptr(WampMessage) invocation = NULL;
  g_autoptr(GError) error = NULL;
  WampSession *callee;
  DealerSession *cs, *ce;
  Registration *reg;
  gboolean disclose, disclose_permitted;
  guint64 invocation_id, registration_id, callee_id;
  guint n_left;
  Invocation *inv;

  /* Most calls come without options: no lookups then. */
  if (wamp_value_dict_size (options) > 0)
    {
      disclose_me = wamp_value_dict_get_bool (options, "disclose_me", FALSE);
      receive_progress = wamp_value_dict_get_bool (options, "receive_progress", FALSE);
      timeout = wamp_value_dict_get_unsigned (options, "timeout", 0);
    }

  cs = wamp_dealer_ensure_session (self, caller);
  if (wamp_id_table_lookup (&cs->calls, call_id) != NULL)
    {
      g_autofree char *text = g_strdup_printf ("CALL request ID %" G_GUINT64_FORMAT
                                               " is already pending", call_id);
      wamp_session_abort (caller, PROTOCOL_VIOLATION, text);
      return;
    }
  reg = wamp_dealer_lookup_called (self, cs, procedure);
  if (!wamp_dealer_check_call (self, cs, caller, call_id, procedure, reg, &disclose_permitted))
    return;

  if (self->disclose_by_permission_only)
    disclose = disclose_permitted;
  else if (disclose_me && !disclose_permitted)
    {
      wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_DISCLOSE_ME,
                               "caller disclosure is not allowed for this procedure");
      return;
    }
  else
    disclose = disclose_permitted && (disclose_me || reg->disclose_caller);

  ce = registration_pick_callee (reg);
  callee = ce->session;
  callee_id = ce->session_id;
  registration_id = reg->id;
  receive_progress = receive_progress
                     && wamp_session_has_feature (callee, "callee", "progressive_call_results");

  /* Without either, NULL: the message's shared empty dict. */
  if (disclose || receive_progress)
    details = wamp_value_new_dict (4);
  if (disclose)
    {
      const char *authid = wamp_session_get_authid (caller);
      const char *authrole = wamp_session_get_authrole (caller);

      wamp_value_dict_insert (details, "caller", wamp_value_new_uint (wamp_session_get_id (caller)));
      if (authid != NULL)
        wamp_value_dict_insert (details, "caller_authid", wamp_value_new_string (authid));
      if (authrole != NULL)
        wamp_value_dict_insert (details, "caller_authrole", wamp_value_new_string (authrole));
    }
  if (receive_progress)
    wamp_value_dict_insert (details, "receive_progress", wamp_value_new_bool (TRUE));

  invocation_id = wamp_session_next_request_id (callee);
  ce->last_invocation_id = MAX (ce->last_invocation_id, invocation_id);
  invocation = wamp_message_new_invocation (invocation_id, registration_id, details,
                                            wamp_message_get_payload (message));
  /* The send may make the callee leave (a failing transport) and even free
   * it: after it, @callee is only compared, never used, unless it is still
   * here. (The caller's message handler holds the caller.) */
  n_left = self->n_left;
  if (!wamp_session_send (callee, invocation, &error))
    {
      const char *uri = wamp_error_get_undeliverable_uri (error);

      g_message ("INVOCATION of %s for call %" G_GUINT64_FORMAT " of session %" G_GUINT64_FORMAT
                 " not delivered to callee session %" G_GUINT64_FORMAT ": %s",
                 procedure, call_id, wamp_session_get_id (caller), callee_id,
                 error != NULL ? error->message : "?");
      if (uri != NULL)
        wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, uri, error->message);
      else
        wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_UNAVAILABLE,
                                 "the callee could not be reached");
      return;
    }

  /* Link the call only when both sides are still here. */
  if (self->n_left != n_left)
    {
      cs = dealer_session_lookup (self, caller);
      ce = dealer_session_lookup (self, callee);
      if (ce == NULL)
        {
          wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, ERROR_CANCELED, NULL);
          return;
        }
      if (cs == NULL)
        return;
    }

  inv = wamp_dealer_alloc_invocation (self);
  /* Every field but next_spare, which only a spare uses. */
  inv->dealer = self;
  inv->caller = caller;
  inv->callee = callee;
  inv->caller_ds = cs;
  inv->callee_ds = ce;
  inv->call_id = call_id;
  inv->invocation_id = invocation_id;
  inv->receive_progress = receive_progress;
  inv->kill_sent = FALSE;
  inv->reactor = NULL;
  inv->timer = NULL;
  wamp_id_table_insert (&cs->calls, call_id, inv);
  wamp_id_table_insert (&ce->invocations, invocation_id, inv);

  if (timeout > 0)
    {
      WampRouter *router = wamp_realm_get_router (self->realm);
      WampReactor *reactor = router != NULL ? wamp_router_get_reactor (router) : NULL;

      inv->reactor = reactor;
      if (reactor != NULL)
        inv->timer = wamp_reactor_add_timer (reactor, (guint) MIN (timeout, G_MAXUINT),
                                             invocation_timeout_cb, inv);
    }
}

/* wamp_dealer_lookup_invocation() found nothing: aborts @callee or logs. */
static G_GNUC_NO_INLINE Invocation *
wamp_dealer_no_invocation (WampSession     *callee,
                           DealerSession   *ds,
                           guint64          invocation_id,
                           WampMessageType  type)
{
  if (ds == NULL || invocation_id == 0 || invocation_id > ds->last_invocation_id)
    {
      g_autofree char *text = g_strdup_printf ("%s for INVOCATION request ID %" G_GUINT64_FORMAT
                                               " that was never issued",
                                               wamp_message_type_to_string (type), invocation_id);
      wamp_session_abort (callee, PROTOCOL_VIOLATION, text);
      return NULL;
    }
  g_debug ("%s for invocation %" G_GUINT64_FORMAT " no longer pending: discarded",
           wamp_message_type_to_string (type), invocation_id);
  return NULL;
}

/* The pending invocation @invocation_id of @callee, or NULL. An ID that was
 * never issued to @callee is a protocol violation (the session is aborted);
 * one issued but no longer pending (canceled, timed out, caller gone) is
 * silently discarded. @take: the callee's answer is final, the invocation
 * leaves the callee's table (wamp_dealer_unlink_taken() finishes it). */
static inline Invocation *
wamp_dealer_lookup_invocation (WampDealer      *self,
                               WampSession     *callee,
                               guint64          invocation_id,
                               WampMessageType  type,
                               gboolean         take)
{
  DealerSession *ds = dealer_session_lookup (self, callee);
  Invocation *inv = NULL;

  if (G_LIKELY (ds != NULL))
    inv = take ? wamp_id_table_take (&ds->invocations, invocation_id)
               : wamp_id_table_lookup (&ds->invocations, invocation_id);
  if (G_LIKELY (inv != NULL))
    return inv;
  return wamp_dealer_no_invocation (callee, ds, invocation_id, type);
}

/* The send of send_final_answer() failed with @error_in (transfer full): out
 * of line, so the usual success costs no error cleanup. */
static G_GNUC_NO_INLINE void
send_final_answer_failed (WampDealer  *self,
                          WampSession *caller,
                          guint64      call_id,
                          WampMessage *reply,
                          GError      *error_in)
{
  g_autoptr(GError) error = error_in;
  const char *uri = wamp_error_get_undeliverable_uri (error);

  if (uri != NULL && dealer_session_lookup (self, caller) != NULL)
    {
      g_message ("%s for call %" G_GUINT64_FORMAT " not delivered to caller session %"
                 G_GUINT64_FORMAT ", which gets ERROR %s instead: %s",
                 wamp_message_type_to_string (wamp_message_get_message_type (reply)), call_id,
                 wamp_session_get_id (caller), uri, error->message);
      wamp_session_send_error (caller, WAMP_MESSAGE_CALL, call_id, uri, error->message);
    }
  else
    g_debug ("answer to call %" G_GUINT64_FORMAT " not sent: %s", call_id,
             error ? error->message : "?");
}

/* Sends the final answer @reply (transfer none) of a call to @caller; a
 * caller who cannot receive it (a value its serializer cannot represent) gets
 * an ERROR instead. No reference needed: a failed send may make @caller
 * leave (a failing transport) and free it, so afterwards it is used only
 * while the dealer still knows it. */
static void
send_final_answer (WampDealer  *self,
                   WampSession *caller,
                   guint64      call_id,
                   WampMessage *reply)
{
  GError *error = NULL;

  if (G_LIKELY (wamp_session_send (caller, reply, &error)))
    return;
  send_final_answer_failed (self, caller, call_id, reply, error);
}

static void
wamp_dealer_handle_yield (WampDealer  *self,
                          WampSession *callee,
                          WampMessage *message)
{
  guint64 invocation_id = wamp_message_get_request_id (message);
  WampValue *options = wamp_message_get_details (message);
  WampPayload *payload = wamp_message_get_payload (message);
  /* Most YIELDs come without options: no lookup then. */
  gboolean progress = wamp_value_dict_size (options) > 0
                      && wamp_value_dict_get_bool (options, "progress", FALSE);
  g_autoptr(WampMessage) result = NULL;
  WampSession *caller;
  Invocation *inv;
  guint64 call_id;

  inv = wamp_dealer_lookup_invocation (self, callee, invocation_id, WAMP_MESSAGE_YIELD, !progress);
  if (inv == NULL)
    return;
  caller = inv->caller;
  call_id = inv->call_id;

  if (progress)
    {
      /* Used after the send: the call goes on. */
      g_autoptr(WampSession) hold G_GNUC_UNUSED = g_object_ref (caller);
      g_autoptr(WampValue) details = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) outbox = NULL;
      const char *undeliverable;
      DealerSession *ds;

      if (!inv->receive_progress)
        {
          g_debug ("progressive YIELD for call %" G_GUINT64_FORMAT
                   " whose caller did not ask for progress: discarded", call_id);
          return;
        }
      details = wamp_value_new_dict (1);
      wamp_value_dict_insert (details, "progress", wamp_value_new_bool (TRUE));
      result = wamp_message_new_result (call_id, details, payload);
      if (wamp_session_send (caller, result, &error)
          || (undeliverable = wamp_error_get_undeliverable_uri (error)) == NULL)
        return;
      g_message ("progressive RESULT for call %" G_GUINT64_FORMAT " not delivered to caller session %"
                 G_GUINT64_FORMAT ": %s; the call ends with ERROR %s", call_id,
                 wamp_session_get_id (caller), error->message, undeliverable);

      /* The caller cannot receive this result: the call ends here. */
      ds = dealer_session_lookup (self, callee);
      inv = ds != NULL ? wamp_id_table_lookup (&ds->invocations, invocation_id) : NULL;
      if (inv == NULL)
        return;
      outbox = outbox_new ();
      outbox_add (outbox, caller,
                  wamp_message_new_error (WAMP_MESSAGE_CALL, call_id, NULL, undeliverable, NULL));
      if (callee_cancels (callee))
        outbox_add (outbox, callee, interrupt_new (invocation_id, "killnowait", NULL));
      wamp_dealer_unlink (self, inv);
      outbox_flush (outbox);
      return;
    }

  wamp_dealer_unlink_taken (self, inv);
  result = wamp_message_new_result (call_id, NULL, payload);
  send_final_answer (self, caller, call_id, result);
}

static G_GNUC_NO_INLINE void
wamp_dealer_handle_error (WampDealer  *self,
                          WampSession *callee,
                          WampMessage *message)
{
  guint64 invocation_id = wamp_message_get_request_id (message);
  g_autoptr(WampMessage) reply = NULL;
  WampSession *caller;
  Invocation *inv;
  guint64 call_id;

  if (wamp_message_get_request_type (message) != WAMP_MESSAGE_INVOCATION)
    {
      wamp_session_abort (callee, PROTOCOL_VIOLATION,
                          "ERROR from a client must answer an INVOCATION");
      return;
    }
  inv = wamp_dealer_lookup_invocation (self, callee, invocation_id, WAMP_MESSAGE_ERROR, TRUE);
  if (inv == NULL)
    return;
  caller = inv->caller;
  call_id = inv->call_id;
  wamp_dealer_unlink_taken (self, inv);

  reply = wamp_message_new_error (WAMP_MESSAGE_CALL, call_id, wamp_message_get_details (message),
                                  wamp_message_get_uri (message),
                                  wamp_message_get_payload (message));
  send_final_answer (self, caller, call_id, reply);
}

static G_GNUC_NO_INLINE void
wamp_dealer_handle_cancel (WampDealer  *self,
                           WampSession *caller,
                           WampMessage *message)
{
  guint64 call_id = wamp_message_get_request_id (message);
  WampValue *options = wamp_message_get_details (message);
  WampValue *mode_value = wamp_value_dict_lookup (options, "mode");
  g_autoptr(GPtrArray) outbox = NULL;
  DealerSession *cs;
  Invocation *inv;
  CancelMode mode = CANCEL_KILLNOWAIT;

  if (mode_value != NULL)
    {
      const char *s = wamp_value_get_value_type (mode_value) == WAMP_VALUE_STRING
                      ? wamp_value_get_string (mode_value, NULL) : "";

      if (g_strcmp0 (s, "skip") == 0)
        mode = CANCEL_SKIP;
      else if (g_strcmp0 (s, "kill") == 0)
        mode = CANCEL_KILL;
      else if (g_strcmp0 (s, "killnowait") == 0)
        mode = CANCEL_KILLNOWAIT;
      else
        {
          wamp_session_abort (caller, PROTOCOL_VIOLATION,
                              "CANCEL.Options.mode must be \"skip\", \"kill\" or \"killnowait\"");
          return;
        }
    }

  cs = dealer_session_lookup (self, caller);
  inv = cs != NULL ? wamp_id_table_lookup (&cs->calls, call_id) : NULL;
  if (inv == NULL)
    {
      g_debug ("CANCEL for call %" G_GUINT64_FORMAT " that is not pending: ignored", call_id);
      return;
    }
  if (!callee_cancels (inv->callee))
    mode = CANCEL_SKIP;

  outbox = outbox_new ();
  switch (mode)
    {
    case CANCEL_SKIP:
      outbox_add (outbox, caller, canceled_error_new (call_id, ERROR_CANCELED));
      wamp_dealer_unlink (self, inv);
      break;
    case CANCEL_KILLNOWAIT:
      outbox_add (outbox, caller, canceled_error_new (call_id, ERROR_CANCELED));
      if (!inv->kill_sent)
        outbox_add (outbox, inv->callee, interrupt_new (inv->invocation_id, "killnowait", NULL));
      wamp_dealer_unlink (self, inv);
      break;
    case CANCEL_KILL:
      if (inv->kill_sent)
        return;
      inv->kill_sent = TRUE;
      outbox_add (outbox, inv->callee, interrupt_new (inv->invocation_id, "kill", NULL));
      break;
    }
  outbox_flush (outbox);
}

static gboolean
parse_invoke_policy (WampValue    *options,
                     InvokePolicy *out)
{
  WampValue *v = wamp_value_dict_lookup (options, "invoke");
  const char *s;
  guint i;

  *out = INVOKE_SINGLE;
  if (v == NULL)
    return TRUE;
  if (wamp_value_get_value_type (v) != WAMP_VALUE_STRING)
    return FALSE;
  s = wamp_value_get_string (v, NULL);
  for (i = 0; i < G_N_ELEMENTS (invoke_names); i++)
    {
      if (g_strcmp0 (s, invoke_names[i]) == 0)
        {
          *out = (InvokePolicy) i;
          return TRUE;
        }
    }
  return FALSE;
}

static G_GNUC_NO_INLINE void
wamp_dealer_handle_register (WampDealer  *self,
                             WampSession *session,
                             WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  const char *procedure = wamp_message_get_uri (message);
  WampValue *options = wamp_message_get_details (message);
  WampValue *match = wamp_value_dict_lookup (options, "match");
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  InvokePolicy invoke;
  DealerSession *ds;
  Registration *reg;

  if (match != NULL
      && (wamp_value_get_value_type (match) != WAMP_VALUE_STRING
          || g_strcmp0 (wamp_value_get_string (match, NULL), "exact") != 0))
    {
      wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id, ERROR_INVALID_ARGUMENT,
                               "unsupported match policy: only \"exact\" is supported");
      return;
    }
  if (!parse_invoke_policy (options, &invoke))
    {
      wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id, ERROR_INVALID_ARGUMENT,
                               "unknown invocation policy: expected \"single\", \"roundrobin\", "
                               "\"random\", \"first\" or \"last\"");
      return;
    }
  if (!wamp_realm_check_uri (self->realm, procedure, WAMP_URI_FLAGS_NONE))
    {
      g_autofree char *text = g_strdup_printf ("register for invalid procedure URI '%s'", procedure);
      wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id, ERROR_INVALID_URI, text);
      return;
    }
  if (wamp_uri_is_reserved (procedure))
    {
      g_autofree char *text = g_strdup_printf ("register for reserved procedure URI '%s'",
                                               procedure);
      wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id, ERROR_INVALID_URI, text);
      return;
    }
  if (!wamp_realm_authorize (self->realm, session, WAMP_ACTION_REGISTER, procedure))
    {
      g_autofree char *text = g_strdup_printf ("session is not authorized to register procedure '%s'",
                                               procedure);
      wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id, ERROR_NOT_AUTHORIZED,
                               text);
      return;
    }

  ds = wamp_dealer_ensure_session (self, session);
  reg = g_hash_table_lookup (self->by_procedure, procedure);
  if (reg != NULL)
    {
      if (reg->invoke == INVOKE_SINGLE || g_hash_table_contains (ds->registrations, reg))
        {
          g_autofree char *text = g_strdup_printf ("procedure '%s' is already registered",
                                                   procedure);
          wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id,
                                   ERROR_PROCEDURE_ALREADY_EXISTS, text);
          return;
        }
      if (reg->invoke != invoke)
        {
          g_autofree char *text = g_strdup_printf ("procedure '%s' is registered with invocation "
                                                   "policy \"%s\", not \"%s\"", procedure,
                                                   invoke_names[reg->invoke], invoke_names[invoke]);
          wamp_session_send_error (session, WAMP_MESSAGE_REGISTER, request_id,
                                   ERROR_POLICY_CONFLICT, text);
          return;
        }
    }
  else
    {
      reg = g_new0 (Registration, 1);
      reg->id = wamp_realm_next_id (self->realm);
      reg->procedure = g_strdup (procedure);
      reg->invoke = invoke;
      reg->created = g_get_real_time ();
      reg->callees = g_ptr_array_new ();
      reg->disclose_caller = wamp_value_dict_get_bool (options, "disclose_caller", FALSE);
      g_hash_table_insert (self->by_procedure, reg->procedure, reg);
      g_hash_table_insert (self->by_id, &reg->id, reg);
    }
  g_ptr_array_add (reg->callees, ds);
  g_hash_table_add (ds->registrations, reg);

  reply = wamp_message_new_registered (request_id, reg->id);
  if (!wamp_session_send (session, reply, &error))
    g_debug ("REGISTERED not sent: %s", error ? error->message : "?");
}

static G_GNUC_NO_INLINE void
wamp_dealer_handle_unregister (WampDealer  *self,
                               WampSession *session,
                               WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  guint64 registration_id = wamp_message_get_registration_id (message);
  Registration *reg = g_hash_table_lookup (self->by_id, &registration_id);
  DealerSession *ds = dealer_session_lookup (self, session);
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (reg == NULL || ds == NULL || !g_hash_table_remove (ds->registrations, reg))
    {
      wamp_session_send_error (session, WAMP_MESSAGE_UNREGISTER, request_id,
                               ERROR_NO_SUCH_REGISTRATION, NULL);
      return;
    }
  /* Invocations already routed to this callee stay pending: it may still
   * answer them. */
  wamp_dealer_drop_callee (self, reg, ds);

  reply = wamp_message_new_unregistered (request_id, NULL);
  if (!wamp_session_send (session, reply, &error))
    g_debug ("UNREGISTERED not sent: %s", error ? error->message : "?");
}

static const char *
wamp_dealer_get_name (WampRole *role)
{
  return "dealer";
}

static const WampMessageType *
wamp_dealer_get_message_types (WampRole *role,
                               gsize    *n_types)
{
  *n_types = G_N_ELEMENTS (dealer_message_types);
  return dealer_message_types;
}

/* At attach and when a reload turns disclose_by_permission_only on or
 * off; the realm has validated @options. */
static void
wamp_dealer_options_changed (WampRole  *role,
                             WampValue *options)
{
  WampDealer *self = WAMP_DEALER (role);

  self->disclose_by_permission_only =
    wamp_value_get_value_type (options) == WAMP_VALUE_DICT
    && wamp_value_dict_get_bool (options, "disclose_by_permission_only", FALSE);
}

static gboolean
wamp_dealer_attach (WampRole   *role,
                    WampRealm  *realm,
                    WampValue  *options,
                    GError    **error)
{
  WampDealer *self = WAMP_DEALER (role);

  if (self->realm != NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                   "dealer is already attached to realm '%s'", wamp_realm_get_name (self->realm));
      return FALSE;
    }
  self->realm = realm;
  if (options != NULL)
    wamp_dealer_options_changed (role, options);
  return TRUE;
}

static WampValue *
wamp_dealer_get_features (WampRole *role)
{
  static const char *const features[] = {
    "caller_identification", "call_canceling", "call_timeout", "progressive_call_results",
    "shared_registration",
  };
  WampValue *dict = wamp_value_new_dict (G_N_ELEMENTS (features));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (features); i++)
    wamp_value_dict_insert (dict, features[i], wamp_value_new_bool (TRUE));
  return dict;
}

static void
wamp_dealer_handle_message (WampRole    *role,
                            WampSession *session,
                            WampMessage *message)
{
  WampDealer *self = WAMP_DEALER (role);

  g_return_if_fail (self->realm != NULL);

  switch (wamp_message_get_message_type (message))
    {
    case WAMP_MESSAGE_CALL:
      wamp_dealer_handle_call (self, session, message);
      break;
    case WAMP_MESSAGE_CANCEL:
      wamp_dealer_handle_cancel (self, session, message);
      break;
    case WAMP_MESSAGE_REGISTER:
      wamp_dealer_handle_register (self, session, message);
      break;
    case WAMP_MESSAGE_UNREGISTER:
      wamp_dealer_handle_unregister (self, session, message);
      break;
    case WAMP_MESSAGE_YIELD:
      wamp_dealer_handle_yield (self, session, message);
      break;
    case WAMP_MESSAGE_ERROR:
      wamp_dealer_handle_error (self, session, message);
      break;
    default:
      g_warning ("dealer got a %s message it never claimed",
                 wamp_message_type_to_string (wamp_message_get_message_type (message)));
      break;
    }
}

static void
wamp_dealer_session_joined (WampRole    *role,
                            WampSession *session)
{
  /* Per-session state is made on the session's first dealer message. */
}

static void
wamp_dealer_session_leaving (WampRole    *role,
                             WampSession *session)
{
  WampDealer *self = WAMP_DEALER (role);
  DealerSession *ds = dealer_session_lookup (self, session);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) invocations = NULL;
  GHashTableIter iter;
  gpointer key;
  guint i;

  if (ds == NULL)
    return;
  outbox = outbox_new ();

  /* As caller: its calls are dropped; canceling callees are told. */
  /* Snapshots: unlinking edits the tables. */
  calls = wamp_id_table_values (&ds->calls);
  for (i = 0; i < calls->len; i++)
    {
      Invocation *inv = g_ptr_array_index (calls, i);

      if (inv->callee != session && !inv->kill_sent && callee_cancels (inv->callee))
        outbox_add (outbox, inv->callee, interrupt_new (inv->invocation_id, "killnowait", NULL));
      wamp_dealer_unlink (self, inv);
    }

  /* As callee: the callers of its pending invocations get canceled. */
  invocations = wamp_id_table_values (&ds->invocations);
  for (i = 0; i < invocations->len; i++)
    {
      Invocation *inv = g_ptr_array_index (invocations, i);

      if (inv->caller != session)
        outbox_add (outbox, inv->caller, canceled_error_new (inv->call_id, ERROR_CANCELED));
      wamp_dealer_unlink (self, inv);
    }

  g_hash_table_iter_init (&iter, ds->registrations);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    wamp_dealer_drop_callee (self, key, ds);
  wamp_id_table_remove (&self->sessions, session_key (session));
  dealer_session_free (ds);
  self->n_left++;

  outbox_flush (outbox);
}

/* Drops all state; nothing is sent (the realm is going away). */
static void
wamp_dealer_clear (WampDealer *self)
{
  g_autoptr(GPtrArray) sessions = wamp_id_table_values (&self->sessions);
  guint i;

  for (i = 0; i < sessions->len; i++)
    {
      DealerSession *ds = g_ptr_array_index (sessions, i);
      g_autoptr(GPtrArray) invocations = wamp_id_table_values (&ds->invocations);

      for (guint j = 0; j < invocations->len; j++)
        wamp_dealer_unlink (self, g_ptr_array_index (invocations, j));
    }
  /* Only now: unlinking reaches into both sides' entries. */
  g_ptr_array_foreach (sessions, (GFunc) dealer_session_free, NULL);
  wamp_id_table_clear (&self->sessions);
  self->n_left++;
  g_hash_table_remove_all (self->by_procedure);
  g_hash_table_remove_all (self->by_id);
  self->n_unregistered++;
  wamp_dealer_free_spares (self);
}

static gint
compare_registration_ids (gconstpointer a, gconstpointer b)
{
  const Registration *ra = *(const Registration *const *) a;
  const Registration *rb = *(const Registration *const *) b;

  return ra->id < rb->id ? -1 : ra->id > rb->id;
}

/* The admin API's view, sorted by ID; callees in registration order (the
 * order "first"/"last"/"roundrobin" use). Not the hot path. */
static WampValue *
wamp_dealer_list_routes (WampRole *role)
{
  WampDealer *self = WAMP_DEALER (role);
  g_autoptr(GPtrArray) regs = g_ptr_array_new ();
  WampValue *list;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (regs, value);
  g_ptr_array_sort (regs, compare_registration_ids);

  list = wamp_value_new_list (regs->len);
  for (guint i = 0; i < regs->len; i++)
    {
      Registration *reg = g_ptr_array_index (regs, i);
      WampValue *sessions = wamp_value_new_list (reg->callees->len);
      WampValue *entry;

      for (guint j = 0; j < reg->callees->len; j++)
        {
          DealerSession *ds = g_ptr_array_index (reg->callees, j);

          wamp_value_list_append (sessions, wamp_value_new_uint (wamp_session_get_id (ds->session)));
        }

      entry = wamp_value_new_dict (6);
      wamp_value_dict_insert (entry, "id", wamp_value_new_uint (reg->id));
      wamp_value_dict_insert (entry, "uri", wamp_value_new_string (reg->procedure));
      wamp_value_dict_insert (entry, "match", wamp_value_new_string ("exact"));
      wamp_value_dict_insert (entry, "invoke", wamp_value_new_string (invoke_names[reg->invoke]));
      wamp_value_dict_insert (entry, "created", wamp_value_new_int (reg->created));
      wamp_value_dict_insert (entry, "sessions", sessions);
      wamp_value_list_append (list, entry);
    }
  return list;
}

static void
wamp_dealer_detach (WampRole *role)
{
  WampDealer *self = WAMP_DEALER (role);

  wamp_dealer_clear (self);
  self->realm = NULL;
}

static void
wamp_dealer_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = wamp_dealer_get_name;
  iface->get_message_types = wamp_dealer_get_message_types;
  iface->attach = wamp_dealer_attach;
  iface->get_features = wamp_dealer_get_features;
  iface->handle_message = wamp_dealer_handle_message;
  iface->session_joined = wamp_dealer_session_joined;
  iface->session_leaving = wamp_dealer_session_leaving;
  iface->detach = wamp_dealer_detach;
  iface->options_changed = wamp_dealer_options_changed;
  iface->list_routes = wamp_dealer_list_routes;
}

static void
wamp_dealer_finalize (GObject *object)
{
  WampDealer *self = WAMP_DEALER (object);

  if (self->realm != NULL)
    wamp_dealer_clear (self);
  g_hash_table_unref (self->by_procedure);
  g_hash_table_unref (self->by_id);

  G_OBJECT_CLASS (wamp_dealer_parent_class)->finalize (object);
}

static void
wamp_dealer_class_init (WampDealerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_dealer_finalize;
}

static void
wamp_dealer_init (WampDealer *self)
{
  self->by_procedure = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) registration_free);
}

WampDealer *
wamp_dealer_new (void)
{
  return g_object_new (WAMP_TYPE_DEALER, NULL);
}
