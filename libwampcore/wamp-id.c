/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WAMP IDs: random global-scope IDs and wrapping router/session counters. */

#include "config.h"

#include <wamp/wamp-id.h>

/* Two 32-bit draws give 64 uniform bits; keeping 53 of them gives a uniform
 * value in [0, 2^53), shifted to [1, 2^53]. (g_random_double() carries only
 * 53 bits of which the low ones are not uniform once scaled.) */
guint64
wamp_id_new_global (void)
{
  guint64 bits = ((guint64) g_random_int () << 32) | g_random_int ();

  return (bits & (WAMP_ID_MAX - 1)) + 1;
}

guint64
wamp_id_next (guint64 *counter)
{
  g_return_val_if_fail (counter != NULL, 1);

  if (*counter >= WAMP_ID_MAX)
    *counter = 1;
  else
    *counter += 1;
  return *counter;
}
