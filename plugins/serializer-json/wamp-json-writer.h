/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampJsonWriter: the growable output buffer and value writer of the JSON serializer. */
#pragma once

#include <string.h>
#include <wamp/wamp.h>

G_BEGIN_DECLS

/**
 * WampJsonWriter:
 *
 * A plain growable byte buffer (no GString: the fast paths append with
 * memcpy after one capacity check). Lives on the caller's stack.
 */
typedef struct {
  guint8 *data;
  gsize len;
  gsize alloc;
} WampJsonWriter;

void wamp_json_writer_init (WampJsonWriter *writer,
                            gsize           reserve);
void wamp_json_writer_clear (WampJsonWriter *writer);
/* Returns: (transfer full): the bytes written; the writer is empty afterwards. */
GBytes *wamp_json_writer_steal_bytes (WampJsonWriter *writer);

void wamp_json_writer_grow (WampJsonWriter *writer,
                            gsize           needed);

static inline void
wamp_json_writer_reserve (WampJsonWriter *writer,
                          gsize           n)
{
  if (G_UNLIKELY (writer->alloc - writer->len < n))
    wamp_json_writer_grow (writer, n);
}

static inline void
wamp_json_writer_append (WampJsonWriter *writer,
                         const void     *data,
                         gsize           len)
{
  wamp_json_writer_reserve (writer, len);
  memcpy (writer->data + writer->len, data, len);
  writer->len += len;
}

static inline void
wamp_json_writer_put (WampJsonWriter *writer,
                      guint8          c)
{
  wamp_json_writer_reserve (writer, 1);
  writer->data[writer->len++] = c;
}

/* Writes @value. Fails with WAMP_ERROR_INVALID_ARGUMENT for what JSON cannot
 * carry: NaN and infinities, and a string beginning with U+0000 (the binary
 * convention would read it back as bytes). The writer then holds a partial
 * document the caller discards. */
gboolean wamp_json_writer_write_value (WampJsonWriter  *writer,
                                       const WampValue *value,
                                       GError         **error);

G_END_DECLS
