/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin that offers a second "fixture-transport": refused by the context. */

#include "fixture-transport.h"

FIXTURE_DEFINE_TRANSPORT (FixtureSecondTransport, fixture_second_transport, SECOND_TRANSPORT)

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            fixture_second_transport_get_type (),
                                            "fixture-transport", error);
}

WAMP_PLUGIN_DEFINE ("fixture-duplicate-extension", "1", "LGPL-2.1-or-later",
                    "Second fixture-transport", register_types)
