/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSpareList: a thread's few released blocks of one size (see the header). */

#include "config.h"

#include "wamp-spare-list.h"

void
wamp_spare_list_clear (gpointer data)
{
  WampSpareList *list = data;

  while (list->head != NULL)
    {
      gpointer next;

      /* Poisoned on the list: the link word itself is not, the rest is. */
      next = *(gpointer *) list->head;
      g_free (list->head);
      list->head = next;
    }
  list->n = 0;
  list->registered = FALSE;
}
