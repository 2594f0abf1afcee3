/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPluginLoader: scans the plugin folders, refuses unsafe or incompatible
 * modules, lets the rest register their extensions, and records every
 * outcome (DESIGN.md "Plugin mechanism"). */

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gmodule.h>

#include "wamp-plugin-loader-private.h"
#include "wamp-plugin-private.h"

/* Folders nested deeper than this are not scanned (and symlinked folders
 * never are), so a link loop cannot hang the start. */
#define MAX_SCAN_DEPTH 8

struct _WampPluginRecord
{
  char *path;
  /* Copies: the descriptor's strings go away with a module that is unloaded. */
  char *name;
  char *version;
  char *license;
  char *description;
  GPtrArray *extensions; /* "point:name", NULL-terminated */
  GError *error;
};

struct _WampPluginLoader
{
  GObject parent_instance;

  GPtrArray *directories; /* added with add_directory */
  gboolean use_default_dir;
  GPtrArray *records;     /* WampPluginRecord, load order */
  GHashTable *tried;      /* key (see record_key) → WampPluginRecord in records */
};

G_DEFINE_FINAL_TYPE (WampPluginLoader, wamp_plugin_loader, G_TYPE_OBJECT)

static WampPluginRecord *
record_new (const char *path)
{
  WampPluginRecord *record = g_new0 (WampPluginRecord, 1);

  record->path = g_strdup (path);
  record->extensions = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  return record;
}

static WampPluginRecord *
record_copy (const WampPluginRecord *other)
{
  WampPluginRecord *record = record_new (other->path);

  record->name = g_strdup (other->name);
  record->version = g_strdup (other->version);
  record->license = g_strdup (other->license);
  record->description = g_strdup (other->description);
  for (guint i = 0; i < other->extensions->len; i++)
    g_ptr_array_add (record->extensions, g_strdup (g_ptr_array_index (other->extensions, i)));
  record->error = other->error != NULL ? g_error_copy (other->error) : NULL;
  return record;
}

static void
record_free (WampPluginRecord *record)
{
  g_free (record->path);
  g_free (record->name);
  g_free (record->version);
  g_free (record->license);
  g_free (record->description);
  g_ptr_array_unref (record->extensions);
  g_clear_error (&record->error);
  g_free (record);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampPluginRecord, record_free)

static void
record_set_info (WampPluginRecord *record, const WampPluginInfo *info)
{
  record->name = g_strdup (info->name);
  record->version = g_strdup (info->version);
  record->license = g_strdup (info->license);
  record->description = g_strdup (info->description);
}

/* Plugin names and GTypes are process-wide, like GIO's extension registry,
 * so what was loaded is remembered across loaders: a second loader (a test
 * building a second router) gets the first outcome again instead of a
 * duplicate-name refusal per plugin. */
G_LOCK_DEFINE_STATIC (process_plugins);
static GHashTable *process_outcomes; /* record key → WampPluginRecord (copy) */
static GHashTable *process_names;    /* plugin name → record key of who has it */

static void
process_tables_ensure (void)
{
  if (process_outcomes == NULL)
    {
      process_outcomes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) record_free);
      process_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
}

static void
wamp_plugin_loader_finalize (GObject *object)
{
  WampPluginLoader *self = WAMP_PLUGIN_LOADER (object);

  g_ptr_array_unref (self->directories);
  g_hash_table_unref (self->tried);
  g_ptr_array_unref (self->records);

  G_OBJECT_CLASS (wamp_plugin_loader_parent_class)->finalize (object);
}

static void
wamp_plugin_loader_class_init (WampPluginLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_plugin_loader_finalize;
}

