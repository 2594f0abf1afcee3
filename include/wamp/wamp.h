/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one header of libwampcore's public API. */
#pragma once

#define __WAMP_H_INSIDE__

#include <wamp/wamp-export.h>
#include <wamp/wamp-version.h>
#include <wamp/wamp-error.h>
#include <wamp/wamp-value.h>
#include <wamp/wamp-payload.h>
#include <wamp/wamp-message.h>
#include <wamp/wamp-uri.h>
#include <wamp/wamp-id.h>
#include <wamp/wamp-reactor.h>
#include <wamp/wamp-serializer.h>
#include <wamp/wamp-connection.h>
#include <wamp/wamp-transport.h>
#include <wamp/wamp-auth-request.h>
#include <wamp/wamp-authenticator.h>
#include <wamp/wamp-role.h>
#include <wamp/wamp-session.h>
#include <wamp/wamp-realm.h>
#include <wamp/wamp-router.h>
#include <wamp/wamp-config.h>
#include <wamp/wamp-plugin.h>
#include <wamp/wamp-plugin-loader.h>
#include <wamp/wamp-client.h>
#include <wamp/wamp-listener.h>
#include <wamp/wamp-socket-io.h>
#include <wamp/wamp-frame-queue.h>
#include <wamp/wamp-keepalive.h>
#include <wamp/wamp-envelope-builder.h>
#include <wamp/wamp-envelope-writer.h>
#include <wamp/wamp-input-cursor.h>
#include <wamp/wamp-output-buffer.h>
#include <wamp/wamp-read-buffer.h>
#include <wamp/wamp-client-connect.h>

#undef __WAMP_H_INSIDE__
