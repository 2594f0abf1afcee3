/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of URI validation against the spec's four regular expressions. */

#include <string.h>

#include <wamp/wamp.h>

/* Expected results computed with the spec's Python regexes
 * (building_blocks.md), except NUL, which the header makes invalid. */
typedef struct
{
  const char *uri;
  gsize len; /* 0: strlen */
  gboolean loose, loose_empty, strict, strict_empty;
} UriCase;

static const UriCase cases[] = {
  { "", 0, FALSE, TRUE, FALSE, TRUE },
  { ".", 0, FALSE, TRUE, FALSE, TRUE },
  { "..", 0, FALSE, TRUE, FALSE, TRUE },
  { "a", 0, TRUE, TRUE, TRUE, TRUE },
  { "a.b", 0, TRUE, TRUE, TRUE, TRUE },
  { "com.example.topic", 0, TRUE, TRUE, TRUE, TRUE },
  { "a.", 0, FALSE, TRUE, FALSE, TRUE },
  { ".a", 0, FALSE, TRUE, FALSE, TRUE },
  { "a..b", 0, FALSE, TRUE, FALSE, TRUE },
  { "a.b.", 0, FALSE, TRUE, FALSE, TRUE },
  { "a..", 0, FALSE, TRUE, FALSE, TRUE },
  { "..a", 0, FALSE, TRUE, FALSE, TRUE },
  { "a#b", 0, FALSE, FALSE, FALSE, FALSE },
  { "#", 0, FALSE, FALSE, FALSE, FALSE },
  { "a.#", 0, FALSE, FALSE, FALSE, FALSE },
  { "a b", 0, FALSE, FALSE, FALSE, FALSE },
  { " ", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\tb", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\nb", 0, FALSE, FALSE, FALSE, FALSE },
  { "a.b\n", 0, FALSE, FALSE, FALSE, FALSE }, /* Python's $ would accept this one */
  { "a\rb", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\vb", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\fb", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\x1c" "b", 0, FALSE, FALSE, FALSE, FALSE },
  { "a\x1f" "b", 0, FALSE, FALSE, FALSE, FALSE },
  { "A.b", 0, TRUE, TRUE, FALSE, FALSE },
  { "com.Example", 0, TRUE, TRUE, FALSE, FALSE },
  { "a-b", 0, TRUE, TRUE, FALSE, FALSE },
  { "a_b.c1", 0, TRUE, TRUE, TRUE, TRUE },
  { "0.9_", 0, TRUE, TRUE, TRUE, TRUE },
  { "wamp.error", 0, TRUE, TRUE, TRUE, TRUE },
  /* Unicode whitespace (Python's \s on str). */
  { "a\xc2\x85" "b", 0, FALSE, FALSE, FALSE, FALSE },        /* U+0085 */
  { "a\xc2\xa0" "b", 0, FALSE, FALSE, FALSE, FALSE },        /* U+00A0 */
  { "a\xe1\x9a\x80" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+1680 */
  { "a\xe2\x80\x80" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+2000 */
  { "a\xe2\x80\x85" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+2005 */
  { "a\xe2\x80\x8a" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+200A */
  { "a\xe2\x80\xa8" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+2028 */
  { "a\xe2\x80\xa9" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+2029 */
  { "a\xe2\x80\xaf" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+202F */
  { "a\xe2\x81\x9f" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+205F */
  { "a\xe3\x80\x80" "b", 0, FALSE, FALSE, FALSE, FALSE },    /* U+3000 */
  { "\xe3\x80\x80", 0, FALSE, FALSE, FALSE, FALSE },         /* U+3000 alone */
  /* Not whitespace. */
  { "a\xe2\x80\x8b" "b", 0, TRUE, TRUE, FALSE, FALSE },      /* U+200B zero width space */
  { "a\xc2\xa1" "b", 0, TRUE, TRUE, FALSE, FALSE },          /* U+00A1 */
  { "caf\xc3\xa9.x", 0, TRUE, TRUE, FALSE, FALSE },
  { "\xc3\xa9", 0, TRUE, TRUE, FALSE, FALSE },
  { "a.\xe3\x81\x82", 0, TRUE, TRUE, FALSE, FALSE },
  /* NUL anywhere is invalid. */
  { "a\0b", 3, FALSE, FALSE, FALSE, FALSE },
  { "\0", 1, FALSE, FALSE, FALSE, FALSE },
  { "a.b\0", 4, FALSE, FALSE, FALSE, FALSE },
};

static void
test_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const UriCase *c = &cases[i];
      gsize len = c->len != 0 ? c->len : strlen (c->uri);

      g_autofree char *escaped = g_strescape (c->uri, NULL);

      /* Escaped: raw control characters would end up in meson's JUnit XML. */
      g_test_message ("case %" G_GSIZE_FORMAT ": \"%s\"", i, escaped);
      g_assert_cmpint (wamp_uri_is_valid (c->uri, len, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE), ==, c->loose);
      g_assert_cmpint (wamp_uri_is_valid (c->uri, len, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_ALLOW_EMPTY), ==, c->loose_empty);
      g_assert_cmpint (wamp_uri_is_valid (c->uri, len, WAMP_URI_CHECK_STRICT, WAMP_URI_FLAGS_NONE), ==, c->strict);
      g_assert_cmpint (wamp_uri_is_valid (c->uri, len, WAMP_URI_CHECK_STRICT, WAMP_URI_FLAGS_ALLOW_EMPTY), ==, c->strict_empty);
    }
}

static void
test_length_is_explicit (void)
{
  /* Only @len bytes count: a prefix of an invalid string may be valid. */
  g_assert_true (wamp_uri_is_valid ("a.b c", 3, WAMP_URI_CHECK_STRICT, WAMP_URI_FLAGS_NONE));
  g_assert_false (wamp_uri_is_valid ("a.b c", 5, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE));
  g_assert_false (wamp_uri_is_valid ("a.b", 2, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE));
  g_assert_true (wamp_uri_is_valid (NULL, 0, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_ALLOW_EMPTY));
  /* A truncated multi-byte sequence at the end does not read past @len. */
  g_assert_true (wamp_uri_is_valid ("a\xe3\x80\x80", 3, WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE));
}

static void
test_reserved (void)
{
  g_assert_true (wamp_uri_is_reserved ("wamp"));
  g_assert_true (wamp_uri_is_reserved ("wamp.error.not_authorized"));
  g_assert_true (wamp_uri_is_reserved ("wamp."));
  g_assert_false (wamp_uri_is_reserved ("wampx.foo"));
  g_assert_false (wamp_uri_is_reserved ("wam"));
  g_assert_false (wamp_uri_is_reserved ("com.wamp.foo"));
  g_assert_false (wamp_uri_is_reserved (""));
  g_assert_false (wamp_uri_is_reserved ("WAMP.error"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("URI validation: loose/strict, with and without empty components");

  g_test_add_func ("/uri/valid/spec-regex-table", test_table);
  g_test_add_func ("/uri/valid/length-is-explicit", test_length_is_explicit);
  g_test_add_func ("/uri/reserved/first-component-wamp", test_reserved);

  return g_test_run ();
}
