/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EchoSession: one echo connection's protocol — detects WebSocket or
 * RawSocket from the first byte, answers the handshake and echoes every
 * frame — on byte buffers, so the epoll and the GIO server share it. */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include "echo-buffer.h"

/* One read asks for this much unless a frame needs more. */
#define ECHO_READ_CHUNK (64 * 1024)
/* The largest frame payload, as the RawSocket handshake reply announces. */
#define ECHO_MAX_PAYLOAD (16 * 1024 * 1024)
/* The WebSocket upgrade request's bound. */
#define ECHO_MAX_REQUEST (8 * 1024)

typedef enum
{
  ECHO_SESSION_OK,    /* keep reading */
  ECHO_SESSION_CLOSE, /* send what the output holds, then close */
  ECHO_SESSION_FAIL,  /* close now */
} EchoSessionResult;

typedef enum
{
  ECHO_STATE_DETECT,
  ECHO_STATE_HTTP,
  ECHO_STATE_WEBSOCKET,
  ECHO_STATE_RAWSOCKET_HELLO,
  ECHO_STATE_RAWSOCKET,
  ECHO_STATE_CLOSED,
} EchoState;

typedef struct
{
  EchoState state;
  EchoBuffer input;
  size_t need; /* bytes the frame at the head of the input still lacks */
} EchoSession;

void              echo_session_init (EchoSession *self);
void              echo_session_clear (EchoSession *self);
uint8_t          *echo_session_read_space (EchoSession *self,
                                           size_t      *len);
EchoSessionResult echo_session_commit (EchoSession *self,
                                       size_t       len,
                                       EchoBuffer  *output);
