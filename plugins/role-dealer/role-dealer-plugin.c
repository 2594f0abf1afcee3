/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The role-dealer plugin: registers WampDealer as role extension "dealer". */
#include <wamp/wamp.h>

#include "wamp-dealer.h"

static gboolean
role_dealer_register (WampPluginContext *context,
                      GError           **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            WAMP_TYPE_DEALER, "dealer", error);
}

WAMP_PLUGIN_DEFINE ("role-dealer", WAMP_VERSION, "LGPL-2.1-or-later",
                    "WAMP dealer: remote procedure calls", role_dealer_register)
