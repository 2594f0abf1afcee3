/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the plugin machinery that need no module file: the root-only
 * permission rule, linked-in plugins (add_static) with every refusal, the
 * extension registry, and the interface wrappers (NULL vfuncs, the
 * connection sink, the transport accept func, the shared serializers). */

#include <string.h>
#include <sys/stat.h>

#include <wamp/wamp.h>

#include "wamp-connection-private.h"
#include "wamp-plugin-loader-private.h"
#include "wamp-transport-private.h"
#include "wamp-test-async.h"

/* Types implementing an interface with only the vfuncs a test needs. */
#define TEST_DEFINE_TYPE(TypeName, type_name, TYPE_NAME, IFACE_TYPE, Iface, iface_init_body) \
  G_DECLARE_FINAL_TYPE (TypeName, type_name, TEST, TYPE_NAME, GObject)                      \
  struct _##TypeName { GObject parent_instance; int closes; WampCloseCode close_code; };    \
  static void type_name##_iface_init (Iface *iface) { iface_init_body; }                    \
  G_DEFINE_FINAL_TYPE_WITH_CODE (TypeName, type_name, G_TYPE_OBJECT,                        \
                                 G_IMPLEMENT_INTERFACE (IFACE_TYPE, type_name##_iface_init)) \
  static void type_name##_class_init (TypeName##Class *klass) { }                           \
  static void type_name##_init (TypeName *self) { }

static const char *
serializer_get_name (WampSerializer *self)
{
  return "test-ser";
}

static void connection_close (WampConnection *connection, WampCloseCode code, const char *reason);

static const char *
connection_get_peer (WampConnection *self)
{
  return "tcp4:127.0.0.1:4242";
}

#define TEST_TYPE_SERIALIZER (test_serializer_get_type ())
#define TEST_TYPE_SERIALIZER2 (test_serializer2_get_type ())
#define TEST_TYPE_TRANSPORT (test_transport_get_type ())
#define TEST_TYPE_TRANSPORT2 (test_transport2_get_type ())
#define TEST_TYPE_ROLE (test_role_get_type ())
#define TEST_TYPE_ROLE2 (test_role2_get_type ())
#define TEST_TYPE_AUTHENTICATOR (test_authenticator_get_type ())
#define TEST_TYPE_CONNECTION (test_connection_get_type ())

TEST_DEFINE_TYPE (TestSerializer, test_serializer, SERIALIZER, WAMP_TYPE_SERIALIZER, WampSerializerInterface,
                  iface->get_name = serializer_get_name)
TEST_DEFINE_TYPE (TestSerializer2, test_serializer2, SERIALIZER2, WAMP_TYPE_SERIALIZER, WampSerializerInterface, )
TEST_DEFINE_TYPE (TestTransport, test_transport, TRANSPORT, WAMP_TYPE_TRANSPORT, WampTransportInterface, )
TEST_DEFINE_TYPE (TestTransport2, test_transport2, TRANSPORT2, WAMP_TYPE_TRANSPORT, WampTransportInterface, )
TEST_DEFINE_TYPE (TestRole, test_role, ROLE, WAMP_TYPE_ROLE, WampRoleInterface, )
TEST_DEFINE_TYPE (TestRole2, test_role2, ROLE2, WAMP_TYPE_ROLE, WampRoleInterface, )
TEST_DEFINE_TYPE (TestAuthenticator, test_authenticator, AUTHENTICATOR, WAMP_TYPE_AUTHENTICATOR,
                  WampAuthenticatorInterface, )
TEST_DEFINE_TYPE (TestConnection, test_connection, CONNECTION, WAMP_TYPE_CONNECTION, WampConnectionInterface,
                  iface->close = connection_close; iface->get_peer = connection_get_peer)

static void
connection_close (WampConnection *connection, WampCloseCode code, const char *reason)
{
  TestConnection *self = TEST_CONNECTION (connection);

  self->closes++;
  self->close_code = code;
}

#define TEST_TYPE_PLAIN (test_plain_get_type ())
G_DECLARE_FINAL_TYPE (TestPlain, test_plain, TEST, PLAIN, GObject)
struct _TestPlain { GObject parent_instance; };
G_DEFINE_FINAL_TYPE (TestPlain, test_plain, G_TYPE_OBJECT)
static void test_plain_class_init (TestPlainClass *klass) { }
static void test_plain_init (TestPlain *self) { }

static guint refusals_logged;

/* Refusals are operator warnings; here they are expected (see
 * tests/unit/plugin-fixtures/test-plugin-loader-modules.c). */
static GLogWriterOutput
writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) != 0 && message != NULL
      && g_str_has_prefix (message, "Plugin refused: "))
    {
      refusals_logged++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Permissions */

static void
test_permissions_unprivileged_loads_anything (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_plugin_loader_check_permissions ("/p.so", 1000, S_IFREG | 0777, 1000, &error));
  g_assert_true (wamp_plugin_loader_check_permissions ("/p.so", 0, S_IFREG | 0666, 1000, &error));
  g_assert_no_error (error);
}

