/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for the GAsyncResult of an asynchronous call. */

#include "wamp-test-async.h"

void
wamp_test_store_result (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

GAsyncResult *
wamp_test_wait_result (GAsyncResult **result,
                       guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  /* Wakes the blocking iteration so the deadline is seen. */
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (*result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  if (*result == NULL)
    g_test_message ("an asynchronous call did not complete within %u ms", timeout_ms);
  g_assert_nonnull (*result);
  return *result;
}
