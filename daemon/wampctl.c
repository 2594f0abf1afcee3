/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampctl: inspects and controls a running wampd over its D-Bus admin
 * interface (org.wampd.Router1) — tables for people, --json for scripts. */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wampd-admin-error.h"
#include "wampd-router1-generated.h"

/* Exit statuses, documented in --help and the README. */
#define EXIT_OK 0
#define EXIT_WAMPD_ERROR 1    /* wampd refused: no such session, bad argument, ... */
#define EXIT_USAGE 2          /* the command line is wrong */
#define EXIT_NOT_RUNNING 3    /* no wampd on that bus, or no bus */
#define EXIT_ACCESS_DENIED 4  /* the bus policy does not let us call wampd */

typedef struct {
  gboolean system;
  gboolean session;
  char *address;
  gboolean json;
  /* kill */
  char *reason;
  char *message;
  char *authid;
  char *realm;
} CtlOptions;

typedef struct {
  CtlOptions *options;
  WampdRouter1 *proxy;
  const char *bus_name;     /* translated, for messages: "system bus" */
} Ctl;

typedef struct {
  const char *name;
  const char *args;         /* positional arguments, for --help */
  const char *summary;
  guint min_args;
  guint max_args;
  int (*run) (Ctl *ctl, char **args);
  /* (nullable): checks the options and arguments before wampd is asked. */
  gboolean (*check) (CtlOptions *options, char **args);
} Command;

/* ---- output helpers ------------------------------------------------------ */

/* Columns on a terminal: wide (CJK) characters take two, combining marks
 * none — so tables line up in any language. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* Clients choose some of what we print (a requested authid, HELLO
 * details): control characters are shown escaped, so none reaches the
 * terminal as an escape sequence or breaks a table row. */
static char *
printable (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c >= 0x80 && c < 0xa0)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
append_padded (GString *line, const char *text, gsize width)
{
  g_autofree char *shown = printable (text);

  g_string_append (line, shown);
  for (gsize pad = display_width (shown); pad < width; pad++)
    g_string_append_c (line, ' ');
}

typedef struct {
  guint n_columns;
  GPtrArray *rows;          /* char ** (n_columns strings), the first are the headings */
} Table;

static Table *
table_new (guint n_columns, ...)
{
  Table *table = g_new0 (Table, 1);
  char **headings = g_new0 (char *, n_columns + 1);
  va_list ap;

  table->n_columns = n_columns;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  va_start (ap, n_columns);
  for (guint c = 0; c < n_columns; c++)
    headings[c] = g_strdup (va_arg (ap, const char *));
  va_end (ap);
  g_ptr_array_add (table->rows, headings);
  return table;
}

static void
table_free (Table *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Takes ownership of the @n_columns strings that follow. */
static void
table_add_row (Table *table, ...)
{
  char **row = g_new0 (char *, table->n_columns + 1);
  va_list ap;

  va_start (ap, table);
  for (guint c = 0; c < table->n_columns; c++)
    row[c] = va_arg (ap, char *);
  va_end (ap);
  g_ptr_array_add (table->rows, row);
}

static void
table_print (Table *table)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);
  g_autoptr (GString) line = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        {
          g_autofree char *shown = printable (row[c]);

          widths[c] = MAX (widths[c], display_width (shown));
        }
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      g_string_truncate (line, 0);
      for (guint c = 0; c < table->n_columns; c++)
        {
          append_padded (line, row[c], c + 1 < table->n_columns ? widths[c] + 2 : 0);
        }
      g_print ("%s\n", line->str);
    }
}

/* "Label:  value" lines, the values aligned. Pairs of (label, value), the
 * values owned; NULL ends. */
static void
print_fields (const char *first_label, ...)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  gsize width = 0;
  va_list ap;

  va_start (ap, first_label);
  for (const char *label = first_label; label != NULL; label = va_arg (ap, const char *))
    {
      g_ptr_array_add (labels, (gpointer) label);
      g_ptr_array_add (values, va_arg (ap, char *));
      width = MAX (width, display_width (label) + 1);
    }
  va_end (ap);

  for (guint i = 0; i < labels->len; i++)
    {
      g_autoptr (GString) line = g_string_new (NULL);
      g_autofree char *label = g_strconcat (g_ptr_array_index (labels, i), ":", NULL);

      append_padded (line, label, width + 2);
      append_padded (line, g_ptr_array_index (values, i), 0);
      g_print ("%s\n", line->str);
    }
}

