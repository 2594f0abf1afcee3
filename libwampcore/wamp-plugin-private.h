/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the plugin loader hands to a plugin's register_types. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Lives on the loader's stack while one plugin's register_types runs. */
struct _WampPluginContext
{
  const char *plugin_name; /* for log lines */
  GPtrArray *extensions;   /* "point:name" (owned strings), the record's list */
};

G_END_DECLS
