/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serializer-cbor plugin's entry point: registers the "cbor" serializer. */

#include "config.h"

#include <wamp/wamp.h>

#include "wamp-cbor-serializer.h"

static gboolean
serializer_cbor_register (WampPluginContext  *context,
                          GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            WAMP_TYPE_CBOR_SERIALIZER, "cbor", error);
}

WAMP_PLUGIN_DEFINE ("serializer-cbor", PACKAGE_VERSION, "LGPL-2.1-or-later",
                    "CBOR serialization (wamp.2.cbor) behind a bounded validating reader",
                    serializer_cbor_register)
