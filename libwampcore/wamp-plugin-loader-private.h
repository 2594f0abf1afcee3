/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin loader's safety check, separate so tests need not run as root. */
#pragma once

#include <sys/types.h>

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Whether a process with effective uid @euid may load the module @path whose
 * owner is @owner_uid and whose st_mode is @mode: as root (@euid 0) only a
 * root-owned file that neither group nor others may write, and no setuid or
 * setgid bit; any file otherwise. FALSE with WAMP_PLUGIN_ERROR_PERMISSIONS. */
gboolean wamp_plugin_loader_check_permissions (const char  *path,
                                               uid_t        owner_uid,
                                               mode_t       mode,
                                               uid_t        euid,
                                               GError     **error);

G_END_DECLS
