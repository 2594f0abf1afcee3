/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampMessage: validation of every type's arity and element types,
 * typed constructors and accessors, the encoding cache. */

#include <string.h>

#include <wamp/wamp.h>

#include "wamp-message-private.h"

#define ID_MAX G_GUINT64_CONSTANT (9007199254740992)

/* The spec's message shapes, written independently of the implementation's
 * table. Kinds: T type, i id, d dict, u uri, n uri or null, s string,
 * r request type of ERROR. Optional trailing elements are after '|'. */
typedef struct
{
  WampMessageType type;
  const char *name;
  const char *kinds;
  gboolean has_payload;
} Shape;

static const Shape shapes[] = {
  { WAMP_MESSAGE_HELLO, "HELLO", "Tnd", FALSE },
  { WAMP_MESSAGE_WELCOME, "WELCOME", "Tid", FALSE },
  { WAMP_MESSAGE_ABORT, "ABORT", "Tdu", TRUE },
  { WAMP_MESSAGE_CHALLENGE, "CHALLENGE", "Tsd", FALSE },
  { WAMP_MESSAGE_AUTHENTICATE, "AUTHENTICATE", "Tsd", FALSE },
  { WAMP_MESSAGE_GOODBYE, "GOODBYE", "Tdu", FALSE },
  { WAMP_MESSAGE_ERROR, "ERROR", "Tridu", TRUE },
  { WAMP_MESSAGE_PUBLISH, "PUBLISH", "Tidu", TRUE },
  { WAMP_MESSAGE_PUBLISHED, "PUBLISHED", "Tii", FALSE },
  { WAMP_MESSAGE_SUBSCRIBE, "SUBSCRIBE", "Tidu", FALSE },
  { WAMP_MESSAGE_SUBSCRIBED, "SUBSCRIBED", "Tii", FALSE },
  { WAMP_MESSAGE_UNSUBSCRIBE, "UNSUBSCRIBE", "Tii", FALSE },
  { WAMP_MESSAGE_UNSUBSCRIBED, "UNSUBSCRIBED", "Ti|d", FALSE },
  { WAMP_MESSAGE_EVENT, "EVENT", "Tiid", TRUE },
  { WAMP_MESSAGE_CALL, "CALL", "Tidu", TRUE },
  { WAMP_MESSAGE_CANCEL, "CANCEL", "Tid", FALSE },
  { WAMP_MESSAGE_RESULT, "RESULT", "Tid", TRUE },
  { WAMP_MESSAGE_REGISTER, "REGISTER", "Tidu", FALSE },
  { WAMP_MESSAGE_REGISTERED, "REGISTERED", "Tii", FALSE },
  { WAMP_MESSAGE_UNREGISTER, "UNREGISTER", "Tii", FALSE },
  { WAMP_MESSAGE_UNREGISTERED, "UNREGISTERED", "Ti|d", FALSE },
  { WAMP_MESSAGE_INVOCATION, "INVOCATION", "Tiid", TRUE },
  { WAMP_MESSAGE_INTERRUPT, "INTERRUPT", "Tid", FALSE },
  { WAMP_MESSAGE_YIELD, "YIELD", "Tid", TRUE },
};

static void
shape_arity (const Shape *shape,
             gsize       *n_min,
             gsize       *n_max)
{
  const char *bar = strchr (shape->kinds, '|');

  *n_max = strlen (shape->kinds) - (bar != NULL ? 1 : 0);
  *n_min = bar != NULL ? (gsize) (bar - shape->kinds) : *n_max;
}

static char
shape_kind (const Shape *shape,
            gsize        index)
{
  const char *k = shape->kinds;

  for (gsize i = 0; *k != '\0'; k++)
    {
      if (*k == '|')
        continue;
      if (i++ == index)
        return *k;
    }
  g_assert_not_reached ();
}

