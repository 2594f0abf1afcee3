/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin built for another ABI major: refused before register_types. */

#include <wamp/wamp.h>

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  /* Must never run: the loader refuses the ABI first. */
  g_abort ();
}

/* WAMP_PLUGIN_DEFINE reads the macro where it expands. */
#undef WAMP_ABI_MAJOR
#define WAMP_ABI_MAJOR 99

WAMP_PLUGIN_DEFINE ("fixture-abi-major", "1", "LGPL-2.1-or-later", "ABI major 99", register_types)
