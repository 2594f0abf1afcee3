/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serializer-msgpack plugin's entry point: registers the "msgpack" serializer. */

#include "config.h"

#include <wamp/wamp.h>

#include "wamp-msgpack-serializer.h"

static gboolean
serializer_msgpack_register (WampPluginContext  *context,
                             GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            WAMP_TYPE_MSGPACK_SERIALIZER, "msgpack", error);
}

WAMP_PLUGIN_DEFINE ("serializer-msgpack", PACKAGE_VERSION, "LGPL-2.1-or-later",
                    "MessagePack serialization (wamp.2.msgpack) behind a bounded reader",
                    serializer_msgpack_register)
