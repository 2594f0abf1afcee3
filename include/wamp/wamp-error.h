/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Error domains of libwampcore and the one table between WAMP error codes and
 * their wamp.error.* / wamp.close.* URIs. Enums only ever grow at the end. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

#define WAMP_ERROR (wamp_error_quark ())

/**
 * WampErrorCode:
 *
 * Errors that travel on the wire. Each code but %WAMP_ERROR_APPLICATION and
 * %WAMP_ERROR_TRANSPORT has exactly one URI (see wamp_error_code_to_uri()).
 */
typedef enum {
  WAMP_ERROR_PROTOCOL_VIOLATION,       /* wamp.error.protocol_violation */
  WAMP_ERROR_INVALID_URI,              /* wamp.error.invalid_uri */
  WAMP_ERROR_NO_SUCH_REALM,            /* wamp.error.no_such_realm */
  WAMP_ERROR_NO_SUCH_PROCEDURE,        /* wamp.error.no_such_procedure */
  WAMP_ERROR_PROCEDURE_ALREADY_EXISTS, /* wamp.error.procedure_already_exists */
  WAMP_ERROR_NO_SUCH_REGISTRATION,     /* wamp.error.no_such_registration */
  WAMP_ERROR_NO_SUCH_SUBSCRIPTION,     /* wamp.error.no_such_subscription */
  WAMP_ERROR_INVALID_ARGUMENT,         /* wamp.error.invalid_argument */
  WAMP_ERROR_CANCELED,                 /* wamp.error.canceled */
  WAMP_ERROR_NOT_AUTHORIZED,           /* wamp.error.not_authorized */
  WAMP_ERROR_AUTHORIZATION_FAILED,     /* wamp.error.authorization_failed */
  WAMP_ERROR_AUTHENTICATION_FAILED,    /* wamp.error.authentication_failed */
  WAMP_ERROR_NO_MATCHING_AUTH_METHOD,  /* wamp.error.no_matching_auth_method */
  WAMP_ERROR_NO_SUCH_ROLE,             /* wamp.error.no_such_role */
  WAMP_ERROR_NO_SUCH_PRINCIPAL,        /* wamp.error.no_such_principal */
  WAMP_ERROR_NO_SUCH_SESSION,          /* wamp.error.no_such_session */
  WAMP_ERROR_OPTION_NOT_ALLOWED,       /* wamp.error.option_not_allowed */
  WAMP_ERROR_OPTION_DISALLOWED_DISCLOSE_ME, /* wamp.error.option_disallowed.disclose_me */
  WAMP_ERROR_NO_AVAILABLE_CALLEE,      /* wamp.error.no_available_callee */
  WAMP_ERROR_FEATURE_NOT_SUPPORTED,    /* wamp.error.feature_not_supported */
  WAMP_ERROR_TIMEOUT,                  /* wamp.error.timeout */
  WAMP_ERROR_UNAVAILABLE,              /* wamp.error.unavailable */
  WAMP_ERROR_NETWORK_FAILURE,          /* wamp.error.network_failure */
  WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED,    /* wamp.error.payload_size_exceeded */
  WAMP_ERROR_SYSTEM_SHUTDOWN,          /* wamp.close.system_shutdown */
  WAMP_ERROR_CLOSE_REALM,              /* wamp.close.close_realm */
  WAMP_ERROR_GOODBYE_AND_OUT,          /* wamp.close.goodbye_and_out */
  WAMP_ERROR_CLOSE_NORMAL,             /* wamp.close.normal */
  WAMP_ERROR_KILLED,                   /* wamp.close.killed */
  WAMP_ERROR_TRANSPORT,                /* the connection failed or closed; no URI */
  WAMP_ERROR_APPLICATION,              /* any other URI (an application error) */
} WampErrorCode;

/* Configuration errors: the message names the JSON path (`$.transports[0].port`). */
#define WAMP_CONFIG_ERROR (wamp_config_error_quark ())

typedef enum {
  WAMP_CONFIG_ERROR_PARSE,       /* not JSON, or unreadable */
  WAMP_CONFIG_ERROR_INVALID,     /* a value of the wrong type or range */
  WAMP_CONFIG_ERROR_MISSING,     /* a required key is absent */
  WAMP_CONFIG_ERROR_UNKNOWN_KEY, /* a key this version does not know */
  WAMP_CONFIG_ERROR_UNSUPPORTED, /* names an extension no plugin provides */
} WampConfigErrorCode;

#define WAMP_PLUGIN_ERROR (wamp_plugin_error_quark ())

typedef enum {
  WAMP_PLUGIN_ERROR_OPEN,          /* g_module_open() failed */
  WAMP_PLUGIN_ERROR_NO_ENTRY,      /* no wamp_plugin_query symbol */
  WAMP_PLUGIN_ERROR_ABI,           /* abi_major differs or abi_minor is newer */
  WAMP_PLUGIN_ERROR_DUPLICATE,     /* plugin or extension name seen before */
  WAMP_PLUGIN_ERROR_PERMISSIONS,   /* unsafe owner or mode while running as root */
  WAMP_PLUGIN_ERROR_TYPE,          /* a type does not implement the point's interface */
  WAMP_PLUGIN_ERROR_REGISTER,      /* register_types failed */
  WAMP_PLUGIN_ERROR_NOT_FOUND,     /* no such extension */
} WampPluginErrorCode;

WAMP_AVAILABLE_IN_ALL
GQuark wamp_error_quark (void);
WAMP_AVAILABLE_IN_ALL
GQuark wamp_config_error_quark (void);
WAMP_AVAILABLE_IN_ALL
GQuark wamp_plugin_error_quark (void);

/* Returns: (transfer none) (nullable): the URI of @code, NULL for
 * %WAMP_ERROR_TRANSPORT and %WAMP_ERROR_APPLICATION. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_error_code_to_uri (WampErrorCode code);

/* Returns: the code whose URI is @uri, %WAMP_ERROR_APPLICATION for any other. */
WAMP_AVAILABLE_IN_ALL
WampErrorCode wamp_error_code_from_uri (const char *uri);

/* Returns: (transfer none): the URI to put on the wire for @error: the URI an
 * error made by wamp_error_new_from_uri() carries (WAMP_ERROR is an extended
 * GError domain that keeps it), else the table's URI for a WAMP_ERROR code,
 * else "wamp.error.runtime_error" (other domains, %WAMP_ERROR_TRANSPORT). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_error_get_uri (const GError *error);

/* Returns: (transfer full): a WAMP_ERROR whose code is looked up from @uri; the
 * URI itself is kept (see wamp_error_get_uri()) and @message is the text. */
WAMP_AVAILABLE_IN_ALL
GError *wamp_error_new_from_uri (const char *uri, const char *message);

/* When sending a routed message to its receiver failed with @error: the URI
 * to tell its sender if the message itself is at fault — a value the
 * receiver's serializer cannot represent (%WAMP_ERROR_INVALID_ARGUMENT) or a
 * frame larger than the receiver accepts (%WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED)
 * — else NULL (the receiver's connection is gone or its queue is full).
 * Returns: (transfer none) (nullable). Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_error_get_undeliverable_uri (const GError *error);

G_END_DECLS
