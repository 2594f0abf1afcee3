/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampdAdmin: wampd's D-Bus admin object (org.wampd.Router1 at
 * /org/wampd/Router, name org.wampd.Router) over a WampRouter. */
#pragma once

#include <gio/gio.h>
#include <wamp/wamp.h>

#include "wampd-admin-error.h"

G_BEGIN_DECLS

/* What the daemon does for Reload: re-read its configuration and apply it.
 * On success, *@restart_needed (transfer full, nullable) names what changed
 * but needs a restart; on failure the running configuration stays and
 * @error says why. */
typedef gboolean (*WampdReloadFunc) (gpointer user_data, GStrv *restart_needed, GError **error);

#define WAMPD_TYPE_ADMIN (wampd_admin_get_type ())
G_DECLARE_FINAL_TYPE (WampdAdmin, wampd_admin, WAMPD, ADMIN, GObject)

/* @loader: (nullable): for ListPlugins. Returns: (transfer full). */
WampdAdmin *wampd_admin_new (WampRouter *router, WampPluginLoader *loader);

/* @func: (nullable): without one, Reload answers NotSupported. */
void wampd_admin_set_reload_func (WampdAdmin *self, WampdReloadFunc func, gpointer user_data);

/* Connects to @bus_type, exports the object and requests the name; completes
 * once the name is owned (READY=1 waits for this) or could not be (another
 * wampd owns it, the bus policy forbids it, no bus). */
void wampd_admin_start_async (WampdAdmin *self, GBusType bus_type, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean wampd_admin_start_finish (WampdAdmin *self, GAsyncResult *result, GError **error);

/* Releases the name and unexports the object. Idempotent. */
void wampd_admin_stop (WampdAdmin *self);

G_END_DECLS