static void
wamp_plugin_loader_init (WampPluginLoader *self)
{
  self->directories = g_ptr_array_new_with_free_func (g_free);
  self->use_default_dir = TRUE;
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  self->tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

WampPluginLoader *
wamp_plugin_loader_new (void)
{
  wamp_extension_points_ensure ();
  return g_object_new (WAMP_TYPE_PLUGIN_LOADER, NULL);
}

void
wamp_plugin_loader_add_directory (WampPluginLoader *self, const char *directory)
{
  g_return_if_fail (WAMP_IS_PLUGIN_LOADER (self));
  g_return_if_fail (directory != NULL);

  g_ptr_array_add (self->directories, g_strdup (directory));
}

void
wamp_plugin_loader_set_use_default_dir (WampPluginLoader *self, gboolean use_default)
{
  g_return_if_fail (WAMP_IS_PLUGIN_LOADER (self));

  self->use_default_dir = !!use_default;
}

const char *
wamp_plugin_loader_get_default_dir (void)
{
  return WAMP_PLUGINSDIR;
}

gboolean
wamp_plugin_loader_check_permissions (const char  *path,
                                      uid_t        owner_uid,
                                      mode_t       mode,
                                      uid_t        euid,
                                      GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* An unprivileged process can only hurt itself (as NetworkManager's
   * nm_utils_validate_plugin reasons); root must not run code that someone
   * else could have replaced. */
  if (euid != 0)
    return TRUE;

  if (owner_uid != 0)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS,
                   "%s: not owned by root (owner uid %u)", path, (guint) owner_uid);
      return FALSE;
    }
  if ((mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS,
                   "%s: writable by group or others (mode %04o)", path, (guint) (mode & 07777));
      return FALSE;
    }
  if ((mode & (S_ISUID | S_ISGID)) != 0)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS,
                   "%s: has the setuid or setgid bit (mode %04o)", path, (guint) (mode & 07777));
      return FALSE;
    }
  return TRUE;
}

/* Checks of the descriptor, common to modules and static plugins. Under the
 * process lock. */
static gboolean
check_info (const WampPluginInfo *info, const char *where, GError **error)
{
  const char *holder;

  if (info->abi_major != WAMP_ABI_MAJOR || info->abi_minor > WAMP_ABI_MINOR)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_ABI,
                   "%s: built for plugin ABI %u.%u; this libwampcore provides %u.%u",
                   where, info->abi_major, info->abi_minor, WAMP_ABI_MAJOR, WAMP_ABI_MINOR);
      return FALSE;
    }

  /* Only read once the ABI says the fields exist. */
  if (info->name == NULL || *info->name == '\0' || !g_utf8_validate (info->name, -1, NULL))
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_REGISTER,
                   "%s: the plugin descriptor has no name", where);
      return FALSE;
    }

  holder = g_hash_table_lookup (process_names, info->name);
  if (holder != NULL)
    {
      const WampPluginRecord *first = g_hash_table_lookup (process_outcomes, holder);

      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_DUPLICATE,
                   "%s: a plugin named “%s” was already loaded from %s",
                   where, info->name, first != NULL ? first->path : holder);
      return FALSE;
    }

  if (info->register_types == NULL)
    {
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_REGISTER,
                   "%s: plugin “%s” has no register function", where, info->name);
      return FALSE;
    }

  return TRUE;
}

/* Runs register_types; from here on the plugin's name is taken. Under the
 * process lock. */
static gboolean
register_plugin (const WampPluginInfo *info, const char *key, const char *where,
                 WampPluginRecord *record, GError **error)
{
  WampPluginContext context = { info->name, record->extensions };
  g_autoptr(GError) local_error = NULL;

  g_hash_table_insert (process_names, g_strdup (info->name), g_strdup (key));

  if (!info->register_types (&context, &local_error))
    {
      /* The context's own refusals (TYPE, DUPLICATE, NOT_FOUND) keep their code. */
      if (local_error != NULL && local_error->domain == WAMP_PLUGIN_ERROR)
        g_set_error (error, WAMP_PLUGIN_ERROR, local_error->code,
                     "%s: %s", where, local_error->message);
      else
        g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_REGISTER,
                     "%s: registering types failed: %s", where,
                     local_error != NULL ? local_error->message : "no reason given");
      return FALSE;
    }
  return TRUE;
}

/* Keeps the outcome in the loader (and the process) and logs it. @record:
 * (transfer full). Under the process lock. */
static gboolean
finish_record (WampPluginLoader *self, const char *key, WampPluginRecord *record, GError **error)
{
  if (record->error != NULL)
    {
      g_warning ("Plugin refused: %s", record->error->message);
      if (error != NULL)
        *error = g_error_copy (record->error);
    }
  else
    {
      g_autofree char *extensions = g_strjoinv (", ", (char **) record->extensions->pdata);

      g_info ("Loaded plugin %s %s from %s: %s", record->name,
              record->version != NULL ? record->version : "", record->path,
              *extensions != '\0' ? extensions : "no extensions");
    }

  g_hash_table_replace (process_outcomes, g_strdup (key), record_copy (record));
  g_hash_table_insert (self->tried, g_strdup (key), record);
  g_ptr_array_add (self->records, record);
  return record->error == NULL;
}

