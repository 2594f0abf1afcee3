/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin that loads: one transport extension, "fixture-transport". */

#include "fixture-transport.h"

FIXTURE_DEFINE_TRANSPORT (FixtureGoodTransport, fixture_good_transport, GOOD_TRANSPORT)

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            fixture_good_transport_get_type (),
                                            "fixture-transport", error);
}

WAMP_PLUGIN_DEFINE ("fixture-good", "1.2.3", "LGPL-2.1-or-later", "Loads fine", register_types)