static void
append_json_string (GString *out, const char *text)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append (out, quoted);
}

static void
append_indent (GString *out, guint depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

/* JSON in json-glib's pretty layout. Not json_gvariant_serialize(): JsonNode
 * holds integers as gint64, so a uint64 above G_MAXINT64 (HELLO.Details may
 * carry one) would print as a negative number. */
static void
append_json (GString *out, GVariant *value, guint depth)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);

      append_json (out, inner, depth);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    append_json_string (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    g_string_append_printf (out, "%u", g_variant_get_byte (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, g_variant_get_double (value)));
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
    {
      gsize n = g_variant_n_children (value);

      g_string_append_c (out, '{');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
          g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
          g_autoptr (GVariant) item = g_variant_get_child_value (entry, 1);

          append_indent (out, depth + 1);
          append_json_string (out, g_variant_get_string (key, NULL));
          g_string_append (out, " : ");
          append_json (out, item, depth + 1);
          if (i + 1 < n)
            g_string_append_c (out, ',');
        }
      if (n > 0)
        append_indent (out, depth);
      g_string_append_c (out, '}');
    }
  else if (g_variant_is_container (value))
    {
      gsize n = g_variant_n_children (value);

      g_string_append_c (out, '[');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr (GVariant) item = g_variant_get_child_value (value, i);

          append_indent (out, depth + 1);
          append_json (out, item, depth + 1);
          if (i + 1 < n)
            g_string_append_c (out, ',');
        }
      if (n > 0)
        append_indent (out, depth);
      g_string_append_c (out, ']');
    }
  else
    g_string_append (out, "null");
}

static void
print_json (GVariant *value)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_variant_ref_sink (value);
  append_json (out, value, 0);
  g_variant_unref (value);
  g_print ("%s\n", out->str);
}

/* ---- reading the replies ---------------------------------------------------- */

static char *
dict_string (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (dict, key, NULL);

  if (value == NULL)
    return g_strdup ("-");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  return g_variant_print (value, FALSE);
}

static gint64
dict_int (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (dict, key, NULL);

  if (value == NULL)
    return 0;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return (gint64) MIN (g_variant_get_uint64 (value), (guint64) G_MAXINT64);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (value);
  return 0;
}

static char *
dict_int_string (GVariant *dict, const char *key)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, dict_int (dict, key));
}

/* A list of integers or strings, comma-separated ("-" when empty). */
static char *
dict_list (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (dict, key, NULL);
  g_autoptr (GString) text = g_string_new (NULL);

  if (value == NULL || !g_variant_is_container (value))
    return g_strdup ("-");
  for (gsize i = 0; i < g_variant_n_children (value); i++)
    {
      g_autoptr (GVariant) item = g_variant_get_child_value (value, i);

      if (text->len > 0)
        g_string_append (text, ",");
      if (g_variant_is_of_type (item, G_VARIANT_TYPE_STRING))
        g_string_append (text, g_variant_get_string (item, NULL));
      else if (g_variant_is_of_type (item, G_VARIANT_TYPE_INT64))
        g_string_append_printf (text, "%" G_GINT64_FORMAT, g_variant_get_int64 (item));
      else
        {
          g_autofree char *printed = g_variant_print (item, FALSE);

          g_string_append (text, printed);
        }
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : g_strdup ("-");
}

/* The keys of a dict value, comma-separated (the session's client roles). */
static char *
dict_keys (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_VARDICT);
  g_autoptr (GString) text = g_string_new (NULL);
  GVariantIter iter;
  const char *name;

  if (value == NULL)
    return g_strdup ("-");
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&sv}", &name, NULL))
    g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", name);
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : g_strdup ("-");
}

