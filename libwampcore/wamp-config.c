/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config model: JSON (read with json-glib) to a WampValue tree, JSON path
 * building, and typed lookups whose errors name the path and the reason. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include <wamp/wamp.h>

static WampValue *
node_to_value (JsonNode *node, const char *path, GError **error);

static WampValue *
object_to_value (JsonObject *object, const char *path, GError **error)
{
  g_autoptr(GList) members = json_object_get_members (object);
  g_autoptr(WampValue) dict = wamp_value_new_dict (g_list_length (members));

  /* json-glib keeps members in document order, so the dict does too. */
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *member_path = wamp_config_path_key (path, key);
      WampValue *value;

      if (!g_utf8_validate (key, -1, NULL))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE,
                       _("%s: key is not valid UTF-8"), path);
          return NULL;
        }

      value = node_to_value (json_object_get_member (object, key), member_path, error);
      if (value == NULL)
        return NULL;
      wamp_value_dict_insert (dict, key, value);
    }

  return g_steal_pointer (&dict);
}

static WampValue *
array_to_value (JsonArray *array, const char *path, GError **error)
{
  guint n = json_array_get_length (array);
  g_autoptr(WampValue) list = wamp_value_new_list (n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *item_path = wamp_config_path_index (path, i);
      WampValue *value = node_to_value (json_array_get_element (array, i), item_path, error);

      if (value == NULL)
        return NULL;
      wamp_value_list_append (list, value);
    }

  return g_steal_pointer (&list);
}

static WampValue *
node_to_value (JsonNode *node, const char *path, GError **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return object_to_value (json_node_get_object (node), path, error);
    case JSON_NODE_ARRAY:
      return array_to_value (json_node_get_array (node), path, error);
    case JSON_NODE_NULL:
      return wamp_value_new_null ();
    case JSON_NODE_VALUE:
      break;
    default:
      g_assert_not_reached ();
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return wamp_value_new_int (json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return wamp_value_new_double (json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      return wamp_value_new_bool (json_node_get_boolean (node));
    case G_TYPE_STRING:
      {
        const char *str = json_node_get_string (node);

        if (!g_utf8_validate (str, -1, NULL))
          {
            g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE,
                         _("%s: string is not valid UTF-8"), path);
            return NULL;
          }
        return wamp_value_new_string (str);
      }
    default:
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE,
                   _("%s: unsupported JSON value"), path);
      return NULL;
    }
}

/* @name: (nullable): the file, for messages. */
static WampValue *
parse_named (const char *data, gssize length, const char *name, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      /* json-glib's message already reads "<data>:LINE:COL: Parse error: …";
       * put the file name where it says <data>. */
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      if (name != NULL)
        g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE, "%s:%s", name, message);
      else
        g_set_error_literal (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      if (name != NULL)
        /* TRANSLATORS: %s is a file name. */
        g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE,
                     _("%s:1:1: Parse error: the document is empty"), name);
      else
        g_set_error_literal (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE,
                             _("1:1: Parse error: the document is empty"));
      return NULL;
    }

  return node_to_value (root, "$", error);
}

WampValue *
wamp_config_parse (const char *data, gssize length, GError **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_named (data != NULL ? data : "", length, NULL, error);
}

WampValue *
wamp_config_load_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      /* GFileError's message already names the file. */
      g_set_error_literal (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE, local_error->message);
      return NULL;
    }

  return parse_named (contents, length, path, error);
}

/* A key that is not an identifier would make "a.b c.d" ambiguous: it gets
 * JSONPath's bracket form, $["b c"]. */
static gboolean
is_identifier (const char *key)
{
  if (!g_ascii_isalpha (*key) && *key != '_')
    return FALSE;
  for (const char *p = key + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

char *
wamp_config_path_key (const char *path, const char *key)
{
  g_autoptr(GString) quoted = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (is_identifier (key))
    return g_strconcat (path, ".", key, NULL);

  quoted = g_string_new (path);
  g_string_append (quoted, "[\"");
  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (quoted, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (quoted, *p);
    }
  g_string_append (quoted, "\"]");
  return g_string_free (g_steal_pointer (&quoted), FALSE);
}

char *
wamp_config_path_index (const char *path, gsize index)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_strdup_printf ("%s[%" G_GSIZE_FORMAT "]", path, index);
}

static gboolean
is_dict (WampValue *value)
{
  return value != NULL && wamp_value_get_value_type (value) == WAMP_VALUE_DICT;
}

static gboolean
set_not_object (const char *path, GError **error)
{
  g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
               _("%s: must be an object"), path);
  return FALSE;
}

