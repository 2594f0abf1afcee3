/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketCodec: the RawSocket opening handshake and framing
 * (spec advanced/transport_rawsocket.md), without any I/O. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_RAWSOCKET_MAGIC 0x7F
/* Both the handshake and every frame header are four octets. */
#define WAMP_RAWSOCKET_HEADER_SIZE 4
#define WAMP_RAWSOCKET_MAX_LENGTH_EXPONENT 15
/* 2^(9+0) and 2^(9+15): what a length exponent can announce. */
#define WAMP_RAWSOCKET_MIN_MESSAGE_SIZE (1u << 9)
#define WAMP_RAWSOCKET_MAX_MESSAGE_SIZE (1u << 24)

/* Below this a read buffer never shrinks: reads come in chunks this big. */
#define WAMP_RAWSOCKET_READ_CHUNK (64 * 1024)

/* The error codes of a refusing handshake reply (upper nibble of octet 2). */
typedef enum {
  WAMP_RAWSOCKET_ERROR_NONE = 0, /* "illegal": never sent, means no error */
  WAMP_RAWSOCKET_ERROR_SERIALIZER_UNSUPPORTED = 1,
  WAMP_RAWSOCKET_ERROR_MAX_LENGTH_UNACCEPTABLE = 2,
  WAMP_RAWSOCKET_ERROR_RESERVED_BITS = 3,
  WAMP_RAWSOCKET_ERROR_MAX_CONNECTIONS = 4,
} WampRawsocketHandshakeError;

/* What a router makes of a client's four handshake octets. */
typedef enum {
  WAMP_RAWSOCKET_HELLO_VALID,              /* serializer id 1..15, reserved octets zero */
  WAMP_RAWSOCKET_HELLO_BAD_MAGIC,          /* not RawSocket: fail the connection, no reply */
  WAMP_RAWSOCKET_HELLO_RESERVED_BITS,      /* reply error 3 */
  WAMP_RAWSOCKET_HELLO_ILLEGAL_SERIALIZER, /* serializer id 0: reply error 1 */
} WampRawsocketHelloResult;

/* What a client makes of the router's four reply octets. */
typedef enum {
  WAMP_RAWSOCKET_REPLY_ACCEPTED, /* @length_exponent: the router's limit for us */
  WAMP_RAWSOCKET_REPLY_REFUSED,  /* @error_code: the router's reason */
  WAMP_RAWSOCKET_REPLY_INVALID,  /* bad magic, reserved bits, another serializer */
} WampRawsocketReplyResult;

typedef enum {
  WAMP_RAWSOCKET_FRAME_REGULAR = 0,
  WAMP_RAWSOCKET_FRAME_PING = 1,
  WAMP_RAWSOCKET_FRAME_PONG = 2,
} WampRawsocketFrameType;

/* 2^(9 + @exponent) for @exponent 0..15. */
gsize wamp_rawsocket_length_from_exponent (guint exponent);
/* The largest exponent whose length does not exceed @max_size, clamped to
 * 0..15: a limit between two powers of two rounds down (we never announce
 * more than we accept), below 512 becomes 512, above 16 MiB becomes 16 MiB. */
guint wamp_rawsocket_exponent_for_size (gsize max_size);
/* A static English name for @code ("serializer unsupported"). */
const char *wamp_rawsocket_handshake_error_to_string (WampRawsocketHandshakeError code);

/* A client's request or a router's accepting reply: magic, exponent, serializer. */
void wamp_rawsocket_encode_handshake (guint8 out[4], guint length_exponent, guint8 serializer_id);
/* A router's refusing reply; @code 1..15. */
void wamp_rawsocket_encode_handshake_error (guint8 out[4], WampRawsocketHandshakeError code);

WampRawsocketHelloResult wamp_rawsocket_parse_hello (const guint8  hello[4],
                                                     guint        *length_exponent,
                                                     guint8       *serializer_id);
WampRawsocketReplyResult wamp_rawsocket_parse_reply (const guint8                 reply[4],
                                                     guint8                       expected_serializer_id,
                                                     guint                       *length_exponent,
                                                     WampRawsocketHandshakeError *error_code);

/* The prefix of a frame of @type with @len payload octets (at most 2^24:
 * exactly 2^24 sets the 25th length bit, as the spec says). */
void wamp_rawsocket_encode_frame_header (guint8 out[4], WampRawsocketFrameType type, gsize len);

/**
 * WampRawsocketDecoderFuncs:
 * @message: one regular frame. @payload: (transfer none).
 * @ping: a PING; the owner answers it with a PONG carrying @data.
 * @pong: a PONG (may be NULL).
 * @message_data: (nullable): one regular frame lying in the read buffer,
 *   valid during the call only: no GBytes is made for it. Without it, and
 *   for large frames (handed over without a copy), @message gets them.
 *
 * Each returns FALSE to stop parsing at once (the owner closed or dropped
 * the connection); the remaining input is then discarded.
 */
typedef struct {
  gboolean (*message) (gpointer user_data, GBytes *payload);
  gboolean (*ping) (gpointer user_data, const guint8 *data, gsize len);
  gboolean (*pong) (gpointer user_data, const guint8 *data, gsize len);
  gboolean (*message_data) (gpointer user_data, const guint8 *data, gsize len);
} WampRawsocketDecoderFuncs;

typedef enum {
  WAMP_RAWSOCKET_DECODER_OK,      /* consumed everything it could; wants more */
  WAMP_RAWSOCKET_DECODER_STOPPED, /* a callback returned FALSE */
  WAMP_RAWSOCKET_DECODER_FAILED,  /* fail the connection: @reason says why */
} WampRawsocketDecoderResult;

typedef struct _WampRawsocketDecoder WampRawsocketDecoder;

/* The stream after the handshake. @max_length: the largest payload the peer
 * may send (what our handshake announced); a prefix claiming more fails the
 * connection as the spec requires. @funcs: static. Returns: (transfer full). */
WampRawsocketDecoder *wamp_rawsocket_decoder_new (gsize                            max_length,
                                                  const WampRawsocketDecoderFuncs *funcs,
                                                  gpointer                         user_data);
void wamp_rawsocket_decoder_free (WampRawsocketDecoder *self);

/* Zero-copy input: a buffer of at least the chunk size free bytes to recv()
 * into, then commit what was written. It grows, by doubling and only as
 * bytes arrive, to hold a whole frame. Returns: (transfer none). */
guint8 *wamp_rawsocket_decoder_get_read_buffer (WampRawsocketDecoder *self, gsize *len);
/* Parses after @len bytes were written into the read buffer. On FAILED,
 * @reason (static string) says why. */
WampRawsocketDecoderResult wamp_rawsocket_decoder_commit (WampRawsocketDecoder *self, gsize len,
                                                          WampCloseCode *code, const char **reason);
/* Copies @data in and parses (initial bytes, tests, the fuzzer). */
WampRawsocketDecoderResult wamp_rawsocket_decoder_feed (WampRawsocketDecoder *self,
                                                        const guint8 *data, gsize len,
                                                        WampCloseCode *code, const char **reason);
/* Bytes buffered but not parsed (an incomplete frame). */
gsize wamp_rawsocket_decoder_get_pending (WampRawsocketDecoder *self);
/* Bytes allocated for input (for tests of the growth policy). */
gsize wamp_rawsocket_decoder_get_buffer_size (WampRawsocketDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampRawsocketDecoder, wamp_rawsocket_decoder_free)

G_END_DECLS