static char *
format_time (gint64 usec)
{
  g_autoptr (GDateTime) time = NULL;

  if (usec <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
}

static char *
format_duration (gint64 usec)
{
  gint64 seconds = MAX (usec, 0) / G_USEC_PER_SEC;
  gint64 days = seconds / 86400;

  if (days > 0)
    /* TRANSLATORS: an uptime, days then hours:minutes:seconds. */
    return g_strdup_printf (_("%d d %02d:%02d:%02d"), (int) days, (int) (seconds % 86400 / 3600),
                            (int) (seconds % 3600 / 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d:%02d", (int) (seconds / 3600), (int) (seconds % 3600 / 60),
                          (int) (seconds % 60));
}

/* ---- errors ----------------------------------------------------------------- */

/* Prints what went wrong in the user's words and returns the exit status. */
static int
report_error (Ctl *ctl, GError *error)
{
  /* The error names are registered: wampd's errors arrive in WAMPD_ADMIN_ERROR. */
  g_dbus_error_strip_remote_error (error);
  if (error->domain == WAMPD_ADMIN_ERROR)
    {
      const char *what;

      switch (error->code)
        {
        case WAMPD_ADMIN_ERROR_NO_SUCH_SESSION:
          what = _("No such session");
          break;
        case WAMPD_ADMIN_ERROR_NO_SUCH_REALM:
          what = _("No such realm");
          break;
        case WAMPD_ADMIN_ERROR_INVALID_ARGUMENT:
          what = _("Invalid argument");
          break;
        case WAMPD_ADMIN_ERROR_RELOAD_FAILED:
          what = _("The configuration was not reloaded; the running one stays");
          break;
        case WAMPD_ADMIN_ERROR_NOT_SUPPORTED:
          what = _("Not supported by this wampd");
          break;
        case WAMPD_ADMIN_ERROR_FAILED:
        default:
          what = _("wampd reported an error");
          break;
        }
      /* TRANSLATORS: "wampctl: <what went wrong>: <wampd's own message>". */
      g_printerr (_("wampctl: %s: %s\n"), what, error->message);
      return EXIT_WAMPD_ERROR;
    }
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    {
      g_printerr (_("wampctl: access denied: only root and members of the group “wampd-admin” may "
                    "administer wampd (%s)\n"), error->message);
      return EXIT_ACCESS_DENIED;
    }
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_printerr (_("wampctl: wampd is not running or not reachable on the %s (%s)\n"), ctl->bus_name,
                  error->message);
      return EXIT_NOT_RUNNING;
    }
  g_printerr (_("wampctl: %s\n"), error->message);
  return EXIT_WAMPD_ERROR;
}

static gboolean
parse_id (const char *text, guint64 *id)
{
  g_autoptr (GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT64, id, &error))
    {
      g_printerr (_("wampctl: “%s” is not a session ID\n"), text);
      return FALSE;
    }
  return TRUE;
}

/* ---- commands ----------------------------------------------------------------- */

static int
cmd_status (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) stats = NULL;
  g_autoptr (GVariant) properties = NULL;
  g_autoptr (GVariant) all = NULL;
  const char *version = NULL;
  guint64 start_time = 0;

  /* Read the properties explicitly: a cached read would hide an access error. */
  properties = g_dbus_connection_call_sync (g_dbus_proxy_get_connection (G_DBUS_PROXY (ctl->proxy)),
                                            WAMPD_ADMIN_DBUS_NAME, WAMPD_ADMIN_DBUS_PATH,
                                            "org.freedesktop.DBus.Properties", "GetAll",
                                            g_variant_new ("(s)", "org.wampd.Router1"),
                                            G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                            -1, NULL, &error);
  if (properties == NULL || !wampd_router1_call_get_stats_sync (ctl->proxy, &stats, NULL, &error))
    return report_error (ctl, error);
  all = g_variant_get_child_value (properties, 0);
  g_variant_lookup (all, "Version", "&s", &version);
  g_variant_lookup (all, "StartTime", "t", &start_time);

  if (ctl->options->json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "running", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_string (version != NULL ? version : ""));
      g_variant_builder_add (&builder, "{sv}", "start_time", g_variant_new_uint64 (start_time));
      g_variant_builder_add (&builder, "{sv}", "uptime", g_variant_new_int64 (dict_int (stats, "uptime")));
      g_variant_builder_add (&builder, "{sv}", "realms", g_variant_new_int64 (dict_int (stats, "realms")));
      g_variant_builder_add (&builder, "{sv}", "sessions", g_variant_new_int64 (dict_int (stats, "sessions")));
      g_variant_builder_add (&builder, "{sv}", "connections",
                             g_variant_new_int64 (dict_int (stats, "connections")));
      print_json (g_variant_builder_end (&builder));
      return EXIT_OK;
    }

  /* TRANSLATORS: %s is the version, the second %s the bus ("session bus"). */
  g_print (_("wampd %s is running on the %s.\n"), version != NULL ? version : "?", ctl->bus_name);
  print_fields (_("Started"), format_time ((gint64) start_time),
                _("Uptime"), format_duration (dict_int (stats, "uptime")),
                _("Realms"), dict_int_string (stats, "realms"),
                _("Sessions"), dict_int_string (stats, "sessions"),
                _("Connections"), dict_int_string (stats, "connections"),
                NULL);
  return EXIT_OK;
}

