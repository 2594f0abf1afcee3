/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Child processes of tests. */

#include "wamp-test-subprocess.h"

typedef struct
{
  gboolean done;
  char *out;
  char *err;
  GError *error;
} Communicated;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Communicated *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
wamp_test_subprocess_communicate (GSubprocess  *proc,
                                  const char   *what,
                                  guint         timeout_ms,
                                  char        **out,
                                  char        **err)
{
  Communicated c = { 0, };
  gboolean timed_out = FALSE;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, set_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_communicated, &c);
  while (!c.done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  if (!c.done)
    {
      g_subprocess_force_exit (proc);
      g_error ("%s did not exit within %u ms", what, timeout_ms);
    }
  g_assert_no_error (c.error);
  g_test_message ("%s: stdout:\n%s\nstderr:\n%s", what, c.out ? c.out : "", c.err ? c.err : "");
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (out != NULL)
    *out = g_steal_pointer (&c.out);
  if (err != NULL)
    *err = g_steal_pointer (&c.err);
  g_free (c.out);
  g_free (c.err);
  return g_subprocess_get_exit_status (proc);
}
