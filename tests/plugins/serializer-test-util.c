/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the JSON, MessagePack and CBOR serializer tests share. */

#include "serializer-test-util.h"

#include <string.h>

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
serializer_test_add_data_files (const char    *format,
                                const char    *dir,
                                const char    *suffix,
                                GTestDataFunc  test_valid,
                                GTestDataFunc  test_invalid,
                                GPtrArray     *paths,
                                GPtrArray     *valid_paths,
                                guint          min_valid,
                                guint          min_invalid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n_valid = 0, n_invalid = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = names->pdata[i];
      g_autofree char *base = g_strndup (file, strlen (file) - strlen (suffix));
      char *path = g_build_filename (dir, file, NULL);
      g_autofree char *test_path = NULL;

      g_ptr_array_add (paths, path);
      if (g_str_has_prefix (file, "y_"))
        {
          test_path = g_strdup_printf ("/%s/conformance/valid/%s", format, base + 2);
          g_test_add_data_func (test_path, path, test_valid);
          if (valid_paths != NULL)
            g_ptr_array_add (valid_paths, path);
          n_valid++;
        }
      else if (g_str_has_prefix (file, "n_"))
        {
          test_path = g_strdup_printf ("/%s/conformance/invalid/%s", format, base + 2);
          g_test_add_data_func (test_path, path, test_invalid);
          n_invalid++;
        }
    }
  g_assert_cmpuint (n_valid, >=, min_valid);
  g_assert_cmpuint (n_invalid, >=, min_invalid);
}

GBytes *
serializer_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  /* An exactly sized copy (no trailing NUL), so ASan sees any read past
   * the end. */
  return g_bytes_new (contents, len);
}

void
serializer_test_assert_invalid_file (WampSerializer *serializer,
                                     const char     *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = serializer_test_read_file (path);
  g_autoptr(WampMessage) message = NULL;

  g_autoptr(GError) lent_error = NULL;
  g_autoptr(WampMessage) lent_message = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  message = wamp_serializer_deserialize (serializer, frame, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
  g_test_message ("%s: %s", path, error->message);

  /* Lent bytes fail the same way. */
  lent_message = wamp_serializer_deserialize_data (serializer, data, len, &lent_error);
  g_assert_error (lent_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (lent_message);
  g_assert_cmpstr (lent_error->message, ==, error->message);
}

void
serializer_test_assert_lent_same (WampSerializer *serializer,
                                  GBytes         *frame,
                                  WampMessage    *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) lent_message = NULL;
  g_autoptr(GBytes) written = NULL;
  g_autoptr(GBytes) lent_written = NULL;
  gsize len = g_bytes_get_size (frame);
  guint8 *lent = g_memdup2 (g_bytes_get_data (frame, NULL), len);

  lent_message = wamp_serializer_deserialize_data (serializer, lent, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lent_message);
  /* The message keeps nothing of the lent bytes (ASan sees any use). */
  memset (lent, 0xff, len);
  g_free (lent);

  serializer_test_assert_messages_equal (message, lent_message, serializer_test_values_identical);
  if (wamp_message_get_payload (message) != NULL)
    {
      const guint8 *a = NULL, *k = NULL, *lent_a = NULL, *lent_k = NULL;
      gsize a_len = 0, k_len = 0, lent_a_len = 0, lent_k_len = 0;

      g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (message), serializer,
                                           &a, &a_len, &k, &k_len));
      g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (lent_message), serializer,
                                           &lent_a, &lent_a_len, &lent_k, &lent_k_len));
      g_assert_cmpmem (lent_a, lent_a_len, a, a_len);
      g_assert_cmpmem (lent_k, lent_k_len, k, k_len);
    }

  /* Identical on the wire. */
  written = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  lent_written = wamp_serializer_serialize (serializer, lent_message, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (written, lent_written));
}

gboolean
serializer_test_values_identical (const WampValue *a,
                                  const WampValue *b)
{
  WampValueType type = wamp_value_get_value_type (a);

  if (type != wamp_value_get_value_type (b))
    return FALSE;
  switch (type)
    {
    case WAMP_VALUE_DOUBLE:
      {
        gdouble da = wamp_value_get_double (a), db = wamp_value_get_double (b);

        return memcmp (&da, &db, sizeof da) == 0;
      }
    case WAMP_VALUE_LIST:
      if (wamp_value_list_length (a) != wamp_value_list_length (b))
        return FALSE;
      for (gsize i = 0; i < wamp_value_list_length (a); i++)
        if (!serializer_test_values_identical (wamp_value_list_get (a, i), wamp_value_list_get (b, i)))
          return FALSE;
      return TRUE;
    case WAMP_VALUE_DICT:
      if (wamp_value_dict_size (a) != wamp_value_dict_size (b))
        return FALSE;
      for (gsize i = 0; i < wamp_value_dict_size (a); i++)
        {
          gsize la, lb;
          const char *ka = wamp_value_dict_get_key (a, i, &la);
          const char *kb = wamp_value_dict_get_key (b, i, &lb);

          if (la != lb || memcmp (ka, kb, la) != 0 ||
              !serializer_test_values_identical (wamp_value_dict_get_value (a, i), wamp_value_dict_get_value (b, i)))
            return FALSE;
        }
      return TRUE;
    default:
      return wamp_value_equal (a, b);
    }
}

