/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRealm: one realm's sessions, role instances, authroles with their
 * permissions, and options. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <wamp/wamp.h>
#include "wamp-realm-private.h"

typedef enum {
  MATCH_EXACT,
  MATCH_PREFIX,
  MATCH_WILDCARD,
} MatchPolicy;

#define N_ACTIONS 4

typedef struct {
  char *uri;
  gsize uri_len;
  MatchPolicy match;
  gboolean allow[N_ACTIONS]; /* indexed by WampAction */
  gboolean disclose_caller;
  gboolean disclose_publisher;
  /* Wildcard patterns only: the components, "" where any one matches. */
  char **components;
  guint n_components;
  guint n_fixed; /* non-empty components: the more, the more specific */
} Permission;

/* One authrole. Exact URIs in a hash table; prefixes sorted longest first so
 * the first hit is the longest match; wildcards most specific first. */
typedef struct {
  char *name;
  GHashTable *exact;    /* uri -> Permission, owning */
  GPtrArray *prefix;    /* Permission, owning */
  GPtrArray *wildcard;  /* Permission, owning */
} AuthRole;

struct _WampRealm
{
  GObject parent_instance;

  WampRouter *router; /* unowned: the router owns its realms */
  char *name;
  WampValue *options;
  WampUriCheck uri_check;
  gboolean strict_request_ids;

  GPtrArray *roles;   /* WampRole, attached */
  WampRole *role_by_type[WAMP_MESSAGE_TYPE_MAX + 1];
  WampValue *welcome_roles;
  gboolean shut_down;

  GHashTable *authroles; /* name -> AuthRole */
  guint64 settings_serial; /* bumped when authroles or options change */
  GHashTable *sessions;  /* guint64 * (owned) -> WampSession (ref) */
};

G_DEFINE_FINAL_TYPE (WampRealm, wamp_realm, G_TYPE_OBJECT)

static void
permission_free (gpointer data)
{
  Permission *p = data;

  g_free (p->uri);
  g_strfreev (p->components);
  g_free (p);
}

static void
auth_role_free (gpointer data)
{
  AuthRole *r = data;

  g_free (r->name);
  g_hash_table_unref (r->exact);
  g_ptr_array_unref (r->prefix);
  g_ptr_array_unref (r->wildcard);
  g_free (r);
}

static AuthRole *
auth_role_new (const char *name)
{
  AuthRole *r = g_new0 (AuthRole, 1);

  r->name = g_strdup (name);
  r->exact = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, permission_free);
  r->prefix = g_ptr_array_new_with_free_func (permission_free);
  r->wildcard = g_ptr_array_new_with_free_func (permission_free);
  return r;
}

static gint
compare_prefix_longest_first (gconstpointer a, gconstpointer b)
{
  const Permission *pa = *(const Permission *const *) a;
  const Permission *pb = *(const Permission *const *) b;

  return (pb->uri_len > pa->uri_len) - (pb->uri_len < pa->uri_len);
}

static gint
compare_wildcard_most_specific_first (gconstpointer a, gconstpointer b)
{
  const Permission *pa = *(const Permission *const *) a;
  const Permission *pb = *(const Permission *const *) b;

  return (pb->n_fixed > pa->n_fixed) - (pb->n_fixed < pa->n_fixed);
}

static gboolean
wildcard_matches (const Permission *p, const char *uri)
{
  const char *component = uri;

  for (guint i = 0; i < p->n_components; i++)
    {
      const char *dot = strchr (component, '.');
      gsize len = dot != NULL ? (gsize) (dot - component) : strlen (component);

      if ((dot == NULL) != (i + 1 == p->n_components))
        return FALSE;
      if (p->components[i][0] != '\0'
          && (strlen (p->components[i]) != len || memcmp (p->components[i], component, len) != 0))
        return FALSE;
      if (dot != NULL)
        component = dot + 1;
    }
  return TRUE;
}