static int
cmd_realms (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) realms = NULL;
  g_autoptr (Table) table = NULL;

  if (!wampd_router1_call_list_realms_sync (ctl->proxy, &realms, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      print_json (realms);
      return EXIT_OK;
    }
  /* TRANSLATORS: column headings of `wampctl realms`. */
  table = table_new (3, _("NAME"), _("SESSIONS"), _("ROUTER ROLES"));
  for (gsize i = 0; i < g_variant_n_children (realms); i++)
    {
      g_autoptr (GVariant) realm = g_variant_get_child_value (realms, i);

      table_add_row (table, dict_string (realm, "name"), dict_int_string (realm, "sessions"),
                     dict_list (realm, "router_roles"));
    }
  table_print (table);
  return EXIT_OK;
}

static int
cmd_sessions (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) sessions = NULL;
  g_autoptr (Table) table = NULL;

  if (!wampd_router1_call_list_sessions_sync (ctl->proxy, args[0] != NULL ? args[0] : "", &sessions,
                                              NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      print_json (sessions);
      return EXIT_OK;
    }
  /* TRANSLATORS: column headings of `wampctl sessions`. */
  table = table_new (8, _("ID"), _("REALM"), _("AUTHID"), _("AUTHROLE"), _("AUTHMETHOD"),
                     _("TRANSPORT"), _("PEER"), _("JOINED"));
  for (gsize i = 0; i < g_variant_n_children (sessions); i++)
    {
      g_autoptr (GVariant) session = g_variant_get_child_value (sessions, i);
      g_autofree char *transport = dict_string (session, "transport");
      g_autofree char *serializer = dict_string (session, "serializer");

      table_add_row (table, dict_int_string (session, "session"), dict_string (session, "realm"),
                     dict_string (session, "authid"), dict_string (session, "authrole"),
                     dict_string (session, "authmethod"),
                     g_strdup_printf ("%s/%s", transport, serializer),
                     dict_string (session, "peer"), format_time (dict_int (session, "joined")));
    }
  table_print (table);
  return EXIT_OK;
}

static int
cmd_session (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) session = NULL;
  guint64 id;

  if (!parse_id (args[0], &id))
    return EXIT_USAGE;
  if (!wampd_router1_call_get_session_sync (ctl->proxy, id, &session, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      print_json (session);
      return EXIT_OK;
    }
  print_fields (_("Session"), dict_int_string (session, "session"),
                _("Realm"), dict_string (session, "realm"),
                _("Authid"), dict_string (session, "authid"),
                _("Authrole"), dict_string (session, "authrole"),
                _("Authmethod"), dict_string (session, "authmethod"),
                _("Authprovider"), dict_string (session, "authprovider"),
                _("Peer"), dict_string (session, "peer"),
                _("Transport"), dict_string (session, "transport"),
                _("Serializer"), dict_string (session, "serializer"),
                _("Client roles"), dict_keys (session, "roles"),
                _("Joined"), format_time (dict_int (session, "joined")),
                NULL);
  return EXIT_OK;
}