/* A module or static plugin already tried, by this loader or another one in
 * this process: the same outcome again, without loading anything.
 * Returns: whether @key was tried. Under the process lock. */
static gboolean
replay (WampPluginLoader *self, const char *key, gboolean *result, GError **error)
{
  const WampPluginRecord *seen = g_hash_table_lookup (self->tried, key);
  WampPluginRecord *record;

  if (seen == NULL)
    {
      seen = g_hash_table_lookup (process_outcomes, key);
      if (seen == NULL)
        return FALSE;

      record = record_copy (seen);
      g_hash_table_insert (self->tried, g_strdup (key), record);
      g_ptr_array_add (self->records, record);
      seen = record;
    }

  g_debug ("Plugin %s was tried before", seen->path);
  if (seen->error != NULL && error != NULL)
    *error = g_error_copy (seen->error);
  *result = seen->error == NULL;
  return TRUE;
}

/* Returns: (transfer full): the loading steps' error, NULL on success. */
static GError *
load_module (const char *path, const char *key, WampPluginRecord *record)
{
  GStatBuf st;
  GModule *module;
  gpointer symbol = NULL;
  const WampPluginInfo *info;
  GError *error = NULL;

  if (g_stat (path, &st) != 0)
    {
      int errsv = errno;

      return g_error_new (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN,
                          "%s: %s", path, g_strerror (errsv));
    }
  if (!S_ISREG (st.st_mode))
    return g_error_new (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN,
                        "%s: not a regular file", path);
  if (!wamp_plugin_loader_check_permissions (path, st.st_uid, st.st_mode, geteuid (), &error))
    return error;

  /* Immediate binding (no G_MODULE_BIND_LAZY): a missing symbol fails here,
   * not in the middle of routing. */
  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      const char *reason = g_module_error ();

      /* dlerror() usually names the file already. */
      if (reason != NULL && strstr (reason, path) != NULL)
        return g_error_new_literal (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN, reason);
      return g_error_new (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN,
                          "%s: %s", path, reason != NULL ? reason : "cannot be opened");
    }

  if (!g_module_symbol (module, "wamp_plugin_query", &symbol) || symbol == NULL)
    {
      g_module_close (module);
      return g_error_new (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_NO_ENTRY,
                          "%s: no wamp_plugin_query symbol: not a wampd plugin", path);
    }

  info = ((WampPluginQueryFunc) symbol) ();
  if (info == NULL)
    {
      g_module_close (module);
      return g_error_new (WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_NO_ENTRY,
                          "%s: wamp_plugin_query returned no descriptor", path);
    }

  if (!check_info (info, path, &error))
    {
      /* Fields are only trustworthy once the ABI matches. */
      if (error->code != WAMP_PLUGIN_ERROR_ABI)
        record_set_info (record, info);
      /* Nothing of it ran yet: safe to unload. */
      g_module_close (module);
      return error;
    }
  record_set_info (record, info);

  /* From now on its GTypes may exist, and GTypes are never unregistered:
   * the code they point into must stay, even if the plugin is refused. */
  g_module_make_resident (module);
  register_plugin (info, key, path, record, &error);
  return error;
}

/* Returns: (transfer full): a key naming the file whatever the path spelling. */
static char *
file_key (const char *path)
{
  char resolved[PATH_MAX];

  if (realpath (path, resolved) != NULL)
    return g_strdup (resolved);
  return g_canonicalize_filename (path, NULL);
}