static const Permission *
auth_role_find (const AuthRole *r, const char *uri)
{
  const Permission *p = g_hash_table_lookup (r->exact, uri);

  if (p != NULL)
    return p;
  for (guint i = 0; i < r->prefix->len; i++)
    {
      p = g_ptr_array_index (r->prefix, i);
      if (strncmp (uri, p->uri, p->uri_len) == 0)
        return p;
    }
  for (guint i = 0; i < r->wildcard->len; i++)
    {
      p = g_ptr_array_index (r->wildcard, i);
      if (wildcard_matches (p, uri))
        return p;
    }
  return NULL;
}

static void
wamp_realm_dispose (GObject *object)
{
  WampRealm *self = WAMP_REALM (object);

  wamp_realm_shutdown (self);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->roles, g_ptr_array_unref);
  G_OBJECT_CLASS (wamp_realm_parent_class)->dispose (object);
}

static void
wamp_realm_finalize (GObject *object)
{
  WampRealm *self = WAMP_REALM (object);

  g_free (self->name);
  g_clear_pointer (&self->options, wamp_value_unref);
  g_clear_pointer (&self->welcome_roles, wamp_value_unref);
  g_clear_pointer (&self->authroles, g_hash_table_unref);
  G_OBJECT_CLASS (wamp_realm_parent_class)->finalize (object);
}

static void
wamp_realm_class_init (WampRealmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_realm_dispose;
  object_class->finalize = wamp_realm_finalize;
}

static void
wamp_realm_init (WampRealm *self)
{
  self->roles = g_ptr_array_new_with_free_func (g_object_unref);
  self->authroles = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, auth_role_free);
  self->sessions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

static gboolean
parse_action_flags (WampValue *block, const char *path, const char *key,
                    const char *const *names, gboolean *out, GError **error)
{
  g_autofree char *sub_path = wamp_config_path_key (path, key);
  WampValue *dict = NULL;

  if (!wamp_config_get_dict (block, path, key, FALSE, &dict, error))
    return FALSE;
  if (dict == NULL)
    return TRUE;
  if (!wamp_config_check_keys (dict, sub_path, names, error))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (!wamp_config_get_bool (dict, sub_path, names[i], FALSE, FALSE, &out[i], error))
      return FALSE;
  return TRUE;
}

static Permission *
parse_permission (WampValue *block, const char *path, GError **error)
{
  static const char *const known[] = { "uri", "match", "allow", "disclose", NULL };
  static const char *const matches[] = { "exact", "prefix", "wildcard", NULL };
  /* Same order as WampAction. */
  static const char *const actions[] = { "call", "register", "publish", "subscribe", NULL };
  static const char *const disclosures[] = { "caller", "publisher", NULL };
  const char *uri = NULL;
  const char *match = NULL;
  gboolean disclose[2] = { FALSE, FALSE };
  Permission *p;

  if (!wamp_config_check_keys (block, path, known, error)
      || !wamp_config_get_string (block, path, "uri", TRUE, NULL, &uri, error)
      || !wamp_config_get_enum (block, path, "match", FALSE, "exact", matches, &match, error))
    return NULL;

  p = g_new0 (Permission, 1);
  p->uri = g_strdup (uri);
  p->uri_len = strlen (uri);
  p->match = g_str_equal (match, "exact") ? MATCH_EXACT
           : g_str_equal (match, "prefix") ? MATCH_PREFIX : MATCH_WILDCARD;

  if ((p->match == MATCH_EXACT && !wamp_uri_is_valid (uri, p->uri_len, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE))
      || (p->match == MATCH_WILDCARD
          && !wamp_uri_is_valid (uri, p->uri_len, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_ALLOW_EMPTY)))
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s.uri: \"%s\" is not a valid URI for match \"%s\""), path, uri, match);
      permission_free (p);
      return NULL;
    }
  if (p->match == MATCH_WILDCARD)
    {
      p->components = g_strsplit (uri, ".", -1);
      p->n_components = g_strv_length (p->components);
      for (guint i = 0; i < p->n_components; i++)
        p->n_fixed += p->components[i][0] != '\0';
    }

  if (!parse_action_flags (block, path, "allow", actions, p->allow, error)
      || !parse_action_flags (block, path, "disclose", disclosures, disclose, error))
    {
      permission_free (p);
      return NULL;
    }
  p->disclose_caller = disclose[0];
  p->disclose_publisher = disclose[1];
  return p;
}