static void
test_permissions_root_accepts_root_owned_not_writable (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_plugin_loader_check_permissions ("/p.so", 0, S_IFREG | 0755, 0, &error));
  g_assert_true (wamp_plugin_loader_check_permissions ("/p.so", 0, S_IFREG | 0644, 0, &error));
  g_assert_true (wamp_plugin_loader_check_permissions ("/p.so", 0, S_IFREG | 0700, 0, &error));
  g_assert_no_error (error);
}

static void
test_permissions_root_refuses_unsafe (void)
{
  static const struct {
    uid_t owner;
    mode_t mode;
    const char *says;
  } cases[] = {
    { 1000, 0755, "not owned by root" },
    { 1, 0644, "not owned by root" },
    { 0, 0775, "writable by group or others" },
    { 0, 0757, "writable by group or others" },
    { 0, 0666, "writable by group or others" },
    { 0, 04755, "setuid" },
    { 0, 02755, "setgid" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (wamp_plugin_loader_check_permissions ("/plugins/p.so", cases[i].owner,
                                                            S_IFREG | cases[i].mode, 0, &error));
      g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS);
      g_assert_true (g_str_has_prefix (error->message, "/plugins/p.so: "));
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

/* Linked-in plugins */

static gboolean
register_good (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            TEST_TYPE_SERIALIZER, "test-ser", error)
      && wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            TEST_TYPE_SERIALIZER2, "aa-ser", error)
      && wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            TEST_TYPE_TRANSPORT, "test-transport", error)
      && wamp_plugin_context_add_extension (context, WAMP_AUTHENTICATOR_EXTENSION_POINT,
                                            TEST_TYPE_AUTHENTICATOR, "test-auth", error)
      && wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_ROLE, "test-role", error);
}

static gboolean
register_bad_type (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_PLAIN, "plain", error);
}

static gboolean
register_duplicate_extension (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            TEST_TYPE_TRANSPORT2, "test-transport", error);
}

static gboolean
register_same_type_twice (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_ROLE, "test-role-alias", error);
}

static gboolean
register_unknown_point (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, "wamp-nothing",
                                            TEST_TYPE_ROLE2, "x", error);
}

static gboolean
register_interface_itself (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            WAMP_TYPE_ROLE, "the-interface", error);
}

static gboolean
register_fails (WampPluginContext *context, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "out of luck");
  return FALSE;
}

static gboolean
register_fails_silently (WampPluginContext *context, GError **error)
{
  return FALSE;
}

static gboolean
register_partial (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_ROLE2, "partial-role", error)
      && wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_PLAIN, "partial-plain", error);
}

#define INFO(name, func) { WAMP_ABI_MAJOR, WAMP_ABI_MINOR, name, "0.1", "LGPL-2.1-or-later", "test " name, func, { NULL, } }

static const WampPluginInfo good_info = INFO ("static-good", register_good);
static const WampPluginInfo abi_major_info = { WAMP_ABI_MAJOR + 1, 0, "static-abi-major", "0.1", "MIT", "", register_good, { NULL, } };
static const WampPluginInfo abi_minor_info = { WAMP_ABI_MAJOR, WAMP_ABI_MINOR + 1, "static-abi-minor", "0.1", "MIT", "", register_good, { NULL, } };
static const WampPluginInfo duplicate_name_info = INFO ("static-good", register_good);
static const WampPluginInfo bad_type_info = INFO ("static-bad-type", register_bad_type);
static const WampPluginInfo duplicate_extension_info = INFO ("static-duplicate-extension", register_duplicate_extension);
static const WampPluginInfo same_type_twice_info = INFO ("static-same-type-twice", register_same_type_twice);
static const WampPluginInfo unknown_point_info = INFO ("static-unknown-point", register_unknown_point);
static const WampPluginInfo interface_itself_info = INFO ("static-interface-itself", register_interface_itself);
static const WampPluginInfo fails_info = INFO ("static-fails", register_fails);
static const WampPluginInfo fails_silently_info = INFO ("static-fails-silently", register_fails_silently);
static const WampPluginInfo no_register_info = INFO ("static-no-register", NULL);
static const WampPluginInfo no_name_info = INFO ("", register_good);
static const WampPluginInfo partial_info = INFO ("static-partial", register_partial);

static WampPluginLoader *shared_loader;

/* All static tests share one loader (the registry is process-wide anyway),
 * the good plugin first. */
static WampPluginLoader *
get_loader (void)
{
  if (shared_loader == NULL)
    {
      g_autoptr(GError) error = NULL;

      shared_loader = wamp_plugin_loader_new ();
      g_assert_true (wamp_plugin_loader_add_static (shared_loader, &good_info, &error));
      g_assert_no_error (error);
    }
  return shared_loader;
}

static const WampPluginRecord *
last_record (WampPluginLoader *loader)
{
  return wamp_plugin_loader_get_record (loader, wamp_plugin_loader_get_n_records (loader) - 1);
}

