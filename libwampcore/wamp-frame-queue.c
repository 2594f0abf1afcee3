/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampFrameQueue: the bounded outgoing queue of a transport connection;
 * vectored writes of prefix + body + suffix, partial writes kept. A body is
 * a shared GBytes or bytes encoded straight into the queue's own buffer. */

#include "config.h"

#include <wamp/wamp.h>

#include <string.h>

/* Vectors per writev: three per frame. */
#define MAX_IOV 128

typedef struct
{
  guint8 prefix[WAMP_FRAME_QUEUE_MAX_PREFIX];
  guint8 prefix_len;
  guint8 suffix[WAMP_FRAME_QUEUE_MAX_SUFFIX];
  guint8 suffix_len;
  GBytes *payload;      /* (nullable): the body, shared */
  gsize inline_start;   /* else the body is [inline_start, +inline_len) of */
  gsize inline_len;     /* the queue's inline buffer */
  gsize written;        /* of prefix + body + suffix */
} Frame;

/* Frames a queue holds without allocating: a turn seldom queues more for
 * one connection. */
#define INLINE_FRAMES 4

/* The frames are one array, [head, head + len) in use: no allocation per
 * frame; a larger array only while a burst needs it. */
struct _WampFrameQueue
{
  Frame *frames; /* inline_frames or a larger allocation */
  guint cap;
  guint head;
  guint len;
  gsize bytes;   /* not yet written */
  /* Bodies encoded into the queue (wamp_frame_queue_get_inline_buffer()):
   * no allocation per frame; freed once the queue is empty, so an idle
   * connection holds none. */
  WampOutputBuffer inline_buffer;
  Frame inline_frames[INLINE_FRAMES];
};

/* An inline buffer this large is not kept for the next burst. */
#define INLINE_KEEP_MAX (64 * 1024)

/* The inline buffers of emptied queues wait here for the next queue that
 * needs one: a turn's burst then neither allocates nor grows its buffer,
 * and an idle connection still holds none. A few small ones per thread. */
#define SPARE_BUFFERS 8
#define SPARE_MAX 8192
#define INLINE_FIRST 2048

/* Likewise the first larger frame array (a burst of more than
 * INLINE_FRAMES frames): reused, not allocated and freed per burst. */
#define SPARE_FRAME_ARRAYS 8
#define FIRST_FRAMES (INLINE_FRAMES * 2)

typedef struct
{
  WampOutputBuffer buffers[SPARE_BUFFERS];
  guint n;
  Frame *frame_arrays[SPARE_FRAME_ARRAYS]; /* of FIRST_FRAMES frames each */
  guint n_frame_arrays;
} Spares;

static void
spares_free (gpointer data)
{
  Spares *spares = data;

  for (guint i = 0; i < spares->n; i++)
    wamp_output_buffer_clear (&spares->buffers[i]);
  for (guint i = 0; i < spares->n_frame_arrays; i++)
    g_free (spares->frame_arrays[i]);
  g_free (spares);
}

static GPrivate spares_key = G_PRIVATE_INIT (spares_free);

static Spares *
get_spares (void)
{
  Spares *spares = g_private_get (&spares_key);

  if (G_UNLIKELY (spares == NULL))
    {
      spares = g_new0 (Spares, 1);
      g_private_set (&spares_key, spares);
    }
  return spares;
}

/* Empties @buffer, keeping its memory as a spare when it is small. */
static void
retire_inline_buffer (WampOutputBuffer *buffer)
{
  Spares *spares;

  if (buffer->data == NULL)
    return;
  spares = get_spares ();
  if (buffer->alloc <= SPARE_MAX && spares->n < SPARE_BUFFERS)
    {
      buffer->len = 0;
      spares->buffers[spares->n++] = *buffer;
      *buffer = (WampOutputBuffer) { NULL, 0, 0 };
    }
  else
    wamp_output_buffer_clear (buffer);
}

static void
frame_clear (Frame *f)
{
  g_clear_pointer (&f->payload, g_bytes_unref);
}

/* Back to the inline arrays once nothing is left. */
static void
release_if_empty (WampFrameQueue *self)
{
  if (self->len > 0)
    return;
  if (self->frames != self->inline_frames)
    {
      Spares *spares = get_spares ();

      if (self->cap == FIRST_FRAMES && spares->n_frame_arrays < SPARE_FRAME_ARRAYS)
        spares->frame_arrays[spares->n_frame_arrays++] = self->frames;
      else
        g_free (self->frames);
    }
  self->frames = self->inline_frames;
  self->cap = INLINE_FRAMES;
  self->head = 0;
  retire_inline_buffer (&self->inline_buffer);
}

static gsize
frame_body_size (const Frame *f)
{
  return f->payload != NULL ? g_bytes_get_size (f->payload) : f->inline_len;
}

