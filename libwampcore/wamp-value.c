/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampValue: the immutable, refcounted tagged union every serializer decodes
 * into and encodes from; most integers are tagged pointers, not allocated. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <wamp/wamp-value.h>

#include "wamp-spare-list.h"
#include "wamp-value-private.h"

/* Every value starts with the header struct _WampValue (in
 * wamp-value-private.h); the concrete layouts below follow it, so that a
 * scalar or a string costs exactly one allocation. */

typedef struct
{
  WampValue parent;
  union {
    gboolean b;
    gint64 i;
    guint64 u;
    gdouble d;
  } v;
} WampScalarValue;

typedef struct
{
  WampValue parent;
  gsize len;
  char data[]; /* len bytes + NUL */
} WampStringValue;

typedef struct
{
  WampValue parent;
  GBytes *gbytes;      /* (nullable): set when made from a GBytes */
  const guint8 *data;  /* into gbytes or inline_data */
  gsize len;
  guint8 inline_data[];
} WampBytesValue;

typedef struct
{
  WampValue parent;
  WampValue **items;
  gsize len;
  gsize cap;
} WampListValue;

typedef struct
{
  char *key; /* NUL-terminated copy; may contain NUL before key_len */
  gsize key_len;
  guint32 hash;
  WampValue *value;
} WampDictEntry;

/* Small dicts (the usual options/details) are scanned; beyond this many
 * entries an open-addressing index keeps lookups O(1). */
#define DICT_INDEX_THRESHOLD 8

typedef struct
{
  WampValue parent;
  WampDictEntry *entries;
  gsize len;
  gsize cap;
  guint32 *index;     /* (nullable): slots holding entry position + 1, 0 = free */
  gsize index_mask;   /* index size - 1 (a power of two) */
} WampDictValue;

G_DEFINE_BOXED_TYPE (WampValue, wamp_value, wamp_value_ref, wamp_value_unref)

/* Integers in [TAG_INT_MIN, TAG_INT_MAX] (every WAMP ID, 0..2^53, on a 64-bit
 * host) are not allocated: the pointer is the value shifted left by one with
 * bit 0 set. A real value is malloc'd or a static struct of 4-byte fields, so
 * its bit 0 is always clear. A tagged integer is immortal: ref/unref do
 * nothing. Integers beyond the range (and UINTs) stay WampScalarValues; as
 * each number has only one of the two forms, equal numbers are equal pointers
 * when tagged and compare by value when boxed. */
#define TAG_INT_MAX WAMP_VALUE_TAG_INT_MAX
#define TAG_INT_MIN WAMP_VALUE_TAG_INT_MIN

G_STATIC_ASSERT (_Alignof (WampValue) >= 2);

#define AS_SCALAR(v) ((WampScalarValue *) (v))
#define AS_STRING(v) ((WampStringValue *) (v))
#define AS_BYTES(v) ((WampBytesValue *) (v))
#define AS_LIST(v) ((WampListValue *) (v))
#define AS_DICT(v) ((WampDictValue *) (v))

static gpointer
value_alloc (WampValueType type,
             gsize         size)
{
  WampValue *value = g_malloc (size);

  g_atomic_ref_count_init (&value->ref_count);
  value->type = type;
  return value;
}

/* Short strings (the URI of every CALL, PUBLISH, ...) get a block of
 * SPARE_STRING_BLOCK bytes, kept on release for the thread's next one
 * (WampSpareList): one malloc and free fewer per message. */
#define SPARE_STRING_LEN 79
#define SPARE_STRING_BLOCK (sizeof (WampStringValue) + SPARE_STRING_LEN + 1)
#define SPARE_STRINGS 64

static __thread WampSpareList spares __attribute__ ((tls_model ("initial-exec")));
static GPrivate spares_key = G_PRIVATE_INIT (wamp_spare_list_clear);

static gpointer
spare_string_take (void)
{
  return wamp_spare_list_take (&spares, SPARE_STRING_BLOCK);
}