static void
assert_static_refused (const WampPluginInfo *info, gint code, const char *name, const char *says)
{
  WampPluginLoader *loader = get_loader ();
  g_autoptr(GError) error = NULL;
  guint logged = refusals_logged;
  const WampPluginRecord *record;

  g_assert_false (wamp_plugin_loader_add_static (loader, info, &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, code);
  g_assert_nonnull (strstr (error->message, says));
  g_assert_cmpuint (refusals_logged, ==, logged + 1);

  record = last_record (loader);
  g_assert_cmpstr (wamp_plugin_record_get_path (record), ==, "(static)");
  g_assert_cmpstr (wamp_plugin_record_get_name (record), ==, name);
  g_assert_true (g_error_matches (wamp_plugin_record_get_error (record), WAMP_PLUGIN_ERROR, code));
}

static void
test_static_good_registers_everything (void)
{
  WampPluginLoader *loader = get_loader ();
  const WampPluginRecord *record = wamp_plugin_loader_get_record (loader, 0);
  const char *const expected[] = {
    "wamp-serializer:test-ser", "wamp-serializer:aa-ser", "wamp-transport:test-transport",
    "wamp-authenticator:test-auth", "wamp-role:test-role", NULL
  };

  g_assert_null (wamp_plugin_record_get_error (record));
  g_assert_cmpstr (wamp_plugin_record_get_path (record), ==, "(static)");
  g_assert_cmpstr (wamp_plugin_record_get_name (record), ==, "static-good");
  g_assert_cmpstr (wamp_plugin_record_get_version (record), ==, "0.1");
  g_assert_cmpstr (wamp_plugin_record_get_description (record), ==, "test static-good");
  g_assert_cmpstrv (wamp_plugin_record_get_extensions (record), expected);

  g_assert_cmpint (wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, "test-role"), ==, TEST_TYPE_ROLE);
  g_assert_cmpint (wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, "no-such-role"), ==, G_TYPE_INVALID);
  g_assert_cmpint (wamp_extension_lookup ("wamp-nothing", "test-role"), ==, G_TYPE_INVALID);
  /* GIO's own points are not for plugins. */
  g_assert_cmpint (wamp_extension_lookup ("gio-vfs", "local"), ==, G_TYPE_INVALID);
}

static void
test_static_same_info_twice_is_one_record (void)
{
  WampPluginLoader *loader = get_loader ();
  guint n = wamp_plugin_loader_get_n_records (loader);
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_plugin_loader_add_static (loader, &good_info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_plugin_loader_get_n_records (loader), ==, n);
}

static void
test_static_abi_major_refused (void)
{
  assert_static_refused (&abi_major_info, WAMP_PLUGIN_ERROR_ABI, NULL, "plugin ABI");
}

static void
test_static_abi_minor_newer_refused (void)
{
  assert_static_refused (&abi_minor_info, WAMP_PLUGIN_ERROR_ABI, NULL, "plugin ABI");
}

static void
test_static_duplicate_name_refused (void)
{
  assert_static_refused (&duplicate_name_info, WAMP_PLUGIN_ERROR_DUPLICATE, "static-good", "static-good");
}

static void
test_static_wrong_type_refused (void)
{
  assert_static_refused (&bad_type_info, WAMP_PLUGIN_ERROR_TYPE, "static-bad-type",
                         "TestPlain does not implement WampRole");
  g_assert_cmpint (wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, "plain"), ==, G_TYPE_INVALID);
  assert_static_refused (&interface_itself_info, WAMP_PLUGIN_ERROR_TYPE, "static-interface-itself",
                         "cannot be instantiated");
}

static void
test_static_duplicate_extension_refused (void)
{
  assert_static_refused (&duplicate_extension_info, WAMP_PLUGIN_ERROR_DUPLICATE,
                         "static-duplicate-extension", "already provided by plugin static-good");
  /* The first one stays. */
  g_assert_cmpint (wamp_extension_lookup (WAMP_TRANSPORT_EXTENSION_POINT, "test-transport"), ==, TEST_TYPE_TRANSPORT);
}

static void
test_static_same_type_under_second_name_refused (void)
{
  /* GIO would silently keep only the first name. */
  assert_static_refused (&same_type_twice_info, WAMP_PLUGIN_ERROR_DUPLICATE,
                         "static-same-type-twice", "already extension “test-role”");
}

static void
test_static_unknown_point_refused (void)
{
  assert_static_refused (&unknown_point_info, WAMP_PLUGIN_ERROR_NOT_FOUND,
                         "static-unknown-point", "wamp-nothing");
}

static void
test_static_register_failure_keeps_reason (void)
{
  assert_static_refused (&fails_info, WAMP_PLUGIN_ERROR_REGISTER, "static-fails", "out of luck");
  assert_static_refused (&fails_silently_info, WAMP_PLUGIN_ERROR_REGISTER, "static-fails-silently",
                         "no reason given");
  assert_static_refused (&no_register_info, WAMP_PLUGIN_ERROR_REGISTER, "static-no-register",
                         "no register function");
  assert_static_refused (&no_name_info, WAMP_PLUGIN_ERROR_REGISTER, "", "no name");
}

