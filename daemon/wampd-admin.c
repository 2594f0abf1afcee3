/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampdAdmin: serves org.wampd.Router1 from the router's admin API. WampValue
 * becomes GVariant here and nowhere else (DESIGN.md: the D-Bus edge). */
#include "config.h"

#include <string.h>

#include "wampd-admin.h"
#include "wampd-router1-generated.h"

struct _WampdAdmin
{
  GObject parent_instance;

  WampRouter *router;
  WampPluginLoader *loader;     /* nullable */
  gint64 start_time;
  WampdReloadFunc reload_func;
  gpointer reload_data;

  WampdRouter1 *skeleton;
  GDBusConnection *connection;
  guint owner_id;
  gboolean name_owned;
  GTask *start_task;            /* pending until the name is owned or lost */
  gulong joined_handler;
  gulong left_handler;
};

G_DEFINE_FINAL_TYPE (WampdAdmin, wampd_admin, G_TYPE_OBJECT)

/* ---- WampValue -> GVariant ------------------------------------------------- */

/* D-Bus allows 64 levels of nested containers and each WampValue dict costs
 * about three (array, dict entry, variant): deeper values (a client's
 * HELLO.Details can nest 32 deep) are left out like nulls, so one odd
 * session cannot make every listing fail to serialize. */
#define MAX_VALUE_DEPTH 16

static GVariant *value_to_variant (WampValue *value, guint depth);

static gboolean
value_is_text (WampValue *value)
{
  gsize len;
  const char *text;

  if (wamp_value_get_value_type (value) != WAMP_VALUE_STRING)
    return FALSE;
  text = wamp_value_get_string (value, &len);
  /* GVariant strings hold neither NUL nor invalid UTF-8: those go as bytes. */
  return memchr (text, '\0', len) == NULL && g_utf8_validate (text, len, NULL);
}

static GVariant *
dict_to_variant_at (WampValue *dict, guint depth)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (gsize i = 0; i < wamp_value_dict_size (dict); i++)
    {
      gsize key_len;
      const char *key = wamp_value_dict_get_key (dict, i, &key_len);
      GVariant *item = value_to_variant (wamp_value_dict_get_value (dict, i), depth + 1);

      /* A null has no GVariant: the key is left out, as D-Bus APIs do. */
      if (item != NULL && strlen (key) == key_len && g_utf8_validate (key, key_len, NULL))
        g_variant_builder_add (&builder, "{sv}", key, item);
      else if (item != NULL)
        g_variant_unref (g_variant_ref_sink (item));
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
dict_to_variant (WampValue *dict)
{
  return dict_to_variant_at (dict, 0);
}

static GVariant *
list_to_variant (WampValue *list, guint depth)
{
  gsize n = wamp_value_list_length (list);
  gboolean all_ints = n > 0;
  gboolean all_text = n > 0;
  GVariantBuilder builder;

  for (gsize i = 0; i < n; i++)
    {
      WampValue *item = wamp_value_list_get (list, i);

      all_ints = all_ints && wamp_value_get_value_type (item) == WAMP_VALUE_INT;
      all_text = all_text && value_is_text (item);
    }
  if (all_ints)
    {
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
      for (gsize i = 0; i < n; i++)
        g_variant_builder_add (&builder, "x", wamp_value_get_int (wamp_value_list_get (list, i)));
      return g_variant_builder_end (&builder);
    }
  if (all_text)
    {
      g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
      for (gsize i = 0; i < n; i++)
        g_variant_builder_add (&builder, "s", wamp_value_get_string (wamp_value_list_get (list, i), NULL));
      return g_variant_builder_end (&builder);
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
  for (gsize i = 0; i < n; i++)
    {
      GVariant *item = value_to_variant (wamp_value_list_get (list, i), depth + 1);

      /* A null inside a list keeps its place as an empty av: D-Bus has no
       * null, and maybe types do not travel on the wire. */
      if (item == NULL)
        item = g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0);
      g_variant_builder_add (&builder, "v", item);
    }
  return g_variant_builder_end (&builder);
}

/* Returns: (transfer floating) (nullable): NULL for a null value and for
 * containers nested deeper than MAX_VALUE_DEPTH. */
static GVariant *
value_to_variant (WampValue *value, guint depth)
{
  if (depth >= MAX_VALUE_DEPTH
      && (wamp_value_get_value_type (value) == WAMP_VALUE_LIST || wamp_value_get_value_type (value) == WAMP_VALUE_DICT))
    return NULL;
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_BOOL:
      return g_variant_new_boolean (wamp_value_get_bool (value));
    case WAMP_VALUE_INT:
      return g_variant_new_int64 (wamp_value_get_int (value));
    case WAMP_VALUE_UINT:
      return g_variant_new_uint64 (wamp_value_get_uint (value));
    case WAMP_VALUE_DOUBLE:
      return g_variant_new_double (wamp_value_get_double (value));
    case WAMP_VALUE_STRING:
      {
        gsize len;
        const char *text = wamp_value_get_string (value, &len);

        if (value_is_text (value))
          return g_variant_new_string (text);
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, text, len, 1);
      }
    case WAMP_VALUE_BYTES:
      {
        gsize len;
        const guint8 *data = wamp_value_get_bytes (value, &len);

        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, len, 1);
      }
    case WAMP_VALUE_LIST:
      return list_to_variant (value, depth);
    case WAMP_VALUE_DICT:
      return dict_to_variant_at (value, depth);
    case WAMP_VALUE_NULL:
    default:
      return NULL;
    }
}