/* kill --authid AUTHID --realm REALM: every session of that authid. */
static int
kill_by_authid (Ctl *ctl)
{
  g_autoptr (GError) error = NULL;
  guint killed = 0;

  if (!wampd_router1_call_kill_sessions_by_authid_sync (ctl->proxy, ctl->options->realm, ctl->options->authid,
                                                        ctl->options->reason != NULL ? ctl->options->reason : "",
                                                        ctl->options->message != NULL ? ctl->options->message : "",
                                                        &killed, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "killed_count", g_variant_new_uint32 (killed));
      print_json (g_variant_builder_end (&builder));
      return EXIT_OK;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u session of authid %s was told to leave (%s).\n",
                        "%u sessions of authid %s were told to leave (%s).\n", killed),
           killed, ctl->options->authid,
           ctl->options->reason != NULL ? ctl->options->reason : "wamp.close.killed");
  return EXIT_OK;
}

static gboolean
check_kill (CtlOptions *options, char **args)
{
  guint64 id;

  if (options->authid != NULL || options->realm != NULL
      ? options->authid == NULL || options->realm == NULL || args[0] != NULL
      : args[0] == NULL)
    {
      g_printerr (_("wampctl kill: give either a session ID or both --authid and --realm\n"));
      return FALSE;
    }
  return args[0] == NULL || parse_id (args[0], &id);
}

static gboolean
check_session_id (CtlOptions *options, char **args)
{
  guint64 id;

  return parse_id (args[0], &id);
}

static int
cmd_kill (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  guint64 id;

  if (ctl->options->authid != NULL)
    return kill_by_authid (ctl);
  if (!parse_id (args[0], &id))
    return EXIT_USAGE;
  if (!wampd_router1_call_kill_session_sync (ctl->proxy, id,
                                             ctl->options->reason != NULL ? ctl->options->reason : "",
                                             ctl->options->message != NULL ? ctl->options->message : "",
                                             NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "killed", g_variant_new_uint64 (id));
      print_json (g_variant_builder_end (&builder));
      return EXIT_OK;
    }
  g_print (_("Session %s was told to leave (%s).\n"), args[0],
           ctl->options->reason != NULL ? ctl->options->reason : "wamp.close.killed");
  return EXIT_OK;
}

static int
print_routes (Ctl *ctl, GVariant *routes, gboolean registrations)
{
  g_autoptr (Table) table = NULL;

  if (ctl->options->json)
    {
      print_json (routes);
      return EXIT_OK;
    }
  if (registrations)
    /* TRANSLATORS: column headings of `wampctl registrations`. */
    table = table_new (6, _("ID"), _("PROCEDURE"), _("MATCH"), _("INVOKE"), _("CALLEES"), _("CREATED"));
  else
    /* TRANSLATORS: column headings of `wampctl subscriptions`. */
    table = table_new (5, _("ID"), _("TOPIC"), _("MATCH"), _("SUBSCRIBERS"), _("CREATED"));
  for (gsize i = 0; i < g_variant_n_children (routes); i++)
    {
      g_autoptr (GVariant) route = g_variant_get_child_value (routes, i);

      if (registrations)
        table_add_row (table, dict_int_string (route, "id"), dict_string (route, "uri"),
                       dict_string (route, "match"), dict_string (route, "invoke"),
                       dict_list (route, "sessions"), format_time (dict_int (route, "created")));
      else
        table_add_row (table, dict_int_string (route, "id"), dict_string (route, "uri"),
                       dict_string (route, "match"), dict_list (route, "sessions"),
                       format_time (dict_int (route, "created")));
    }
  table_print (table);
  return EXIT_OK;
}

static int
cmd_registrations (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) routes = NULL;

  if (!wampd_router1_call_list_registrations_sync (ctl->proxy, args[0], &routes, NULL, &error))
    return report_error (ctl, error);
  return print_routes (ctl, routes, TRUE);
}

static int
cmd_subscriptions (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) routes = NULL;

  if (!wampd_router1_call_list_subscriptions_sync (ctl->proxy, args[0], &routes, NULL, &error))
    return report_error (ctl, error);
  return print_routes (ctl, routes, FALSE);
}