static gsize
frame_size (const Frame *f)
{
  return f->prefix_len + frame_body_size (f) + f->suffix_len;
}

/* Adds the unwritten part of @f to @iov (at most three entries). */
static guint
frame_iov (const WampFrameQueue *self, const Frame *f, GOutputVector *iov)
{
  gsize plen = f->inline_len;
  const guint8 *pdata = f->payload != NULL ? g_bytes_get_data (f->payload, &plen)
                                           : self->inline_buffer.data + f->inline_start;
  struct { const guint8 *data; gsize len; } parts[3] = {
    { f->prefix, f->prefix_len }, { pdata, plen }, { f->suffix, f->suffix_len },
  };
  gsize skip = f->written;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (skip >= parts[i].len)
        {
          skip -= parts[i].len;
          continue;
        }
      iov[n].buffer = parts[i].data + skip;
      iov[n].size = parts[i].len - skip;
      skip = 0;
      n++;
    }
  return n;
}

WampFrameQueue *
wamp_frame_queue_new (void)
{
  WampFrameQueue *self = g_new0 (WampFrameQueue, 1);

  self->frames = self->inline_frames;
  self->cap = INLINE_FRAMES;
  return self;
}

void
wamp_frame_queue_free (WampFrameQueue *self)
{
  if (self == NULL)
    return;
  wamp_frame_queue_clear (self);
  g_free (self);
}

/* A new frame at the tail with @prefix and @suffix; its body is the caller's. */
static Frame *
push_frame (WampFrameQueue *self,
            const guint8   *prefix,
            gsize           prefix_len,
            const guint8   *suffix,
            gsize           suffix_len)
{
  Frame *f;

  if (self->head + self->len == self->cap)
    {
      if (self->head > 0)
        {
          memmove (self->frames, self->frames + self->head, self->len * sizeof (Frame));
          self->head = 0;
        }
      else if (self->frames == self->inline_frames)
        {
          Spares *spares = get_spares ();

          self->frames = spares->n_frame_arrays > 0 ? spares->frame_arrays[--spares->n_frame_arrays]
                                                    : g_new (Frame, FIRST_FRAMES);
          memcpy (self->frames, self->inline_frames, sizeof self->inline_frames);
          self->cap = FIRST_FRAMES;
        }
      else
        {
          self->cap *= 2;
          self->frames = g_renew (Frame, self->frames, self->cap);
        }
    }
  f = &self->frames[self->head + self->len++];
  f->written = 0;
  if (prefix_len > 0)
    memcpy (f->prefix, prefix, prefix_len);
  f->prefix_len = (guint8) prefix_len;
  if (suffix_len > 0)
    memcpy (f->suffix, suffix, suffix_len);
  f->suffix_len = (guint8) suffix_len;
  f->payload = NULL;
  f->inline_start = f->inline_len = 0;
  return f;
}

#define CHECK_AFFIXES()                                           \
  g_return_if_fail (prefix_len <= WAMP_FRAME_QUEUE_MAX_PREFIX);   \
  g_return_if_fail (suffix_len <= WAMP_FRAME_QUEUE_MAX_SUFFIX);   \
  g_return_if_fail (prefix != NULL || prefix_len == 0);           \
  g_return_if_fail (suffix != NULL || suffix_len == 0)

void
wamp_frame_queue_push (WampFrameQueue *self,
                       const guint8   *prefix,
                       gsize           prefix_len,
                       GBytes         *payload,
                       const guint8   *suffix,
                       gsize           suffix_len)
{
  Frame *f;

  g_return_if_fail (self != NULL);
  CHECK_AFFIXES ();

  f = push_frame (self, prefix, prefix_len, suffix, suffix_len);
  f->payload = payload != NULL ? g_bytes_ref (payload) : NULL;
  self->bytes += frame_size (f);
}

WampOutputBuffer *
wamp_frame_queue_get_inline_buffer (WampFrameQueue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->inline_buffer.data == NULL)
    {
      Spares *spares = get_spares ();

      if (spares->n > 0)
        self->inline_buffer = spares->buffers[--spares->n];
      else
        wamp_output_buffer_init (&self->inline_buffer, INLINE_FIRST);
    }
  return &self->inline_buffer;
}

void
wamp_frame_queue_push_inline (WampFrameQueue *self,
                              const guint8   *prefix,
                              gsize           prefix_len,
                              gsize           body_start,
                              const guint8   *suffix,
                              gsize           suffix_len)
{
  Frame *f;

  g_return_if_fail (self != NULL);
  CHECK_AFFIXES ();
  g_return_if_fail (body_start <= self->inline_buffer.len);

  f = push_frame (self, prefix, prefix_len, suffix, suffix_len);
  f->inline_start = body_start;
  f->inline_len = self->inline_buffer.len - body_start;
  self->bytes += frame_size (f);
}