static gboolean
parse_roles (WampRealm *self, WampValue *config, const char *path, GError **error)
{
  static const char *const known[] = { "name", "permissions", NULL };
  g_autofree char *roles_path = wamp_config_path_key (path, "roles");
  WampValue *roles = NULL;

  if (!wamp_config_get_list (config, path, "roles", FALSE, &roles, error))
    return FALSE;
  if (roles == NULL)
    return TRUE;

  for (gsize i = 0; i < wamp_value_list_length (roles); i++)
    {
      WampValue *role = wamp_value_list_get (roles, i);
      g_autofree char *role_path = wamp_config_path_index (roles_path, i);
      g_autofree char *perms_path = wamp_config_path_key (role_path, "permissions");
      WampValue *perms = NULL;
      const char *name = NULL;
      AuthRole *r;

      if (!wamp_config_check_keys (role, role_path, known, error)
          || !wamp_config_get_string (role, role_path, "name", TRUE, NULL, &name, error)
          || !wamp_config_get_list (role, role_path, "permissions", FALSE, &perms, error))
        return FALSE;
      if (name[0] == '\0' || g_hash_table_contains (self->authroles, name))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       name[0] == '\0' ? _("%s.name: must not be empty")
                                       : _("%s.name: role \"%s\" is defined twice"),
                       role_path, name);
          return FALSE;
        }
      r = auth_role_new (name);
      g_hash_table_insert (self->authroles, r->name, r);

      for (gsize j = 0; perms != NULL && j < wamp_value_list_length (perms); j++)
        {
          g_autofree char *perm_path = wamp_config_path_index (perms_path, j);
          Permission *p = parse_permission (wamp_value_list_get (perms, j), perm_path, error);
          gboolean duplicate = FALSE;

          if (p == NULL)
            return FALSE;
          if (p->match == MATCH_EXACT)
            {
              duplicate = g_hash_table_contains (r->exact, p->uri);
              if (!duplicate)
                g_hash_table_insert (r->exact, p->uri, p);
            }
          else
            {
              GPtrArray *list = p->match == MATCH_PREFIX ? r->prefix : r->wildcard;

              for (guint k = 0; k < list->len && !duplicate; k++)
                duplicate = g_str_equal (((Permission *) g_ptr_array_index (list, k))->uri, p->uri);
              if (!duplicate)
                g_ptr_array_add (list, p);
            }
          if (duplicate)
            {
              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                           _("%s.uri: a permission for \"%s\" with this match is defined twice"),
                           perm_path, p->uri);
              permission_free (p);
              return FALSE;
            }
        }
      g_ptr_array_sort (r->prefix, compare_prefix_longest_first);
      g_ptr_array_sort (r->wildcard, compare_wildcard_most_specific_first);
    }
  return TRUE;
}

static gboolean
parse_options (WampRealm *self, WampValue *config, const char *path, GError **error)
{
  static const char *const known[] = { "uri_check", "strict_request_ids", "disclose_by_permission_only", NULL };
  static const char *const checks[] = { "loose", "strict", NULL };
  g_autofree char *options_path = wamp_config_path_key (path, "options");
  WampValue *options = NULL;
  const char *uri_check = NULL;
  gboolean disclose_by_permission_only = FALSE;

  if (!wamp_config_get_dict (config, path, "options", FALSE, &options, error))
    return FALSE;
  self->options = options != NULL ? wamp_value_ref (options) : wamp_value_new_dict (0);
  if (!wamp_config_check_keys (self->options, options_path, known, error)
      || !wamp_config_get_enum (self->options, options_path, "uri_check", FALSE, "loose", checks, &uri_check, error)
      || !wamp_config_get_bool (self->options, options_path, "strict_request_ids", FALSE, FALSE,
                                &self->strict_request_ids, error)
      || !wamp_config_get_bool (self->options, options_path, "disclose_by_permission_only", FALSE, FALSE,
                                &disclose_by_permission_only, error))
    return FALSE;
  self->uri_check = g_str_equal (uri_check, "strict") ? WAMP_URI_CHECK_STRICT : WAMP_URI_CHECK_LOOSE;
  return TRUE;
}

