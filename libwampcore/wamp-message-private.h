/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core-internal parts of WampMessage's encoding cache. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* A serializer that could not encode @message (a value its format cannot
 * carry) fails the same way for every receiver: the first error is kept so
 * a fan-out to N receivers on that serializer tries once, not N times.
 * Returns: (transfer none) (nullable). */
const GError *wamp_message_get_cached_failure (const WampMessage *message,
                                               WampSerializer    *serializer);
/* @failure: (transfer none): copied. Ignored when an encoding is cached. */
void wamp_message_set_cached_failure (WampMessage    *message,
                                      WampSerializer *serializer,
                                      const GError   *failure);

G_END_DECLS