static int
cmd_stats (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) stats = NULL;
  g_autoptr (GVariant) in = NULL;
  g_autoptr (GVariant) out = NULL;
  g_autoptr (GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (Table) table = NULL;
  GVariantIter iter;
  const char *type;

  if (!wampd_router1_call_get_stats_sync (ctl->proxy, &stats, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      print_json (stats);
      return EXIT_OK;
    }
  print_fields (_("Sessions"), dict_int_string (stats, "sessions"),
                _("Connections"), dict_int_string (stats, "connections"),
                _("Realms"), dict_int_string (stats, "realms"),
                _("Uptime"), format_duration (dict_int (stats, "uptime")),
                _("Bytes in"), dict_int_string (stats, "bytes_in"),
                _("Bytes out"), dict_int_string (stats, "bytes_out"),
                _("Protocol violations"), dict_int_string (stats, "protocol_violations"),
                _("Send failures"), dict_int_string (stats, "send_failures"),
                NULL);

  /* One row per message type seen in either direction, in order of first appearance. */
  in = g_variant_lookup_value (stats, "messages_in", G_VARIANT_TYPE_VARDICT);
  out = g_variant_lookup_value (stats, "messages_out", G_VARIANT_TYPE_VARDICT);
  for (GVariant *counts = in; counts != NULL; counts = counts == in ? out : NULL)
    {
      g_variant_iter_init (&iter, counts);
      while (g_variant_iter_next (&iter, "{&sv}", &type, NULL))
        if (!g_ptr_array_find_with_equal_func (types, type, g_str_equal, NULL))
          g_ptr_array_add (types, g_strdup (type));
      if (counts == out)
        break;
    }
  if (types->len == 0)
    return EXIT_OK;
  g_print ("\n");
  /* TRANSLATORS: column headings of the message table of `wampctl stats`. */
  table = table_new (3, _("MESSAGE"), _("IN"), _("OUT"));
  for (guint i = 0; i < types->len; i++)
    {
      const char *name = g_ptr_array_index (types, i);

      table_add_row (table, g_strdup (name),
                     in != NULL ? dict_int_string (in, name) : g_strdup ("0"),
                     out != NULL ? dict_int_string (out, name) : g_strdup ("0"));
    }
  table_print (table);
  return EXIT_OK;
}

static int
cmd_plugins (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) plugins = NULL;
  g_autoptr (Table) table = NULL;
  gboolean any_refused = FALSE;

  if (!wampd_router1_call_list_plugins_sync (ctl->proxy, &plugins, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      print_json (plugins);
      return EXIT_OK;
    }
  /* TRANSLATORS: column headings of `wampctl plugins`. */
  table = table_new (5, _("NAME"), _("VERSION"), _("STATUS"), _("EXTENSIONS"), _("PATH"));
  for (gsize i = 0; i < g_variant_n_children (plugins); i++)
    {
      g_autoptr (GVariant) plugin = g_variant_get_child_value (plugins, i);
      gboolean loaded = FALSE;

      g_variant_lookup (plugin, "loaded", "b", &loaded);
      any_refused = any_refused || !loaded;
      table_add_row (table, dict_string (plugin, "name"), dict_string (plugin, "version"),
                     /* TRANSLATORS: plugin status in `wampctl plugins`. */
                     g_strdup (loaded ? _("loaded") : _("refused")),
                     dict_list (plugin, "extensions"), dict_string (plugin, "path"));
    }
  table_print (table);
  /* Refusal reasons are long: listed below the table instead of stretching it. */
  for (gsize i = 0; any_refused && i < g_variant_n_children (plugins); i++)
    {
      g_autoptr (GVariant) plugin = g_variant_get_child_value (plugins, i);
      const char *reason = NULL;

      if (g_variant_lookup (plugin, "error", "&s", &reason))
        {
          g_autofree char *path = dict_string (plugin, "path");

          /* TRANSLATORS: why a plugin was refused: "<path>: <reason>". */
          g_print (_("refused %s: %s\n"), path, reason);
        }
    }
  return EXIT_OK;
}

static int
cmd_reload (Ctl *ctl, char **args)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) restart_needed = NULL;

  if (!wampd_router1_call_reload_sync (ctl->proxy, &restart_needed, NULL, &error))
    return report_error (ctl, error);
  if (ctl->options->json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "reloaded", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&builder, "{sv}", "restart_needed",
                             g_variant_new_strv ((const char *const *) restart_needed, -1));
      print_json (g_variant_builder_end (&builder));
      return EXIT_OK;
    }
  g_print (_("Configuration reloaded.\n"));
  if (restart_needed != NULL && restart_needed[0] != NULL)
    {
      g_print (_("These changes take effect after a restart:\n"));
      for (char **item = restart_needed; *item != NULL; item++)
        g_print ("  %s\n", *item);
    }
  return EXIT_OK;
}

