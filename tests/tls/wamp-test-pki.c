/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs tests/tls/make-test-pki.sh into a temporary directory. */

#include "wamp-test-pki.h"

#include "wamp-test-scratch.h"

char *
wamp_test_pki_create (void)
{
  const char *root = g_getenv ("WAMPD_SOURCE_ROOT");
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  char *dir;
  int status = -1;

  g_assert_nonnull (root);
  script = g_build_filename (root, "tests", "tls", "make-test-pki.sh", NULL);
  dir = wamp_test_scratch_new ("wampd-test-pki-XXXXXX");
  {
    const char *argv[] = { "/bin/sh", script, dir, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                  &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return dir;
}

char *
wamp_test_pki_file (const char *dir,
                    const char *name)
{
  return g_build_filename (dir, name, NULL);
}

void
wamp_test_pki_remove (const char *dir)
{
  wamp_test_scratch_remove (dir);
}
