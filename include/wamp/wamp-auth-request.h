/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAuthRequest: one session's authentication, from HELLO to WELCOME/ABORT,
 * as authenticators see it. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

#define WAMP_TYPE_AUTH_REQUEST (wamp_auth_request_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampAuthRequest, wamp_auth_request, WAMP, AUTH_REQUEST, GObject)

/* Made by the core when a HELLO picks an authmethod. @hello_details: (transfer none);
 * @transport_details: (transfer none); @peer_certificate: (nullable) (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampAuthRequest *wamp_auth_request_new (guint64          session_id,
                                        const char      *realm,
                                        const char      *authmethod,
                                        WampValue       *hello_details,
                                        WampValue       *transport_details,
                                        GTlsCertificate *peer_certificate);

WAMP_AVAILABLE_IN_ALL
guint64 wamp_auth_request_get_session_id (WampAuthRequest *self);
/* All (transfer none); authid/authrole/authextra as the HELLO asked (nullable). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_realm (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_authmethod (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_requested_authid (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_requested_authrole (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_auth_request_get_requested_authextra (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_auth_request_get_hello_details (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_auth_request_get_transport_details (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
GTlsCertificate *wamp_auth_request_get_peer_certificate (WampAuthRequest *self);

/* What an authenticator decides in its challenge step: send CHALLENGE with
 * @extra (transfer none, nullable) ... */
WAMP_AVAILABLE_IN_ALL
void wamp_auth_request_set_challenge (WampAuthRequest *self, WampValue *extra);
/* ... or accept right away (and in the authenticate step: accept). All strings
 * copied; @authextra (transfer none, nullable). @authrole must be a role of
 * the realm or the core answers ABORT wamp.error.no_such_role. */
WAMP_AVAILABLE_IN_ALL
void wamp_auth_request_accept (WampAuthRequest *self,
                               const char      *authid,
                               const char      *authrole,
                               const char      *authprovider,
                               WampValue       *authextra);

/* Read by the core. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_auth_request_is_accepted (WampAuthRequest *self);
/* Returns: (transfer none) (nullable): the CHALLENGE extra, NULL when none was set. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_auth_request_get_challenge (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_authid (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_authrole (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_auth_request_get_authprovider (WampAuthRequest *self);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_auth_request_get_authextra (WampAuthRequest *self);

/* Per-request state an authenticator keeps between its two steps (e.g. the
 * challenge it sent). @destroy: (nullable). */
WAMP_AVAILABLE_IN_ALL
void wamp_auth_request_set_state (WampAuthRequest *self, gpointer state, GDestroyNotify destroy);
WAMP_AVAILABLE_IN_ALL
gpointer wamp_auth_request_get_state (WampAuthRequest *self);

G_END_DECLS