static WampValue *
valid_value (char        kind,
             WampMessageType type,
             gsize       index)
{
  switch (kind)
    {
    case 'T':
      return wamp_value_new_int (type);
    case 'i':
      return wamp_value_new_int ((gint64) (100 + index));
    case 'd':
      {
        WampValue *d = wamp_value_new_dict (0);
        wamp_value_dict_insert (d, "k", wamp_value_new_int ((gint64) index));
        return d;
      }
    case 'u':
    case 'n':
      return wamp_value_new_string ("com.example.thing");
    case 's':
      return wamp_value_new_string ("ticket");
    case 'r':
      return wamp_value_new_int (WAMP_MESSAGE_CALL);
    default:
      g_assert_not_reached ();
    }
}

static void
build_valid_fields (const Shape *shape,
                    gsize        n,
                    WampValue  **fields)
{
  for (gsize i = 0; i < n; i++)
    fields[i] = valid_value (shape_kind (shape, i), shape->type, i);
}

static void
free_fields (WampValue **fields,
             gsize       n)
{
  for (gsize i = 0; i < n; i++)
    g_clear_pointer (&fields[i], wamp_value_unref);
}

static WampPayload *
make_payload (gboolean with_args,
              gboolean with_kwargs)
{
  g_autoptr(WampValue) args = wamp_value_new_list (0);
  g_autoptr(WampValue) kwargs = wamp_value_new_dict (0);

  wamp_value_list_append (args, wamp_value_new_int (1));
  wamp_value_dict_insert (kwargs, "a", wamp_value_new_bool (TRUE));
  return wamp_payload_new (with_args ? args : NULL, with_kwargs ? kwargs : NULL);
}

static void
test_every_type_valid_in_each_arity (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const Shape *shape = &shapes[s];
      gsize n_min, n_max;

      shape_arity (shape, &n_min, &n_max);
      for (gsize n = n_min; n <= n_max; n++)
        for (int p = 0; p < (shape->has_payload ? 4 : 1); p++)
          {
            WampValue *fields[8] = { NULL };
            g_autoptr(WampPayload) payload = NULL;
            g_autoptr(WampMessage) msg = NULL;
            g_autoptr(GError) error = NULL;

            g_test_message ("%s with %" G_GSIZE_FORMAT " elements, payload form %d", shape->name, n, p);
            build_valid_fields (shape, n, fields);
            if (p > 0)
              payload = make_payload (p != 2, p >= 2);
            msg = wamp_message_new_from_fields (fields, n, payload, &error);
            g_assert_no_error (error);
            g_assert_nonnull (msg);
            g_assert_cmpint (wamp_message_get_message_type (msg), ==, shape->type);
            g_assert_cmpuint (wamp_message_get_n_fields (msg), ==, n);
            for (gsize i = 0; i < n; i++)
              g_assert_true (wamp_value_equal (wamp_message_get_field (msg, i), fields[i]));
            g_assert_true (wamp_message_get_payload (msg) == payload);
            if (strchr (shape->kinds, 'd') != NULL)
              g_assert_nonnull (wamp_message_get_details (msg));
            else
              g_assert_null (wamp_message_get_details (msg));
            free_fields (fields, n);
          }
    }
}

static void
test_every_wrong_arity_rejected (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const Shape *shape = &shapes[s];
      gsize n_min, n_max;

      shape_arity (shape, &n_min, &n_max);
      for (gsize n = 1; n <= 7; n++)
        {
          WampValue *fields[8] = { NULL };
          g_autoptr(WampMessage) msg = NULL;
          g_autoptr(GError) error = NULL;

          if (n >= n_min && n <= n_max)
            continue;
          g_test_message ("%s with %" G_GSIZE_FORMAT " elements", shape->name, n);
          for (gsize i = 0; i < n; i++)
            fields[i] = i < n_max ? valid_value (shape_kind (shape, i), shape->type, i)
                                  : wamp_value_new_dict (0);
          msg = wamp_message_new_from_fields (fields, n, NULL, &error);
          g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
          g_assert_null (msg);
          g_assert_true (g_str_has_prefix (error->message, shape->name));
          free_fields (fields, n);
        }
    }
}

/* Values a field may wrongly hold, and which kinds accept each one. */
typedef struct
{
  const char *label;
  WampValue *(*make) (void);
  const char *accepted_by;
} BadValue;

