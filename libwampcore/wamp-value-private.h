/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core knows of WampValue beyond its public API: for sharing equal
 * immutable values between sessions. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* A structural hash that agrees with wamp_value_equal() (dict order ignored). */
guint wamp_value_hash (const WampValue *value);

/* TRUE when exactly @n references to @value exist. */
gboolean wamp_value_has_ref_count (const WampValue *value, gint n);

/* The header every allocated value starts with (wamp-value.c's layouts
 * follow it): here so that the core's hot paths (building, checking and
 * releasing messages) read a type or skip a no-op ref/unref inline instead
 * of calling out for it. */
struct _WampValue
{
  gatomicrefcount ref_count;
  guint32 type;
};

/* null, the bools and the empty dict: shared, never freed, count unchanged. */
#define WAMP_VALUE_IMMORTAL_REFS G_MAXINT

/* Integers in [WAMP_VALUE_TAG_INT_MIN, WAMP_VALUE_TAG_INT_MAX] (every WAMP
 * ID on a 64-bit host) are not allocated: the pointer is the value shifted
 * left by one with bit 0 set. */
#define WAMP_VALUE_TAG_INT_BITS (GLIB_SIZEOF_VOID_P * 8 - 2)
#define WAMP_VALUE_TAG_INT_MAX ((G_GINT64_CONSTANT (1) << (WAMP_VALUE_TAG_INT_BITS - 1)) - 1)
#define WAMP_VALUE_TAG_INT_MIN (-WAMP_VALUE_TAG_INT_MAX - 1)

static inline gboolean
wamp_value_is_tagged (const WampValue *value)
{
  return ((guintptr) value & 1) != 0;
}

/* wamp_value_get_value_type() without the call and the NULL check: the one
 * place that reads a value's type (a tagged pointer has no header to read). */
static inline WampValueType
wamp_value_type_inline (const WampValue *value)
{
  return wamp_value_is_tagged (value) ? WAMP_VALUE_INT : (WampValueType) value->type;
}

/* TRUE for a value whose ref and unref do nothing. */
static inline gboolean
wamp_value_is_static (const WampValue *value)
{
  return wamp_value_is_tagged (value) || value->ref_count == WAMP_VALUE_IMMORTAL_REFS;
}

static inline WampValue *
wamp_value_ref_inline (WampValue *value)
{
  return wamp_value_is_static (value) ? value : wamp_value_ref (value);
}

static inline void
wamp_value_unref_inline (WampValue *value)
{
  if (!wamp_value_is_static (value))
    wamp_value_unref (value);
}

/* wamp_value_new_uint() of an ID (at most 2^53): tagged without a call
 * wherever it fits. */
static inline WampValue *
wamp_value_new_id_inline (guint64 id)
{
  if (G_LIKELY (id <= (guint64) WAMP_VALUE_TAG_INT_MAX))
    return (WampValue *) (((guintptr) id << 1) | 1);
  return wamp_value_new_uint (id);
}

/* wamp_value_get_int() of an INT value with its tagged case inline. */
static inline gint64
wamp_value_get_int_inline (const WampValue *value)
{
  if (G_LIKELY (wamp_value_is_tagged (value)))
    return (gint64) ((gintptr) value >> 1);
  return wamp_value_get_int (value);
}

/* wamp_value_get_id() with its tagged case inline. */
static inline gboolean
wamp_value_get_id_inline (const WampValue *value,
                          guint64         *out)
{
  if (G_LIKELY (wamp_value_is_tagged (value)))
    {
      gint64 i = (gint64) ((gintptr) value >> 1);

      if (i < 0 || (guint64) i > G_GUINT64_CONSTANT (9007199254740992))
        return FALSE;
      *out = (guint64) i;
      return TRUE;
    }
  return wamp_value_get_id (value, out);
}

G_END_DECLS
