/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSerializer: the interface, its NULL-checking wrappers, the per-message
 * encoding cache and the shared instance of each serializer extension. */

#include "config.h"

#include <gio/gio.h>

#include <wamp/wamp.h>

#include "wamp-counters-private.h"
#include "wamp-iface-private.h"
#include "wamp-message-private.h"
#include "wamp-serializer-private.h"

G_DEFINE_INTERFACE (WampSerializer, wamp_serializer, G_TYPE_OBJECT)

static void
wamp_serializer_default_init (WampSerializerInterface *iface)
{
}

/* Vfuncs appended to the interface later are NULL for plugins built against
 * an older ABI: each wrapper answers for them instead of crashing. */
static gboolean
not_supported (GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "Serializer does not implement %s", what);
  return FALSE;
}

static WampPointerTable serializer_ifaces;

/* The interface of @self, NULL when @self is not a serializer. The cache is
 * read before WAMP_TYPE_SERIALIZER is needed: the type getter's once-check
 * is a call per message otherwise. */
static inline WampSerializerInterface *
peek_iface (WampSerializer *self)
{
  WampSerializerInterface *iface;

  if (G_LIKELY (self != NULL && ((GTypeInstance *) self)->g_class != NULL))
    {
      iface = wamp_pointer_table_lookup (&serializer_ifaces, ((GTypeInstance *) self)->g_class);
      if (G_LIKELY (iface != NULL))
        return iface;
    }
  return wamp_iface_peek (&serializer_ifaces, self, WAMP_TYPE_SERIALIZER);
}

const char *
wamp_serializer_get_name (WampSerializer *self)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_name != NULL ? iface->get_name (self) : NULL;
}

const char *
wamp_serializer_get_subprotocol (WampSerializer *self)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_subprotocol != NULL ? iface->get_subprotocol (self) : NULL;
}

guint8
wamp_serializer_get_rawsocket_id (WampSerializer *self)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, 0);

  return iface->get_rawsocket_id != NULL ? iface->get_rawsocket_id (self) : 0;
}

gboolean
wamp_serializer_is_binary (WampSerializer *self)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, FALSE);

  return iface->is_binary != NULL ? iface->is_binary (self) : FALSE;
}

WampMessage *
wamp_serializer_deserialize (WampSerializer *self, GBytes *frame, GError **error)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (iface->deserialize == NULL)
    {
      not_supported (error, "deserialize");
      return NULL;
    }
  return iface->deserialize (self, frame, error);
}

/* A plugin that failed without saying why still gives its caller a reason. */
static void
ensure_failure (GError **failure)
{
  if (*failure == NULL)
    *failure = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                                    "serializer failed without saying why");
}

GBytes *
wamp_serializer_default_serialize (WampSerializer *self, WampMessage *message, GError **error)
{
  WampSerializerInterface *iface = peek_iface (self);
  g_auto(WampOutputBuffer) buffer = { NULL, 0, 0 };

  g_return_val_if_fail (iface != NULL && iface->serialize_into != NULL, NULL);

  if (!iface->serialize_into (self, message, &buffer, error))
    return NULL;
  return wamp_output_buffer_steal_bytes (&buffer);
}

WampMessage *
wamp_serializer_deserialize_data (WampSerializer *self, const guint8 *data, gsize len,
                                  GError **error)
{
  WampSerializerInterface *iface;
  g_autoptr(GBytes) frame = NULL;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (iface->deserialize_data != NULL)
    return iface->deserialize_data (self, data, len, error);

  /* A plugin older than ABI 1.3: its deserializer may keep the frame. */
  if (iface->deserialize == NULL)
    {
      not_supported (error, "deserialize");
      return NULL;
    }
  frame = g_bytes_new (data, len);
  return iface->deserialize (self, frame, error);
}

