/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scratch folders for tests: config, ready, log and socket files that go
 * away with the test. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns: (transfer full): a new directory in the temporary folder, named
 * from @template (ending in XXXXXX); aborts the test when it cannot be made. */
char *wamp_test_scratch_new (const char *template);
/* Removes @dir and the files in it (a scratch folder has no subfolders);
 * what is already gone is no error. */
void wamp_test_scratch_remove (const char *dir);

G_END_DECLS