gboolean
wamp_config_check_keys (WampValue *object, const char *path,
                        const char *const *known_keys, GError **error)
{
  gsize n;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (known_keys != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_dict (object))
    return set_not_object (path, error);

  n = wamp_value_dict_size (object);
  for (gsize i = 0; i < n; i++)
    {
      const char *key = wamp_value_dict_get_key (object, i, NULL);

      if (!g_strv_contains (known_keys, key))
        {
          g_autofree char *key_path = wamp_config_path_key (path, key);

          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNKNOWN_KEY,
                       _("%s: unknown key"), key_path);
          return FALSE;
        }
    }
  return TRUE;
}

/* The value of @key, or NULL when absent (an error only when @required).
 * Sets *@failed when the lookup itself failed. */
static WampValue *
lookup (WampValue *object, const char *path, const char *key, gboolean required,
        gboolean *failed, GError **error)
{
  WampValue *value;

  *failed = FALSE;

  if (!is_dict (object))
    {
      *failed = TRUE;
      set_not_object (path, error);
      return NULL;
    }

  value = wamp_value_dict_lookup (object, key);
  if (value == NULL && required)
    {
      g_autofree char *key_path = wamp_config_path_key (path, key);

      *failed = TRUE;
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING,
                   _("%s: is required"), key_path);
    }
  return value;
}

/* Sets WAMP_CONFIG_ERROR_INVALID "@path.@key: @reason". */
G_GNUC_PRINTF (4, 5)
static gboolean
set_invalid (GError **error, const char *path, const char *key, const char *reason_format, ...)
{
  g_autofree char *key_path = wamp_config_path_key (path, key);
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, reason_format);
  reason = g_strdup_vprintf (reason_format, args);
  va_end (args);

  g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
               "%s: %s", key_path, reason);
  return FALSE;
}

gboolean
wamp_config_get_string (WampValue *object, const char *path, const char *key,
                        gboolean required, const char *default_value,
                        const char **out, GError **error)
{
  WampValue *value;
  gboolean failed;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = lookup (object, path, key, required, &failed, error);
  if (failed)
    return FALSE;
  if (value == NULL)
    {
      *out = default_value;
      return TRUE;
    }
  if (wamp_value_get_value_type (value) != WAMP_VALUE_STRING || !wamp_value_is_plain_string (value))
    return set_invalid (error, path, key, "%s", _("must be a string"));

  *out = wamp_value_get_string (value, NULL);
  return TRUE;
}

