/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampBroker: the WAMP broker role of one realm (exact-match pub/sub). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_BROKER (wamp_broker_get_type ())
G_DECLARE_FINAL_TYPE (WampBroker, wamp_broker, WAMP, BROKER, GObject)

/* Returns: (transfer full): a broker not yet attached to a realm. */
WampBroker *wamp_broker_new (void);

G_END_DECLS