static void
assert_values_same (WampValue                *a,
                    WampValue                *b,
                    SerializerTestValuesSame  same)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  if (!same (a, b))
    {
      g_autofree char *sa = wamp_value_to_debug_string (a);
      g_autofree char *sb = wamp_value_to_debug_string (b);
      g_error ("values differ: %s != %s", sa, sb);
    }
}

void
serializer_test_assert_messages_equal (WampMessage              *a,
                                       WampMessage              *b,
                                       SerializerTestValuesSame  same)
{
  WampPayload *pa, *pb;
  gsize n = wamp_message_get_n_fields (a);

  g_assert_cmpint (wamp_message_get_message_type (a), ==, wamp_message_get_message_type (b));
  g_assert_cmpuint (n, ==, wamp_message_get_n_fields (b));
  for (gsize i = 0; i < n; i++)
    assert_values_same (wamp_message_get_field (a, i), wamp_message_get_field (b, i), same);

  pa = wamp_message_get_payload (a);
  pb = wamp_message_get_payload (b);
  g_assert_true ((pa == NULL) == (pb == NULL));
  if (pa != NULL)
    {
      WampValue *aa = NULL, *ak = NULL, *ba = NULL, *bk = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (wamp_payload_get_values (pa, &aa, &ak, &error));
      g_assert_no_error (error);
      g_assert_true (wamp_payload_get_values (pb, &ba, &bk, &error));
      g_assert_no_error (error);
      assert_values_same (aa, ba, same);
      assert_values_same (ak, bk, same);
    }
}

WampMessage *
serializer_test_with_decoded_payload (WampMessage *message)
{
  WampPayload *payload = wamp_message_get_payload (message);
  WampValue *args = NULL, *kwargs = NULL;
  g_autoptr(WampPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  WampValue *fields[8];
  gsize n = wamp_message_get_n_fields (message);
  WampMessage *copy;

  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_values (payload, &args, &kwargs, &error));
  g_assert_no_error (error);
  decoded = wamp_payload_new (args, kwargs);
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (fields));
  for (gsize i = 0; i < n; i++)
    fields[i] = wamp_message_get_field (message, i);
  copy = wamp_message_new_from_fields (fields, n, decoded, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  return copy;
}

void
serializer_test_serialize_into (WampSerializer *serializer,
                                guint           too_deep)
{
  g_autoptr(WampValue) args = wamp_value_new_list (2);
  g_autoptr(WampValue) deep = wamp_value_new_list (1);
  g_autoptr(WampPayload) payload = NULL;
  g_autoptr(WampPayload) deep_payload = NULL;
  g_autoptr(WampMessage) call = NULL;
  g_autoptr(WampMessage) deep_call = NULL;
  g_autoptr(GBytes) alone = NULL;
  g_auto(WampOutputBuffer) out = { NULL, 0, 0 };
  g_autoptr(GError) error = NULL;
  gsize alone_len;
  const guint8 *alone_data;

  wamp_value_list_append (args, wamp_value_new_string ("hello"));
  wamp_value_list_append (args, wamp_value_new_int (-42));
  payload = wamp_payload_new (args, NULL);
  call = wamp_message_new_call (7, NULL, "com.example.into", payload);

  /* Appended after what the buffer held, byte for byte what serialize gives. */
  wamp_output_buffer_append (&out, "abc", 3);
  g_assert_true (wamp_serializer_serialize_into (serializer, call, &out, &error));
  g_assert_no_error (error);
  alone = wamp_serializer_serialize (serializer, call, &error);
  g_assert_no_error (error);
  alone_data = g_bytes_get_data (alone, &alone_len);
  g_assert_cmpmem (out.data, 3, "abc", 3);
  g_assert_cmpmem (out.data + 3, out.len - 3, alone_data, alone_len);

  /* Now cached (serialize caches): the same bytes again, copied. */
  g_assert_true (wamp_serializer_serialize_into (serializer, call, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out.len, ==, 3 + 2 * alone_len);
  g_assert_cmpmem (out.data + 3 + alone_len, alone_len, alone_data, alone_len);

  /* A value the writer refuses: the buffer keeps what it had. */
  for (guint i = 0; i < too_deep; i++)
    {
      WampValue *outer = wamp_value_new_list (1);

      wamp_value_list_append (outer, g_steal_pointer (&deep));
      deep = outer;
    }
  deep_payload = wamp_payload_new (deep, NULL);
  deep_call = wamp_message_new_call (8, NULL, "com.example.deep", deep_payload);
  g_assert_false (wamp_serializer_serialize_into (serializer, deep_call, &out, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (out.len, ==, 3 + 2 * alone_len);
  g_assert_cmpmem (out.data + 3 + alone_len, alone_len, alone_data, alone_len);
}
