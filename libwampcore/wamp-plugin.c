/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The four extension points and the checked registration of extensions into
 * them, on top of GIO's GIOExtensionPoint registry. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wamp-plugin-private.h"

void
wamp_extension_points_ensure (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      static const struct {
        const char *name;
        GType (*get_type) (void);
      } points[] = {
        { WAMP_TRANSPORT_EXTENSION_POINT, wamp_transport_get_type },
        { WAMP_SERIALIZER_EXTENSION_POINT, wamp_serializer_get_type },
        { WAMP_AUTHENTICATOR_EXTENSION_POINT, wamp_authenticator_get_type },
        { WAMP_ROLE_EXTENSION_POINT, wamp_role_get_type },
      };

      for (gsize i = 0; i < G_N_ELEMENTS (points); i++)
        {
          GIOExtensionPoint *point = g_io_extension_point_register (points[i].name);

          g_io_extension_point_set_required_type (point, points[i].get_type ());
        }

      g_once_init_leave (&registered, 1);
    }
}

/* Returns: (transfer none) (nullable): one of the four points. */
static GIOExtensionPoint *
lookup_point (const char *extension_point)
{
  GIOExtensionPoint *point;

  wamp_extension_points_ensure ();

  point = g_io_extension_point_lookup (extension_point);
  /* Only our points: GIO's own (gio-tls-backend, ...) are not for wampd plugins. */
  if (point == NULL || g_io_extension_point_get_required_type (point) == G_TYPE_INVALID
      || !g_str_has_prefix (extension_point, "wamp-"))
    return NULL;
  return point;
}

/* Which plugin registered each "point:name", for the duplicate message:
 * GIO does not remember. */
G_LOCK_DEFINE_STATIC (extension_owners);
static GHashTable *extension_owners;

static void
extension_owner_insert (const char *key, const char *plugin_name)
{
  G_LOCK (extension_owners);
  if (extension_owners == NULL)
    extension_owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (extension_owners, g_strdup (key),
                        g_strdup (plugin_name != NULL ? plugin_name : "(unnamed)"));
  G_UNLOCK (extension_owners);
}

/* Returns: (transfer none) (nullable): owner names are never removed. */
static const char *
extension_owner_lookup (const char *key)
{
  const char *owner = NULL;

  G_LOCK (extension_owners);
  if (extension_owners != NULL)
    owner = g_hash_table_lookup (extension_owners, key);
  G_UNLOCK (extension_owners);
  return owner;
}

gboolean
wamp_plugin_context_add_extension (WampPluginContext *context,
                                   const char        *extension_point,
                                   GType              type,
                                   const char        *name,
                                   GError           **error)
{
  GIOExtensionPoint *point;
  GType required;
  g_autofree char *key = NULL;

  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (extension_point != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  point = lookup_point (extension_point);
  if (point == NULL)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_NOT_FOUND,
                   "No extension point “%s”", extension_point);
      return FALSE;
    }

  if (*name == '\0')
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_REGISTER,
                   "Empty extension name on %s", extension_point);
      return FALSE;
    }

  /* GIO only warns on a type mismatch: check it ourselves so the plugin is
   * refused with a reason instead. */
  required = g_io_extension_point_get_required_type (point);
  if (type == G_TYPE_INVALID || !g_type_is_a (type, required))
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_TYPE,
                   "Extension “%s” of %s: type %s does not implement %s",
                   name, extension_point,
                   type != G_TYPE_INVALID ? g_type_name (type) : "(invalid)",
                   g_type_name (required));
      return FALSE;
    }
  /* The core instantiates extensions with g_object_new(). */
  if (G_TYPE_IS_ABSTRACT (type) || G_TYPE_IS_INTERFACE (type))
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_TYPE,
                   "Extension “%s” of %s: type %s cannot be instantiated",
                   name, extension_point, g_type_name (type));
      return FALSE;
    }

  /* GIO silently accepts a second extension of the same name: the first
   * would win unpredictably by priority, so a duplicate is an error. */
  key = g_strconcat (extension_point, ":", name, NULL);
  if (g_io_extension_point_get_extension_by_name (point, name) != NULL)
    {
      const char *owner = extension_owner_lookup (key);

      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_DUPLICATE,
                   "Extension “%s” of %s is already provided by plugin %s",
                   name, extension_point, owner != NULL ? owner : "(unknown)");
      return FALSE;
    }

  /* GIO keeps only the first registration of a type on a point, under its first name. */
  for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
    {
      if (g_io_extension_get_type (l->data) == type)
        {
          g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_DUPLICATE,
                       "Type %s is already extension “%s” of %s",
                       g_type_name (type), g_io_extension_get_name (l->data), extension_point);
          return FALSE;
        }
    }

  g_io_extension_point_implement (extension_point, type, name, 0);
  extension_owner_insert (key, context->plugin_name);
  if (context->extensions != NULL)
    g_ptr_array_add (context->extensions, g_steal_pointer (&key));

  g_debug ("Plugin %s provides %s “%s” (%s)",
           context->plugin_name != NULL ? context->plugin_name : "(unnamed)",
           extension_point, name, g_type_name (type));
  return TRUE;
}

GType
wamp_extension_lookup (const char *extension_point, const char *name)
{
  GIOExtensionPoint *point;
  GIOExtension *extension;

  g_return_val_if_fail (extension_point != NULL, G_TYPE_INVALID);
  g_return_val_if_fail (name != NULL, G_TYPE_INVALID);

  point = lookup_point (extension_point);
  if (point == NULL)
    return G_TYPE_INVALID;

  extension = g_io_extension_point_get_extension_by_name (point, name);
  return extension != NULL ? g_io_extension_get_type (extension) : G_TYPE_INVALID;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GStrv
wamp_extension_list (const char *extension_point)
{
  GIOExtensionPoint *point;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (extension_point != NULL, NULL);

  point = lookup_point (extension_point);
  if (point != NULL)
    {
      for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
        g_ptr_array_add (names, g_strdup (g_io_extension_get_name (l->data)));
    }

  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
