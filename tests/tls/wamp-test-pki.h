/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A throw-away PKI for TLS tests, made at test time by make-test-pki.sh
 * (which lists the files). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes the PKI in a new temporary directory. Returns: (transfer full): the
 * directory; aborts the test when openssl fails. */
char *wamp_test_pki_create (void);
/* Returns: (transfer full): @dir/@name. */
char *wamp_test_pki_file (const char *dir, const char *name);
/* Removes the directory and everything in it. */
void wamp_test_pki_remove (const char *dir);

G_END_DECLS