static gboolean
attach_roles (WampRealm *self, GPtrArray *roles, const char *path, GError **error)
{
  g_autoptr (WampValue) welcome_roles = wamp_value_new_dict (roles != NULL ? roles->len : 0);

  for (guint i = 0; roles != NULL && i < roles->len; i++)
    {
      WampRole *role = g_ptr_array_index (roles, i);
      const char *role_name = wamp_role_get_name (role);
      const WampMessageType *types;
      gsize n_types = 0;
      g_autoptr (WampValue) features = NULL;
      WampValue *entry;

      types = wamp_role_get_message_types (role, &n_types);
      for (gsize j = 0; j < n_types; j++)
        {
          WampMessageType type = types[j];

          if (type <= 0 || type > WAMP_MESSAGE_TYPE_MAX)
            {
              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                           _("%s: router role \"%s\" claims unknown message type %d"),
                           path, role_name, (int) type);
              return FALSE;
            }
          if (self->role_by_type[type] != NULL && self->role_by_type[type] != role)
            {
              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                           _("%s: router roles \"%s\" and \"%s\" both handle %s messages"),
                           path, wamp_role_get_name (self->role_by_type[type]), role_name,
                           wamp_message_type_to_string (type));
              return FALSE;
            }
        }
      if (!wamp_role_attach (role, self, self->options, error))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
      g_ptr_array_add (self->roles, g_object_ref (role));
      for (gsize j = 0; j < n_types; j++)
        self->role_by_type[types[j]] = role;

      features = wamp_role_get_features (role);
      entry = wamp_value_new_dict (1);
      wamp_value_dict_insert (entry, "features",
                              features != NULL ? g_steal_pointer (&features) : wamp_value_new_dict (0));
      wamp_value_dict_insert (welcome_roles, role_name, entry);
    }
  self->welcome_roles = g_steal_pointer (&welcome_roles);
  return TRUE;
}

WampRealm *
wamp_realm_new (WampRouter *router, WampValue *config, const char *config_path,
                GPtrArray *roles, GError **error)
{
  static const char *const known[] = { "name", "roles", "options", "router_roles", NULL };
  g_autoptr (WampRealm) self = NULL;
  const char *name = NULL;

  g_return_val_if_fail (WAMP_IS_ROUTER (router), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!wamp_config_check_keys (config, config_path, known, error)
      || !wamp_config_get_string (config, config_path, "name", TRUE, NULL, &name, error))
    return NULL;
  if (!wamp_uri_is_valid (name, strlen (name), WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE))
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s.name: \"%s\" is not a valid realm URI"), config_path, name);
      return NULL;
    }

  self = g_object_new (WAMP_TYPE_REALM, NULL);
  self->router = router;
  self->settings_serial = 1;
  self->name = g_strdup (name);
  if (!parse_options (self, config, config_path, error)
      || !parse_roles (self, config, config_path, error)
      || !attach_roles (self, roles, config_path, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
wamp_realm_get_name (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);
  return self->name;
}

WampRouter *
wamp_realm_get_router (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);
  return self->router;
}

WampValue *
wamp_realm_get_options (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);
  return self->options;
}

WampRole *
wamp_realm_get_role (WampRealm *self, const char *name)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->roles->len; i++)
    {
      WampRole *role = g_ptr_array_index (self->roles, i);

      if (g_strcmp0 (wamp_role_get_name (role), name) == 0)
        return role;
    }
  return NULL;
}

WampSession *
wamp_realm_lookup_session (WampRealm *self, guint64 session_id)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);
  return g_hash_table_lookup (self->sessions, &session_id);
}

guint
wamp_realm_get_n_sessions (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), 0);
  return g_hash_table_size (self->sessions);
}

GPtrArray *
wamp_realm_list_sessions (WampRealm *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (WAMP_IS_REALM (self), NULL);

  list = g_ptr_array_sized_new (g_hash_table_size (self->sessions));
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  return list;
}