static WampValue *make_null (void) { return wamp_value_new_null (); }
static WampValue *make_bool (void) { return wamp_value_new_bool (TRUE); }
static WampValue *make_neg (void) { return wamp_value_new_int (-1); }
static WampValue *make_zero (void) { return wamp_value_new_int (0); }
static WampValue *make_id_max (void) { return wamp_value_new_uint (ID_MAX); }
static WampValue *make_id_over (void) { return wamp_value_new_uint (ID_MAX + 1); }
static WampValue *make_uint_max (void) { return wamp_value_new_uint (G_MAXUINT64); }
static WampValue *make_double (void) { return wamp_value_new_double (1.0); }
static WampValue *make_string (void) { return wamp_value_new_string ("x.y"); }
static WampValue *make_nul_string (void) { return wamp_value_new_string_len ("x\0y", 3); }
static WampValue *make_bytes (void) { return wamp_value_new_bytes ((const guint8 *) "ab", 2); }
static WampValue *make_list (void) { return wamp_value_new_list (0); }
static WampValue *make_dict (void) { return wamp_value_new_dict (0); }

static const BadValue bad_values[] = {
  { "null", make_null, "n" },
  { "bool", make_bool, "" },
  { "-1", make_neg, "" },
  { "0", make_zero, "i" },
  { "2^53", make_id_max, "i" },
  { "2^53+1", make_id_over, "" },
  { "uint64 max", make_uint_max, "" },
  { "double 1.0", make_double, "" },
  { "string", make_string, "uns" },
  { "string with NUL", make_nul_string, "s" },
  { "bytes", make_bytes, "" },
  { "list", make_list, "" },
  { "dict", make_dict, "d" },
};

static void
test_every_wrong_element_type_rejected (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const Shape *shape = &shapes[s];
      gsize n_min, n_max;

      shape_arity (shape, &n_min, &n_max);
      for (gsize pos = 1; pos < n_max; pos++)
        for (gsize b = 0; b < G_N_ELEMENTS (bad_values); b++)
          {
            WampValue *fields[8] = { NULL };
            g_autoptr(WampMessage) msg = NULL;
            g_autoptr(GError) error = NULL;
            g_autofree char *expected = NULL;
            char kind = shape_kind (shape, pos);
            gboolean accepted = strchr (bad_values[b].accepted_by, kind) != NULL;

            g_test_message ("%s element %" G_GSIZE_FORMAT " = %s", shape->name, pos, bad_values[b].label);
            build_valid_fields (shape, n_max, fields);
            wamp_value_unref (fields[pos]);
            fields[pos] = bad_values[b].make ();
            msg = wamp_message_new_from_fields (fields, n_max, NULL, &error);
            if (accepted)
              {
                g_assert_no_error (error);
                g_assert_nonnull (msg);
              }
            else
              {
                g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
                g_assert_null (msg);
                expected = g_strdup_printf ("%s: element %" G_GSIZE_FORMAT " (", shape->name, pos);
                g_assert_true (g_str_has_prefix (error->message, expected));
              }
            free_fields (fields, n_max);
          }
    }
}

static void
test_error_message_names_element (void)
{
  WampValue *fields[4];
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) msg = NULL;

  fields[0] = wamp_value_new_int (WAMP_MESSAGE_PUBLISH);
  fields[1] = wamp_value_new_int (1);
  fields[2] = wamp_value_new_dict (0);
  fields[3] = wamp_value_new_int (5);
  msg = wamp_message_new_from_fields (fields, 4, NULL, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_cmpstr (error->message, ==, "PUBLISH: element 3 (Topic) must be a string");
  free_fields (fields, 4);
}