static const Command commands[] = {
  { "status", "", N_("Show whether wampd runs, its version, uptime and session count"), 0, 0, cmd_status },
  { "realms", "", N_("List the realms"), 0, 0, cmd_realms },
  { "sessions", N_("[REALM]"), N_("List the sessions, of every realm or of REALM"), 0, 1, cmd_sessions },
  { "session", N_("ID"), N_("Show one session"), 1, 1, cmd_session, check_session_id },
  { "kill", N_("ID | --authid AUTHID --realm REALM"),
    N_("End a session, or every session of an authid, with GOODBYE (--reason, --message)"), 0, 1, cmd_kill,
    check_kill },
  { "registrations", N_("REALM"), N_("List the procedures registered on REALM"), 1, 1, cmd_registrations },
  { "subscriptions", N_("REALM"), N_("List the topics subscribed on REALM"), 1, 1, cmd_subscriptions },
  { "stats", "", N_("Show message, byte and error counters"), 0, 0, cmd_stats },
  { "plugins", "", N_("List the plugins wampd loaded or refused"), 0, 0, cmd_plugins },
  { "reload", "", N_("Make wampd re-read its configuration"), 0, 0, cmd_reload },
};

/* ---- main ------------------------------------------------------------------------ */

static char *
commands_description (void)
{
  g_autoptr (GString) text = g_string_new (_("Commands:"));
  gsize width = 0;

  g_string_append_c (text, '\n');
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, strlen (commands[i].name));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_string_append (text, "  ");
      append_padded (text, commands[i].name, width + 2);
      g_string_append_printf (text, "%s\n", _(commands[i].summary));
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("Run “wampctl COMMAND --help” for the options of a command.\n\n"
                           "Exit status:\n"
                           "  0  success\n"
                           "  1  wampd refused the request (e.g. no such session or realm)\n"
                           "  2  wrong command line\n"
                           "  3  wampd is not running or the bus is not reachable\n"
                           "  4  access denied by the bus policy\n"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
options_clear (CtlOptions *options)
{
  g_clear_pointer (&options->address, g_free);
  g_clear_pointer (&options->reason, g_free);
  g_clear_pointer (&options->message, g_free);
  g_clear_pointer (&options->authid, g_free);
  g_clear_pointer (&options->realm, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtlOptions, options_clear)

static GDBusConnection *
connect_bus (Ctl *ctl, GError **error)
{
  CtlOptions *options = ctl->options;

  if (options->address != NULL)
    {
      /* TRANSLATORS: the bus named in messages when --address is given. */
      ctl->bus_name = _("bus at the given address");
      return g_dbus_connection_new_for_address_sync (options->address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                     | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, error);
    }
  if (options->session)
    {
      ctl->bus_name = _("session bus");
      return g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
    }
  ctl->bus_name = _("system bus");
  return g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
}

int
main (int argc, char *argv[])
{
  g_auto (CtlOptions) options = { 0, };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GOptionContext) command_context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) connection = NULL;
  g_autoptr (WampdRouter1) proxy = NULL;
  g_autofree char *description = NULL;
  g_autofree char *parameters = NULL;
  g_autofree char *owner = NULL;
  const Command *command = NULL;
  Ctl ctl = { &options, NULL, NULL };
  guint n_args;
  const GOptionEntry bus_entries[] = {
    { "system", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.system,
      N_("Talk to wampd on the system bus (the default)"), NULL },
    { "session", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.session,
      N_("Talk to wampd on the session bus"), NULL },
    { "address", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.address,
      N_("Talk to wampd on the bus at ADDRESS"), N_("ADDRESS") },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.json,
      N_("Print JSON instead of tables"), NULL },
    G_OPTION_ENTRY_NULL
  };
  const GOptionEntry kill_entries[] = {
    { "reason", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.reason,
      N_("The GOODBYE reason (default wamp.close.killed)"), N_("URI") },
    { "message", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.message,
      N_("A message for the client"), N_("TEXT") },
    { "authid", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.authid,
      N_("End every session of AUTHID (with --realm) instead of one by ID"), N_("AUTHID") },
    { "realm", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options.realm,
      N_("The realm of --authid"), N_("REALM") },
    G_OPTION_ENTRY_NULL
  };

  setlocale (LC_ALL, "");
  /* WAMPD_LOCALEDIR: the build tree's catalogs for uninstalled runs, as wampd. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("WAMPD_LOCALEDIR") != NULL ? g_getenv ("WAMPD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* The error names must be known before the first reply arrives. */
  (void) WAMPD_ADMIN_ERROR;

  /* Options before the command; the command's own context takes the rest. */
  context = g_option_context_new (_("COMMAND [ARGUMENT…] — administer a running wampd"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, bus_entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  description = commands_description ();
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wampctl: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc < 2)
    {
      g_printerr (_("wampctl: no command given; run “wampctl --help” for the list\n"));
      return EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      command = &commands[i];
  if (command == NULL)
    {
      g_printerr (_("wampctl: unknown command “%s”; run “wampctl --help” for the list\n"), argv[1]);
      return EXIT_USAGE;
    }

  parameters = command->args[0] != '\0' ? g_strdup_printf ("%s %s", command->name, _(command->args))
                                       : g_strdup (command->name);
  command_context = g_option_context_new (parameters);
  g_option_context_set_translation_domain (command_context, GETTEXT_PACKAGE);
  g_option_context_set_summary (command_context, _(command->summary));
  if (g_str_equal (command->name, "kill"))
    g_option_context_add_main_entries (command_context, kill_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (command_context, bus_entries, GETTEXT_PACKAGE);
  /* argv[1] (the command) stands in for the program name. */
  argc--;
  argv++;
  if (!g_option_context_parse (command_context, &argc, &argv, &error))
    {
      g_printerr ("wampctl %s: %s\n", command->name, error->message);
      return EXIT_USAGE;
    }
  n_args = (guint) argc - 1;
  if (n_args < command->min_args || n_args > command->max_args)
    {
      g_printerr (_("wampctl %s: wrong number of arguments; usage: wampctl %s\n"), command->name, parameters);
      return EXIT_USAGE;
    }
  if (command->check != NULL && !command->check (&options, argv + 1))
    return EXIT_USAGE;
  if (options.system + options.session + (options.address != NULL) > 1)
    {
      g_printerr (_("wampctl: --system, --session and --address exclude each other\n"));
      return EXIT_USAGE;
    }

  connection = connect_bus (&ctl, &error);
  if (connection == NULL)
    {
      g_printerr (_("wampctl: cannot connect to the %s: %s\n"), ctl.bus_name, error->message);
      return EXIT_NOT_RUNNING;
    }
  proxy = wampd_router1_proxy_new_sync (connection,
                                        G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START
                                        | G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES
                                        | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                        WAMPD_ADMIN_DBUS_NAME, WAMPD_ADMIN_DBUS_PATH, NULL, &error);
  if (proxy == NULL)
    return report_error (&ctl, error);
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (proxy));
  if (owner == NULL)
    {
      g_printerr (_("wampctl: wampd is not running: nobody owns %s on the %s\n"), WAMPD_ADMIN_DBUS_NAME,
                  ctl.bus_name);
      return EXIT_NOT_RUNNING;
    }
  ctl.proxy = proxy;
  return command->run (&ctl, argv + 1);
}
