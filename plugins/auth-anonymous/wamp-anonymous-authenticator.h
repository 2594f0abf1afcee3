/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAnonymousAuthenticator: WAMP-Anonymous, the "anonymous" authmethod. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_ANONYMOUS_AUTHENTICATOR (wamp_anonymous_authenticator_get_type ())
G_DECLARE_FINAL_TYPE (WampAnonymousAuthenticator, wamp_anonymous_authenticator,
                      WAMP, ANONYMOUS_AUTHENTICATOR, GObject)

/* Prefix of the authids it makes up for clients that do not ask for one. */
#define WAMP_ANONYMOUS_AUTHID_PREFIX "anonymous-"

G_END_DECLS