static void
test_error_request_types (void)
{
  static const WampMessageType answerable[] = {
    WAMP_MESSAGE_SUBSCRIBE, WAMP_MESSAGE_UNSUBSCRIBE, WAMP_MESSAGE_PUBLISH,
    WAMP_MESSAGE_REGISTER, WAMP_MESSAGE_UNREGISTER, WAMP_MESSAGE_CALL,
    WAMP_MESSAGE_INVOCATION, WAMP_MESSAGE_CANCEL,
  };

  for (gint64 t = -1; t <= 80; t++)
    {
      WampValue *fields[5];
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) msg = NULL;
      gboolean ok = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (answerable); i++)
        ok |= answerable[i] == t;
      fields[0] = wamp_value_new_int (WAMP_MESSAGE_ERROR);
      fields[1] = wamp_value_new_int (t);
      fields[2] = wamp_value_new_int (9);
      fields[3] = wamp_value_new_dict (0);
      fields[4] = wamp_value_new_string ("wamp.error.canceled");
      msg = wamp_message_new_from_fields (fields, 5, NULL, &error);
      g_test_message ("ERROR for request type %" G_GINT64_FORMAT, t);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (wamp_message_get_request_type (msg), ==, t);
          g_assert_cmpuint (wamp_message_get_request_id (msg), ==, 9);
          g_assert_cmpstr (wamp_message_get_uri (msg), ==, "wamp.error.canceled");
        }
      else
        {
          g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
          g_assert_true (strstr (error->message, "element 1") != NULL);
        }
      free_fields (fields, 5);
    }
}

static void
test_payload_on_type_without_one (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const Shape *shape = &shapes[s];
      WampValue *fields[8] = { NULL };
      g_autoptr(WampPayload) payload = make_payload (TRUE, FALSE);
      g_autoptr(WampMessage) msg = NULL;
      g_autoptr(GError) error = NULL;
      gsize n_min, n_max;

      if (shape->has_payload)
        continue;
      shape_arity (shape, &n_min, &n_max);
      build_valid_fields (shape, n_max, fields);
      msg = wamp_message_new_from_fields (fields, n_max, payload, &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (msg);
      free_fields (fields, n_max);
    }
}

static void
test_bad_type_element (void)
{
  struct { WampValue *(*make) (void); gint64 code; } cases[] = {
    { make_string, 0 }, { make_double, 0 }, { make_null, 0 }, { make_uint_max, 0 },
    { NULL, 0 }, { NULL, 7 }, { NULL, 71 }, { NULL, -1 }, { NULL, 1000 }, { NULL, 15 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      WampValue *fields[3];
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) msg = NULL;

      fields[0] = cases[i].make != NULL ? cases[i].make () : wamp_value_new_int (cases[i].code);
      fields[1] = wamp_value_new_int (1);
      fields[2] = wamp_value_new_dict (0);
      msg = wamp_message_new_from_fields (fields, 3, NULL, &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (msg);
      free_fields (fields, 3);
    }

  {
    g_autoptr(GError) error = NULL;
    g_assert_null (wamp_message_new_from_fields (NULL, 0, NULL, &error));
    g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  }
}

static void
test_type_table (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      g_assert_cmpstr (wamp_message_type_to_string (shapes[s].type), ==, shapes[s].name);
      if (shapes[s].has_payload)
        {
          gsize n_min, n_max;

          shape_arity (&shapes[s], &n_min, &n_max);
          g_assert_cmpint (wamp_message_type_payload_index (shapes[s].type), ==, n_max);
        }
      else
        g_assert_cmpint (wamp_message_type_payload_index (shapes[s].type), ==, -1);
    }
  g_assert_cmpint (wamp_message_type_payload_index (WAMP_MESSAGE_ERROR), ==, 5);
  g_assert_cmpint (wamp_message_type_payload_index (WAMP_MESSAGE_YIELD), ==, 3);
  g_assert_null (wamp_message_type_to_string (0));
  g_assert_null (wamp_message_type_to_string (7));
  g_assert_null (wamp_message_type_to_string (71));
  g_assert_cmpint (wamp_message_type_payload_index (7), ==, -1);
  g_assert_cmpint (wamp_message_type_payload_index (200), ==, -1);
}