static void
test_static_partial_registration_is_recorded (void)
{
  const char *const expected[] = { "wamp-role:partial-role", NULL };

  assert_static_refused (&partial_info, WAMP_PLUGIN_ERROR_TYPE, "static-partial", "TestPlain");
  /* What was registered before the failure cannot be taken back: the
   * record says so. */
  g_assert_cmpstrv (wamp_plugin_record_get_extensions (last_record (get_loader ())), expected);
  g_assert_cmpint (wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, "partial-role"), ==, TEST_TYPE_ROLE2);
}

static void
test_extension_list_sorted (void)
{
  g_auto(GStrv) serializers = NULL;
  const char *const expected[] = { "aa-ser", "test-ser", NULL };

  get_loader ();
  serializers = wamp_extension_list (WAMP_SERIALIZER_EXTENSION_POINT);
  g_assert_cmpstrv (serializers, expected);
}

static void
test_extension_list_unknown_point_empty (void)
{
  g_auto(GStrv) names = wamp_extension_list ("wamp-nothing");

  g_assert_nonnull (names);
  g_assert_null (names[0]);
}

/* Interface wrappers */

static void
test_serializer_lookup_shares_one_instance (void)
{
  WampSerializer *first, *second;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = g_bytes_new_static ("[]", 2);
  WampMessage *message;

  get_loader ();
  first = wamp_serializer_lookup ("test-ser");
  second = wamp_serializer_lookup ("test-ser");
  g_assert_true (TEST_IS_SERIALIZER (first));
  g_assert_true (first == second);
  g_assert_cmpstr (wamp_serializer_get_name (first), ==, "test-ser");
  g_assert_null (wamp_serializer_lookup ("no-such-serializer"));

  /* An older plugin without a vfunc gets an answer, not a crash. */
  g_assert_null (wamp_serializer_get_subprotocol (first));
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (first), ==, 0);
  message = wamp_serializer_deserialize (first, frame, &error);
  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

/* The wrappers remember each class's interface: classes taking turns each
 * get their own vfuncs, and an object that is no serializer is refused
 * every time (never remembered). */
static void
test_serializer_wrappers_per_class (void)
{
  g_autoptr(WampSerializer) named = g_object_new (TEST_TYPE_SERIALIZER, NULL);
  g_autoptr(WampSerializer) unnamed = g_object_new (TEST_TYPE_SERIALIZER2, NULL);
  g_autoptr(GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);

  for (guint round = 0; round < 3; round++)
    {
      g_assert_cmpstr (wamp_serializer_get_name (named), ==, "test-ser");
      g_assert_null (wamp_serializer_get_name (unnamed));
      g_test_expect_message ("wampcore", G_LOG_LEVEL_CRITICAL, "*iface != NULL*");
      g_assert_null (wamp_serializer_get_name ((WampSerializer *) plain));
      g_test_assert_expected_messages ();
    }
}

static void
test_new_by_extension_name (void)
{
  g_autoptr(WampTransport) transport = NULL;
  g_autoptr(WampAuthenticator) authenticator = NULL;
  g_autoptr(WampRole) role = NULL;
  g_autoptr(WampValue) features = NULL;
  gsize n_types = 99;

  get_loader ();
  transport = wamp_transport_new ("test-transport");
  authenticator = wamp_authenticator_new ("test-auth");
  role = wamp_role_new ("test-role");
  g_assert_true (TEST_IS_TRANSPORT (transport));
  g_assert_true (TEST_IS_AUTHENTICATOR (authenticator));
  g_assert_true (TEST_IS_ROLE (role));
  g_assert_null (wamp_transport_new ("nope"));
  g_assert_null (wamp_authenticator_new ("nope"));
  g_assert_null (wamp_role_new ("nope"));

  g_assert_null (wamp_role_get_message_types (role, &n_types));
  g_assert_cmpuint (n_types, ==, 0);
  features = wamp_role_get_features (role);
  g_assert_cmpint (wamp_value_get_value_type (features), ==, WAMP_VALUE_DICT);
  g_assert_cmpuint (wamp_value_dict_size (features), ==, 0);
}

/* How long an asynchronous step that answers at once may take. */
#define WAIT_MS 10000