static void
spare_string_give (gpointer block)
{
  wamp_spare_list_give (&spares, &spares_key, block, SPARE_STRING_BLOCK, SPARE_STRINGS);
}

static WampValue *
scalar_new (WampValueType type)
{
  return value_alloc (type, sizeof (WampScalarValue));
}

/* Immortal values: null, the two bools and the empty dict every message
 * carries are made once and shared, so reading or building a message does
 * not allocate them. Their count never changes. */
#define IMMORTAL_REFS WAMP_VALUE_IMMORTAL_REFS

#define IS_IMMORTAL(v) ((v)->ref_count == IMMORTAL_REFS)

static WampValue immortal_null = { IMMORTAL_REFS, WAMP_VALUE_NULL };
static WampScalarValue immortal_bools[2] = {
  { { IMMORTAL_REFS, WAMP_VALUE_BOOL }, { .b = FALSE } },
  { { IMMORTAL_REFS, WAMP_VALUE_BOOL }, { .b = TRUE } },
};

/* @value: an INT value, tagged or boxed. */
static inline gint64
int_of (const WampValue *value)
{
  /* >> of a negative number is arithmetic in gcc and clang. */
  if (wamp_value_is_tagged (value))
    return (gint64) ((gintptr) value >> 1);
  return AS_SCALAR (value)->v.i;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_null (void)
{
  return &immortal_null;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_bool (gboolean value)
{
  return &immortal_bools[value ? 1 : 0].parent;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_int (gint64 value)
{
  WampValue *self;

  if (G_LIKELY (value >= TAG_INT_MIN && value <= TAG_INT_MAX))
    return (WampValue *) (((guintptr) value << 1) | 1);
  self = scalar_new (WAMP_VALUE_INT);
  AS_SCALAR (self)->v.i = value;
  return self;
}

/* Returns: (transfer full): an INT when @value fits in gint64 (see
 * WampValueType), so equal numbers have one representation. */
WampValue *
wamp_value_new_uint (guint64 value)
{
  WampValue *self;

  if (value <= (guint64) G_MAXINT64)
    return wamp_value_new_int ((gint64) value);
  self = scalar_new (WAMP_VALUE_UINT);
  AS_SCALAR (self)->v.u = value;
  return self;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_double (gdouble value)
{
  WampValue *self = scalar_new (WAMP_VALUE_DOUBLE);

  AS_SCALAR (self)->v.d = value;
  return self;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_string_len (const char *str,
                           gsize       len)
{
  WampStringValue *self;

  g_return_val_if_fail (str != NULL || len == 0, NULL);
  g_return_val_if_fail (len < G_MAXSIZE - sizeof (WampStringValue) - 1, NULL);

  if (len <= SPARE_STRING_LEN)
    {
      self = spare_string_take ();
      self->parent.ref_count = 1;
      self->parent.type = WAMP_VALUE_STRING;
    }
  else
    self = value_alloc (WAMP_VALUE_STRING, sizeof (WampStringValue) + len + 1);
  self->len = len;
  if (len > 0)
    memcpy (self->data, str, len);
  self->data[len] = '\0';
  return (WampValue *) self;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_string (const char *str)
{
  g_return_val_if_fail (str != NULL, NULL);

  return wamp_value_new_string_len (str, strlen (str));
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_bytes (const guint8 *data,
                      gsize         len)
{
  WampBytesValue *self;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (len < G_MAXSIZE - sizeof (WampBytesValue), NULL);

  self = value_alloc (WAMP_VALUE_BYTES, sizeof (WampBytesValue) + len);
  self->gbytes = NULL;
  self->len = len;
  if (len > 0)
    memcpy (self->inline_data, data, len);
  self->data = self->inline_data;
  return (WampValue *) self;
}

/* @bytes: (transfer none). Returns: (transfer full). */
WampValue *
wamp_value_new_bytes_from_gbytes (GBytes *bytes)
{
  WampBytesValue *self;

  g_return_val_if_fail (bytes != NULL, NULL);

  self = value_alloc (WAMP_VALUE_BYTES, sizeof (WampBytesValue));
  self->gbytes = g_bytes_ref (bytes);
  self->data = g_bytes_get_data (bytes, &self->len);
  return (WampValue *) self;
}

/* A reserve is a hint, and may come from a count a peer claimed: beyond this
 * the array grows as items actually arrive. */
#define MAX_RESERVE 1024

/* Returns: (transfer full). */
WampValue *
wamp_value_new_list (gsize reserve)
{
  WampListValue *self = value_alloc (WAMP_VALUE_LIST, sizeof (WampListValue));

  reserve = MIN (reserve, MAX_RESERVE);

  self->len = 0;
  self->cap = reserve;
  self->items = reserve > 0 ? g_new (WampValue *, reserve) : NULL;
  return (WampValue *) self;
}

/* Seeds the key hash per process, so that a peer cannot precompute a dict
 * whose keys all collide. Set (once) before the first dict exists. */
static guint32 hash_seed;

static void
hash_seed_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      hash_seed = g_random_int ();
      g_once_init_leave (&initialized, 1);
    }
}

static WampDictValue immortal_empty_dict = { { IMMORTAL_REFS, WAMP_VALUE_DICT }, NULL, 0, 0, NULL, 0 };

/* Returns: (transfer full): the shared, immutable empty dict. */
WampValue *
wamp_value_get_empty_dict (void)
{
  return &immortal_empty_dict.parent;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_new_dict (gsize reserve)
{
  WampDictValue *self;

  hash_seed_init ();
  reserve = MIN (reserve, MAX_RESERVE);
  self = value_alloc (WAMP_VALUE_DICT, sizeof (WampDictValue));

  self->len = 0;
  self->cap = reserve;
  self->entries = reserve > 0 ? g_new (WampDictEntry, reserve) : NULL;
  self->index = NULL;
  self->index_mask = 0;
  return (WampValue *) self;
}

/* Returns: (transfer full). */
WampValue *
wamp_value_ref (WampValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (!wamp_value_is_tagged (value) && !IS_IMMORTAL (value))
    g_atomic_ref_count_inc (&value->ref_count);
  return value;
}

static void
value_free (WampValue *value)
{
  switch (wamp_value_type_inline (value))
    {
    case WAMP_VALUE_BYTES:
      g_clear_pointer (&AS_BYTES (value)->gbytes, g_bytes_unref);
      break;
    case WAMP_VALUE_LIST:
      {
        WampListValue *list = AS_LIST (value);

        for (gsize i = 0; i < list->len; i++)
          wamp_value_unref (list->items[i]);
        g_free (list->items);
      }
      break;
    case WAMP_VALUE_DICT:
      {
        WampDictValue *dict = AS_DICT (value);

        for (gsize i = 0; i < dict->len; i++)
          {
            g_free (dict->entries[i].key);
            wamp_value_unref (dict->entries[i].value);
          }
        g_free (dict->entries);
        g_free (dict->index);
      }
      break;
    case WAMP_VALUE_STRING:
      if (AS_STRING (value)->len <= SPARE_STRING_LEN)
        {
          spare_string_give (value);
          return;
        }
      break;
    case WAMP_VALUE_NULL:
    case WAMP_VALUE_BOOL:
    case WAMP_VALUE_INT:
    case WAMP_VALUE_UINT:
    case WAMP_VALUE_DOUBLE:
    default:
      break;
    }
  g_free (value);
}

void
wamp_value_unref (WampValue *value)
{
  g_return_if_fail (value != NULL);

  if (!wamp_value_is_tagged (value) && !IS_IMMORTAL (value) && g_atomic_ref_count_dec (&value->ref_count))
    value_free (value);
}

WampValueType
wamp_value_get_value_type (const WampValue *value)
{
  g_return_val_if_fail (value != NULL, WAMP_VALUE_NULL);

  return wamp_value_type_inline (value);
}

/* Returns: (transfer none). */
const char *
wamp_value_type_to_string (WampValueType type)
{
  static const char *const names[] = {
    [WAMP_VALUE_NULL] = "null",
    [WAMP_VALUE_BOOL] = "bool",
    [WAMP_VALUE_INT] = "int",
    [WAMP_VALUE_UINT] = "uint",
    [WAMP_VALUE_DOUBLE] = "double",
    [WAMP_VALUE_STRING] = "string",
    [WAMP_VALUE_BYTES] = "bytes",
    [WAMP_VALUE_LIST] = "list",
    [WAMP_VALUE_DICT] = "dict",
  };

  if ((guint) type >= G_N_ELEMENTS (names))
    return "invalid";
  return names[type];
}

#define CHECK_TYPE(value, t, ret) \
  G_STMT_START { \
    g_return_val_if_fail ((value) != NULL, ret); \
    g_return_val_if_fail (wamp_value_type_inline (value) == (t), ret); \
  } G_STMT_END

gboolean
wamp_value_get_bool (const WampValue *value)
{
  CHECK_TYPE (value, WAMP_VALUE_BOOL, FALSE);
  return AS_SCALAR (value)->v.b;
}

gint64
wamp_value_get_int (const WampValue *value)
{
  CHECK_TYPE (value, WAMP_VALUE_INT, 0);
  return int_of (value);
}

guint64
wamp_value_get_uint (const WampValue *value)
{
  CHECK_TYPE (value, WAMP_VALUE_UINT, 0);
  return AS_SCALAR (value)->v.u;
}

gdouble
wamp_value_get_double (const WampValue *value)
{
  CHECK_TYPE (value, WAMP_VALUE_DOUBLE, 0.0);
  return AS_SCALAR (value)->v.d;
}

/* Returns: (transfer none). */
const char *
wamp_value_get_string (const WampValue *value,
                       gsize           *len)
{
  CHECK_TYPE (value, WAMP_VALUE_STRING, NULL);
  if (len != NULL)
    *len = AS_STRING (value)->len;
  return AS_STRING (value)->data;
}

/* Returns: (transfer none). */
const guint8 *
wamp_value_get_bytes (const WampValue *value,
                      gsize           *len)
{
  CHECK_TYPE (value, WAMP_VALUE_BYTES, NULL);
  if (len != NULL)
    *len = AS_BYTES (value)->len;
  return AS_BYTES (value)->data;
}

gboolean
wamp_value_get_unsigned (const WampValue *value,
                         guint64         *out)
{
  guint64 result;

  g_return_val_if_fail (value != NULL, FALSE);

  if (wamp_value_type_inline (value) == WAMP_VALUE_INT)
    {
      if (int_of (value) < 0)
        return FALSE;
      result = (guint64) int_of (value);
    }
  else if (wamp_value_type_inline (value) == WAMP_VALUE_UINT)
    result = AS_SCALAR (value)->v.u;
  else
    return FALSE;

  if (out != NULL)
    *out = result;
  return TRUE;
}

#define ID_MAX G_GUINT64_CONSTANT (9007199254740992) /* 2^53, as WAMP_ID_MAX */

gboolean
wamp_value_get_id (const WampValue *value,
                   guint64         *out)
{
  gint64 i;

  g_return_val_if_fail (value != NULL, FALSE);

  /* UINT values are all above G_MAXINT64, hence out of range. */
  if (wamp_value_type_inline (value) != WAMP_VALUE_INT)
    return FALSE;
  i = int_of (value);
  if (i < 0 || (guint64) i > ID_MAX)
    return FALSE;
  if (out != NULL)
    *out = (guint64) i;
  return TRUE;
}

gboolean
wamp_value_is_plain_string (const WampValue *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  return wamp_value_type_inline (value) == WAMP_VALUE_STRING &&
         memchr (AS_STRING (value)->data, '\0', AS_STRING (value)->len) == NULL;
}

/* Lists. */

gsize
wamp_value_list_length (const WampValue *list)
{
  CHECK_TYPE (list, WAMP_VALUE_LIST, 0);
  return AS_LIST (list)->len;
}

/* Returns: (transfer none). */
WampValue *
wamp_value_list_get (const WampValue *list,
                     gsize            index)
{
  CHECK_TYPE (list, WAMP_VALUE_LIST, NULL);
  g_return_val_if_fail (index < AS_LIST (list)->len, NULL);
  return AS_LIST (list)->items[index];
}

/* @item: (transfer full). */
void
wamp_value_list_append (WampValue *list,
                        WampValue *item)
{
  WampListValue *self;

  g_return_if_fail (list != NULL);
  g_return_if_fail (wamp_value_type_inline (list) == WAMP_VALUE_LIST);
  g_return_if_fail (item != NULL);
  g_return_if_fail (item != list);
  g_return_if_fail (g_atomic_ref_count_compare (&list->ref_count, 1));

  self = AS_LIST (list);
  if (self->len == self->cap)
    {
      self->cap = MAX (4, self->cap * 2);
      self->items = g_renew (WampValue *, self->items, self->cap);
    }
  self->items[self->len++] = item;
}

/* Dicts. */

/* FNV-1a, seeded: keys are short, and a hash over the bytes handles
 * embedded NUL. */
static guint32
key_hash (const char *key,
          gsize       len)
{
  guint32 h = 2166136261u ^ hash_seed;

  for (gsize i = 0; i < len; i++)
    {
      h ^= (guint8) key[i];
      h *= 16777619u;
    }
  return h;
}

static void
dict_index_insert (WampDictValue *self,
                   gsize          position)
{
  gsize slot = self->entries[position].hash & self->index_mask;

  while (self->index[slot] != 0)
    slot = (slot + 1) & self->index_mask;
  self->index[slot] = (guint32) (position + 1);
}

static void
dict_index_rebuild (WampDictValue *self)
{
  gsize size = 16;

  while (size < self->len * 2)
    size *= 2;
  g_free (self->index);
  self->index = g_new0 (guint32, size);
  self->index_mask = size - 1;
  for (gsize i = 0; i < self->len; i++)
    dict_index_insert (self, i);
}

/* Returns: the entry position, or -1. */
static gssize
dict_find (const WampDictValue *self,
           const char          *key,
           gsize                key_len,
           guint32              hash)
{
  if (self->index != NULL)
    {
      gsize slot = hash & self->index_mask;

      while (self->index[slot] != 0)
        {
          const WampDictEntry *e = &self->entries[self->index[slot] - 1];

          if (e->hash == hash && e->key_len == key_len &&
              memcmp (e->key, key, key_len) == 0)
            return self->index[slot] - 1;
          slot = (slot + 1) & self->index_mask;
        }
      return -1;
    }

  for (gsize i = 0; i < self->len; i++)
    {
      const WampDictEntry *e = &self->entries[i];

      if (e->hash == hash && e->key_len == key_len &&
          memcmp (e->key, key, key_len) == 0)
        return (gssize) i;
    }
  return -1;
}

gsize
wamp_value_dict_size (const WampValue *dict)
{
  CHECK_TYPE (dict, WAMP_VALUE_DICT, 0);
  return AS_DICT (dict)->len;
}

/* Returns: (transfer none) (nullable). */
WampValue *
wamp_value_dict_lookup_len (const WampValue *dict,
                            const char      *key,
                            gsize            key_len)
{
  gssize pos;

  CHECK_TYPE (dict, WAMP_VALUE_DICT, NULL);
  g_return_val_if_fail (key != NULL || key_len == 0, NULL);

  pos = dict_find (AS_DICT (dict), key, key_len, key_hash (key, key_len));
  return pos < 0 ? NULL : AS_DICT (dict)->entries[pos].value;
}

/* Returns: (transfer none) (nullable). */
WampValue *
wamp_value_dict_lookup (const WampValue *dict,
                        const char      *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return wamp_value_dict_lookup_len (dict, key, strlen (key));
}

/* Returns: (transfer none). */
const char *
wamp_value_dict_get_key (const WampValue *dict,
                         gsize            index,
                         gsize           *key_len)
{
  CHECK_TYPE (dict, WAMP_VALUE_DICT, NULL);
  g_return_val_if_fail (index < AS_DICT (dict)->len, NULL);

  if (key_len != NULL)
    *key_len = AS_DICT (dict)->entries[index].key_len;
  return AS_DICT (dict)->entries[index].key;
}

/* Returns: (transfer none). */
WampValue *
wamp_value_dict_get_value (const WampValue *dict,
                           gsize            index)
{
  CHECK_TYPE (dict, WAMP_VALUE_DICT, NULL);
  g_return_val_if_fail (index < AS_DICT (dict)->len, NULL);

  return AS_DICT (dict)->entries[index].value;
}

/* @value: (transfer full). */
void
wamp_value_dict_insert_len (WampValue  *dict,
                            const char *key,
                            gsize       key_len,
                            WampValue  *value)
{
  WampDictValue *self;
  WampDictEntry *e;
  guint32 hash;
  gssize pos;

  g_return_if_fail (dict != NULL);
  g_return_if_fail (wamp_value_type_inline (dict) == WAMP_VALUE_DICT);
  g_return_if_fail (key != NULL || key_len == 0);
  g_return_if_fail (value != NULL);
  g_return_if_fail (value != dict);
  g_return_if_fail (g_atomic_ref_count_compare (&dict->ref_count, 1));

  self = AS_DICT (dict);
  hash = key_hash (key, key_len);
  pos = dict_find (self, key, key_len, hash);
  if (pos >= 0)
    {
      wamp_value_unref (self->entries[pos].value);
      self->entries[pos].value = value;
      return;
    }

  g_return_if_fail (self->len < G_MAXUINT32 - 1);

  if (self->len == self->cap)
    {
      self->cap = MAX (4, self->cap * 2);
      self->entries = g_renew (WampDictEntry, self->entries, self->cap);
    }
  e = &self->entries[self->len++];
  e->key = g_malloc (key_len + 1);
  if (key_len > 0)
    memcpy (e->key, key, key_len);
  e->key[key_len] = '\0';
  e->key_len = key_len;
  e->hash = hash;
  e->value = value;

  if (self->index != NULL && self->len * 2 <= self->index_mask + 1)
    dict_index_insert (self, self->len - 1);
  else if (self->len > DICT_INDEX_THRESHOLD)
    dict_index_rebuild (self);
}

/* @value: (transfer full). */
void
wamp_value_dict_insert (WampValue  *dict,
                        const char *key,
                        WampValue  *value)
{
  g_return_if_fail (key != NULL);

  wamp_value_dict_insert_len (dict, key, strlen (key), value);
}

gboolean
wamp_value_dict_get_bool (const WampValue *dict,
                          const char      *key,
                          gboolean         default_value)
{
  WampValue *v = wamp_value_dict_lookup (dict, key);

  if (v == NULL || wamp_value_type_inline (v) != WAMP_VALUE_BOOL)
    return default_value;
  return AS_SCALAR (v)->v.b;
}

/* Returns: (transfer none) (nullable). */
const char *
wamp_value_dict_get_string (const WampValue *dict,
                            const char      *key)
{
  WampValue *v = wamp_value_dict_lookup (dict, key);

  if (v == NULL || wamp_value_type_inline (v) != WAMP_VALUE_STRING)
    return NULL;
  return AS_STRING (v)->data;
}

guint64
wamp_value_dict_get_unsigned (const WampValue *dict,
                              const char      *key,
                              guint64          default_value)
{
  WampValue *v = wamp_value_dict_lookup (dict, key);
  guint64 result;

  if (v == NULL || !wamp_value_get_unsigned (v, &result))
    return default_value;
  return result;
}

/* Equality and debugging. */

gboolean
wamp_value_equal (const WampValue *a,
                  const WampValue *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (wamp_value_type_inline (a) != wamp_value_type_inline (b))
    return FALSE;

  switch (wamp_value_type_inline (a))
    {
    case WAMP_VALUE_NULL:
      return TRUE;
    case WAMP_VALUE_BOOL:
      return AS_SCALAR (a)->v.b == AS_SCALAR (b)->v.b;
    case WAMP_VALUE_INT:
      return int_of (a) == int_of (b);
    case WAMP_VALUE_UINT:
      return AS_SCALAR (a)->v.u == AS_SCALAR (b)->v.u;
    case WAMP_VALUE_DOUBLE:
      {
        gdouble x = AS_SCALAR (a)->v.d, y = AS_SCALAR (b)->v.d;

        return x == y && !signbit (x) == !signbit (y);
      }
    case WAMP_VALUE_STRING:
      return AS_STRING (a)->len == AS_STRING (b)->len &&
             memcmp (AS_STRING (a)->data, AS_STRING (b)->data, AS_STRING (a)->len) == 0;
    case WAMP_VALUE_BYTES:
      return AS_BYTES (a)->len == AS_BYTES (b)->len &&
             (AS_BYTES (a)->len == 0 ||
              memcmp (AS_BYTES (a)->data, AS_BYTES (b)->data, AS_BYTES (a)->len) == 0);
    case WAMP_VALUE_LIST:
      if (AS_LIST (a)->len != AS_LIST (b)->len)
        return FALSE;
      for (gsize i = 0; i < AS_LIST (a)->len; i++)
        if (!wamp_value_equal (AS_LIST (a)->items[i], AS_LIST (b)->items[i]))
          return FALSE;
      return TRUE;
    case WAMP_VALUE_DICT:
      if (AS_DICT (a)->len != AS_DICT (b)->len)
        return FALSE;
      for (gsize i = 0; i < AS_DICT (a)->len; i++)
        {
          const WampDictEntry *e = &AS_DICT (a)->entries[i];
          gssize pos = dict_find (AS_DICT (b), e->key, e->key_len, e->hash);

          if (pos < 0 || !wamp_value_equal (e->value, AS_DICT (b)->entries[pos].value))
            return FALSE;
        }
      return TRUE;
    default:
      return FALSE;
    }
}

static guint
mix (guint h, guint v)
{
  return (h ^ v) * 16777619u;
}

guint
wamp_value_hash (const WampValue *value)
{
  guint h;

  g_return_val_if_fail (value != NULL, 0);

  h = mix (2166136261u, wamp_value_type_inline (value));
  switch (wamp_value_type_inline (value))
    {
    case WAMP_VALUE_NULL:
      return h;
    case WAMP_VALUE_BOOL:
      return mix (h, (guint) AS_SCALAR (value)->v.b);
    case WAMP_VALUE_INT:
      {
        guint64 u = (guint64) int_of (value);

        return mix (mix (h, (guint) u), (guint) (u >> 32));
      }
    case WAMP_VALUE_UINT:
    case WAMP_VALUE_DOUBLE:
      /* Equal doubles have equal bits, but for NaN, which equals nothing. */
      return mix (mix (h, (guint) AS_SCALAR (value)->v.u), (guint) (AS_SCALAR (value)->v.u >> 32));
    case WAMP_VALUE_STRING:
      return mix (h, key_hash (AS_STRING (value)->data, AS_STRING (value)->len));
    case WAMP_VALUE_BYTES:
      return mix (h, key_hash ((const char *) AS_BYTES (value)->data, AS_BYTES (value)->len));
    case WAMP_VALUE_LIST:
      for (gsize i = 0; i < AS_LIST (value)->len; i++)
        h = mix (h, wamp_value_hash (AS_LIST (value)->items[i]));
      return h;
    case WAMP_VALUE_DICT:
      {
        /* A sum, so the order of the entries does not matter. */
        guint sum = 0;

        for (gsize i = 0; i < AS_DICT (value)->len; i++)
          {
            const WampDictEntry *e = &AS_DICT (value)->entries[i];

            sum += mix (e->hash, wamp_value_hash (e->value));
          }
        return mix (h, sum);
      }
    default:
      return h;
    }
}

gboolean
wamp_value_has_ref_count (const WampValue *value,
                          gint             n)
{
  g_return_val_if_fail (value != NULL, FALSE);

  /* A tagged integer has no count: like the other immortals (whose count
   * never moves from IMMORTAL_REFS), no number of references makes it the
   * last one, so the router's intern table never drops it as unshared. */
  if (wamp_value_is_tagged (value))
    return FALSE;
  return g_atomic_ref_count_compare ((gatomicrefcount *) &value->ref_count, n);
}

static void
append_json_string (GString    *out,
                    const char *str,
                    gsize       len)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) str[i];

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_debug (GString         *out,
              const WampValue *value)
{
  switch (wamp_value_type_inline (value))
    {
    case WAMP_VALUE_NULL:
      g_string_append (out, "null");
      break;
    case WAMP_VALUE_BOOL:
      g_string_append (out, AS_SCALAR (value)->v.b ? "true" : "false");
      break;
    case WAMP_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, int_of (value));
      break;
    case WAMP_VALUE_UINT:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, AS_SCALAR (value)->v.u);
      break;
    case WAMP_VALUE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        gdouble d = AS_SCALAR (value)->v.d;

        if (isnan (d))
          g_string_append (out, "NaN");
        else if (isinf (d))
          g_string_append (out, d > 0 ? "Infinity" : "-Infinity");
        else
          {
            /* The shortest of %.15g / %.17g that reads back exactly:
             * 0.1 prints as 0.1, not 0.10000000000000001. */
            g_ascii_formatd (buf, sizeof buf, "%.15g", d);
            if (g_ascii_strtod (buf, NULL) != d)
              g_ascii_formatd (buf, sizeof buf, "%.17g", d);
            g_string_append (out, buf);
            /* Keep doubles distinguishable from integers in logs. */
            if (strpbrk (buf, ".eE") == NULL)
              g_string_append (out, ".0");
          }
      }
      break;
    case WAMP_VALUE_STRING:
      append_json_string (out, AS_STRING (value)->data, AS_STRING (value)->len);
      break;
    case WAMP_VALUE_BYTES:
      g_string_append (out, "<bytes:");
      for (gsize i = 0; i < AS_BYTES (value)->len; i++)
        g_string_append_printf (out, "%02x", AS_BYTES (value)->data[i]);
      g_string_append_c (out, '>');
      break;
    case WAMP_VALUE_LIST:
      g_string_append_c (out, '[');
      for (gsize i = 0; i < AS_LIST (value)->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_debug (out, AS_LIST (value)->items[i]);
        }
      g_string_append_c (out, ']');
      break;
    case WAMP_VALUE_DICT:
      g_string_append_c (out, '{');
      for (gsize i = 0; i < AS_DICT (value)->len; i++)
        {
          const WampDictEntry *e = &AS_DICT (value)->entries[i];

          if (i > 0)
            g_string_append (out, ", ");
          append_json_string (out, e->key, e->key_len);
          g_string_append (out, ": ");
          append_debug (out, e->value);
        }
      g_string_append_c (out, '}');
      break;
    default:
      g_string_append (out, "<invalid>");
    }
}

/* Returns: (transfer full). */
char *
wamp_value_to_debug_string (const WampValue *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_new (NULL);
  append_debug (out, value);
  return g_string_free (out, FALSE);
}
