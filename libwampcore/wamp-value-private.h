/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core knows of WampValue beyond its public API: for sharing equal
 * immutable values between sessions. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* A structural hash that agrees with wamp_value_equal() (dict order ignored). */
guint wamp_value_hash (const WampValue *value);

/* TRUE when exactly @n references to @value exist. */
gboolean wamp_value_has_ref_count (const WampValue *value, gint n);

G_END_DECLS