WampUriCheck
wamp_realm_get_uri_check (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), WAMP_URI_CHECK_LOOSE);
  return self->uri_check;
}

gboolean
wamp_realm_check_uri (WampRealm *self, const char *uri, WampUriFlags flags)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), FALSE);
  if (uri == NULL)
    return FALSE;
  return wamp_uri_is_valid (uri, strlen (uri), self->uri_check, flags);
}

gboolean
wamp_realm_has_authrole (WampRealm *self, const char *authrole)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), FALSE);
  return authrole != NULL && g_hash_table_contains (self->authroles, authrole);
}

static const Permission *
find_permission (WampRealm *self, WampSession *session, const char *uri)
{
  const char *authrole = wamp_session_get_authrole (session);
  const AuthRole *r;

  if (authrole == NULL || uri == NULL)
    return NULL;
  r = g_hash_table_lookup (self->authroles, authrole);
  return r != NULL ? auth_role_find (r, uri) : NULL;
}

gboolean
wamp_realm_authorize (WampRealm *self, WampSession *session, WampAction action, const char *uri)
{
  const Permission *p;

  g_return_val_if_fail (WAMP_IS_REALM (self), FALSE);
  g_return_val_if_fail (WAMP_IS_SESSION (session), FALSE);
  g_return_val_if_fail ((guint) action < N_ACTIONS, FALSE);

  p = find_permission (self, session, uri);
  return p != NULL && p->allow[action];
}

gboolean
wamp_realm_get_disclose (WampRealm *self, WampSession *session, WampAction action, const char *uri)
{
  const Permission *p;

  g_return_val_if_fail (WAMP_IS_REALM (self), FALSE);
  g_return_val_if_fail (WAMP_IS_SESSION (session), FALSE);

  p = find_permission (self, session, uri);
  if (p == NULL)
    return FALSE;
  if (action == WAMP_ACTION_CALL)
    return p->disclose_caller;
  if (action == WAMP_ACTION_PUBLISH)
    return p->disclose_publisher;
  return FALSE;
}

guint64
wamp_realm_get_settings_serial (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), 0);
  return self->settings_serial;
}

gboolean
wamp_realm_check_memo_holds (WampRealm                *self,
                             const WampRealmCheckMemo *memo,
                             WampSession              *session,
                             gboolean                 *disclose)
{
  /* Interned by the session: a pointer compare. */
  const char *authrole = wamp_session_get_authrole (session);

  g_return_val_if_fail (WAMP_IS_REALM (self), FALSE);
  g_return_val_if_fail (memo != NULL && disclose != NULL, FALSE);

  if (authrole == NULL || memo->authrole != authrole || memo->serial != self->settings_serial)
    return FALSE;
  *disclose = memo->disclose;
  return TRUE;
}

void
wamp_realm_check_memo_store (WampRealm          *self,
                             WampRealmCheckMemo *memo,
                             WampSession        *session,
                             gboolean            disclose)
{
  g_return_if_fail (WAMP_IS_REALM (self));
  g_return_if_fail (memo != NULL);

  /* Authroles are the configuration's: a bounded set to intern. */
  memo->authrole = g_intern_string (wamp_session_get_authrole (session));
  memo->serial = self->settings_serial;
  memo->disclose = disclose;
}

guint64
wamp_realm_next_id (WampRealm *self)
{
  g_return_val_if_fail (WAMP_IS_REALM (self), 0);
  return wamp_router_next_id (self->router);
}

gboolean
wamp_realm_has_same_router_roles (WampRealm *self, WampRealm *other)
{
  if (self->roles->len != other->roles->len)
    return FALSE;
  for (guint i = 0; i < self->roles->len; i++)
    if (wamp_realm_get_role (other, wamp_role_get_name (g_ptr_array_index (self->roles, i))) == NULL)
      return FALSE;
  return TRUE;
}

