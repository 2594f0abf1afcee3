/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampdAdminError: one table from error codes to D-Bus error names, so a
 * GError raised in wampd arrives in wampctl with its code intact. */
#include "config.h"

#include "wampd-admin-error.h"

static const GDBusErrorEntry wampd_admin_error_entries[] = {
  { WAMPD_ADMIN_ERROR_FAILED, "org.wampd.Router1.Error.Failed" },
  { WAMPD_ADMIN_ERROR_NO_SUCH_SESSION, "org.wampd.Router1.Error.NoSuchSession" },
  { WAMPD_ADMIN_ERROR_NO_SUCH_REALM, "org.wampd.Router1.Error.NoSuchRealm" },
  { WAMPD_ADMIN_ERROR_INVALID_ARGUMENT, "org.wampd.Router1.Error.InvalidArgument" },
  { WAMPD_ADMIN_ERROR_RELOAD_FAILED, "org.wampd.Router1.Error.ReloadFailed" },
  { WAMPD_ADMIN_ERROR_NOT_SUPPORTED, "org.wampd.Router1.Error.NotSupported" },
};

GQuark
wampd_admin_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("wampd-admin-error-quark", &quark,
                                      wampd_admin_error_entries,
                                      G_N_ELEMENTS (wampd_admin_error_entries));
  return (GQuark) quark;
}