static void
test_missing_vfuncs_answer_not_supported (void)
{
  g_autoptr(WampTransport) transport = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(WampAuthenticator) authenticator = g_object_new (TEST_TYPE_AUTHENTICATOR, NULL);
  g_autoptr(GPtrArray) serializers = g_ptr_array_new ();
  g_autoptr(WampValue) config = wamp_value_new_dict (0);
  g_autoptr(WampValue) transport_details = wamp_value_new_dict (0);
  g_autoptr(WampAuthRequest) request = wamp_auth_request_new (1, "realm1", "test-auth", config, transport_details, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(WampConnection) connection = NULL;

  g_assert_false (wamp_transport_start (transport, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (wamp_transport_configure (transport, NULL, config, "$.transports[0]", serializers, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  urls = wamp_transport_get_urls (transport);
  g_assert_nonnull (urls);
  g_assert_null (urls[0]);
  wamp_transport_stop (transport);

  wamp_transport_connect_async (transport, NULL, "ws://127.0.0.1:1/ws", serializers, NULL,
                                wamp_test_store_result, &result);
  connection = wamp_transport_connect_finish (transport, wamp_test_wait_result (&result, WAIT_MS), &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Nothing to configure is fine; a missing step is not. */
  g_assert_true (wamp_authenticator_configure (authenticator, config, "$.transports[0].auth.test-auth", &error));
  g_assert_no_error (error);
  {
    g_autoptr(WampValue) with_key = wamp_value_new_dict (1);

    wamp_value_dict_insert (with_key, "role", wamp_value_new_string ("x"));
    g_assert_false (wamp_authenticator_configure (authenticator, with_key, "$.transports[0].auth.test-auth", &error));
    g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNKNOWN_KEY);
    g_assert_cmpstr (error->message, ==, "$.transports[0].auth.test-auth.role: unknown key");
    g_clear_error (&error);
  }
  wamp_authenticator_challenge_async (authenticator, request, NULL, wamp_test_store_result, &result);
  g_assert_false (wamp_authenticator_challenge_finish (authenticator, wamp_test_wait_result (&result, WAIT_MS),
                                                       &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);
  wamp_authenticator_authenticate_async (authenticator, request, "sig", NULL, NULL, wamp_test_store_result,
                                         &result);
  g_assert_false (wamp_authenticator_authenticate_finish (authenticator, wamp_test_wait_result (&result, WAIT_MS),
                                                          &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_object (&result);
}

typedef struct {
  int frames;
  int data_frames;
  GBytes *last_frame;
  int closes;
  WampCloseCode code;
  char *reason;
  gpointer owner_seen;
  gboolean unref_on_close;
} SinkLog;

static void
sink_frame (gpointer owner, WampConnection *connection, GBytes *frame)
{
  SinkLog *log = owner;

  log->frames++;
  log->owner_seen = owner;
  g_clear_pointer (&log->last_frame, g_bytes_unref);
  log->last_frame = g_bytes_ref (frame);
}

static void
sink_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  SinkLog *log = owner;

  log->closes++;
  log->code = code;
  g_free (log->reason);
  log->reason = g_strdup (reason);
  if (log->unref_on_close)
    g_object_unref (connection);
}

static const WampConnectionSinkFuncs sink_funcs = { sink_frame, sink_closed };

static void
sink_frame_data (gpointer owner, WampConnection *connection, const guint8 *data, gsize len)
{
  SinkLog *log = owner;

  log->data_frames++;
  g_clear_pointer (&log->last_frame, g_bytes_unref);
  log->last_frame = g_bytes_new (data, len);
}

static const WampConnectionSinkFuncs data_sink_funcs = { sink_frame, sink_closed, sink_frame_data };

static void
test_connection_sink_lent_frames (void)
{
  g_autoptr(WampConnection) connection = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autofree guint8 *lent = (guint8 *) g_strdup ("[1,2]");
  SinkLog log = { 0, };

  /* No receiver yet: dropped. */
  wamp_connection_frame_received_data (connection, lent, 5);
  g_assert_null (log.last_frame);

  /* A sink without the data variant gets a GBytes copy that outlives the
   * lent bytes. */
  wamp_connection_set_sink (connection, &sink_funcs, &log);
  wamp_connection_frame_received_data (connection, lent, 5);
  memset (lent, 'x', 5);
  g_assert_cmpint (log.frames, ==, 1);
  g_assert_cmpint (log.data_frames, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (log.last_frame, NULL), g_bytes_get_size (log.last_frame),
                   "[1,2]", 5);

  /* One with it gets the bytes themselves; GBytes frames still go to
   * frame_received. */
  wamp_connection_set_sink (connection, &data_sink_funcs, &log);
  wamp_connection_frame_received_data (connection, lent, 3);
  g_assert_cmpint (log.frames, ==, 1);
  g_assert_cmpint (log.data_frames, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (log.last_frame, NULL), g_bytes_get_size (log.last_frame),
                   "xxx", 3);
  {
    g_autoptr(GBytes) frame = g_bytes_new_static ("[1]", 3);

    wamp_connection_frame_received (connection, frame);
    g_assert_cmpint (log.frames, ==, 2);
  }

  /* Nothing after the close. */
  wamp_connection_closed (connection, WAMP_CLOSE_NORMAL, NULL);
  wamp_connection_frame_received_data (connection, lent, 5);
  g_assert_cmpint (log.data_frames, ==, 1);
  g_clear_pointer (&log.last_frame, g_bytes_unref);
  g_free (log.reason);
}

/* The in-tree transports' contract: the sink's address in the slot they
 * attach, frames handed to it directly, the public path when it cannot take
 * them. */
static void
test_connection_sink_slot (void)
{
  g_autoptr(WampConnection) connection = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(WampConnection) other = g_object_new (TEST_TYPE_CONNECTION, NULL);
  const guint8 lent[] = "[1,2]";
  WampConnectionSink *slot = NULL;
  SinkLog log = { 0, };

  g_object_set_qdata (G_OBJECT (connection), g_quark_from_static_string (WAMP_CONNECTION_SINK_SLOT), &slot);

  /* Not set yet: the public path, which drops it. */
  wamp_connection_sink_deliver_data (slot, connection, lent, 5);
  g_assert_null (log.last_frame);

  /* A connection without the slot is not told. */
  wamp_connection_set_sink (other, &data_sink_funcs, &log);
  g_assert_null (slot);

  wamp_connection_set_sink (connection, &data_sink_funcs, &log);
  g_assert_nonnull (slot);
  wamp_connection_sink_deliver_data (slot, connection, lent, 3);
  g_assert_cmpint (log.data_frames, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (log.last_frame, NULL), g_bytes_get_size (log.last_frame), "[1,", 3);

  /* A sink without the data variant: a GBytes copy, as the public path. */
  wamp_connection_set_sink (connection, &sink_funcs, &log);
  wamp_connection_sink_deliver_data (slot, connection, lent, 5);
  g_assert_cmpint (log.data_frames, ==, 1);
  g_assert_cmpint (log.frames, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (log.last_frame, NULL), g_bytes_get_size (log.last_frame), "[1,2]", 5);

  /* Detached, then closed: dropped. */
  wamp_connection_set_sink (connection, NULL, NULL);
  wamp_connection_sink_deliver_data (slot, connection, lent, 5);
  wamp_connection_set_sink (connection, &data_sink_funcs, &log);
  wamp_connection_closed (connection, WAMP_CLOSE_NORMAL, NULL);
  wamp_connection_sink_deliver_data (slot, connection, lent, 5);
  g_assert_cmpint (log.frames, ==, 1);
  g_assert_cmpint (log.data_frames, ==, 1);
  g_assert_cmpint (log.closes, ==, 1);
  g_clear_pointer (&log.last_frame, g_bytes_unref);
  g_free (log.reason);
}

static void
test_connection_sink_delivers_frames_and_one_close (void)
{
  g_autoptr(WampConnection) connection = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("[1]", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) details = NULL;
  SinkLog log = { 0, };

  /* No receiver yet: dropped. */
  wamp_connection_frame_received (connection, frame);

  wamp_connection_set_sink (connection, &sink_funcs, &log);
  wamp_connection_frame_received (connection, frame);
  wamp_connection_frame_received (connection, frame);
  g_assert_cmpint (log.frames, ==, 2);
  g_assert_true (log.owner_seen == &log);

  wamp_connection_closed (connection, WAMP_CLOSE_GOING_AWAY, "bye");
  wamp_connection_closed (connection, WAMP_CLOSE_ABNORMAL, "again");
  g_assert_cmpint (log.closes, ==, 1);
  g_assert_cmpint (log.code, ==, WAMP_CLOSE_GOING_AWAY);
  g_assert_cmpstr (log.reason, ==, "bye");

  /* Nothing after the close. */
  wamp_connection_frame_received (connection, frame);
  g_assert_cmpint (log.frames, ==, 2);

  g_assert_false (wamp_connection_send (connection, frame, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  details = wamp_connection_get_transport_details (connection);
  g_assert_cmpuint (wamp_value_dict_size (details), ==, 0);
  g_assert_cmpstr (wamp_connection_get_peer (connection), ==, "tcp4:127.0.0.1:4242");
  g_assert_null (wamp_connection_get_serializer (connection));
  g_assert_cmpuint (wamp_connection_get_queued_bytes (connection), ==, 0);
  g_clear_pointer (&log.last_frame, g_bytes_unref);
  g_free (log.reason);
}

static void
test_connection_sink_detached_drops_frames (void)
{
  g_autoptr(WampConnection) connection = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("[1]", 3);
  SinkLog log = { 0, };

  wamp_connection_set_sink (connection, &sink_funcs, &log);
  wamp_connection_set_sink (connection, NULL, NULL);
  wamp_connection_frame_received (connection, frame);
  wamp_connection_closed (connection, WAMP_CLOSE_NORMAL, NULL);
  g_assert_cmpint (log.frames, ==, 0);
  g_assert_cmpint (log.closes, ==, 0);
}

static void
test_connection_close_may_drop_last_reference (void)
{
  WampConnection *connection = g_object_new (TEST_TYPE_CONNECTION, NULL);
  SinkLog log = { 0, };

  log.unref_on_close = TRUE;
  g_object_add_weak_pointer (G_OBJECT (connection), (gpointer *) &connection);
  wamp_connection_set_sink (connection, &sink_funcs, &log);
  wamp_connection_closed (connection, WAMP_CLOSE_NORMAL, NULL);
  g_assert_cmpint (log.closes, ==, 1);
  g_assert_null (connection);
  g_free (log.reason);
}

/* A serializer that counts its work, and a connection that keeps what it sends. */

static int counting_serialize_calls;

static GBytes *
counting_serialize (WampSerializer *self, WampMessage *message, GError **error)
{
  counting_serialize_calls++;
  return g_bytes_new ("[6,{},\"x\"]", 10);
}

#define TEST_TYPE_COUNTING_SERIALIZER (test_counting_serializer_get_type ())
TEST_DEFINE_TYPE (TestCountingSerializer, test_counting_serializer, COUNTING_SERIALIZER, WAMP_TYPE_SERIALIZER,
                  WampSerializerInterface, iface->serialize = counting_serialize)

#define TEST_TYPE_SENDING_CONNECTION (test_sending_connection_get_type ())
G_DECLARE_FINAL_TYPE (TestSendingConnection, test_sending_connection, TEST, SENDING_CONNECTION, GObject)

struct _TestSendingConnection
{
  GObject parent_instance;
  WampSerializer *serializer;
  GBytes *sent;
};

static gboolean
sending_connection_send (WampConnection *connection, GBytes *frame, GError **error)
{
  TestSendingConnection *self = TEST_SENDING_CONNECTION (connection);

  g_clear_pointer (&self->sent, g_bytes_unref);
  self->sent = g_bytes_ref (frame);
  return TRUE;
}

static WampSerializer *
sending_connection_get_serializer (WampConnection *connection)
{
  return TEST_SENDING_CONNECTION (connection)->serializer;
}

static void
test_sending_connection_iface_init (WampConnectionInterface *iface)
{
  iface->send = sending_connection_send;
  iface->get_serializer = sending_connection_get_serializer;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSendingConnection, test_sending_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_CONNECTION, test_sending_connection_iface_init))

static void
test_sending_connection_finalize (GObject *object)
{
  TestSendingConnection *self = TEST_SENDING_CONNECTION (object);

  g_clear_object (&self->serializer);
  g_clear_pointer (&self->sent, g_bytes_unref);
  G_OBJECT_CLASS (test_sending_connection_parent_class)->finalize (object);
}

static void
test_sending_connection_class_init (TestSendingConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sending_connection_finalize;
}

static void
test_sending_connection_init (TestSendingConnection *self)
{
}

static void
test_serialize_once_per_serializer (void)
{
  g_autoptr(WampSerializer) serializer = g_object_new (TEST_TYPE_COUNTING_SERIALIZER, NULL);
  g_autoptr(WampSerializer) other = g_object_new (TEST_TYPE_COUNTING_SERIALIZER, NULL);
  g_autoptr(WampMessage) message = wamp_message_new_goodbye (NULL, "wamp.close.normal");
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) third = NULL;
  g_autoptr(GError) error = NULL;

  counting_serialize_calls = 0;
  first = wamp_serializer_serialize (serializer, message, &error);
  second = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_true (first == second);
  g_assert_cmpint (counting_serialize_calls, ==, 1);

  third = wamp_serializer_serialize (other, message, &error);
  g_assert_no_error (error);
  g_assert_true (third != first);
  g_assert_cmpint (counting_serialize_calls, ==, 2);
}

static void
test_send_message_writes_same_bytes_to_each_connection (void)
{
  g_autoptr(TestSendingConnection) a = g_object_new (TEST_TYPE_SENDING_CONNECTION, NULL);
  g_autoptr(TestSendingConnection) b = g_object_new (TEST_TYPE_SENDING_CONNECTION, NULL);
  g_autoptr(TestSendingConnection) none = g_object_new (TEST_TYPE_SENDING_CONNECTION, NULL);
  g_autoptr(WampMessage) message = wamp_message_new_goodbye (NULL, "wamp.close.normal");
  g_autoptr(GError) error = NULL;

  a->serializer = g_object_new (TEST_TYPE_COUNTING_SERIALIZER, NULL);
  b->serializer = g_object_ref (a->serializer);
  counting_serialize_calls = 0;

  g_assert_true (wamp_connection_send_message (WAMP_CONNECTION (a), message, &error));
  g_assert_true (wamp_connection_send_message (WAMP_CONNECTION (b), message, &error));
  g_assert_no_error (error);
  g_assert_nonnull (a->sent);
  g_assert_true (a->sent == b->sent);
  g_assert_cmpint (counting_serialize_calls, ==, 1);

  g_assert_false (wamp_connection_send_message (WAMP_CONNECTION (none), message, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_null (none->sent);
}

typedef struct {
  int calls;
  WampTransport *transport;
  WampConnection *connection;
} AcceptLog;

static void
on_accept (WampTransport *transport, WampConnection *connection, gpointer user_data)
{
  AcceptLog *log = user_data;

  log->calls++;
  log->transport = transport;
  log->connection = connection;
}

static void
test_transport_accept_func_or_close (void)
{
  g_autoptr(WampTransport) transport = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(TestConnection) first = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(TestConnection) second = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(TestConnection) third = g_object_new (TEST_TYPE_CONNECTION, NULL);
  AcceptLog log = { 0, };

  /* Nobody to take it: closed at once. */
  wamp_transport_connection_accepted (transport, WAMP_CONNECTION (first));
  g_assert_cmpint (first->closes, ==, 1);
  g_assert_cmpint (first->close_code, ==, WAMP_CLOSE_GOING_AWAY);

  wamp_transport_set_accept_func (transport, on_accept, &log);
  wamp_transport_connection_accepted (transport, WAMP_CONNECTION (second));
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_true (log.transport == transport);
  g_assert_true (log.connection == WAMP_CONNECTION (second));
  g_assert_cmpint (second->closes, ==, 0);

  wamp_transport_set_accept_func (transport, NULL, NULL);
  wamp_transport_connection_accepted (transport, WAMP_CONNECTION (third));
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (third->closes, ==, 1);
}

static void
test_transport_owner_receives_delegated_connections (void)
{
  g_autoptr(WampTransport) owner = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(WampTransport) inner = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(TestConnection) first = g_object_new (TEST_TYPE_CONNECTION, NULL);
  g_autoptr(TestConnection) second = g_object_new (TEST_TYPE_CONNECTION, NULL);
  AcceptLog log = { 0, };

  wamp_transport_set_accept_func (owner, on_accept, &log);
  wamp_transport_set_owner (inner, owner);
  wamp_transport_connection_accepted (inner, WAMP_CONNECTION (first));
  g_assert_cmpint (log.calls, ==, 1);
  /* Reported on the owner, whose configuration (e.g. auth) applies. */
  g_assert_true (log.transport == owner);
  g_assert_true (log.connection == WAMP_CONNECTION (first));
  g_assert_cmpint (first->closes, ==, 0);

  wamp_transport_set_owner (inner, NULL);
  wamp_transport_connection_accepted (inner, WAMP_CONNECTION (second));
  g_assert_cmpint (log.calls, ==, 1);
  g_assert_cmpint (second->closes, ==, 1);
}

int
main (int argc, char **argv)
{
  int result;

  g_log_set_writer_func (writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin-loader/permissions/unprivileged-loads-anything", test_permissions_unprivileged_loads_anything);
  g_test_add_func ("/plugin-loader/permissions/root-accepts-root-owned-not-writable",
                   test_permissions_root_accepts_root_owned_not_writable);
  g_test_add_func ("/plugin-loader/permissions/root-refuses-foreign-owner-writable-setuid",
                   test_permissions_root_refuses_unsafe);
  g_test_add_func ("/plugin-loader/static/good-registers-every-extension", test_static_good_registers_everything);
  g_test_add_func ("/plugin-loader/static/same-info-twice-is-one-record", test_static_same_info_twice_is_one_record);
  g_test_add_func ("/plugin-loader/static/abi-major-mismatch-refused", test_static_abi_major_refused);
  g_test_add_func ("/plugin-loader/static/abi-minor-newer-refused", test_static_abi_minor_newer_refused);
  g_test_add_func ("/plugin-loader/static/duplicate-plugin-name-refused", test_static_duplicate_name_refused);
  g_test_add_func ("/plugin-loader/static/type-without-interface-refused", test_static_wrong_type_refused);
  g_test_add_func ("/plugin-loader/static/duplicate-extension-name-refused", test_static_duplicate_extension_refused);
  g_test_add_func ("/plugin-loader/static/same-type-second-name-refused", test_static_same_type_under_second_name_refused);
  g_test_add_func ("/plugin-loader/static/unknown-extension-point-refused", test_static_unknown_point_refused);
  g_test_add_func ("/plugin-loader/static/register-failure-keeps-reason", test_static_register_failure_keeps_reason);
  g_test_add_func ("/plugin-loader/static/partial-registration-is-recorded", test_static_partial_registration_is_recorded);
  g_test_add_func ("/extensions/list/sorted", test_extension_list_sorted);
  g_test_add_func ("/extensions/list/unknown-point-is-empty", test_extension_list_unknown_point_empty);
  g_test_add_func ("/extensions/serializer-lookup/one-shared-instance", test_serializer_lookup_shares_one_instance);
  g_test_add_func ("/serializer/wrappers/each-class-its-own-interface", test_serializer_wrappers_per_class);
  g_test_add_func ("/extensions/new/by-extension-name", test_new_by_extension_name);
  g_test_add_func ("/interfaces/missing-vfuncs-answer-not-supported", test_missing_vfuncs_answer_not_supported);
  g_test_add_func ("/serializer/serialize/once-per-serializer-then-cached", test_serialize_once_per_serializer);
  g_test_add_func ("/connection/send-message/same-bytes-to-each-connection",
                   test_send_message_writes_same_bytes_to_each_connection);
  g_test_add_func ("/connection/sink/delivers-frames-and-one-close", test_connection_sink_delivers_frames_and_one_close);
  g_test_add_func ("/connection/sink/detached-drops-frames", test_connection_sink_detached_drops_frames);
  g_test_add_func ("/connection/sink/lent-frames-reach-either-sink", test_connection_sink_lent_frames);
  g_test_add_func ("/connection/sink/close-may-drop-last-reference", test_connection_close_may_drop_last_reference);
  g_test_add_func ("/connection/sink/slot-of-in-tree-transports", test_connection_sink_slot);
  g_test_add_func ("/transport/accept/func-or-close", test_transport_accept_func_or_close);
  g_test_add_func ("/transport/accept/owner-receives-delegated-connections",
                   test_transport_owner_receives_delegated_connections);

  result = g_test_run ();
  g_clear_object (&shared_loader);
  return result;
}
