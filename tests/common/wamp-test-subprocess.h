/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Child processes of tests (wampd, wampctl), waited for while the main
 * context keeps serving. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads @proc's stdout and stderr (pipes, or silenced) to the end while
 * iterating the thread-default main context, for at most @timeout_ms: then
 * @proc (our own child) is killed and the test aborts, naming @what. @proc
 * must have exited normally. Returns: its exit status; the output in @out
 * and @err (transfer full; each nullable: dropped). */
int wamp_test_subprocess_communicate (GSubprocess  *proc,
                                      const char   *what,
                                      guint         timeout_ms,
                                      char        **out,
                                      char        **err);

G_END_DECLS