static GVariant *
list_of_dicts_to_variant (WampValue *list)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (gsize i = 0; i < wamp_value_list_length (list); i++)
    {
      WampValue *item = wamp_value_list_get (list, i);

      if (wamp_value_get_value_type (item) == WAMP_VALUE_DICT)
        g_variant_builder_add_value (&builder, dict_to_variant (item));
    }
  return g_variant_builder_end (&builder);
}

/* ---- methods -------------------------------------------------------------- */

static WampRealm *
lookup_realm_or_fail (WampdAdmin *self, GDBusMethodInvocation *invocation, const char *name)
{
  WampRealm *realm = wamp_router_lookup_realm (self->router, name);

  if (realm == NULL)
    g_dbus_method_invocation_return_error (invocation, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_NO_SUCH_REALM,
                                           "no realm \"%s\"", name);
  return realm;
}

static gboolean
handle_list_realms (WampdRouter1 *object, GDBusMethodInvocation *invocation, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GPtrArray) realms = wamp_router_list_realms (self->router);
  g_auto (GStrv) role_names = wamp_extension_list (WAMP_ROLE_EXTENSION_POINT);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < realms->len; i++)
    {
      WampRealm *realm = g_ptr_array_index (realms, i);
      GVariantBuilder entry;
      GVariantBuilder roles;

      g_variant_builder_init (&roles, G_VARIANT_TYPE_STRING_ARRAY);
      /* The realm finds its roles by name: ask for every loaded one. */
      for (char **name = role_names; name != NULL && *name != NULL; name++)
        if (wamp_realm_get_role (realm, *name) != NULL)
          g_variant_builder_add (&roles, "s", *name);

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "name", g_variant_new_string (wamp_realm_get_name (realm)));
      g_variant_builder_add (&entry, "{sv}", "sessions", g_variant_new_int64 (wamp_realm_get_n_sessions (realm)));
      g_variant_builder_add (&entry, "{sv}", "router_roles", g_variant_builder_end (&roles));
      g_variant_builder_add_value (&builder, g_variant_builder_end (&entry));
    }
  wampd_router1_complete_list_realms (object, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gint
compare_sessions_by_join_time (gconstpointer a, gconstpointer b)
{
  WampSession *sa = *(WampSession *const *) a;
  WampSession *sb = *(WampSession *const *) b;
  gint64 ta = wamp_session_get_join_time (sa);
  gint64 tb = wamp_session_get_join_time (sb);

  if (ta != tb)
    return ta < tb ? -1 : 1;
  return wamp_session_get_id (sa) < wamp_session_get_id (sb) ? -1
       : wamp_session_get_id (sa) > wamp_session_get_id (sb);
}

static gboolean
handle_list_sessions (WampdRouter1 *object, GDBusMethodInvocation *invocation, const char *realm_name,
                      gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GPtrArray) sessions = g_ptr_array_new ();
  g_autoptr (GPtrArray) realms = NULL;
  GVariantBuilder builder;

  if (realm_name[0] != '\0')
    {
      WampRealm *realm = lookup_realm_or_fail (self, invocation, realm_name);

      if (realm == NULL)
        return G_DBUS_METHOD_INVOCATION_HANDLED;
      realms = g_ptr_array_new ();
      g_ptr_array_add (realms, realm);
    }
  else
    realms = wamp_router_list_realms (self->router);

  for (guint i = 0; i < realms->len; i++)
    {
      g_autoptr (GPtrArray) of_realm = wamp_realm_list_sessions (g_ptr_array_index (realms, i));

      g_ptr_array_extend (sessions, of_realm, NULL, NULL);
    }
  g_ptr_array_sort (sessions, compare_sessions_by_join_time);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < sessions->len; i++)
    {
      g_autoptr (WampValue) info = wamp_session_get_info (g_ptr_array_index (sessions, i));

      if (info != NULL)
        g_variant_builder_add_value (&builder, dict_to_variant (info));
    }
  wampd_router1_complete_list_sessions (object, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_session (WampdRouter1 *object, GDBusMethodInvocation *invocation, guint64 id, gpointer user_data)
{
  WampdAdmin *self = user_data;
  WampSession *session = wamp_router_lookup_session (self->router, id);
  g_autoptr (WampValue) info = session != NULL ? wamp_session_get_info (session) : NULL;

  if (info == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_NO_SUCH_SESSION,
                                             "no session %" G_GUINT64_FORMAT, id);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  wampd_router1_complete_get_session (object, invocation, dict_to_variant (info));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* "" means the default: the D-Bus signature has no optional strings. */
static const char *
empty_to_null (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

static gboolean
check_reason (GDBusMethodInvocation *invocation, const char *reason)
{
  if (reason != NULL && !wamp_uri_is_valid (reason, strlen (reason), WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE))
    {
      g_dbus_method_invocation_return_error (invocation, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_INVALID_ARGUMENT,
                                             "reason \"%s\" is not a valid URI", reason);
      return FALSE;
    }
  return TRUE;
}

static gboolean
handle_kill_session (WampdRouter1 *object, GDBusMethodInvocation *invocation, guint64 id,
                     const char *reason, const char *message, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GError) error = NULL;

  reason = empty_to_null (reason);
  if (!check_reason (invocation, reason))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  if (!wamp_router_kill_session (self->router, id, reason, empty_to_null (message), &error))
    {
      WampdAdminError code = g_error_matches (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_SESSION)
                               ? WAMPD_ADMIN_ERROR_NO_SUCH_SESSION : WAMPD_ADMIN_ERROR_INVALID_ARGUMENT;

      g_dbus_method_invocation_return_error_literal (invocation, WAMPD_ADMIN_ERROR, code, error->message);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_message ("session %" G_GUINT64_FORMAT " killed over D-Bus by %s", id,
             g_dbus_method_invocation_get_sender (invocation));
  wampd_router1_complete_kill_session (object, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_kill_sessions_by_authid (WampdRouter1 *object, GDBusMethodInvocation *invocation,
                                const char *realm_name, const char *authid, const char *reason,
                                const char *message, gpointer user_data)
{
  WampdAdmin *self = user_data;
  WampRealm *realm;
  guint killed;

  reason = empty_to_null (reason);
  if (!check_reason (invocation, reason))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  realm = lookup_realm_or_fail (self, invocation, realm_name);
  if (realm == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  killed = wamp_realm_kill_sessions_by_authid (realm, authid, reason, empty_to_null (message));
  g_message ("%u session(s) of authid %s on realm %s killed over D-Bus by %s", killed, authid,
             realm_name, g_dbus_method_invocation_get_sender (invocation));
  wampd_router1_complete_kill_sessions_by_authid (object, invocation, killed);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Routes of the role @role_name of realm @realm_name, or an error reply. */
static GVariant *
list_routes (WampdAdmin *self, GDBusMethodInvocation *invocation, const char *realm_name, const char *role_name)
{
  WampRealm *realm = lookup_realm_or_fail (self, invocation, realm_name);
  g_autoptr (WampValue) routes = NULL;
  WampRole *role;

  if (realm == NULL)
    return NULL;
  role = wamp_realm_get_role (realm, role_name);
  if (role == NULL)
    return g_variant_new ("aa{sv}", NULL);
  routes = wamp_role_list_routes (role);
  return list_of_dicts_to_variant (routes);
}

static gboolean
handle_list_registrations (WampdRouter1 *object, GDBusMethodInvocation *invocation, const char *realm,
                           gpointer user_data)
{
  GVariant *routes = list_routes (user_data, invocation, realm, "dealer");

  if (routes != NULL)
    wampd_router1_complete_list_registrations (object, invocation, routes);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_list_subscriptions (WampdRouter1 *object, GDBusMethodInvocation *invocation, const char *realm,
                           gpointer user_data)
{
  GVariant *routes = list_routes (user_data, invocation, realm, "broker");

  if (routes != NULL)
    wampd_router1_complete_list_subscriptions (object, invocation, routes);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_stats (WampdRouter1 *object, GDBusMethodInvocation *invocation, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (WampValue) stats = wamp_router_get_stats (self->router);
  g_autoptr (GPtrArray) realms = wamp_router_list_realms (self->router);

  wamp_value_dict_insert (stats, "realms", wamp_value_new_int (realms->len));
  wamp_value_dict_insert (stats, "uptime", wamp_value_new_int (g_get_real_time () - self->start_time));
  wampd_router1_complete_get_stats (object, invocation, dict_to_variant (stats));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
add_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static gboolean
handle_list_plugins (WampdRouter1 *object, GDBusMethodInvocation *invocation, gpointer user_data)
{
  WampdAdmin *self = user_data;
  guint n = self->loader != NULL ? wamp_plugin_loader_get_n_records (self->loader) : 0;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++)
    {
      const WampPluginRecord *record = wamp_plugin_loader_get_record (self->loader, i);
      const char *const *extensions = wamp_plugin_record_get_extensions (record);
      const GError *error = wamp_plugin_record_get_error (record);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      add_string (&entry, "path", wamp_plugin_record_get_path (record));
      g_variant_builder_add (&entry, "{sv}", "loaded", g_variant_new_boolean (error == NULL));
      add_string (&entry, "name", wamp_plugin_record_get_name (record));
      add_string (&entry, "version", wamp_plugin_record_get_version (record));
      add_string (&entry, "license", wamp_plugin_record_get_license (record));
      add_string (&entry, "description", wamp_plugin_record_get_description (record));
      g_variant_builder_add (&entry, "{sv}", "extensions",
                             g_variant_new_strv (extensions, extensions != NULL ? -1 : 0));
      if (error != NULL)
        add_string (&entry, "error", error->message);
      g_variant_builder_add_value (&builder, g_variant_builder_end (&entry));
    }
  wampd_router1_complete_list_plugins (object, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_reload (WampdRouter1 *object, GDBusMethodInvocation *invocation, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) restart_needed = NULL;
  const char *const none[] = { NULL };

  if (self->reload_func == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_NOT_SUPPORTED,
                                                     "this wampd cannot reload its configuration");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_message ("reload requested over D-Bus by %s", g_dbus_method_invocation_get_sender (invocation));
  if (!self->reload_func (self->reload_data, &restart_needed, &error))
    {
      g_dbus_method_invocation_return_error_literal (invocation, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_RELOAD_FAILED,
                                                     error != NULL ? error->message : "reload failed");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  wampd_router1_complete_reload (object, invocation,
                                 restart_needed != NULL ? (const char *const *) restart_needed : none);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- signals ---------------------------------------------------------------- */

static void
on_session_joined (WampRouter *router, WampSession *session, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (WampValue) info = wamp_session_get_info (session);

  if (self->name_owned && info != NULL)
    wampd_router1_emit_session_joined (self->skeleton, dict_to_variant (info));
}

static void
on_session_left (WampRouter *router, WampSession *session, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (WampValue) info = wamp_session_get_info (session);

  if (self->name_owned && info != NULL)
    wampd_router1_emit_session_left (self->skeleton, dict_to_variant (info));
}

/* ---- bus ---------------------------------------------------------------------- */

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

  self->name_owned = TRUE;
  g_message ("D-Bus admin interface ready: %s on %s", name, g_dbus_connection_get_unique_name (connection));
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  WampdAdmin *self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

  if (task != NULL)
    {
      /* Not owned at start: another wampd runs, or the bus policy refuses us. */
      g_task_return_new_error (task, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_FAILED,
                               connection == NULL ? "no connection to the bus"
                               : "the bus name %s is owned by another process or not allowed to us",
                               name);
      return;
    }
  if (self->name_owned)
    g_warning ("lost the D-Bus name %s: the admin interface is no longer reachable", name);
  self->name_owned = FALSE;
}

static void
on_bus_got (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  WampdAdmin *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) connection = g_bus_get_finish (result, &error);

  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         WAMPD_ADMIN_DBUS_PATH, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->connection = g_steal_pointer (&connection);
  self->start_task = g_steal_pointer (&task);
  self->owner_id = g_bus_own_name_on_connection (self->connection, WAMPD_ADMIN_DBUS_NAME,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 on_name_acquired, on_name_lost, self, NULL);
}

void
wampd_admin_start_async (WampdAdmin *self, GBusType bus_type, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (WAMPD_IS_ADMIN (self));
  g_return_if_fail (self->connection == NULL && self->start_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wampd_admin_start_async);
  g_bus_get (bus_type, cancellable, on_bus_got, g_steal_pointer (&task));
}

gboolean
wampd_admin_start_finish (WampdAdmin *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
wampd_admin_stop (WampdAdmin *self)
{
  g_return_if_fail (WAMPD_IS_ADMIN (self));

  /* Stopped before the name was owned (a signal during start-up): the
   * pending task refers to us, so end it rather than keep a cycle. */
  if (self->start_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped before the bus name was owned");
    }
  if (self->owner_id != 0)
    {
      g_bus_unown_name (self->owner_id);
      self->owner_id = 0;
    }
  self->name_owned = FALSE;
  if (self->connection != NULL)
    {
      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
      /* Flush so the name release reaches the bus before we exit. */
      g_dbus_connection_flush_sync (self->connection, NULL, NULL);
      g_clear_object (&self->connection);
    }
}

/* ---- object ---------------------------------------------------------------- */

static void
wampd_admin_dispose (GObject *object)
{
  WampdAdmin *self = WAMPD_ADMIN (object);

  wampd_admin_stop (self);
  if (self->router != NULL)
    {
      g_clear_signal_handler (&self->joined_handler, self->router);
      g_clear_signal_handler (&self->left_handler, self->router);
    }
  g_clear_object (&self->start_task);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->router);
  g_clear_object (&self->loader);
  G_OBJECT_CLASS (wampd_admin_parent_class)->dispose (object);
}

static void
wampd_admin_class_init (WampdAdminClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wampd_admin_dispose;
}

static void
wampd_admin_init (WampdAdmin *self)
{
}

WampdAdmin *
wampd_admin_new (WampRouter *router, WampPluginLoader *loader)
{
  WampdAdmin *self;

  g_return_val_if_fail (WAMP_IS_ROUTER (router), NULL);

  self = g_object_new (WAMPD_TYPE_ADMIN, NULL);
  self->router = g_object_ref (router);
  self->loader = loader != NULL ? g_object_ref (loader) : NULL;
  self->start_time = g_get_real_time ();
  /* Registers the error names before the first reply needs them. */
  (void) WAMPD_ADMIN_ERROR;

  self->skeleton = wampd_router1_skeleton_new ();
  wampd_router1_set_version (self->skeleton, PACKAGE_VERSION);
  wampd_router1_set_start_time (self->skeleton, (guint64) self->start_time);
  g_signal_connect (self->skeleton, "handle-list-realms", G_CALLBACK (handle_list_realms), self);
  g_signal_connect (self->skeleton, "handle-list-sessions", G_CALLBACK (handle_list_sessions), self);
  g_signal_connect (self->skeleton, "handle-get-session", G_CALLBACK (handle_get_session), self);
  g_signal_connect (self->skeleton, "handle-kill-session", G_CALLBACK (handle_kill_session), self);
  g_signal_connect (self->skeleton, "handle-kill-sessions-by-authid",
                    G_CALLBACK (handle_kill_sessions_by_authid), self);
  g_signal_connect (self->skeleton, "handle-list-registrations", G_CALLBACK (handle_list_registrations), self);
  g_signal_connect (self->skeleton, "handle-list-subscriptions", G_CALLBACK (handle_list_subscriptions), self);
  g_signal_connect (self->skeleton, "handle-get-stats", G_CALLBACK (handle_get_stats), self);
  g_signal_connect (self->skeleton, "handle-list-plugins", G_CALLBACK (handle_list_plugins), self);
  g_signal_connect (self->skeleton, "handle-reload", G_CALLBACK (handle_reload), self);

  self->joined_handler = g_signal_connect (router, "session-joined", G_CALLBACK (on_session_joined), self);
  self->left_handler = g_signal_connect (router, "session-left", G_CALLBACK (on_session_left), self);
  return self;
}

void
wampd_admin_set_reload_func (WampdAdmin *self, WampdReloadFunc func, gpointer user_data)
{
  g_return_if_fail (WAMPD_IS_ADMIN (self));
  self->reload_func = func;
  self->reload_data = user_data;
}
