/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture plugin whose "transport" implements no WampTransport: refused by the context. */

#include <wamp/wamp.h>

#define FIXTURE_TYPE_NOT_TRANSPORT (fixture_not_transport_get_type ())
G_DECLARE_FINAL_TYPE (FixtureNotTransport, fixture_not_transport, FIXTURE, NOT_TRANSPORT, GObject)

struct _FixtureNotTransport
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (FixtureNotTransport, fixture_not_transport, G_TYPE_OBJECT)

static void
fixture_not_transport_class_init (FixtureNotTransportClass *klass)
{
}

static void
fixture_not_transport_init (FixtureNotTransport *self)
{
}

static gboolean
register_types (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            FIXTURE_TYPE_NOT_TRANSPORT, "fixture-bad-type", error);
}

WAMP_PLUGIN_DEFINE ("fixture-bad-type", "1", "LGPL-2.1-or-later", "Not a transport", register_types)
