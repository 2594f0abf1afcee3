/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin that reuses fixture-00-good's plugin name: refused before register_types. */

#include <wamp/wamp.h>

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  g_abort ();
}

WAMP_PLUGIN_DEFINE ("fixture-good", "9.9.9", "LGPL-2.1-or-later", "Same name as the good one", register_types)
