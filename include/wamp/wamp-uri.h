/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* URI validation: the spec's loose and strict rules. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

typedef enum {
  /* Components must not be empty nor contain '.', '#' or whitespace. */
  WAMP_URI_CHECK_LOOSE,
  /* Components hold only [0-9a-z_]. */
  WAMP_URI_CHECK_STRICT,
} WampUriCheck;

typedef enum {
  WAMP_URI_FLAGS_NONE = 0,
  /* Empty components allowed (wildcard patterns of the Advanced Profile). */
  WAMP_URI_FLAGS_ALLOW_EMPTY = 1 << 0,
} WampUriFlags;

/* @uri: @len bytes (may contain NUL, which makes it invalid).
 * Returns: TRUE when @uri is a valid URI under @check. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_uri_is_valid (const char *uri, gsize len, WampUriCheck check, WampUriFlags flags);

/* Returns: TRUE when the first component of @uri is "wamp" (reserved for the
 * protocol: applications must not register or publish there). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_uri_is_reserved (const char *uri);

G_END_DECLS