/* A typed constructor's fields validate as a deserialized message would. */
static void
assert_revalidates (WampMessage *msg)
{
  WampValue *fields[8];
  gsize n = wamp_message_get_n_fields (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) copy = NULL;

  for (gsize i = 0; i < n; i++)
    fields[i] = wamp_message_get_field (msg, i);
  copy = wamp_message_new_from_fields (fields, n, wamp_message_get_payload (msg), &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_cmpint (wamp_value_get_int (fields[0]), ==, wamp_message_get_message_type (msg));
}

static void
test_typed_constructors (void)
{
  g_autoptr(WampValue) details = wamp_value_new_dict (0);
  g_autoptr(WampPayload) payload = make_payload (TRUE, TRUE);
  WampMessage *m;

  wamp_value_dict_insert (details, "x", wamp_value_new_int (1));

  m = wamp_message_new_hello ("realm1", NULL);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "realm1");
  g_assert_cmpuint (wamp_value_dict_size (wamp_message_get_details (m)), ==, 0);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_hello (NULL, details);
  g_assert_null (wamp_message_get_uri (m));
  g_assert_true (wamp_message_get_details (m) == details);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_welcome (ID_MAX, details);
  g_assert_cmpuint (wamp_message_get_session_id (m), ==, ID_MAX);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_abort (NULL, "wamp.error.no_such_realm", NULL);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "wamp.error.no_such_realm");
  g_assert_null (wamp_message_get_payload (m));
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_abort (details, "wamp.error.x", payload);
  g_assert_true (wamp_message_get_payload (m) == payload);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_challenge ("ticket", NULL);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "ticket");
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_authenticate ("secret", details);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "secret");
  g_assert_true (wamp_message_get_details (m) == details);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_goodbye (NULL, "wamp.close.goodbye_and_out");
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "wamp.close.goodbye_and_out");
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_error (WAMP_MESSAGE_CALL, 5, NULL, "wamp.error.no_such_procedure", payload);
  g_assert_cmpint (wamp_message_get_request_type (m), ==, WAMP_MESSAGE_CALL);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 5);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "wamp.error.no_such_procedure");
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_publish (6, details, "com.topic", payload);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 6);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "com.topic");
  g_assert_true (wamp_message_get_details (m) == details);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_published (6, 77);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 6);
  g_assert_cmpuint (wamp_message_get_publication_id (m), ==, 77);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_subscribe (7, NULL, "com.topic");
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 7);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "com.topic");
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_subscribed (7, 88);
  g_assert_cmpuint (wamp_message_get_subscription_id (m), ==, 88);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_unsubscribe (8, 88);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 8);
  g_assert_cmpuint (wamp_message_get_subscription_id (m), ==, 88);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_unsubscribed (8, NULL);
  g_assert_cmpuint (wamp_message_get_n_fields (m), ==, 2);
  g_assert_cmpuint (wamp_value_dict_size (wamp_message_get_details (m)), ==, 0);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_unsubscribed (8, details);
  g_assert_cmpuint (wamp_message_get_n_fields (m), ==, 3);
  g_assert_true (wamp_message_get_details (m) == details);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_event (88, 77, NULL, payload);
  g_assert_cmpuint (wamp_message_get_subscription_id (m), ==, 88);
  g_assert_cmpuint (wamp_message_get_publication_id (m), ==, 77);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_call (9, NULL, "com.proc", NULL);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 9);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "com.proc");
  g_assert_null (wamp_message_get_payload (m));
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_cancel (9, details);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 9);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_result (9, NULL, payload);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 9);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_register (10, NULL, "com.proc");
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "com.proc");
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_registered (10, 99);
  g_assert_cmpuint (wamp_message_get_registration_id (m), ==, 99);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_unregister (11, 99);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 11);
  g_assert_cmpuint (wamp_message_get_registration_id (m), ==, 99);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_unregistered (11, NULL);
  g_assert_cmpuint (wamp_message_get_n_fields (m), ==, 2);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_invocation (12, 99, details, payload);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 12);
  g_assert_cmpuint (wamp_message_get_registration_id (m), ==, 99);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_interrupt (12, NULL);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 12);
  assert_revalidates (m);
  wamp_message_unref (m);

  m = wamp_message_new_yield (12, NULL, payload);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 12);
  g_assert_true (wamp_message_get_payload (m) == payload);
  assert_revalidates (m);
  wamp_message_unref (m);
}