void
wamp_realm_take_settings (WampRealm *self, WampRealm *candidate, GPtrArray *roles_not_updated)
{
  gboolean options_changed = !wamp_value_equal (self->options, candidate->options);
  GHashTable *authroles = self->authroles;
  WampValue *options = self->options;

  /* Swapped, not copied: the candidate is dropped right after, and takes
   * the old tables with it. Authorization looks the session's authrole up
   * on every decision, so established sessions see the new permissions at
   * once. */
  self->authroles = candidate->authroles;
  candidate->authroles = authroles;
  self->options = candidate->options;
  candidate->options = options;
  self->uri_check = candidate->uri_check;
  self->strict_request_ids = candidate->strict_request_ids;
  /* What roles remember of the old answers is stale now. */
  self->settings_serial++;

  if (!options_changed)
    return;
  for (guint i = 0; i < self->roles->len; i++)
    {
      WampRole *role = g_ptr_array_index (self->roles, i);

      if (!wamp_role_options_changed (role, self->options))
        g_ptr_array_add (roles_not_updated, g_strdup (wamp_role_get_name (role)));
    }
}

/* Private API. */

WampRole *
wamp_realm_get_role_for_type (WampRealm *self, WampMessageType type)
{
  if (type <= 0 || type > WAMP_MESSAGE_TYPE_MAX || self->shut_down)
    return NULL;
  return self->role_by_type[type];
}

gboolean
wamp_realm_get_strict_request_ids (WampRealm *self)
{
  return self->strict_request_ids;
}

WampValue *
wamp_realm_build_welcome_roles (WampRealm *self)
{
  return wamp_value_ref (self->welcome_roles);
}

void
wamp_realm_add_session (WampRealm *self, WampSession *session)
{
  guint64 id = wamp_session_get_id (session);

  g_return_if_fail (id != 0);
  g_return_if_fail (!g_hash_table_contains (self->sessions, &id));

  g_hash_table_insert (self->sessions, g_memdup2 (&id, sizeof id), g_object_ref (session));
  /* A role may refuse the session from its hook (abort): the rest then never see it. */
  for (guint i = 0; i < self->roles->len && g_hash_table_lookup (self->sessions, &id) == session; i++)
    wamp_role_session_joined (g_ptr_array_index (self->roles, i), session);
}

void
wamp_realm_remove_session (WampRealm *self, WampSession *session)
{
  guint64 id = wamp_session_get_id (session);

  if (self->sessions == NULL || g_hash_table_lookup (self->sessions, &id) != session)
    return;
  /* Roles still find the session by ID while they clean up after it. */
  for (guint i = 0; i < self->roles->len; i++)
    wamp_role_session_leaving (g_ptr_array_index (self->roles, i), session);
  g_hash_table_remove (self->sessions, &id);
}

void
wamp_realm_shutdown (WampRealm *self)
{
  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  for (guint i = 0; self->roles != NULL && i < self->roles->len; i++)
    wamp_role_detach (g_ptr_array_index (self->roles, i));
  memset (self->role_by_type, 0, sizeof self->role_by_type);
}

guint
wamp_realm_kill_sessions_by_authid (WampRealm *self, const char *authid,
                                    const char *reason, const char *message)
{
  g_autoptr (GPtrArray) sessions = NULL;
  guint killed = 0;

  g_return_val_if_fail (WAMP_IS_REALM (self), 0);
  g_return_val_if_fail (authid != NULL, 0);

  if (reason == NULL)
    reason = wamp_error_code_to_uri (WAMP_ERROR_KILLED);
  /* A snapshot with references: each GOODBYE changes the session table. */
  sessions = wamp_realm_list_sessions (self);
  g_ptr_array_set_free_func (sessions, g_object_unref);
  for (guint i = 0; i < sessions->len; i++)
    g_object_ref (g_ptr_array_index (sessions, i));
  for (guint i = 0; i < sessions->len; i++)
    {
      WampSession *session = g_ptr_array_index (sessions, i);

      if (wamp_session_get_state (session) == WAMP_SESSION_STATE_ESTABLISHED
          && g_strcmp0 (wamp_session_get_authid (session), authid) == 0)
        {
          wamp_session_goodbye (session, reason, message, TRUE);
          killed++;
        }
    }
  return killed;
}
