/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for the GAsyncResult of an asynchronous call on the main loop. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback: stores a reference to @result in the
 * GAsyncResult * that @user_data points to (which must still be NULL). */
void wamp_test_store_result (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);
/* Iterates the global default main context until *@result is set by
 * wamp_test_store_result(), for at most @timeout_ms; fails the test then.
 * Returns: (transfer none): *@result. */
GAsyncResult *wamp_test_wait_result (GAsyncResult **result,
                                     guint          timeout_ms);

G_END_DECLS
