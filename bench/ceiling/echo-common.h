/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two echo servers share besides the protocol: the command line,
 * the listen addresses, the ready file and the descriptor limit. */

#pragma once

#include <gio/gio.h>

/* Both servers' listen backlog: thousands of clients may connect at once. */
#define ECHO_LISTEN_BACKLOG 4096

typedef struct
{
  char *host;
  int port;
  char *unix_path;
  char *ready_file;
} EchoOptions;

gboolean        echo_options_parse (EchoOptions  *options,
                                    const char   *summary,
                                    int          *argc,
                                    char       ***argv,
                                    GError      **error);
void            echo_options_clear (EchoOptions *options);
GSocketAddress *echo_options_get_tcp_address (const EchoOptions  *options,
                                              GError            **error);
gboolean        echo_remove_stale_socket (const char  *path,
                                          GError     **error);
gboolean        echo_write_ready_file (const EchoOptions  *options,
                                       guint16             port,
                                       GError            **error);
void            echo_raise_fd_limit (void);
