/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config model: the JSON file as a WampValue tree, and typed lookups that
 * name the JSON path of whatever is wrong. Plugins use the lookups for their
 * own config blocks. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

/* Parses a JSON document (json-glib) into a WampValue. Integers stay exact,
 * objects become dicts. WAMP_CONFIG_ERROR_PARSE names line and column.
 * Returns: (transfer full) (nullable). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_config_parse (const char *data, gssize length, GError **error);
/* Same from a file; errors name the file. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_config_load_file (const char *path, GError **error);

/* Returns: (transfer full): "@path.@key" and "@path[@index]". */
WAMP_AVAILABLE_IN_ALL
char *wamp_config_path_key (const char *path, const char *key);
WAMP_AVAILABLE_IN_ALL
char *wamp_config_path_index (const char *path, gsize index);

/* @object must be a dict (else WAMP_CONFIG_ERROR_INVALID "@path: must be an
 * object"); any key not in @known_keys (NULL-terminated) is
 * WAMP_CONFIG_ERROR_UNKNOWN_KEY naming "@path.key". */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_check_keys (WampValue *object, const char *path,
                                 const char *const *known_keys, GError **error);

/* Typed lookups of @key in the dict @object at @path. When the key is absent,
 * a @required one is WAMP_CONFIG_ERROR_MISSING and an optional one gives
 * @default_value. A value of the wrong type or out of range is
 * WAMP_CONFIG_ERROR_INVALID naming "@path.@key" and what it must be. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_string (WampValue *object, const char *path, const char *key,
                                 gboolean required, const char *default_value,
                                 const char **out, GError **error);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_uint (WampValue *object, const char *path, const char *key,
                               gboolean required, guint64 default_value, guint64 min, guint64 max,
                               guint64 *out, GError **error);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_bool (WampValue *object, const char *path, const char *key,
                               gboolean required, gboolean default_value,
                               gboolean *out, GError **error);
/* @out: (transfer none) (nullable): NULL when absent and optional. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_dict (WampValue *object, const char *path, const char *key,
                               gboolean required, WampValue **out, GError **error);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_list (WampValue *object, const char *path, const char *key,
                               gboolean required, WampValue **out, GError **error);
/* A string that must be one of @choices (NULL-terminated). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_enum (WampValue *object, const char *path, const char *key,
                               gboolean required, const char *default_value,
                               const char *const *choices, const char **out, GError **error);

/* What a connection does when a frame would take its outgoing queue beyond
 * max_queue_bytes (DESIGN.md rule 4). Since: ABI 1.1 */
typedef enum {
  WAMP_QUEUE_OVERFLOW_DISCONNECT, /* drop the connection (reported as 1008) */
  WAMP_QUEUE_OVERFLOW_DROP,       /* refuse the frame, keep the connection */
} WampQueueOverflow;

/**
 * wamp_config_get_connection_options:
 * @options: (transfer none): a transport's "options" dict
 * @path: its JSON path, for errors
 * @default_max_queue_bytes: when "max_queue_bytes" is absent
 * @max_queue_bytes: (out): "max_queue_bytes", 1 to G_MAXSIZE
 * @queue_overflow: (out): "queue_overflow", "disconnect" (default) or "drop"
 * @handshake_timeout_ms: (out): "handshake_timeout", 1 to 3600 s (default 10)
 * @ping_interval_ms: (out): "ping_interval", 0 (default: no pings) to 86400 s
 * @ping_timeout_ms: (out): "ping_timeout", 1 to 3600 s (default 10)
 *
 * Reads the options every stream transport shares, in that order (the first
 * wrong one is the error), seconds in the file and milliseconds out. The
 * caller checks for unknown keys. Outputs are untouched on error.
 *
 * Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_config_get_connection_options (WampValue          *options,
                                             const char         *path,
                                             gsize               default_max_queue_bytes,
                                             gsize              *max_queue_bytes,
                                             WampQueueOverflow  *queue_overflow,
                                             guint              *handshake_timeout_ms,
                                             guint              *ping_interval_ms,
                                             guint              *ping_timeout_ms,
                                             GError            **error);

G_END_DECLS
