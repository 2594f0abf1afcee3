/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketCodec: RFC 6455 framing for both roles, without any I/O. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

typedef enum {
  WAMP_WEBSOCKET_ROLE_SERVER,
  WAMP_WEBSOCKET_ROLE_CLIENT,
} WampWebsocketRole;

typedef enum {
  WAMP_WEBSOCKET_OP_CONTINUATION = 0x0,
  WAMP_WEBSOCKET_OP_TEXT = 0x1,
  WAMP_WEBSOCKET_OP_BINARY = 0x2,
  WAMP_WEBSOCKET_OP_CLOSE = 0x8,
  WAMP_WEBSOCKET_OP_PING = 0x9,
  WAMP_WEBSOCKET_OP_PONG = 0xA,
} WampWebsocketOpcode;

/* RFC 6455 codes that never travel in a close frame. */
#define WAMP_WEBSOCKET_CLOSE_NO_STATUS 1005
#define WAMP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA 1003

/* Longest frame header: 2 + 8 (length) + 4 (mask). */
#define WAMP_WEBSOCKET_MAX_HEADER 14

/* Below this a read buffer never shrinks: reads come in chunks this big. */
#define WAMP_WEBSOCKET_READ_CHUNK (64 * 1024)

/**
 * WampWebsocketCodecFuncs:
 * @message: one complete data message (@binary tells text from binary;
 *   text is valid UTF-8). @payload: (transfer none).
 * @ping: a ping arrived; the codec expects the owner to answer with a pong
 *   carrying @data.
 * @pong: a pong arrived (may be NULL).
 * @close: the peer's close frame: @code is WAMP_WEBSOCKET_CLOSE_NO_STATUS
 *   when it carried none, @reason is NUL-terminated UTF-8 (maybe empty).
 * @message_data: (nullable): @message for a message lying in the read
 *   buffer, valid during the call only: no GBytes is made for it. Without
 *   it, and for fragmented or large messages, @message gets them.
 *
 * Each callback returns FALSE to stop parsing at once (the owner closed or
 * dropped the connection); the remaining input is then discarded.
 */
typedef struct {
  gboolean (*message) (gpointer user_data, gboolean binary, GBytes *payload);
  gboolean (*ping) (gpointer user_data, const guint8 *data, gsize len);
  gboolean (*pong) (gpointer user_data, const guint8 *data, gsize len);
  gboolean (*close) (gpointer user_data, guint16 code, const char *reason);
  gboolean (*message_data) (gpointer user_data, gboolean binary, const guint8 *data, gsize len);
} WampWebsocketCodecFuncs;

typedef enum {
  WAMP_WEBSOCKET_CODEC_OK,      /* consumed everything it could; wants more */
  WAMP_WEBSOCKET_CODEC_STOPPED, /* a callback returned FALSE, or after close */
  WAMP_WEBSOCKET_CODEC_FAILED,  /* protocol error: send close(code), shut down */
} WampWebsocketCodecResult;

typedef struct _WampWebsocketCodec WampWebsocketCodec;

/* @funcs: static. @binary: the negotiated serializer's frame type; a data
 * message of the other type fails with 1003. Returns: (transfer full). */
WampWebsocketCodec *wamp_websocket_codec_new (WampWebsocketRole              role,
                                              gboolean                       binary,
                                              gsize                          max_message_size,
                                              const WampWebsocketCodecFuncs *funcs,
                                              gpointer                       user_data);
void wamp_websocket_codec_free (WampWebsocketCodec *self);

/* Zero-copy input: a buffer of at least @min_len (or the chunk size) free
 * bytes to recv() into, then commit what was written. The buffer grows to
 * hold a whole frame being received. Returns: (transfer none). */
guint8 *wamp_websocket_codec_get_read_buffer (WampWebsocketCodec *self, gsize *len);
/* Parses after @len bytes were written into the read buffer. On FAILED,
 * @close_code/@reason (static string) say what to send. */
WampWebsocketCodecResult wamp_websocket_codec_commit (WampWebsocketCodec *self, gsize len,
                                                      guint16 *close_code, const char **reason);
/* Copies @data in and parses (bytes drained from a stream, tests). */
WampWebsocketCodecResult wamp_websocket_codec_feed (WampWebsocketCodec *self, const guint8 *data,
                                                    gsize len, guint16 *close_code,
                                                    const char **reason);
/* Bytes buffered but not parsed (an incomplete frame). */
gsize wamp_websocket_codec_get_pending (WampWebsocketCodec *self);
/* Bytes allocated for input (for tests of the growth policy). */
gsize wamp_websocket_codec_get_buffer_size (WampWebsocketCodec *self);

/* Writes the header of one unfragmented frame of @payload_len bytes into
 * @header (WAMP_WEBSOCKET_MAX_HEADER bytes). In the client role a random
 * masking key is chosen and stored in @mask_key (the payload must then be
 * masked with it); in the server role @mask_key is left alone.
 * Returns: the header length. */
gsize wamp_websocket_codec_write_header (WampWebsocketCodec *self, guint8 opcode,
                                         guint64 payload_len, guint8 *header,
                                         guint8 mask_key[4]);
/* One whole frame, payload masked when the role requires it (control frames,
 * the client role). Returns: (transfer full). */
GBytes *wamp_websocket_codec_encode_frame (WampWebsocketCodec *self, guint8 opcode,
                                           const guint8 *payload, gsize len);
/* A close frame; @code WAMP_WEBSOCKET_CLOSE_NO_STATUS sends none. @reason is
 * cut to fit 123 bytes on a UTF-8 boundary. Returns: (transfer full). */
GBytes *wamp_websocket_codec_encode_close (WampWebsocketCodec *self, guint16 code,
                                           const char *reason);

/* XORs @len bytes of @data with @key, @data being at offset @offset of the
 * masked payload; eight bytes at a time. */
void wamp_websocket_mask (guint8 *data, gsize len, const guint8 key[4], gsize offset);

/* A code a peer may send in a close frame (RFC 6455 7.4, IANA registry). */
gboolean wamp_websocket_close_code_is_valid (guint code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampWebsocketCodec, wamp_websocket_codec_free)

G_END_DECLS
