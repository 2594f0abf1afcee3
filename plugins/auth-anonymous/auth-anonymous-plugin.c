/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The auth-anonymous plugin: provides the "anonymous" authenticator. */

#include "wamp-anonymous-authenticator.h"

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_AUTHENTICATOR_EXTENSION_POINT,
                                            WAMP_TYPE_ANONYMOUS_AUTHENTICATOR, "anonymous", error);
}

WAMP_PLUGIN_DEFINE ("auth-anonymous", WAMP_VERSION, "LGPL-2.1-or-later",
                    "WAMP-Anonymous authentication (authmethod \"anonymous\")",
                    register_types)