gboolean
wamp_frame_queue_serialize_inline (WampFrameQueue *self,
                                   WampSerializer *serializer,
                                   WampMessage    *message,
                                   gsize          *body_start,
                                   gsize          *body_len,
                                   GError        **error)
{
  WampOutputBuffer *buffer;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (body_start != NULL && body_len != NULL, FALSE);

  buffer = wamp_frame_queue_get_inline_buffer (self);
  *body_start = buffer->len;
  if (!wamp_serializer_serialize_into (serializer, message, buffer, error))
    {
      wamp_frame_queue_discard_inline (self, *body_start);
      return FALSE;
    }
  *body_len = buffer->len - *body_start;
  return TRUE;
}

void
wamp_frame_queue_discard_inline (WampFrameQueue *self,
                                 gsize           body_start)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (body_start <= self->inline_buffer.len);

  self->inline_buffer.len = body_start;
  release_if_empty (self);
}

gboolean
wamp_frame_queue_is_empty (const WampFrameQueue *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->len == 0;
}

gsize
wamp_frame_queue_get_bytes (const WampFrameQueue *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes;
}

gboolean
wamp_frame_queue_would_overflow (const WampFrameQueue *self,
                                 gsize                 len,
                                 gsize                 max_bytes)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->bytes > 0 && (len > max_bytes || self->bytes > max_bytes - len);
}

void
wamp_frame_queue_clear (WampFrameQueue *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->len; i++)
    frame_clear (&self->frames[self->head + i]);
  self->len = 0;
  self->bytes = 0;
  release_if_empty (self);
}

void
wamp_frame_queue_drop_unstarted (WampFrameQueue *self)
{
  guint keep;

  g_return_if_fail (self != NULL);

  keep = self->len > 0 && self->frames[self->head].written > 0 ? 1 : 0;
  while (self->len > keep)
    {
      Frame *f = &self->frames[self->head + --self->len];

      self->bytes -= frame_size (f) - f->written;
      frame_clear (f);
    }
  /* The dropped frames' inline bodies were the buffer's tail. */
  if (keep == 1 && self->frames[self->head].payload == NULL)
    self->inline_buffer.len = self->frames[self->head].inline_start + self->frames[self->head].inline_len;
  else
    self->inline_buffer.len = 0;
  release_if_empty (self);
}

/* Drops the written bodies from the front of the inline buffer, so a queue
 * that never empties (a slow reader) does not grow it without bound. Only
 * when that is at least half of it: amortized O(1) per byte. */
static void
compact_inline (WampFrameQueue *self)
{
  WampOutputBuffer *buffer = &self->inline_buffer;
  gsize dead = buffer->len;

  for (guint i = 0; i < self->len; i++)
    {
      const Frame *f = &self->frames[self->head + i];

      if (f->payload == NULL && f->inline_len > 0)
        {
          dead = f->inline_start;
          break;
        }
    }
  if (dead == 0 || dead < buffer->len / 2)
    return;
  if (dead < buffer->len)
    memmove (buffer->data, buffer->data + dead, buffer->len - dead);
  buffer->len -= dead;
  for (guint i = 0; i < self->len; i++)
    {
      Frame *f = &self->frames[self->head + i];

      if (f->payload == NULL && f->inline_len > 0)
        f->inline_start -= dead;
    }
  if (buffer->len == 0 && buffer->alloc > INLINE_KEEP_MAX)
    wamp_output_buffer_clear (buffer);
}

gboolean
wamp_frame_queue_write (WampFrameQueue *self,
                        WampSocketIo   *io,
                        GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (io), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while (self->len > 0)
    {
      GOutputVector iov[MAX_IOV];
      g_autoptr(GError) local_error = NULL;
      guint n_iov = 0;
      gssize n;

      /* Each frame is its prefix, the shared payload and its suffix, side by side. */
      for (guint i = 0; i < self->len && n_iov + 3 <= MAX_IOV; i++)
        n_iov += frame_iov (self, &self->frames[self->head + i], iov + n_iov);

      n = wamp_socket_io_writev (io, iov, n_iov, &local_error);
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Retire what was written. */
      while (n > 0)
        {
          Frame *f = &self->frames[self->head];
          gsize left = frame_size (f) - f->written;

          if ((gsize) n >= left)
            {
              n -= left;
              self->bytes -= left;
              frame_clear (f);
              self->head++;
              self->len--;
            }
          else
            {
              f->written += n;
              self->bytes -= n;
              n = 0;
            }
        }
      compact_inline (self);
    }
  release_if_empty (self);
  return TRUE;
}
