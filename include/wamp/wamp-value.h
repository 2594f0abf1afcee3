/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampValue: the serializer-neutral value of WAMP payloads and dicts. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

/**
 * WampValueType:
 *
 * Integers are normalised: a value that fits in gint64 is always
 * %WAMP_VALUE_INT; %WAMP_VALUE_UINT holds only values above G_MAXINT64. So
 * equal numbers compare equal whatever constructor made them.
 */
typedef enum {
  WAMP_VALUE_NULL,
  WAMP_VALUE_BOOL,
  WAMP_VALUE_INT,
  WAMP_VALUE_UINT,
  WAMP_VALUE_DOUBLE,
  WAMP_VALUE_STRING, /* UTF-8 with explicit length; may contain NUL */
  WAMP_VALUE_BYTES,
  WAMP_VALUE_LIST,
  WAMP_VALUE_DICT,   /* string keys, unique, insertion order kept */
} WampValueType;

/**
 * WampValue:
 *
 * An immutable, refcounted tagged union. A list or dict is mutable only while
 * it is being built: wamp_value_list_append() and wamp_value_dict_insert() may
 * be called only by the holder of the only reference, before the value is
 * shared. Scalars are never mutable. Not thread-safe beyond the refcount.
 */
typedef struct _WampValue WampValue;

#define WAMP_TYPE_VALUE (wamp_value_get_type ())
WAMP_AVAILABLE_IN_ALL
GType wamp_value_get_type (void) G_GNUC_CONST;

/* Constructors: all return (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_null (void);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_bool (gboolean value);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_int (gint64 value);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_uint (guint64 value);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_double (gdouble value);
/* @str: NUL-terminated UTF-8, copied. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_string (const char *str);
/* @str: @len bytes of UTF-8 (may contain NUL), copied. The caller has
 * validated the UTF-8; the stored copy is also NUL-terminated. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_string_len (const char *str, gsize len);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_bytes (const guint8 *data, gsize len);
/* @bytes: (transfer none): referenced, not copied. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_bytes_from_gbytes (GBytes *bytes);
/* An empty list/dict to fill with _append()/_insert(); @reserve is a size hint. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_list (gsize reserve);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_new_dict (gsize reserve);
/* Returns: (transfer full): the one shared empty dict, immutable (inserting
 * into it is refused): for messages without Options/Details, without an
 * allocation. null, the bools and every integer in [-2^61, 2^61) (all WAMP
 * IDs) likewise cost no allocation from their constructors. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_get_empty_dict (void);

WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_ref (WampValue *value);
WAMP_AVAILABLE_IN_ALL
void wamp_value_unref (WampValue *value);

WAMP_AVAILABLE_IN_ALL
WampValueType wamp_value_get_value_type (const WampValue *value);
/* Returns: (transfer none): "null", "bool", "int", ... for messages and logs. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_value_type_to_string (WampValueType type);

/* Typed getters; calling one on a value of another type is a programming
 * error (g_return_val_if_fail) and returns 0/FALSE/NULL. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_get_bool (const WampValue *value);
WAMP_AVAILABLE_IN_ALL
gint64 wamp_value_get_int (const WampValue *value);
WAMP_AVAILABLE_IN_ALL
guint64 wamp_value_get_uint (const WampValue *value);
WAMP_AVAILABLE_IN_ALL
gdouble wamp_value_get_double (const WampValue *value);
/* Returns: (transfer none): NUL-terminated; @len (optional) gets the length. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_value_get_string (const WampValue *value, gsize *len);
/* Returns: (transfer none): @len (optional) gets the length. */
WAMP_AVAILABLE_IN_ALL
const guint8 *wamp_value_get_bytes (const WampValue *value, gsize *len);

/* TRUE when @value is INT or UINT and >= 0 (any type otherwise gives FALSE). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_get_unsigned (const WampValue *value, guint64 *out);
/* TRUE when @value is an integer in [0, 2^53], the range of WAMP IDs
 * (0 is accepted as Crossbar does). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_get_id (const WampValue *value, guint64 *out);
/* TRUE when @value is a string without NUL: a URI/name candidate. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_is_plain_string (const WampValue *value);

/* Lists. */
WAMP_AVAILABLE_IN_ALL
gsize wamp_value_list_length (const WampValue *list);
/* Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_list_get (const WampValue *list, gsize index);
/* @item: (transfer full). Only while building (see WampValue). */
WAMP_AVAILABLE_IN_ALL
void wamp_value_list_append (WampValue *list, WampValue *item);

/* Dicts. */
WAMP_AVAILABLE_IN_ALL
gsize wamp_value_dict_size (const WampValue *dict);
/* Returns: (transfer none) (nullable). Keys may contain NUL only via the _len form. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_dict_lookup (const WampValue *dict, const char *key);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_dict_lookup_len (const WampValue *dict, const char *key, gsize key_len);
/* Entry @index in insertion order: (transfer none) key (NUL-terminated,
 * @key_len optional) and value. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_value_dict_get_key (const WampValue *dict, gsize index, gsize *key_len);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_value_dict_get_value (const WampValue *dict, gsize index);
/* @value: (transfer full). Replaces the value of an existing key in place
 * (keeping its position). Only while building. */
WAMP_AVAILABLE_IN_ALL
void wamp_value_dict_insert (WampValue *dict, const char *key, WampValue *value);
WAMP_AVAILABLE_IN_ALL
void wamp_value_dict_insert_len (WampValue *dict, const char *key, gsize key_len, WampValue *value);
/* Convenience for options/details: typed lookups that fall back to
 * @default_value when the key is absent or of another type. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_dict_get_bool (const WampValue *dict, const char *key, gboolean default_value);
/* Returns: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_value_dict_get_string (const WampValue *dict, const char *key);
WAMP_AVAILABLE_IN_ALL
guint64 wamp_value_dict_get_unsigned (const WampValue *dict, const char *key, guint64 default_value);

/* Deep structural equality (doubles by value, -0.0 == 0.0 is FALSE, NaN never equal;
 * dict order ignored). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_value_equal (const WampValue *a, const WampValue *b);
/* Returns: (transfer full): a JSON-like rendering for logs and test messages. */
WAMP_AVAILABLE_IN_ALL
char *wamp_value_to_debug_string (const WampValue *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampValue, wamp_value_unref)

G_END_DECLS
