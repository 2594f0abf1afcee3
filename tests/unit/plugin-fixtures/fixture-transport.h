/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A WampTransport that does nothing, under a name each fixture picks: two
 * modules cannot register the same GType name. */
#pragma once

#include <wamp/wamp.h>

#define FIXTURE_DEFINE_TRANSPORT(TypeName, type_name, TYPE_NAME)                 \
  G_DECLARE_FINAL_TYPE (TypeName, type_name, FIXTURE, TYPE_NAME, GObject)        \
  struct _##TypeName { GObject parent_instance; };                               \
  static void type_name##_iface_init (WampTransportInterface *iface) { }         \
  G_DEFINE_FINAL_TYPE_WITH_CODE (TypeName, type_name, G_TYPE_OBJECT,             \
                                 G_IMPLEMENT_INTERFACE (WAMP_TYPE_TRANSPORT,     \
                                                        type_name##_iface_init)) \
  static void type_name##_class_init (TypeName##Class *klass) { }                \
  static void type_name##_init (TypeName *self) { }
