/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampdAdminError: the errors of the D-Bus admin interface, registered as
 * D-Bus error names org.wampd.Router1.Error.* (shared by wampd and wampctl). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WAMPD_ADMIN_DBUS_NAME "org.wampd.Router"
#define WAMPD_ADMIN_DBUS_PATH "/org/wampd/Router"

/* Only grows at the end: the codes map to D-Bus error names. */
typedef enum {
  WAMPD_ADMIN_ERROR_FAILED,            /* org.wampd.Router1.Error.Failed */
  WAMPD_ADMIN_ERROR_NO_SUCH_SESSION,   /* org.wampd.Router1.Error.NoSuchSession */
  WAMPD_ADMIN_ERROR_NO_SUCH_REALM,     /* org.wampd.Router1.Error.NoSuchRealm */
  WAMPD_ADMIN_ERROR_INVALID_ARGUMENT,  /* org.wampd.Router1.Error.InvalidArgument */
  WAMPD_ADMIN_ERROR_RELOAD_FAILED,     /* org.wampd.Router1.Error.ReloadFailed */
  WAMPD_ADMIN_ERROR_NOT_SUPPORTED,     /* org.wampd.Router1.Error.NotSupported */
} WampdAdminError;

#define WAMPD_ADMIN_ERROR (wampd_admin_error_quark ())
GQuark wampd_admin_error_quark (void);

G_END_DECLS
