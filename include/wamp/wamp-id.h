/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WAMP IDs: integers in [1, 2^53] drawn per scope as the spec says. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

#define WAMP_ID_MAX G_GUINT64_CONSTANT (9007199254740992) /* 2^53 */

/* Global scope (sessions, publications): uniformly random in [1, 2^53]. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_id_new_global (void);

/* Router and session scope: returns ++*counter, wrapping from 2^53 to 1.
 * A counter starts at 0, so the first ID is 1. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_id_next (guint64 *counter);

G_END_DECLS
