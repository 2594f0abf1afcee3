/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error domains of libwampcore and the single table between WampErrorCode
 * and the wamp.error.* / wamp.close.* URIs. */

#include "config.h"

#include <string.h>

#include <wamp/wamp-error.h>

/* WAMP_ERROR is an extended GError domain so that an error received from a
 * peer (any URI, including application URIs) keeps its exact URI while still
 * having a code the router can switch on. */
typedef struct
{
  char *uri;
} WampErrorPrivate;

static void
wamp_error_private_init (WampErrorPrivate *priv)
{
  priv->uri = NULL;
}

static void
wamp_error_private_copy (const WampErrorPrivate *src,
                         WampErrorPrivate       *dest)
{
  dest->uri = g_strdup (src->uri);
}

static void
wamp_error_private_clear (WampErrorPrivate *priv)
{
  g_clear_pointer (&priv->uri, g_free);
}

G_DEFINE_EXTENDED_ERROR (WampError, wamp_error)
G_DEFINE_QUARK (wamp-config-error-quark, wamp_config_error)
G_DEFINE_QUARK (wamp-plugin-error-quark, wamp_plugin_error)

/* Indexed by WampErrorCode; NULL where a code has no URI. */
static const char *const error_uris[] = {
  [WAMP_ERROR_PROTOCOL_VIOLATION] = "wamp.error.protocol_violation",
  [WAMP_ERROR_INVALID_URI] = "wamp.error.invalid_uri",
  [WAMP_ERROR_NO_SUCH_REALM] = "wamp.error.no_such_realm",
  [WAMP_ERROR_NO_SUCH_PROCEDURE] = "wamp.error.no_such_procedure",
  [WAMP_ERROR_PROCEDURE_ALREADY_EXISTS] = "wamp.error.procedure_already_exists",
  [WAMP_ERROR_NO_SUCH_REGISTRATION] = "wamp.error.no_such_registration",
  [WAMP_ERROR_NO_SUCH_SUBSCRIPTION] = "wamp.error.no_such_subscription",
  [WAMP_ERROR_INVALID_ARGUMENT] = "wamp.error.invalid_argument",
  [WAMP_ERROR_CANCELED] = "wamp.error.canceled",
  [WAMP_ERROR_NOT_AUTHORIZED] = "wamp.error.not_authorized",
  [WAMP_ERROR_AUTHORIZATION_FAILED] = "wamp.error.authorization_failed",
  [WAMP_ERROR_AUTHENTICATION_FAILED] = "wamp.error.authentication_failed",
  [WAMP_ERROR_NO_MATCHING_AUTH_METHOD] = "wamp.error.no_matching_auth_method",
  [WAMP_ERROR_NO_SUCH_ROLE] = "wamp.error.no_such_role",
  [WAMP_ERROR_NO_SUCH_PRINCIPAL] = "wamp.error.no_such_principal",
  [WAMP_ERROR_NO_SUCH_SESSION] = "wamp.error.no_such_session",
  [WAMP_ERROR_OPTION_NOT_ALLOWED] = "wamp.error.option_not_allowed",
  [WAMP_ERROR_OPTION_DISALLOWED_DISCLOSE_ME] = "wamp.error.option_disallowed.disclose_me",
  [WAMP_ERROR_NO_AVAILABLE_CALLEE] = "wamp.error.no_available_callee",
  [WAMP_ERROR_FEATURE_NOT_SUPPORTED] = "wamp.error.feature_not_supported",
  [WAMP_ERROR_TIMEOUT] = "wamp.error.timeout",
  [WAMP_ERROR_UNAVAILABLE] = "wamp.error.unavailable",
  [WAMP_ERROR_NETWORK_FAILURE] = "wamp.error.network_failure",
  [WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED] = "wamp.error.payload_size_exceeded",
  [WAMP_ERROR_SYSTEM_SHUTDOWN] = "wamp.close.system_shutdown",
  [WAMP_ERROR_CLOSE_REALM] = "wamp.close.close_realm",
  [WAMP_ERROR_GOODBYE_AND_OUT] = "wamp.close.goodbye_and_out",
  [WAMP_ERROR_CLOSE_NORMAL] = "wamp.close.normal",
  [WAMP_ERROR_KILLED] = "wamp.close.killed",
  [WAMP_ERROR_TRANSPORT] = NULL,
  [WAMP_ERROR_APPLICATION] = NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (error_uris) == WAMP_ERROR_APPLICATION + 1);

#define RUNTIME_ERROR_URI "wamp.error.runtime_error"

/* Returns: (transfer none) (nullable). */
const char *
wamp_error_code_to_uri (WampErrorCode code)
{
  if ((guint) code >= G_N_ELEMENTS (error_uris))
    return NULL;
  return error_uris[code];
}

/* Peers send error URIs on every failed call, so this is a hash lookup, not
 * a walk of the table. */
static GHashTable *
uri_to_code_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < G_N_ELEMENTS (error_uris); i++)
        if (error_uris[i] != NULL)
          g_hash_table_insert (t, (gpointer) error_uris[i], GUINT_TO_POINTER (i + 1));
      g_once_init_leave (&table, t);
    }
  return table;
}

WampErrorCode
wamp_error_code_from_uri (const char *uri)
{
  gpointer found;

  g_return_val_if_fail (uri != NULL, WAMP_ERROR_APPLICATION);

  found = g_hash_table_lookup (uri_to_code_table (), uri);
  if (found == NULL)
    return WAMP_ERROR_APPLICATION;
  return (WampErrorCode) (GPOINTER_TO_UINT (found) - 1);
}

/* Returns: (transfer none). */
const char *
wamp_error_get_uri (const GError *error)
{
  g_return_val_if_fail (error != NULL, RUNTIME_ERROR_URI);

  if (error->domain == WAMP_ERROR)
    {
      WampErrorPrivate *priv = wamp_error_get_private (error);
      const char *uri;

      if (priv != NULL && priv->uri != NULL)
        return priv->uri;
      uri = wamp_error_code_to_uri ((WampErrorCode) error->code);
      if (uri != NULL)
        return uri;
    }
  return RUNTIME_ERROR_URI;
}

/* Returns: (transfer full). */
GError *
wamp_error_new_from_uri (const char *uri,
                         const char *message)
{
  GError *error;
  WampErrorPrivate *priv;

  g_return_val_if_fail (uri != NULL, NULL);

  error = g_error_new_literal (WAMP_ERROR, wamp_error_code_from_uri (uri),
                               message != NULL ? message : uri);
  priv = wamp_error_get_private (error);
  if (priv != NULL)
    priv->uri = g_strdup (uri);
  return error;
}

const char *
wamp_error_get_undeliverable_uri (const GError *error)
{
  if (g_error_matches (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT)
      || g_error_matches (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED))
    return wamp_error_code_to_uri (error->code);
  return NULL;
}
