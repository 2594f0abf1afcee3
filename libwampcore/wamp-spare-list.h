/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSpareList: a thread's few released blocks of one size, kept for its
 * next allocation of that size (private). */
#pragma once

#include <glib.h>

/* A block on the list is still malloc'd memory to ASan: poisoned past its
 * link word, a use after release is reported as after free(). Nothing
 * without ASan. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define WAMP_SPARE_POISON(block, size) \
  ASAN_POISON_MEMORY_REGION ((char *) (block) + sizeof (gpointer), (size) - sizeof (gpointer))
#define WAMP_SPARE_UNPOISON(block, size) ASAN_UNPOISON_MEMORY_REGION ((block), (size))
#else
#define WAMP_SPARE_POISON(block, size) ((void) (block), (void) (size))
#define WAMP_SPARE_UNPOISON(block, size) ((void) (block), (void) (size))
#endif

G_BEGIN_DECLS

/**
 * WampSpareList:
 *
 * Up to a bound of released blocks, linked through their first word: the
 * hot path's objects (a routed call makes and frees four messages, two
 * payloads, a URI string) skip malloc and free, and an idle router keeps a
 * few KiB, not one block per session. Declare one per block size as
 *
 *   static __thread WampSpareList spares __attribute__ ((tls_model ("initial-exec")));
 *   static GPrivate spares_key = G_PRIVATE_INIT (wamp_spare_list_clear);
 *
 * (initial-exec: a plain %fs-relative access, no __tls_get_addr call; the
 * library is linked by the daemon, and a few bytes fit glibc's static TLS
 * surplus should it ever be dlopen'ed). The GPrivate only frees the blocks
 * when the thread ends.
 */
typedef struct
{
  gpointer head;
  guint n;
  gboolean registered; /* with its GPrivate, for the thread-exit cleanup */
} WampSpareList;

/* Frees every block of @list (a WampSpareList *): the GPrivate's destroy. */
void wamp_spare_list_clear (gpointer list);

/* Returns: (transfer full): a block of @size bytes, reused or new. */
static inline gpointer
wamp_spare_list_take (WampSpareList *list,
                      gsize          size)
{
  gpointer block = list->head;

  if (block == NULL)
    return g_malloc (size);
  WAMP_SPARE_UNPOISON (block, size);
  list->head = *(gpointer *) block;
  list->n--;
  return block;
}

/* Keeps @block (@size bytes, from wamp_spare_list_take()) while @list holds
 * fewer than @max, else frees it. */
static inline void
wamp_spare_list_give (WampSpareList *list,
                      GPrivate      *key,
                      gpointer       block,
                      gsize          size,
                      guint          max)
{
  if (list->n >= max)
    {
      g_free (block);
      return;
    }
  if (G_UNLIKELY (!list->registered))
    {
      list->registered = TRUE;
      g_private_set (key, list);
    }
  *(gpointer *) block = list->head;
  WAMP_SPARE_POISON (block, size);
  list->head = block;
  list->n++;
}

G_END_DECLS
