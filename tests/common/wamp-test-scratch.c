/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scratch folders for tests. */

#include "wamp-test-scratch.h"

#include <glib/gstdio.h>

char *
wamp_test_scratch_new (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

void
wamp_test_scratch_remove (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}
