/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EchoBuffer: the echo servers' growable byte buffer (plain libc: it is on
 * the per-frame path). */

#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint8_t *data;
  size_t start; /* first pending byte */
  size_t end;   /* one past the last pending byte */
  size_t alloc;
} EchoBuffer;

static inline size_t
echo_buffer_pending (const EchoBuffer *buffer)
{
  return buffer->end - buffer->start;
}

static inline const uint8_t *
echo_buffer_peek (const EchoBuffer *buffer)
{
  return buffer->data + buffer->start;
}

uint8_t *echo_buffer_reserve (EchoBuffer *buffer,
                              size_t      room);
uint8_t *echo_buffer_append (EchoBuffer *buffer,
                             size_t      len);
void     echo_buffer_consume (EchoBuffer *buffer,
                              size_t      len);
void     echo_buffer_trim (EchoBuffer *buffer,
                           size_t      keep);
void     echo_buffer_clear (EchoBuffer *buffer);
