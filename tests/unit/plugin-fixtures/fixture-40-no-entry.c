/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture module without wamp_plugin_query: a shared object, but no plugin. */

#include <gmodule.h>

G_MODULE_EXPORT int fixture_no_entry_answer (void);

G_MODULE_EXPORT int
fixture_no_entry_answer (void)
{
  return 42;
}