static void
test_wrong_accessor_is_critical (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(WampMessage) m = wamp_message_new_published (1, 2);
      wamp_message_get_uri (m);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

static void
test_wrong_id_accessor_is_critical (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(WampMessage) m = wamp_message_new_goodbye (NULL, "wamp.close.normal");
      wamp_message_get_request_id (m);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*GOODBYE has no Request*");
}

static void
weak_notify (gpointer data, GObject *where)
{
  (*(int *) data)++;
}

static void
test_encoding_cache (void)
{
  GObject *serializers[5];
  int finalized = 0;
  WampMessage *m = wamp_message_new_published (1, 2);
  g_autoptr(GBytes) b1 = g_bytes_new_static ("one", 3);
  g_autoptr(GBytes) b2 = g_bytes_new_static ("two", 3);

  for (gsize i = 0; i < G_N_ELEMENTS (serializers); i++)
    {
      serializers[i] = g_object_new (G_TYPE_OBJECT, NULL);
      g_object_weak_ref (serializers[i], weak_notify, &finalized);
    }

  g_assert_null (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[0]));
  wamp_message_set_cached_encoding (m, (WampSerializer *) serializers[0], b1);
  g_assert_true (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[0]) == b1);
  g_assert_null (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[1]));

  /* Replacement keeps one entry per serializer. */
  wamp_message_set_cached_encoding (m, (WampSerializer *) serializers[0], b2);
  g_assert_true (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[0]) == b2);

  /* More serializers than the inline slots. */
  for (gsize i = 1; i < G_N_ELEMENTS (serializers); i++)
    wamp_message_set_cached_encoding (m, (WampSerializer *) serializers[i], i % 2 ? b1 : b2);
  for (gsize i = 1; i < G_N_ELEMENTS (serializers); i++)
    g_assert_true (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[i]) == (i % 2 ? b1 : b2));
  wamp_message_set_cached_encoding (m, (WampSerializer *) serializers[4], b1);
  g_assert_true (wamp_message_get_cached_encoding (m, (WampSerializer *) serializers[4]) == b1);

  /* The message holds a reference on each serializer until it dies. */
  for (gsize i = 0; i < G_N_ELEMENTS (serializers); i++)
    g_object_unref (serializers[i]);
  g_assert_cmpint (finalized, ==, 0);
  wamp_message_unref (m);
  g_assert_cmpint (finalized, ==, 5);
}

static void
test_debug_string (void)
{
  g_autoptr(WampPayload) payload = make_payload (TRUE, TRUE);
  g_autoptr(WampPayload) kw_only = make_payload (FALSE, TRUE);
  g_autoptr(WampMessage) publish = wamp_message_new_publish (7, NULL, "com.example.topic", NULL);
  g_autoptr(WampMessage) call = wamp_message_new_call (8, NULL, "com.p", payload);
  g_autoptr(WampMessage) yield = wamp_message_new_yield (9, NULL, kw_only);
  g_autofree char *s1 = wamp_message_to_debug_string (publish);
  g_autofree char *s2 = wamp_message_to_debug_string (call);
  g_autofree char *s3 = wamp_message_to_debug_string (yield);

  g_assert_cmpstr (s1, ==, "[PUBLISH, 7, {}, \"com.example.topic\"]");
  g_assert_cmpstr (s2, ==, "[CALL, 8, {}, \"com.p\", [1], {\"a\": true}]");
  g_assert_cmpstr (s3, ==, "[YIELD, 9, {}, [], {\"a\": true}]");
}