gboolean
wamp_config_get_uint (WampValue *object, const char *path, const char *key,
                      gboolean required, guint64 default_value, guint64 min, guint64 max,
                      guint64 *out, GError **error)
{
  WampValue *value;
  gboolean failed;
  guint64 number;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (min <= max, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = lookup (object, path, key, required, &failed, error);
  if (failed)
    return FALSE;
  if (value == NULL)
    {
      *out = default_value;
      return TRUE;
    }

  if (!wamp_value_get_unsigned (value, &number) || number < min || number > max)
    {
      if (max == G_MAXUINT64)
        /* %llu, not G_GUINT64_FORMAT: xgettext cannot expand the macro, so
         * the catalog would never match the string. */
        return set_invalid (error, path, key, _("must be an integer of at least %llu"),
                            (unsigned long long) min);
      /* TRANSLATORS: e.g. "must be an integer from 0 to 65535". */
      return set_invalid (error, path, key, _("must be an integer from %llu to %llu"),
                          (unsigned long long) min, (unsigned long long) max);
    }

  *out = number;
  return TRUE;
}

gboolean
wamp_config_get_bool (WampValue *object, const char *path, const char *key,
                      gboolean required, gboolean default_value,
                      gboolean *out, GError **error)
{
  WampValue *value;
  gboolean failed;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = lookup (object, path, key, required, &failed, error);
  if (failed)
    return FALSE;
  if (value == NULL)
    {
      *out = default_value;
      return TRUE;
    }
  if (wamp_value_get_value_type (value) != WAMP_VALUE_BOOL)
    return set_invalid (error, path, key, "%s", _("must be true or false"));

  *out = wamp_value_get_bool (value);
  return TRUE;
}

static gboolean
get_container (WampValue *object, const char *path, const char *key, gboolean required,
               WampValueType type, WampValue **out, GError **error)
{
  WampValue *value;
  gboolean failed;

  value = lookup (object, path, key, required, &failed, error);
  if (failed)
    return FALSE;
  if (value == NULL)
    {
      *out = NULL;
      return TRUE;
    }
  if (wamp_value_get_value_type (value) != type)
    return set_invalid (error, path, key, "%s",
                        type == WAMP_VALUE_DICT ? _("must be an object") : _("must be an array"));

  *out = value;
  return TRUE;
}

gboolean
wamp_config_get_dict (WampValue *object, const char *path, const char *key,
                      gboolean required, WampValue **out, GError **error)
{
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_container (object, path, key, required, WAMP_VALUE_DICT, out, error);
}

gboolean
wamp_config_get_list (WampValue *object, const char *path, const char *key,
                      gboolean required, WampValue **out, GError **error)
{
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return get_container (object, path, key, required, WAMP_VALUE_LIST, out, error);
}

gboolean
wamp_config_get_enum (WampValue *object, const char *path, const char *key,
                      gboolean required, const char *default_value,
                      const char *const *choices, const char **out, GError **error)
{
  const char *str = NULL;
  g_autoptr(GString) quoted = NULL;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (choices != NULL && choices[0] != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!wamp_config_get_string (object, path, key, required, NULL, &str, error))
    return FALSE;
  if (str == NULL)
    {
      *out = default_value;
      return TRUE;
    }
  if (g_strv_contains (choices, str))
    {
      *out = str;
      return TRUE;
    }

  quoted = g_string_new (NULL);
  for (gsize i = 0; choices[i] != NULL; i++)
    g_string_append_printf (quoted, "%s\"%s\"", i > 0 ? ", " : "", choices[i]);
  /* TRANSLATORS: %s is a list of quoted words: "none", "session", "system". */
  return set_invalid (error, path, key, _("must be one of %s"), quoted->str);
}

gboolean
wamp_config_get_connection_options (WampValue          *options,
                                    const char         *path,
                                    gsize               default_max_queue_bytes,
                                    gsize              *max_queue_bytes,
                                    WampQueueOverflow  *queue_overflow,
                                    guint              *handshake_timeout_ms,
                                    guint              *ping_interval_ms,
                                    guint              *ping_timeout_ms,
                                    GError            **error)
{
  static const char *const overflow_policies[] = { "disconnect", "drop", NULL };
  guint64 queue_bytes, handshake_s, interval_s, timeout_s;
  const char *policy;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (max_queue_bytes != NULL && queue_overflow != NULL, FALSE);
  g_return_val_if_fail (handshake_timeout_ms != NULL, FALSE);
  g_return_val_if_fail (ping_interval_ms != NULL && ping_timeout_ms != NULL, FALSE);

  if (!wamp_config_get_uint (options, path, "max_queue_bytes", FALSE, default_max_queue_bytes,
                             1, G_MAXSIZE, &queue_bytes, error) ||
      !wamp_config_get_enum (options, path, "queue_overflow", FALSE, "disconnect",
                             overflow_policies, &policy, error) ||
      !wamp_config_get_uint (options, path, "handshake_timeout", FALSE, 10, 1, 3600,
                             &handshake_s, error) ||
      !wamp_config_get_uint (options, path, "ping_interval", FALSE, 0, 0, 86400,
                             &interval_s, error) ||
      !wamp_config_get_uint (options, path, "ping_timeout", FALSE, 10, 1, 3600,
                             &timeout_s, error))
    return FALSE;

  *max_queue_bytes = queue_bytes;
  *queue_overflow = g_str_equal (policy, "drop") ? WAMP_QUEUE_OVERFLOW_DROP
                                                 : WAMP_QUEUE_OVERFLOW_DISCONNECT;
  *handshake_timeout_ms = (guint) handshake_s * 1000;
  *ping_interval_ms = (guint) interval_s * 1000;
  *ping_timeout_ms = (guint) timeout_s * 1000;
  return TRUE;
}
