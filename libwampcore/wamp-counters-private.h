/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCounters: process-wide counts of the costly serializer work (payload
 * decodes, value transcoding, message serializations), so tests can prove
 * DESIGN.md rules 1 and 2 (payload passthrough, serialize once). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/**
 * WampCounters:
 * @payload_decodes: raw payloads decoded into values (at most once each).
 * @value_decodes: wamp_serializer_decode_value() calls.
 * @value_encodes: wamp_serializer_encode_value() calls.
 * @serializations: serializer runs of wamp_serializer_serialize() (cache
 *   misses; a cache hit costs nothing and is not counted).
 * @serialization_failures: of those, the ones that failed.
 *
 * Not installed, not ABI and not exported: tests that read them link the
 * internal static core (libwampcore_internal_dep). Each counter is one
 * relaxed atomic add, cheap enough to stay on in production.
 */
typedef struct {
  guint64 payload_decodes;
  guint64 value_decodes;
  guint64 value_encodes;
  guint64 serializations;
  guint64 serialization_failures;
} WampCounters;

/* @out: (out caller-allocates). */
void wamp_counters_get (WampCounters *out);
/* Serializer runs of @serializer (a shared instance) since the last reset. */
guint64 wamp_counters_get_serializations (WampSerializer *serializer);
void wamp_counters_reset (void);

/* Core-internal: where the work happens. */
void wamp_counters_count_payload_decode (void);
void wamp_counters_count_value_decode (void);
void wamp_counters_count_value_encode (void);
void wamp_counters_count_serialization (WampSerializer *serializer, gboolean ok);

G_END_DECLS