static void
test_shared_empty_dict_stays_immutable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(WampMessage) m = wamp_message_new_unsubscribed (1, NULL);
      WampValue *details = wamp_message_get_details (m);

      wamp_value_dict_insert (details, "oops", wamp_value_new_null ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* The deserializers' constructor validates as wamp_message_new_from_fields()
 * does, takes the fields and payload over on success and leaves both to the
 * caller on failure (ASan/LSan see any double free or leak). */
static void
test_take_fields (void)
{
  g_autoptr(WampPayload) kept = make_payload (TRUE, FALSE);
  g_autoptr(GError) error = NULL;
  WampValue *fields[3];
  WampMessage *msg;

  fields[0] = wamp_value_new_int (WAMP_MESSAGE_YIELD);
  fields[1] = wamp_value_new_uint (G_GUINT64_CONSTANT (1) << 40);
  fields[2] = wamp_value_new_string ("not a dict");
  msg = wamp_message_new_take_fields (fields, 3, kept, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_nonnull (strstr (error->message, "Options"));
  g_assert_null (msg);
  g_clear_error (&error);
  wamp_value_unref (fields[2]);

  fields[2] = wamp_value_new_dict (0);
  msg = wamp_message_new_take_fields (fields, 3, g_steal_pointer (&kept), &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (wamp_message_get_message_type (msg), ==, WAMP_MESSAGE_YIELD);
  g_assert_cmpuint (wamp_message_get_request_id (msg), ==, G_GUINT64_CONSTANT (1) << 40);
  g_assert_true (wamp_message_get_details (msg) == fields[2]);
  g_assert_true (wamp_payload_has_args (wamp_message_get_payload (msg)));
  wamp_message_unref (msg);
}

/* A released struct is reused by the thread's next message: it starts with
 * no cache entry, its own fields and payload. */
static void
test_reused_struct_starts_clean (void)
{
  g_autoptr(GObject) serializer = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("one", 3);
  g_autoptr(WampPayload) payload = make_payload (TRUE, FALSE);

  for (guint round = 0; round < 3; round++)
    {
      WampMessage *m = round % 2 ? wamp_message_new_invocation (round, ID_MAX, NULL, payload)
                                 : wamp_message_new_published (round, ID_MAX);

      g_assert_null (wamp_message_get_cached_encoding (m, (WampSerializer *) serializer));
      g_assert_cmpuint (wamp_message_get_request_id (m), ==, round);
      g_assert_cmpuint (wamp_message_get_n_fields (m), ==, round % 2 ? 4 : 3);
      if (round % 2)
        {
          g_assert_cmpuint (wamp_message_get_registration_id (m), ==, ID_MAX);
          g_assert_true (wamp_message_get_payload (m) == payload);
        }
      else
        {
          g_assert_cmpuint (wamp_message_get_publication_id (m), ==, ID_MAX);
          g_assert_null (wamp_message_get_payload (m));
        }
      wamp_message_set_cached_encoding (m, (WampSerializer *) serializer, bytes);
      wamp_message_unref (m);
    }
}

static gpointer
churn_thread (gpointer data)
{
  WampPayload *payload = data;
  WampMessage *held[200];

  /* More at once than the thread keeps as spares: the rest are freed. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = wamp_message_new_call (i, NULL, "com.example.p", payload);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    wamp_message_unref (held[i]);
  return NULL;
}

/* A thread's spare structs are freed when it ends (LSan sees a leak if not). */
static void
test_spares_freed_at_thread_exit (void)
{
  g_autoptr(WampPayload) payload = make_payload (TRUE, TRUE);

  for (guint i = 0; i < 2; i++)
    g_thread_join (g_thread_new ("churn", churn_thread, payload));
}

/* Under ASan a spare struct is poisoned: a use after release is reported. */
static void
test_spare_is_poisoned (void)
{
#if defined(__SANITIZE_ADDRESS__)
  if (g_test_subprocess ())
    {
      WampMessage *m = wamp_message_new_published (1, 2);
      volatile guint64 id;

      wamp_message_unref (m);
      id = wamp_message_get_request_id (m);
      (void) id;
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*use-after-poison*");
#else
  g_test_skip ("needs AddressSanitizer");
#endif
}

/* The envelope builder's one lookup agrees with the public table. */
static void
test_type_lookup (void)
{
  for (gint64 code = -1; code <= WAMP_MESSAGE_TYPE_MAX + 1; code++)
    {
      gint payload_index = -7;
      gboolean known = wamp_message_type_lookup (code, &payload_index);

      g_assert_cmpint (known, ==, code > 0 && code <= WAMP_MESSAGE_TYPE_MAX &&
                                  wamp_message_type_to_string ((WampMessageType) code) != NULL);
      if (known)
        g_assert_cmpint (payload_index, ==, wamp_message_type_payload_index ((WampMessageType) code));
      else
        g_assert_cmpint (payload_index, ==, -7);
    }
}

static void
test_boxed (void)
{
  g_autoptr(WampMessage) m = wamp_message_new_published (1, 2);
  WampMessage *copy = g_boxed_copy (WAMP_TYPE_MESSAGE, m);

  g_assert_true (copy == m);
  g_boxed_free (WAMP_TYPE_MESSAGE, copy);
  g_assert_true (G_TYPE_IS_BOXED (WAMP_TYPE_MESSAGE));
}

/* The core's inline reads agree with the public getters; the cache is empty
 * until a serializer's encoding is kept. */
static void
test_inline_accessors (void)
{
  g_autoptr(WampValue) args = wamp_value_new_list (0);
  g_autoptr(WampPayload) payload = wamp_payload_new (args, NULL);
  g_autoptr(WampMessage) call = wamp_message_new_call (7, NULL, "com.example.add", payload);
  g_autoptr(WampMessage) goodbye = wamp_message_new_goodbye (NULL, "wamp.close.normal");
  g_autoptr(GObject) serializer = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GBytes) encoding = g_bytes_new_static ("x", 1);
  WampMessage *messages[] = { call, goodbye };

  for (gsize m = 0; m < G_N_ELEMENTS (messages); m++)
    {
      g_assert_cmpuint (wamp_message_n_fields_inline (messages[m]), ==,
                        wamp_message_get_n_fields (messages[m]));
      for (gsize i = 0; i < wamp_message_get_n_fields (messages[m]); i++)
        g_assert_true (wamp_message_field_inline (messages[m], i) ==
                       wamp_message_get_field (messages[m], i));
      g_assert_true (wamp_message_payload_inline (messages[m]) == wamp_message_get_payload (messages[m]));
      g_assert_cmpint (wamp_message_type_inline (messages[m]), ==,
                       wamp_message_get_message_type (messages[m]));
      g_assert_false (wamp_message_has_cached (messages[m]));
    }
  g_assert_nonnull (wamp_message_payload_inline (call));
  g_assert_null (wamp_message_payload_inline (goodbye));

  wamp_message_set_cached_encoding (call, (WampSerializer *) serializer, encoding);
  g_assert_true (wamp_message_has_cached (call));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampMessage: validation, constructors, accessors, encoding cache");

  g_test_add_func ("/message/parse/every-type-valid-in-each-arity", test_every_type_valid_in_each_arity);
  g_test_add_func ("/message/parse/every-wrong-arity-is-violation", test_every_wrong_arity_rejected);
  g_test_add_func ("/message/parse/every-wrong-element-type-is-violation", test_every_wrong_element_type_rejected);
  g_test_add_func ("/message/parse/publish-topic-not-string-names-element", test_error_message_names_element);
  g_test_add_func ("/message/parse/error-request-type-must-be-answerable", test_error_request_types);
  g_test_add_func ("/message/parse/payload-on-type-without-one-is-violation", test_payload_on_type_without_one);
  g_test_add_func ("/message/parse/bad-or-unknown-type-is-violation", test_bad_type_element);
  g_test_add_func ("/message/type/names-and-payload-index", test_type_table);
  g_test_add_func ("/message/new/typed-constructors-and-accessors", test_typed_constructors);
  g_test_add_func ("/message/accessor/uri-on-published-is-critical", test_wrong_accessor_is_critical);
  g_test_add_func ("/message/accessor/request-on-goodbye-is-critical", test_wrong_id_accessor_is_critical);
  g_test_add_func ("/message/cache/one-encoding-per-serializer", test_encoding_cache);
  g_test_add_func ("/message/debug/fields-and-payload", test_debug_string);
  g_test_add_func ("/message/details/shared-empty-dict-refuses-insert", test_shared_empty_dict_stays_immutable);
  g_test_add_func ("/message/boxed/copy-is-ref", test_boxed);
  g_test_add_func ("/message/take-fields/owns-on-success-only", test_take_fields);
  g_test_add_func ("/message/reuse/released-struct-starts-clean", test_reused_struct_starts_clean);
  g_test_add_func ("/message/reuse/spares-freed-at-thread-exit", test_spares_freed_at_thread_exit);
  g_test_add_func ("/message/type/lookup-agrees-with-table", test_type_lookup);
  g_test_add_func ("/message/reuse/spare-is-poisoned-under-asan", test_spare_is_poisoned);
  g_test_add_func ("/message/inline/accessors-agree-with-getters", test_inline_accessors);

  return g_test_run ();
}