GBytes *
wamp_serializer_serialize (WampSerializer *self, WampMessage *message, GError **error)
{
  WampSerializerInterface *iface;
  GBytes *cached;
  const GError *failure;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) local_error = NULL;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Rule 2: an EVENT fanned out to many subscribers is encoded once per
   * serializer; every later receiver gets the same GBytes. */
  /* The same holds for a value this format cannot carry: the other
   * receivers on this serializer fail at once, with the same error. */
  if (wamp_message_lookup_cached (message, self, &cached, &failure))
    {
      if (cached != NULL)
        return g_bytes_ref (cached);
      g_propagate_error (error, g_error_copy (failure));
      return NULL;
    }

  if (iface->serialize != NULL)
    encoded = iface->serialize (self, message, &local_error);
  else if (iface->serialize_into != NULL)
    encoded = wamp_serializer_default_serialize (self, message, &local_error);
  else
    {
      not_supported (error, "serialize");
      return NULL;
    }
  wamp_counters_count_serialization (self, encoded != NULL);
  if (encoded == NULL)
    {
      ensure_failure (&local_error);
      wamp_message_set_cached_failure (message, self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  wamp_message_set_cached_encoding (message, self, encoded);
  return g_steal_pointer (&encoded);
}

/* The cold half of wamp_serializer_serialize_into(): the shared encoding
 * copied, for a message encoded before (rule 2) or a plugin without the
 * vfunc. */
static gboolean
serialize_into_copy (WampSerializer   *self,
                     WampMessage      *message,
                     WampOutputBuffer *out,
                     GError          **error)
{
  g_autoptr(GBytes) encoded = wamp_serializer_serialize (self, message, error);
  gsize len;
  const guint8 *data;

  if (encoded == NULL)
    return FALSE;
  data = g_bytes_get_data (encoded, &len);
  wamp_output_buffer_append (out, data, len);
  return TRUE;
}

/* The cold half of wamp_serializer_serialize_into(): the plugin failed. */
static G_GNUC_NO_INLINE gboolean
serialize_into_failed (WampSerializer   *self,
                       WampOutputBuffer *out,
                       gsize             start,
                       GError          **error,
                       GError           *local_error)
{
  wamp_counters_count_serialization (self, FALSE);
  out->len = start;
  ensure_failure (&local_error);
  g_propagate_error (error, local_error);
  return FALSE;
}

gboolean
wamp_serializer_serialize_into (WampSerializer   *self,
                                WampMessage      *message,
                                WampOutputBuffer *out,
                                GError          **error)
{
  WampSerializerInterface *iface;
  GBytes *cached;
  const GError *failure;
  GError *local_error = NULL;
  gsize start;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Most messages go to one receiver: nothing cached, nothing to look up. */
  if (G_UNLIKELY (iface->serialize_into == NULL ||
                  (wamp_message_has_cached (message) &&
                   wamp_message_lookup_cached (message, self, &cached, &failure))))
    return serialize_into_copy (self, message, out, error);

  start = out->len;
  if (G_UNLIKELY (!iface->serialize_into (self, message, out, &local_error)))
    return serialize_into_failed (self, out, start, error, local_error);
  wamp_counters_count_serialization (self, TRUE);
  return TRUE;
}

GBytes *
wamp_serializer_encode_value (WampSerializer *self, WampValue *value, GError **error)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (iface->encode_value == NULL)
    {
      not_supported (error, "encode_value");
      return NULL;
    }
  wamp_counters_count_value_encode ();
  return iface->encode_value (self, value, error);
}

WampValue *
wamp_serializer_decode_value (WampSerializer *self, const guint8 *data, gsize len, GError **error)
{
  WampSerializerInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (iface->decode_value == NULL)
    {
      not_supported (error, "decode_value");
      return NULL;
    }
  wamp_counters_count_value_decode ();
  return iface->decode_value (self, data, len, error);
}

/* Serializers are stateless, so one instance per extension serves every
 * connection and the message cache can key on its pointer. The instances
 * live as long as the process, like the plugin types they belong to. */
static GHashTable *serializer_instances; /* name → WampSerializer (owned) */
G_LOCK_DEFINE_STATIC (serializer_instances);

/* The same instances, for wamp_serializer_hold() to recognise without the
 * lock (see wamp-serializer-private.h). */
WampPointerTable wamp_serializer_shared_instances;

WampSerializer *
wamp_serializer_lookup (const char *name)
{
  WampSerializer *serializer;

  g_return_val_if_fail (name != NULL, NULL);

  G_LOCK (serializer_instances);

  if (serializer_instances == NULL)
    serializer_instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  serializer = g_hash_table_lookup (serializer_instances, name);
  if (serializer == NULL)
    {
      GType type = wamp_extension_lookup (WAMP_SERIALIZER_EXTENSION_POINT, name);

      if (type != G_TYPE_INVALID)
        {
          serializer = g_object_new (type, NULL);
          g_hash_table_insert (serializer_instances, g_strdup (name), serializer);
          wamp_pointer_table_insert (&wamp_serializer_shared_instances, serializer, serializer);
        }
    }

  G_UNLOCK (serializer_instances);

  return serializer;
}
