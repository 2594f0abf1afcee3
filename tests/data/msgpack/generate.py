#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the MessagePack conformance files: messages/y_*.msgpack (valid: must
parse and re-serialize to an equal message) and messages/n_*.msgpack (each must
fail with WAMP_ERROR_PROTOCOL_VIOLATION), and copies them all to the fuzz seed
corpus tests/fuzz/seeds/msgpack/.

Valid frames are packed with python3-msgpack (the encoder AutobahnPython
uses); the forms it never writes (float32, wide headers for short values,
ext, reserved bytes, lies about lengths) are spelled out byte by byte.

Run: /usr/bin/python3 tests/data/msgpack/generate.py   (from anywhere)
"""

import os
import shutil
import struct
import sys

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
MESSAGES = os.path.join(HERE, "messages")
SEEDS = os.path.join(HERE, "..", "..", "fuzz", "seeds", "msgpack")

MAX_DEPTH = 32


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def array_header(n):
    if n < 16:
        return bytes([0x90 | n])
    if n < 0x10000:
        return b"\xdc" + struct.pack(">H", n)
    return b"\xdd" + struct.pack(">I", n)


def frame(*parts):
    """A message array of already packed elements."""
    return array_header(len(parts)) + b"".join(parts)


def nested_lists(levels):
    """@levels nested empty lists: [[...[]...]]."""
    return b"\x91" * (levels - 1) + b"\x90"


def nested_dicts(levels):
    """@levels nested dicts {"a": {"a": ... {}}}."""
    return b"\x81\xa1a" * (levels - 1) + b"\x80"


ROLES = {"caller": {}, "callee": {}, "publisher": {}, "subscriber": {}}

valid = {
    # One of every message type, in the shapes clients send them.
    "hello": pack([1, "realm1", {"roles": ROLES}]),
    "welcome": pack([2, 9129137332, {"roles": {"broker": {}, "dealer": {}}}]),
    "abort": pack([3, {"message": "The realm does not exist."}, "wamp.error.no_such_realm"]),
    "abort_with_payload": pack([3, {}, "wamp.error.no_such_realm", ["realm2"], {"hint": "try realm1"}]),
    "challenge": pack([4, "wampcra", {"challenge": "{\"nonce\": \"LHRTC9zeOIrt_9U3\"}"}]),
    "authenticate": pack([5, "gir1mSx+deCDUV7wRM5SGIn/+R/ClqLZuH4m7FJeBVI=", {}]),
    "goodbye": pack([6, {"message": "The host is shutting down now."}, "wamp.close.system_shutdown"]),
    "error_subscribe": pack([8, 32, 713845233, {}, "wamp.error.not_authorized"]),
    "error_call_with_payload": pack([8, 48, 7814135, {}, "com.myapp.error.object_does_not_exist",
                                     ["no such object"], {"id": 3}]),
    "publish": pack([16, 239714735, {}, "com.myapp.mytopic1"]),
    "publish_args": pack([16, 239714735, {"exclude_me": False}, "com.myapp.mytopic1", ["Hello, world!"]]),
    "publish_kwargs_only": pack([16, 239714735, {}, "com.myapp.mytopic1", [], {"color": "orange", "sizes": [23, 42, 7]}]),
    "published": pack([17, 239714735, 4429313566]),
    "subscribe": pack([32, 713845233, {"match": "prefix"}, "com.myapp"]),
    "subscribed": pack([33, 713845233, 5512315355]),
    "unsubscribe": pack([34, 85346237, 5512315355]),
    "unsubscribed": pack([35, 85346237]),
    "unsubscribed_with_details": pack([35, 0, {"subscription": 5512315355, "reason": "wamp.subscription.revoked"}]),
    "event": pack([36, 5512315355, 4429313566, {}]),
    "event_args_kwargs": pack([36, 5512315355, 4429313566, {"publisher": 3335656}, ["Johnny"],
                               {"firstname": "John", "surname": "Doe"}]),
    "call": pack([48, 7814135, {}, "com.myapp.ping"]),
    "call_args": pack([48, 7814135, {"timeout": 1000}, "com.myapp.echo", ["Hello, world!", 23, None, True]]),
    "cancel": pack([49, 7814135, {"mode": "kill"}]),
    "result": pack([50, 7814135, {}, [30]]),
    "result_empty_payload": pack([50, 7814135, {}, []]),
    "result_kwargs_only": pack([50, 7814135, {"progress": True}, [], {"userid": 123, "karma": 10}]),
    "register": pack([64, 25349185, {"invoke": "roundrobin"}, "com.myapp.myprocedure1"]),
    "registered": pack([65, 25349185, 2103333224]),
    "unregister": pack([66, 788923562, 2103333224]),
    "unregistered": pack([67, 788923562]),
    "invocation": pack([68, 6131533, 9823526, {"caller": 3335656}, ["Hello, world!"], {"x": 1}]),
    "interrupt": pack([69, 6131533, {"mode": "killnowait"}]),
    "yield": pack([70, 6131533, {}, ["Hello, world!"], {"y": 2}]),

    # Values at the edges of what the format and WAMP allow.
    "ids_at_bounds": pack([17, 2 ** 53, 0]),
    "integers_at_bounds": pack([16, 1, {}, "com.myapp.t", [
        -2 ** 63, 2 ** 63 - 1, 2 ** 64 - 1, 2 ** 63, 2 ** 53, 2 ** 53 + 1, -2 ** 53,
        0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32,
        -1, -32, -33, -128, -129, -32768, -32769, -2 ** 31, -2 ** 31 - 1]]),
    "doubles": pack([16, 1, {}, "com.myapp.t", [
        -0.0, 0.0, 1.0, -1.0, 0.1, 1.5e300, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 9007199254740992.0, 1e21,
        float("inf"), float("-inf")]]),
    "nan": pack([16, 1, {}, "com.myapp.t", [float("nan")]]),
    "float32": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"),
                     array_header(4) + b"\xca" + struct.pack(">f", 1.5)
                     + b"\xca" + struct.pack(">f", -0.0)
                     + b"\xca" + struct.pack(">f", float("inf"))
                     + b"\xca" + struct.pack(">f", 3.4028234663852886e38)),
    # The same small numbers in every wider form a sender may choose.
    "integers_in_wide_forms": frame(pack(16), b"\xcf" + struct.pack(">Q", 1), pack({}), pack("com.myapp.t"),
                                    array_header(8) + b"\xcc\x05" + b"\xcd\x00\x05"
                                    + b"\xce\x00\x00\x00\x05" + b"\xcf" + struct.pack(">Q", 5)
                                    + b"\xd0\x05" + b"\xd1\xff\xfb" + b"\xd2\xff\xff\xff\xfb"
                                    + b"\xd3" + struct.pack(">q", -5)),
    "type_as_uint8": b"\x93\xcc\x11\x01\x02",
    "unicode_strings": pack([16, 1, {}, "com.myapp.t", [
        "", "ascii", "\u00e9t\u00e9", "\u65e5\u672c\u8a9e", "\U0001F600 emoji", "\u2028\u2029",
        "\uffff", "\U0010FFFF", "\u0000leading NUL", "embedded\u0000NUL", "\u0000",
        "trailing NUL\u0000", "\u0001\u001f\u007f", "x" * 31, "y" * 32, "z" * 255, "w" * 256,
        "v" * 65536]]),
    # str8/str16/str32 and bin16/bin32 headers for short content.
    "strings_in_wide_forms": frame(pack(16), pack(1), pack({}), b"\xdb\x00\x00\x00\x0bcom.myapp.t",
                                   array_header(3) + b"\xd9\x02ab" + b"\xda\x00\x02cd"
                                   + b"\xdb\x00\x00\x00\x02ef"),
    "binary": pack([16, 1, {}, "com.myapp.t", [b"", b"\x00", b"\x00\x01\x02\xff", bytes(range(256)),
                                                b"\xff" * 65536]]),
    "binary_in_wide_forms": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"),
                                  array_header(2) + b"\xc5\x00\x02\x01\x02" + b"\xc6\x00\x00\x00\x01\x03"),
    "binary_kwargs": pack([16, 1, {}, "com.myapp.t", [], {"blob": b"\x00\x10\x20", "s": "text"}]),
    "containers_empty_and_nested": pack([16, 1, {}, "com.myapp.t", [
        [], {}, [[]], [{}], {"a": []}, {"a": {}}, [[], {}, [[{}]]],
        {"z": 1, "a": 2, "m": [None, True, False]}]]),
    "containers_in_wide_forms": frame(pack(16), pack(1), b"\xde\x00\x00", pack("com.myapp.t"),
                                      b"\xdd\x00\x00\x00\x02" + b"\xdc\x00\x00" + b"\xdf\x00\x00\x00\x01\xa1k\xc0",
                                      b"\xdf\x00\x00\x00\x00"),
    "large_containers": pack([16, 1, {}, "com.myapp.t", [None] * 65536,
                              {str(i): i for i in range(20)}]),
    "dict_keys_unusual": pack([16, 1, {}, "com.myapp.t", [], {"": 0, "k\u0000ey": 1, "\u00e9": 2, "\U0001F600": 3}]),
    # Duplicate keys: the later value wins in the first one's place (as in JSON).
    "duplicate_key_last_wins": frame(pack(1), pack("realm1"),
                                     b"\x83" + pack("roles") + pack({"caller": {}})
                                     + pack("authid") + pack("a") + pack("authid") + pack("b")),
    "nil_and_bools": pack([16, 1, {"acknowledge": True, "exclude_me": False}, "com.myapp.t", [None, True, False]]),
    # The message array itself is level 1: 31 more levels make the limit of 32.
    "nesting_32": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"), nested_lists(MAX_DEPTH - 1)),
    "nesting_32_in_details": frame(pack(1), pack("realm1"), nested_dicts(MAX_DEPTH - 1)),
    "nesting_32_in_kwargs": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"), pack([]),
                                  nested_dicts(MAX_DEPTH - 1)),
}

HELLO_HEAD = pack(1) + pack("realm1")
PUBLISH_HEAD = pack(16) + pack(1) + pack({}) + pack("com.myapp.t")

invalid = {
    "empty": b"",
    "not_an_array_map": pack({"type": 1}),
    "not_an_array_str": pack("hello"),
    "not_an_array_int": pack(1),
    "not_an_array_nil": b"\xc0",
    "empty_array": b"\x90",
    "empty_array32": b"\xdd\x00\x00\x00\x00",
    "type_string": pack(["1", "realm1", {}]),
    "type_double": pack([1.0, "realm1", {}]),
    "type_nil": pack([None, "realm1", {}]),
    "type_zero": pack([0, "realm1", {}]),
    "type_unknown": pack([7, "realm1", {}]),
    "type_99": pack([99]),
    "type_negative": pack([-1, "realm1", {}]),
    "type_huge": pack([2 ** 64 - 1, "realm1", {}]),
    "hello_missing_details": pack([1, "realm1"]),
    "hello_details_not_dict": pack([1, "realm1", []]),
    "hello_realm_binary": pack([1, b"realm1", {}]),
    "goodbye_reason_not_string": pack([6, {}, 3]),
    "subscribe_topic_not_string": pack([32, 1, {}, 42]),
    "id_above_2_53": pack([17, 2 ** 53 + 1, 1]),
    "id_negative": pack([17, -1, 1]),
    "id_double": pack([17, 1.0, 1]),
    "args_not_list": pack([16, 1, {}, "com.myapp.t", {"a": 1}]),
    "args_string": pack([16, 1, {}, "com.myapp.t", "args"]),
    "args_nil": pack([16, 1, {}, "com.myapp.t", None]),
    "kwargs_not_dict": pack([16, 1, {}, "com.myapp.t", [], []]),
    "payload_on_subscribe": pack([32, 1, {}, "com.myapp.t", []]),
    "published_extra_element": pack([17, 1, 2, 3]),
    "publish_too_many_elements": pack([16, 1, {}, "com.myapp.t", [], {}, []]),
    # Claimed lengths far beyond the frame: refused before anything is read
    # or allocated.
    "array32_claims_4g": b"\xdd\xff\xff\xff\xff\x10\x01\x80\xa1t",
    "array16_claims_65535": b"\xdc\xff\xff\x10\x01\x80\xa1t\x90",
    "args_array32_claims_4g": b"\x95" + PUBLISH_HEAD + b"\xdd\xff\xff\xff\xff",
    "kwargs_map32_claims_4g": b"\x96" + PUBLISH_HEAD + b"\x90" + b"\xdf\xff\xff\xff\xff",
    "details_map32_claims_4g": b"\x93" + HELLO_HEAD + b"\xdf\xff\xff\xff\xff\xa1a\xc0",
    "map16_claims_65535": b"\x93" + HELLO_HEAD + b"\xde\xff\xff",
    "str32_claims_4g": b"\x93\x01\xdb\xff\xff\xff\xffrealm1",
    "str16_claims_65535": b"\x93\x01\xda\xff\xffrealm1\x80",
    "str8_claims_255": b"\x93\x01\xd9\xffrealm1\x80",
    "bin32_claims_4g": b"\x95" + PUBLISH_HEAD + b"\x91\xc6\xff\xff\xff\xff\x00",
    "fixarray_claims_more_than_present": b"\x9f\x10\x01\x80",
    "map_with_one_byte_per_pair": b"\x93" + HELLO_HEAD + b"\x82\xa0\xc0",
    # Map keys must be str.
    "key_int_in_details": b"\x93" + HELLO_HEAD + b"\x81\x01\x80",
    "key_bin_in_details": b"\x93" + HELLO_HEAD + b"\x81\xc4\x01a\x80",
    "key_nil_in_details": b"\x93" + HELLO_HEAD + b"\x81\xc0\x80",
    "key_array_in_details": b"\x93" + HELLO_HEAD + b"\x81\x90\x80",
    "key_map_in_details": b"\x93" + HELLO_HEAD + b"\x81\x80\x80",
    "key_double_in_details": b"\x93" + HELLO_HEAD + b"\x81\xcb" + struct.pack(">d", 1.0) + b"\x80",
    "key_bool_in_kwargs": b"\x96" + PUBLISH_HEAD + b"\x90\x81\xc3\x01",
    "key_int_nested_in_args": b"\x95" + PUBLISH_HEAD + b"\x91\x81\x01\x02",
    # Ext types (the timestamp extension included) have no WAMP meaning.
    "ext_fixext1": b"\x95" + PUBLISH_HEAD + b"\x91\xd4\x01\x00",
    "ext_fixext2": b"\x95" + PUBLISH_HEAD + b"\x91\xd5\x01\x00\x00",
    "ext_fixext8": b"\x95" + PUBLISH_HEAD + b"\x91\xd7\x01" + b"\x00" * 8,
    "ext_fixext16": b"\x95" + PUBLISH_HEAD + b"\x91\xd8\x01" + b"\x00" * 16,
    "ext_timestamp32": b"\x95" + PUBLISH_HEAD + b"\x91\xd6\xff\x5f\x5e\x10\x00",
    "ext_timestamp96": b"\x95" + PUBLISH_HEAD + b"\x91\xc7\x0c\xff" + b"\x00" * 12,
    "ext8": b"\x95" + PUBLISH_HEAD + b"\x91\xc7\x01\x05\x00",
    "ext16": b"\x95" + PUBLISH_HEAD + b"\x91\xc8\x00\x01\x05\x00",
    "ext32": b"\x95" + PUBLISH_HEAD + b"\x91\xc9\x00\x00\x00\x01\x05\x00",
    "ext_in_details": b"\x93" + HELLO_HEAD + b"\x81\xa1t\xd6\xff\x00\x00\x00\x00",
    "ext_as_type": b"\x93\xd4\x01\x01\xa6realm1\x80",
    "reserved_byte_c1": b"\x95" + PUBLISH_HEAD + b"\x91\xc1",
    "reserved_byte_c1_as_type": b"\x91\xc1",
    # Invalid UTF-8 in str: values, keys, URIs.
    "utf8_bad_continuation": b"\x95" + PUBLISH_HEAD + b"\x91\xa2\xc3\x28",
    "utf8_lone_continuation": b"\x95" + PUBLISH_HEAD + b"\x91\xa1\x80",
    "utf8_overlong_nul": b"\x95" + PUBLISH_HEAD + b"\x91\xa2\xc0\x80",
    "utf8_overlong_3byte": b"\x95" + PUBLISH_HEAD + b"\x91\xa3\xe0\x9f\xbf",
    "utf8_surrogate": b"\x95" + PUBLISH_HEAD + b"\x91\xa3\xed\xa0\x80",
    "utf8_above_10ffff": b"\x95" + PUBLISH_HEAD + b"\x91\xa4\xf4\x90\x80\x80",
    "utf8_5byte": b"\x95" + PUBLISH_HEAD + b"\x91\xa5\xf8\x88\x80\x80\x80",
    "utf8_ff_byte": b"\x95" + PUBLISH_HEAD + b"\x91\xa1\xff",
    "utf8_cut_at_str_end": b"\x95" + PUBLISH_HEAD + b"\x92\xa2\xe2\x82\xa1\xac",
    "utf8_in_key": b"\x93" + HELLO_HEAD + b"\x81\xa2\xc3\x28\x80",
    "utf8_in_realm": b"\x93\x01\xa6realm\xff\x80",
    "utf8_in_long_ascii_run": b"\x95" + PUBLISH_HEAD + b"\x91\xd9\x28" + b"a" * 20 + b"\xff" + b"b" * 19,
    # Nesting one level over the limit of 32, wherever it happens.
    "nesting_33": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"), nested_lists(MAX_DEPTH)),
    "nesting_33_in_details": frame(pack(1), pack("realm1"), nested_dicts(MAX_DEPTH)),
    "nesting_33_in_kwargs": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"), pack([]),
                                  nested_dicts(MAX_DEPTH)),
    "nesting_10000": frame(pack(16), pack(1), pack({}), pack("com.myapp.t"), nested_lists(10000)),
    # Trailing bytes, two messages in one frame.
    "trailing_byte": pack([17, 1, 2]) + b"\x00",
    "trailing_nil": pack([17, 1, 2]) + b"\xc0",
    "two_messages": pack([17, 1, 2]) + pack([17, 3, 4]),
    # Truncations (every prefix of every valid file is refused in the test too).
    "truncated_float64": b"\x95" + PUBLISH_HEAD + b"\x91\xcb\x3f\xf0\x00",
    "truncated_float32": b"\x95" + PUBLISH_HEAD + b"\x91\xca\x3f",
    "truncated_uint64": b"\x93\x11\xcf\x00\x00\x00\x00\x01",
    "truncated_int16": b"\x93\x11\x01\xd1\x00",
    "truncated_str8_header": b"\x95" + PUBLISH_HEAD + b"\x91\xd9",
    "truncated_bin16_header": b"\x95" + PUBLISH_HEAD + b"\x91\xc5\x00",
    "truncated_array32_header": b"\xdd\x00\x00",
    "truncated_in_args": pack([16, 1, {}, "com.myapp.t", ["Hello"]])[:-2],
    "truncated_in_kwargs": pack([16, 1, {}, "com.myapp.t", [], {"key": "value"}])[:-1],
    "truncated_map_value": b"\x93" + HELLO_HEAD + b"\x81\xa1a",
    "garbage": b"\xc1\xc1\xc1\xc1",
    "json_text": b'[1, "realm1", {}]',
}


def write_all(directory, cases, prefix):
    for name, data in cases.items():
        with open(os.path.join(directory, "%s_%s.msgpack" % (prefix, name)), "wb") as f:
            f.write(data)


def main():
    # A valid file must really be valid, an invalid one must differ from all
    # of them; the C test checks the rest.
    for name, data in valid.items():
        msgpack.unpackb(data, raw=False, strict_map_key=False)
        assert not name.startswith(("n_", "y_")), name

    os.makedirs(MESSAGES, exist_ok=True)
    for old in os.listdir(MESSAGES):
        if old.endswith(".msgpack"):
            os.unlink(os.path.join(MESSAGES, old))
    write_all(MESSAGES, valid, "y")
    write_all(MESSAGES, invalid, "n")

    # The seed corpus: every conformance file, minus the very large ones that
    # would only slow libFuzzer down.
    # Other seeds (inputs the fuzzer found) are kept.
    os.makedirs(SEEDS, exist_ok=True)
    for old in os.listdir(SEEDS):
        if old.startswith(("y_", "n_")) and old.endswith(".msgpack"):
            os.unlink(os.path.join(SEEDS, old))
    for name in sorted(os.listdir(MESSAGES)):
        path = os.path.join(MESSAGES, name)
        if os.path.getsize(path) <= 4096:
            shutil.copy(path, os.path.join(SEEDS, name))

    print("wrote %d valid and %d invalid files" % (len(valid), len(invalid)), file=sys.stderr)


if __name__ == "__main__":
    main()
