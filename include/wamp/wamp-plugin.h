/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a plugin defines: its descriptor and the one exported entry point. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gmodule.h>
#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-version.h>

G_BEGIN_DECLS

/* Passed to register_types; records which plugin adds which extensions. */
typedef struct _WampPluginContext WampPluginContext;

typedef gboolean (*WampPluginRegisterFunc) (WampPluginContext *context, GError **error);

/**
 * WampPluginInfo:
 *
 * Allocated (statically) by the plugin, so it never grows: fields added later
 * take the reserved slots, read only when @abi_minor says they exist.
 */
typedef struct {
  guint32 abi_major;
  guint32 abi_minor;
  const char *name;        /* unique plugin name, e.g. "serializer-json" */
  const char *version;
  const char *license;     /* SPDX expression */
  const char *description;
  WampPluginRegisterFunc register_types;
  gpointer reserved[8];
} WampPluginInfo;

typedef const WampPluginInfo *(*WampPluginQueryFunc) (void);

/* Emits the descriptor and `wamp_plugin_query()`, the only symbol a plugin
 * exports. Use once per plugin module. */
#define WAMP_PLUGIN_DEFINE(plugin_name, plugin_version, plugin_license, plugin_description, register_func) \
  G_MODULE_EXPORT const WampPluginInfo *wamp_plugin_query (void);                        \
  G_MODULE_EXPORT const WampPluginInfo *                                                  \
  wamp_plugin_query (void)                                                                \
  {                                                                                       \
    static const WampPluginInfo info = {                                                  \
      WAMP_ABI_MAJOR, WAMP_ABI_MINOR, plugin_name, plugin_version, plugin_license,         \
      plugin_description, register_func, { NULL, }                                        \
    };                                                                                    \
    return &info;                                                                         \
  }

/* Registers @type as extension @name of @extension_point (one of the
 * WAMP_*_EXTENSION_POINT names). Fails with WAMP_PLUGIN_ERROR_TYPE when @type
 * does not implement the point's interface and WAMP_PLUGIN_ERROR_DUPLICATE
 * when the point already has an extension @name. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_plugin_context_add_extension (WampPluginContext *context,
                                            const char        *extension_point,
                                            GType              type,
                                            const char        *name,
                                            GError           **error);

/* Registers the four extension points (idempotent; libwampcore calls it). */
WAMP_AVAILABLE_IN_ALL
void wamp_extension_points_ensure (void);
/* Returns: the GType registered as @name on @extension_point, or G_TYPE_INVALID. */
WAMP_AVAILABLE_IN_ALL
GType wamp_extension_lookup (const char *extension_point, const char *name);
/* Returns: (transfer full): the extension names of @extension_point, sorted. */
WAMP_AVAILABLE_IN_ALL
GStrv wamp_extension_list (const char *extension_point);

G_END_DECLS
