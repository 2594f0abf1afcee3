/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the JSON, MessagePack and CBOR serializer tests share: the y_/n_
 * conformance file driver, message comparison and payload decoding. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Whether two values (never NULL) count as the same for a test file. */
typedef gboolean (*SerializerTestValuesSame) (const WampValue *a,
                                              const WampValue *b);

/* Stricter than wamp_value_equal(): doubles must have the same bits (so
 * -0.0 differs from 0.0 and a NaN equals only the same NaN), dict order too. */
gboolean serializer_test_values_identical (const WampValue *a,
                                           const WampValue *b);

/* Registers /@format/conformance/valid/NAME for every y_NAME@suffix in
 * @dir (sorted by name) and /@format/conformance/invalid/NAME for every
 * n_NAME@suffix. The paths are the cases' data: @paths keeps them (it must
 * free its elements), @valid_paths (nullable) gets the valid ones too.
 * Asserts that there are at least @min_valid and @min_invalid files. */
void serializer_test_add_data_files (const char    *format,
                                     const char    *dir,
                                     const char    *suffix,
                                     GTestDataFunc  test_valid,
                                     GTestDataFunc  test_invalid,
                                     GPtrArray     *paths,
                                     GPtrArray     *valid_paths,
                                     guint          min_valid,
                                     guint          min_invalid);

/* Returns: (transfer full): the file's bytes, in a buffer of exactly their size. */
GBytes *serializer_test_read_file (const char *path);

/* The frame in @path is refused as a protocol violation. */
void serializer_test_assert_invalid_file (WampSerializer *serializer,
                                          const char     *path);

/* wamp_serializer_deserialize_data() of a copy of @frame, freed right
 * after, gives a message like @message (@frame deserialized): the same
 * fields, raw payload bytes and encoding. */
void serializer_test_assert_lent_same (WampSerializer *serializer,
                                       GBytes         *frame,
                                       WampMessage    *message);

/* Same type, fields and payload values (absent alike, else @same). */
void serializer_test_assert_messages_equal (WampMessage              *a,
                                            WampMessage              *b,
                                            SerializerTestValuesSame  same);

/* Returns: (transfer full): @message with its payload decoded, so that a
 * serializer goes through its writer instead of copying the raw bytes. */
WampMessage *serializer_test_with_decoded_payload (WampMessage *message);

/* wamp_serializer_serialize_into() appends what wamp_serializer_serialize()
 * returns, copies a cached encoding, and on failure (a value nested deeper
 * than @too_deep... levels) leaves the buffer as it was. */
void serializer_test_serialize_into (WampSerializer *serializer,
                                     guint           too_deep);

G_END_DECLS
