/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serializer-json plugin's entry point: registers the "json" serializer. */

#include "config.h"

#include <wamp/wamp.h>

#include "wamp-json-serializer.h"

static gboolean
serializer_json_register (WampPluginContext  *context,
                          GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            WAMP_TYPE_JSON_SERIALIZER, "json", error);
}

WAMP_PLUGIN_DEFINE ("serializer-json", PACKAGE_VERSION, "LGPL-2.1-or-later",
                    "JSON serialization (wamp.2.json) with its own validating codec",
                    serializer_json_register)
