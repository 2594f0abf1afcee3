/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampDealer: the WAMP dealer role of one realm (exact-match RPC). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_DEALER (wamp_dealer_get_type ())
G_DECLARE_FINAL_TYPE (WampDealer, wamp_dealer, WAMP, DEALER, GObject)

/* Returns: (transfer full): a dealer not yet attached to a realm. */
WampDealer *wamp_dealer_new (void);

G_END_DECLS
