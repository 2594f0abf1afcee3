/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Symbol visibility: libwampcore is built with hidden visibility, so only what
 * carries WAMP_AVAILABLE_IN_ALL is exported. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#if defined (WAMP_COMPILATION)
#define WAMP_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
#define WAMP_AVAILABLE_IN_ALL extern
#endif
