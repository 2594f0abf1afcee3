/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPluginLoader: finds, checks and loads plugin modules; remembers what
 * each one registered, and why any was refused. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-plugin.h>

G_BEGIN_DECLS

#define WAMP_TYPE_PLUGIN_LOADER (wamp_plugin_loader_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampPluginLoader, wamp_plugin_loader, WAMP, PLUGIN_LOADER, GObject)

/**
 * WampPluginRecord:
 *
 * What the loader knows of one module it tried: read-only, owned by the loader.
 */
typedef struct _WampPluginRecord WampPluginRecord;

/* Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampPluginLoader *wamp_plugin_loader_new (void);

/* Folders scanned by wamp_plugin_loader_load_all(), recursively, for modules
 * (G_MODULE_SUFFIX): those added here, then each of $WAMPD_PLUGIN_PATH
 * (colon-separated), then the installed plugin folder unless
 * wamp_plugin_loader_set_use_default_dir() turned it off. */
WAMP_AVAILABLE_IN_ALL
void wamp_plugin_loader_add_directory (WampPluginLoader *self, const char *directory);
WAMP_AVAILABLE_IN_ALL
void wamp_plugin_loader_set_use_default_dir (WampPluginLoader *self, gboolean use_default);
/* Returns: (transfer none): the installed plugin folder ($libdir/wampd/plugins). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_loader_get_default_dir (void);

/* Loads every module found. A refused module is recorded (see the records),
 * not an error; the return is FALSE only when a folder cannot be read. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_plugin_loader_load_all (WampPluginLoader *self, GError **error);
/* Loads one module file. FALSE with a WAMP_PLUGIN_ERROR when refused (also recorded). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_plugin_loader_load_file (WampPluginLoader *self, const char *path, GError **error);
/* Registers a plugin linked into the program (embedders, tests), with the same checks. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_plugin_loader_add_static (WampPluginLoader *self, const WampPluginInfo *info, GError **error);

/* Every module tried, in load order. Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
guint wamp_plugin_loader_get_n_records (WampPluginLoader *self);
WAMP_AVAILABLE_IN_ALL
const WampPluginRecord *wamp_plugin_loader_get_record (WampPluginLoader *self, guint index);

/* Record fields, all (transfer none). Name/version/... are NULL when the
 * module was refused before its descriptor could be read. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_record_get_path (const WampPluginRecord *record); /* "(static)" for add_static */
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_record_get_name (const WampPluginRecord *record);
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_record_get_version (const WampPluginRecord *record);
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_record_get_license (const WampPluginRecord *record);
WAMP_AVAILABLE_IN_ALL
const char *wamp_plugin_record_get_description (const WampPluginRecord *record);
/* "wamp-serializer:json" entries, NULL-terminated. */
WAMP_AVAILABLE_IN_ALL
const char *const *wamp_plugin_record_get_extensions (const WampPluginRecord *record);
/* NULL when loaded, else why it was refused. */
WAMP_AVAILABLE_IN_ALL
const GError *wamp_plugin_record_get_error (const WampPluginRecord *record);

G_END_DECLS
