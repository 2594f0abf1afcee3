/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The role-broker plugin: registers WampBroker as role extension "broker". */
#include <wamp/wamp.h>

#include "wamp-broker.h"

static gboolean
role_broker_register (WampPluginContext *context,
                      GError           **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            WAMP_TYPE_BROKER, "broker", error);
}

WAMP_PLUGIN_DEFINE ("role-broker", WAMP_VERSION, "LGPL-2.1-or-later",
                    "WAMP broker: publish and subscribe", role_broker_register)
