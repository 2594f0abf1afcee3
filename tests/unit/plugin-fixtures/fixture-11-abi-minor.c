/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin built against a newer ABI minor than the core's: refused. */

#include <wamp/wamp.h>

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  g_abort ();
}

enum { CORE_ABI_MINOR = WAMP_ABI_MINOR };
#undef WAMP_ABI_MINOR
#define WAMP_ABI_MINOR (CORE_ABI_MINOR + 1)

WAMP_PLUGIN_DEFINE ("fixture-abi-minor", "1", "LGPL-2.1-or-later", "ABI minor from the future", register_types)