gboolean
wamp_plugin_loader_load_file (WampPluginLoader *self, const char *path, GError **error)
{
  g_autofree char *key = NULL;
  gboolean result = FALSE;
  WampPluginRecord *record;

  g_return_val_if_fail (WAMP_IS_PLUGIN_LOADER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = file_key (path);

  G_LOCK (process_plugins);
  process_tables_ensure ();

  if (!replay (self, key, &result, error))
    {
      record = record_new (path);
      record->error = load_module (path, key, record);
      result = finish_record (self, key, record, error);
    }

  G_UNLOCK (process_plugins);
  return result;
}

gboolean
wamp_plugin_loader_add_static (WampPluginLoader *self, const WampPluginInfo *info, GError **error)
{
  g_autofree char *key = NULL;
  gboolean result = FALSE;
  WampPluginRecord *record;
  GError *local_error = NULL;

  g_return_val_if_fail (WAMP_IS_PLUGIN_LOADER (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The descriptor is static data: its address names it. */
  key = g_strdup_printf ("(static):%p", (gpointer) info);

  G_LOCK (process_plugins);
  process_tables_ensure ();

  if (!replay (self, key, &result, error))
    {
      g_autofree char *where = NULL;

      record = record_new ("(static)");
      if (info->abi_major == WAMP_ABI_MAJOR && info->abi_minor <= WAMP_ABI_MINOR && info->name != NULL)
        where = g_strdup_printf ("(static) %s", info->name);
      else
        where = g_strdup ("(static)");

      if (check_info (info, where, &local_error))
        {
          record_set_info (record, info);
          register_plugin (info, key, where, record, &local_error);
        }
      else if (local_error->code != WAMP_PLUGIN_ERROR_ABI)
        record_set_info (record, info);

      record->error = local_error;
      result = finish_record (self, key, record, error);
    }

  G_UNLOCK (process_plugins);
  return result;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Loads the modules in @directory and its sub-folders, in name order so the
 * outcome (which of two same-named plugins wins) never depends on the file
 * system. A missing @directory is skipped unless @must_exist. */
static gboolean
scan_directory (WampPluginLoader *self, const char *directory, guint depth,
                gboolean must_exist, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;
  const char *name;

  dir = g_dir_open (directory, 0, &local_error);
  if (dir == NULL)
    {
      if (!must_exist && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_debug ("Plugin folder %s does not exist", directory);
          return TRUE;
        }
      g_set_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN,
                   "Cannot read plugin folder: %s", local_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *entry = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (directory, entry, NULL);
      GStatBuf st;

      if (entry[0] == '.' || g_lstat (path, &st) != 0)
        continue;

      if (S_ISDIR (st.st_mode))
        {
          if (depth >= MAX_SCAN_DEPTH)
            {
              g_debug ("Not scanning %s: nested too deep", path);
              continue;
            }
          if (!scan_directory (self, path, depth + 1, TRUE, ok ? error : NULL))
            ok = FALSE;
          continue;
        }

      if (!g_str_has_suffix (entry, "." G_MODULE_SUFFIX))
        continue;

      /* A refusal is in the records, not a failure of the scan. */
      wamp_plugin_loader_load_file (self, path, NULL);
    }

  return ok;
}

gboolean
wamp_plugin_loader_load_all (WampPluginLoader *self, GError **error)
{
  g_autoptr(GError) first_error = NULL;
  const char *env;

  g_return_val_if_fail (WAMP_IS_PLUGIN_LOADER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Keep going after an unreadable folder: the others may hold what the
   * config needs, and every refusal should be visible at once. */
  for (guint i = 0; i < self->directories->len; i++)
    scan_directory (self, g_ptr_array_index (self->directories, i), 0, TRUE,
                    first_error == NULL ? &first_error : NULL);

  env = g_getenv ("WAMPD_PLUGIN_PATH");
  if (env != NULL)
    {
      g_auto(GStrv) dirs = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

      for (gsize i = 0; dirs[i] != NULL; i++)
        {
          if (*dirs[i] != '\0')
            scan_directory (self, dirs[i], 0, FALSE, first_error == NULL ? &first_error : NULL);
        }
    }

  if (self->use_default_dir)
    scan_directory (self, wamp_plugin_loader_get_default_dir (), 0, FALSE,
                    first_error == NULL ? &first_error : NULL);

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

guint
wamp_plugin_loader_get_n_records (WampPluginLoader *self)
{
  g_return_val_if_fail (WAMP_IS_PLUGIN_LOADER (self), 0);

  return self->records->len;
}

const WampPluginRecord *
wamp_plugin_loader_get_record (WampPluginLoader *self, guint index)
{
  g_return_val_if_fail (WAMP_IS_PLUGIN_LOADER (self), NULL);
  g_return_val_if_fail (index < self->records->len, NULL);

  return g_ptr_array_index (self->records, index);
}

const char *
wamp_plugin_record_get_path (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->path;
}

const char *
wamp_plugin_record_get_name (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->name;
}

const char *
wamp_plugin_record_get_version (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->version;
}

const char *
wamp_plugin_record_get_license (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->license;
}

const char *
wamp_plugin_record_get_description (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->description;
}

const char *const *
wamp_plugin_record_get_extensions (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return (const char *const *) record->extensions->pdata;
}

const GError *
wamp_plugin_record_get_error (const WampPluginRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->error;
}
